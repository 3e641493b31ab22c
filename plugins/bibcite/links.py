"""Links between pages: each points at a page the build writes, and at an id that page carries.

Shared by the build (plugin.SourcesGenerator) and `make check`, so that a
broken link fails both, located at the link in the Markdown source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

from . import clauses
from .problems import Problem
from .render import notes_section, source_path
from .resolve import Note
from .safety import link_problem
from .syntax import LineIndex, find_first

HREF_RE = re.compile(r'href="([^"]*)"')
ID_RE = re.compile(r'\sid="([^"]+)"')


@dataclass(frozen=True)
class Page:
    """What the link check needs to know of one page."""

    #: repository-relative path of the Markdown source
    path: str
    #: the source file, to locate a link in its text
    source: Path
    #: the file the build writes, relative to the output folder (point-21.html)
    name: str
    #: the converted body, citation markers included
    html: str
    #: the page's notes
    notes: tuple[Note, ...]
    #: the clause number of a clause page, else None
    clause: int | None


def targets(pages: list[Page], sources: dict[str, Any]) -> dict[str, set[str]]:
    """Every file the build writes that a page may link to, with the ids it carries."""
    found: dict[str, set[str]] = {}
    for page in pages:
        ids = set(ID_RE.findall(page.html)) | set(ID_RE.findall(notes_section(page.notes)))
        if page.clause is not None:
            ids |= {f"point-{page.clause}", "notes-heading"}
        found[page.name] = ids
    # Pages the templates and the plugin write, with the ids they always carry.
    found.setdefault("index.html", set()).update(name.lower().replace(" ", "-") for name, _ in clauses.SECTIONS)
    found["sources/index.html"] = set()
    for key in sources:
        found[source_path(key)] = {f"source-{key}"}
    return found


def check(pages: list[Page], sources: dict[str, Any]) -> list[Problem]:
    """A link.broken problem for each link to a page or an anchor that will not exist."""
    known = targets(pages, sources)
    problems = []
    for page in pages:
        text: str | None = None
        for href in HREF_RE.findall(page.html):
            href = href.replace("&amp;", "&")
            parsed = urlparse(href)
            if parsed.scheme or parsed.netloc or link_problem(href):
                continue  # external, or an unsafe link already refused by the safety check
            target = page.name
            if parsed.path:
                target = str(PurePosixPath(page.name).parent / unquote(parsed.path))
                target = re.sub(r"^(\./)+", "", str(PurePosixPath(target)))
                if target not in known:
                    text = text if text is not None else _read(page.source)
                    problems.append(_problem(text, href, page.path, f"link to {parsed.path!r}, which no page is"))
                    continue
            if parsed.fragment and unquote(parsed.fragment) not in known[target]:
                text = text if text is not None else _read(page.source)
                problems.append(_problem(text, href, page.path,
                                         f"link to #{parsed.fragment} in {target}, which has no such anchor"))
    return problems


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _problem(text: str, href: str, path: str, message: str) -> Problem:
    """Locate the link in the Markdown source by its address."""
    needle = href.split("#")[0] or href
    # The address; else a correction's entry id, in the Corrected header line.
    offset = find_first(text, (needle, href.split("#", 1)[1] if "#" in href else ""))
    if offset < 0 and (opening := text.find("](" + needle[:3])) >= 0:
        offset = opening + 2  # written with character references ("nowhere&#46;html"): by its first letters
    line, column = LineIndex(text).locate(offset) if offset >= 0 else (1, 1)
    return Problem(path, line, column, "link.broken", message,
                   "link to a clause as point-N.html#anchor, to a page by its .html name, or fix the anchor")
