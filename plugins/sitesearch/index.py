"""The search index of a built site (pure: no Pelican here).

The index is JSON wrapped in a plain script, ``window.SEARCH_INDEX = {...};``, so a
page opened from disk (file://) can load it with a ``<script src>``: no fetch, no
modules. Its shape, with short keys::

    {"v": 2,
     "p": [[url, title, name], ...],                    # pages, in natural path order
     "u": [{"p": 3, "u": "point-21.html#point-21-b",    # units: page number, url with fragment,
            "l": "The text (b)",                        #   the section where it is,
            "x": "Kherson and Zaporizhzhia will ..."}]} #   and its plain text

A large index is split (see :mod:`sitesearch.shards`): the same ``"v"`` and ``"p"``,
and in place of ``"u"`` the list of shard files and the words each one holds; the
units are in the shards, in the same order.

A page's *name* is the short form that labels its results: "Point 21 · Territory"
(the clause number and the first part of its title), "Timeline", or for a source the
readable name its page declares in ``data-search-label`` ("Source: Rolling Stone"),
never a citation key. A result reads "name › section": "Point 21 · Territory › The
text (b)"; a list item that opens with a bold term and a dash ("21 November 2025 —
...") is labelled by that term instead ("Timeline › 21 November 2025").

A unit without ``"l"`` is the page's own entry: it stands for the page title (its
label), and its text is the page's opening paragraph, or failing that its meta
description. Every other unit is one block of text (a paragraph, list item,
definition list, table row...) linked to the nearest id: its own, the nearest
preceding heading's, or an enclosing element's, whichever is closest. ``"l"`` is
"" for a unit before any heading. No two units of a page share label and text.

URLs are relative to the site root. The output depends only on the HTML, so two
builds of the same content give byte-identical files.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .model import Options, Page, Unit

VERSION = 2


def natural(path: str) -> list[Any]:
    """Sort key: point-2 before point-10."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", path) if part]


def html_files(root: str) -> list[str]:
    """The paths of the .html files under *root*, relative to it with / between folders, never through a
    link to a folder (what Path.rglob("*.html") found, without a Path for each)."""
    found = []
    for folder, _, names in os.walk(root):
        rel = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        found += [prefix + name for name in names if name.endswith(".html")]
    return found


#: What identifies one version of a written file: size, modification time, inode.
Stamp = tuple[int, int, int]


def stamp(path: str | os.PathLike[str]) -> Stamp:
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ino)


class Collector:
    """The pages of one build, each indexed once, as it is written; only their units are kept.

    :meth:`written` indexes a page Pelican has just written (it is still in the page
    cache). :meth:`pages` then gives every HTML page in the output, in natural path
    order, as if each had been read at the end: a page that was not announced (a
    static copy) or was changed since is indexed then.
    """

    def __init__(
        self, output: Path, options: Options | None = None, on_page: Callable[[Page], Page] | None = None
    ) -> None:
        self.output = output
        #: called with each page as it is indexed; what it returns is kept in its place
        self.on_page = on_page
        self.root = os.path.abspath(output)
        self.options = options or Options()
        self.excluder = self.options.excluder()
        self.found: dict[str, tuple[Stamp, Page | None]] = {}
        #: each path's sort key, where the builds of one process keep them (the devserver's); None: not kept
        self.keys: dict[str, list[Any]] | None = None

    def order(self, rel: str) -> tuple[list[Any], str]:
        """The sort key of path *rel*: natural order, then the name."""
        if self.keys is None:
            return natural(rel), rel
        key = self.keys.get(rel)
        if key is None:
            key = self.keys[rel] = natural(rel)
        return key, rel

    def written(self, path: str | os.PathLike[str]) -> None:
        """Index the page just written at *path*, if it is an HTML page in the output."""
        full = os.path.abspath(path)
        if not full.endswith(".html") or not full.startswith(self.root + os.sep):
            return
        rel = Path(os.path.relpath(full, self.root)).as_posix()
        known = self.found.get(rel)
        if known is None or known[0] != stamp(self.output / rel):  # (the same file: indexed by an earlier build)
            self.index(rel)

    def index(self, rel: str) -> None:
        path = self.output / rel
        version = stamp(path)
        from .extract import index_page  # lxml, loaded only by a process that indexes

        html = path.read_bytes()
        page = index_page(html, quote(rel, safe="/"), self.options, self.excluder)
        if page is not None and self.on_page is not None:
            page = self.on_page(page)
        self.keep(rel, version, page)

    def keep(self, rel: str, version: Stamp, page: Page | None) -> None:
        """Keep page *rel* as indexed from the file *version* (None: it opts out)."""
        self.found[rel] = (version, page)

    def pages(self) -> list[Page]:
        """Every indexed page of the output, in natural path order."""
        on_disk = sorted(html_files(self.root), key=self.order)
        if self.keys is not None:  # only the paths there are now
            self.keys = {rel: self.keys[rel] for rel in on_disk}
        pages = []
        for rel in on_disk:
            known = self.found.get(rel)
            if known is None or known[0] != stamp(os.path.join(self.root, rel)):
                self.index(rel)
            page = self.found[rel][1]
            if page is not None:
                pages.append(page)
        return pages


def unit_entry(number: int, unit: Unit) -> dict[str, Any]:
    entry: dict[str, Any] = {"p": number, "u": unit.url, "x": unit.text}
    if unit.label is not None:
        entry["l"] = unit.label
    return entry


def assemble(pages: list[Page]) -> dict[str, Any]:
    """The index of *pages* (see the module's docstring)."""
    return {
        "v": VERSION,
        "p": [[page.url, page.title, page.name] for page in pages],
        "u": [unit_entry(number, unit) for number, page in enumerate(pages) for unit in page.units],
    }


def build(
    output: Path, site_name: str = "", default_description: str = "", exclude: list[str] | None = None
) -> dict[str, Any]:
    """Index every HTML file under *output*."""
    options = Options(site_name, default_description, tuple(exclude or ()))
    return assemble(Collector(output, options).pages())


def dumps(data: Any) -> str:
    """Compact JSON that is also valid JavaScript (U+2028 and U+2029 escaped)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


PREFIX = "window.SEARCH_INDEX = "
SUFFIX = ";\n"


def render(index: dict[str, Any]) -> str:
    """The index as a plain script assigning a global."""
    return f"{PREFIX}{dumps(index)}{SUFFIX}"
