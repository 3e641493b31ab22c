"""Links between pages: each points at a page the build writes, and at an id that page carries.

Shared by the build (plugin.SourcesGenerator) and `make check`, so that a
broken link fails both, located at the link in the Markdown source.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Set as AbstractSet
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


#: A page's ids, and its links to other pages: (the address as written, the file it names, the anchor as
#: written, and decoded)
Links = tuple[frozenset[str], tuple[tuple[str, str, str, str], ...]]


class Memo:
    """Each page's ids and links, kept between the builds of one process (the devserver) while the
    page's HTML, notes and name are the same objects (a page whose reading was reused)."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, int, int], tuple[Page, Links]] = {}
        self.used: set[tuple[str, int, int]] = set()

    def get(self, page: Page) -> Links:
        key = (page.name, id(page.html), id(page.notes))
        self.used.add(key)
        kept = self.found.get(key)
        if kept is not None and kept[0].html is page.html and kept[0].notes is page.notes and kept[0].ids == page.ids:
            return kept[1]
        found = _parse(page)
        self.found[key] = (page, found)
        return found

    def prune(self) -> None:
        """Forget the pages the last check did not see."""
        self.found = {key: value for key, value in self.found.items() if key in self.used}
        self.used = set()


def _ids(page: Page, memo: Memo | None) -> frozenset[str]:
    return memo.get(page)[0] if memo is not None else _page_ids(page)


def _links(page: Page, memo: Memo | None) -> tuple[tuple[str, str, str, str], ...]:
    """Its links (without a memo, parsed now and not kept: a build holds no more than one page's)."""
    return memo.get(page)[1] if memo is not None else _page_links(page)


def _parse(page: Page) -> Links:
    return _page_ids(page), _page_links(page)


def _page_ids(page: Page) -> frozenset[str]:
    return frozenset(ID_RE.findall(page.html)) | notes_ids(page.notes) | page.ids


def _page_links(page: Page) -> tuple[tuple[str, str, str, str], ...]:
    found = []
    for href in HREF_RE.findall(page.html):
        href = href.replace("&amp;", "&")
        parsed = urlparse(href)
        if parsed.scheme or parsed.netloc or link_problem(href):
            continue  # external, or an unsafe link already refused by the safety check
        target = ""
        if parsed.path:
            target = str(PurePosixPath(page.name).parent / unquote(parsed.path))
            target = re.sub(r"^(\./)+", "", str(PurePosixPath(target)))
        found.append((href, target, parsed.fragment, unquote(parsed.fragment)))
    return tuple(found)


class _Targets:
    """The ids a link may name in each file the build writes; a page's worked out when asked for, not kept."""

    def __init__(
        self, pages: list[Page], sources: dict[str, Any], extra: dict[str, set[str]] | None, memo: Memo | None
    ):
        self.pages, self.memo = pages, memo
        #: files the templates and the plugins write, with the ids they always carry (on a page's own name: added
        #: to the page's ids)
        self.extra = extra or {}
        #: the sources' pages and index: their ids are these, whatever a page or a plugin says
        self.fixed: dict[str, AbstractSet[str]] = {"sources/index.html": frozenset()}
        self.fixed.update((source_path(key), {f"source-{key}"}) for key in sources)
        #: each page name's page (the last of that name, as a dict of every page's ids would hold)
        self.by_name = {page.name: number for number, page in enumerate(pages)}

    def __contains__(self, name: str) -> bool:
        return name in self.by_name or name in self.fixed or name in self.extra

    def page(self, name: str) -> int | None:
        """The number of the page whose ids *name* has, if they are a page's (and not a fixed set)."""
        return None if name in self.fixed else self.by_name.get(name)

    def ids(self, name: str) -> AbstractSet[str]:
        if name in self.fixed:
            return self.fixed[name]
        number = self.by_name.get(name)
        if number is None:
            return self.extra[name]
        ids = _ids(self.pages[number], self.memo)
        return ids | self.extra[name] if name in self.extra else ids


def check(
    pages: list[Page], sources: dict[str, Any], extra: dict[str, set[str]] | None = None, memo: Memo | None = None
) -> list[Problem]:
    """A link.broken problem for each link to a page or an anchor that will not exist.

    A page's links are checked a page at a time; a link into another page waits until that
    page's ids are worked out, once, for all the links into it: the check holds the links
    between pages, never every page's ids at once (about 5 KB a page)."""
    known = _Targets(pages, sources, extra, memo)
    #: each broken link: its page's number, its place among the page's links, its address, what is wrong
    found: list[tuple[int, int, str, str]] = []
    #: the links into each page from another, by the number of the page linked to
    into: dict[int, list[tuple[int, int, str, str, str, str]]] = defaultdict(list)
    for number, page in enumerate(pages):
        own: AbstractSet[str] | None = None
        for at, (href, target, fragment, anchor) in enumerate(_links(page, memo)):
            if target and target not in known:
                found.append((number, at, href, f"link to {urlparse(href).path!r}, which no page is"))
                continue
            target = target or page.name
            if not anchor:
                continue
            linked = known.page(target)
            if linked is not None and linked != number:
                into[linked].append((number, at, href, target, fragment, anchor))
                continue
            if linked is None:
                ids = known.ids(target)
            else:
                ids = own = own if own is not None else known.ids(target)
            if anchor not in ids:
                found.append((number, at, href, f"link to #{fragment} in {target}, which has no such anchor"))
    for linked in sorted(into):
        ids = known.ids(pages[linked].name)
        for number, at, href, target, fragment, anchor in into[linked]:
            if anchor not in ids:
                found.append((number, at, href, f"link to #{fragment} in {target}, which has no such anchor"))
    if memo is not None:
        memo.prune()
    found.sort(key=lambda item: item[:2])
    return _located(pages, found)


def _located(pages: list[Page], found: list[tuple[int, int, str, str]]) -> list[Problem]:
    """Each broken link (in page order) located in its page's Markdown: a page's text read and its lines
    indexed once, one page's at a time."""
    problems = []
    current, text, lines = -1, "", LineIndex("")
    for number, _, href, message in found:
        if number != current:
            current, text = number, _read(pages[number].source)
            lines = LineIndex(text)
        problems.append(_problem(text, lines, href, pages[number].path, message))
    return problems


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _problem(text: str, lines: LineIndex, href: str, path: str, message: str) -> Problem:
    """Locate the link in the Markdown source (*text*, its *lines*) by its address."""
    needle = href.split("#")[0] or href
    # The address; else a correction's entry id, in the Corrected header line.
    offset = find_first(text, (needle, href.split("#", 1)[1] if "#" in href else ""))
    if offset < 0 and (opening := text.find("](" + needle[:3])) >= 0:
        offset = opening + 2  # written with character references ("nowhere&#46;html"): by its first letters
    line, column = lines.locate(offset) if offset >= 0 else (1, 1)
    return Problem(
        path,
        line,
        column,
        "link.broken",
        message,
        "link to a page by its .html name (and an id it has: page.html#id), or fix the anchor",
    )
