"""Links between pages: each points at a page the build writes, and at an id that page carries.

Shared by the build (plugin.SourcesGenerator) and `make check`, so that a
broken link fails both, located at the link in the Markdown source.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

from .hooks import Page
from .problems import Problem
from .render import notes_ids, source_path
from .safety import link_problem
from .syntax import LineIndex, find_first

HREF_RE = re.compile(r'href="([^"]*)"')
ID_RE = re.compile(r'\sid="([^"]+)"')


def targets(
    pages: list[Page], sources: dict[str, Any], extra: dict[str, set[str]] | None = None
) -> dict[str, set[str]]:
    """Every file the build writes that a page may link to, with the ids it carries."""
    found: dict[str, set[str]] = {}
    for page in pages:
        found[page.name] = set(ID_RE.findall(page.html)) | notes_ids(page.notes) | page.ids
    # Pages the templates and the plugins write, with the ids they always carry.
    for name, ids in (extra or {}).items():
        found.setdefault(name, set()).update(ids)
    found["sources/index.html"] = set()
    for key in sources:
        found[source_path(key)] = {f"source-{key}"}
    return found


def check(pages: list[Page], sources: dict[str, Any], extra: dict[str, set[str]] | None = None) -> list[Problem]:
    """A link.broken problem for each link to a page or an anchor that will not exist."""
    known = targets(pages, sources, extra)
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
                problems.append(
                    _problem(text, href, page.path, f"link to #{parsed.fragment} in {target}, which has no such anchor")
                )
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
    return Problem(
        path,
        line,
        column,
        "link.broken",
        message,
        "link to a page by its .html name (and an id it has: page.html#id), or fix the anchor",
    )
