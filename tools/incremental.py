"""Edits in place: the devserver renders again only the pages an edit can change.

Each devserver build still goes through the whole site, but what did not change is not made
again: bibcite keeps every unchanged page's reading and Pelican's object for it
(BIBCITE_REUSE), each page's links for the link check, and the bibliography's exports;
sitesearch keeps each unchanged page's entry and the shards cut from unchanged pages
(SITESEARCH_REUSE); and before rendering a page with one of the templates below this module
works out what that page is made of: when that is what the page already on disk (the last
good build) was made of, the file is linked into the new build instead of rendered. Pages of
any other template (the home page and coverage table, the print edition, search, feeds) are
rendered every time.

What a page is made of (its key):

- every page: the settings, the bibliography and the other plugins' declared inputs
  (bibcite's reuse token), every template's source, and the *shape* of the site: each
  page's address, title and header fields (summary, clause, related...), which other
  pages show in their lists, neighbours and related clauses, and the addresses of the
  static files;
- a page of the ``page``, ``clause`` or ``method`` templates: the bytes of its own file;
- a source's page: the notes that cite it (which page, which passages);
- the sources index: the notes that cite each source (it counts them).

So an edit to a clause's text renders that clause and the pages that list every note
(the home page, coverage, print edition); a new citation adds the pages of the sources it
cites or no longer cites and the sources index; a changed title or header field changes the
shape and renders every page. tests/test_devserver.py compares the tree after a series
of such edits with a fresh build's, byte for byte.

Only the devserver builds this way: a linked file shares its bytes with the last
build's, which nothing in the devserver's plugins rewrites in place (assethash, which
does, runs only for ``make publish``).
"""

from __future__ import annotations

import hashlib
import operator
import os
import shutil
import stat
from dataclasses import fields
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.writers import Writer

from pelican.plugins.bibcite.plugin import REUSE, SOURCE_DIGEST

#: Templates whose pages depend on their own file and the site's shape only.
OWN_TEMPLATES = frozenset({"page", "clause", "method"})
#: The template of a source's page, which depends on the notes that cite the source.
SOURCE_TEMPLATE = "source"
#: The sources index, which depends on the notes that cite every source.
SOURCES_TEMPLATE, SOURCES_PAGE = "sources", "sources/index"
#: A page's fields that are its body, not its place in the site: other pages never show them.
BODY_FIELDS = frozenset({"notes", "toc", "bibcite_data", "bibcite_html", SOURCE_DIGEST})


class Incremental:
    """What the last good build of this process rendered, file by file, and where it is."""

    def __init__(self) -> None:
        #: output file name -> the key it was rendered from and the stamp of the file, in the build
        #: now in the output folder
        self.keys: dict[str, tuple[bytes, tuple[int, ...]]] = {}
        #: the keys of the build in progress, kept when it succeeds
        self.pending: dict[str, bytes] = {}
        #: the output folder holding the last good build
        self.target: Path | None = None
        #: files linked rather than rendered, and rendered, by the last build
        self.linked = 0
        self.rendered = 0
        #: the build's settings, bibliography, inputs, templates and shape (site_digest)
        self.site: bytes | None = None
        #: each page object's shape, and each note's part of a source's key, by id (with the object)
        self.shapes: dict[int, tuple[Any, bytes]] = {}
        self.notes: dict[int, tuple[Any, bytes]] = {}
        self.notes_used: set[int] = set()
        #: the last build's source keys and this one's, by source key, with the entries they were made from
        self.cited_last: dict[str, tuple[tuple[dict[str, Any], ...], bytes]] = {}
        self.cited_next: dict[str, tuple[tuple[dict[str, Any], ...], bytes]] = {}
        #: the stamps of the files linked by this build (the same files as the last build's)
        self.linked_stamps: dict[str, tuple[int, ...]] = {}

    def begin(self, target: Path) -> None:
        if self.target != target:
            self.keys = {}
        self.target, self.pending, self.linked, self.rendered, self.site = target, {}, 0, 0, None
        self.cited_next, self.linked_stamps = {}, {}

    def commit(self) -> None:
        """The build succeeded: its files are now the output folder's, each known by its stamp, so
        that a file another build put there since (`make html` into the same folder) is never linked."""
        target = self.target
        stamps = self.linked_stamps  # a link is the same file, with the same stamp (_stamp ignores ctime)
        self.keys = (
            {name: (key, stamps.get(name) or _stamp(target / name)) for name, key in self.pending.items()}
            if target
            else {}
        )
        self.notes = {key: value for key, value in self.notes.items() if key in self.notes_used}
        self.notes_used = set()
        self.cited_last = self.cited_next

    def connect(self) -> None:
        signals.get_writer.connect(self.writer_class)

    def disconnect(self) -> None:
        signals.get_writer.disconnect(self.writer_class)

    def writer_class(self, pelican: Any) -> type[Writer]:
        state = self

        class IncrementalWriter(Writer):
            def write_file(self, name: Any, template: Any, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
                return state.write_file(super().write_file, self.output_path, name, template, context, args, kwargs)

        return IncrementalWriter

    def write_file(
        self, write: Any, staging: str, name: Any, template: Any, context: dict[str, Any], args: Any, kwargs: Any
    ) -> Any:
        key = self.key(name, template, context, kwargs) if name and not args else None
        if key is None:
            self.rendered += 1
            return write(name, template, context, *args, **kwargs)
        self.pending[name] = key
        last = os.path.join(self.target, name) if self.target is not None else None
        known = self.keys.get(name)
        if last is not None and known is not None and known[0] == key and (stamp := _stamp(last)) == known[1]:
            path = os.path.join(staging, name)
            try:
                os.link(last, path)
            except OSError:  # its folder not made yet; or no link to be had here
                os.makedirs(os.path.dirname(path), exist_ok=True)
                try:
                    os.link(last, path)
                except OSError:
                    shutil.copy2(last, path)
                    stamp = ()
            if stamp:
                self.linked_stamps[name] = stamp
            self.linked += 1
            signals.content_written.send(path, context=context)
            return None
        self.rendered += 1
        return write(name, template, context, *args, **kwargs)

    def cited(self, key: str, cited_in: list[dict[str, Any]]) -> bytes:
        """Which pages cite source *key*, under which note number, where and with which passages."""
        # the same notes as earlier in this build or in the last one, listed by the same entries (bibcite
        # keeps a kept page's)
        for known in (self.cited_next.get(key), self.cited_last.get(key)):
            if known is not None and len(known[0]) == len(cited_in) and all(map(operator.is_, known[0], cited_in)):
                self.cited_next[key] = known
                return known[1]
        parts = [key.encode()]
        for entry in cited_in:
            note = entry["note"]
            kept = self.notes.get(id(note))
            if kept is None or kept[0] is not note:
                kept = self.notes[id(note)] = (note, repr((note.number, [_fields(ref) for ref in note.refs])).encode())
            self.notes_used.add(id(note))
            parts.append(repr(entry["url"]).encode() + kept[1])
        digest = hashlib.sha256(b"\0".join(parts)).digest()
        self.cited_next[key] = (tuple(cited_in), digest)
        return digest

    def site_digest(self, environment: Any, context: dict[str, Any]) -> bytes:
        """The settings, bibliography and inputs (bibcite's reuse token), the templates, and the site's shape."""
        digest = hashlib.sha256(REUSE.token)
        for template in sorted(environment.list_templates()):
            digest.update(template.encode() + b"\0" + environment.loader.get_source(environment, template)[0].encode())
        pages = [*context.get("pages", []), *context.get("hidden_pages", []), *context.get("articles", [])]
        shapes = {}
        for page in sorted(pages, key=lambda p: p.source_path):
            # a page object kept between builds (bibcite's BIBCITE_REUSE) has the same fields and address
            kept = self.shapes.get(id(page))
            shape = kept[1] if kept is not None and kept[0] is page else _shape(page)
            shapes[id(page)] = (page, shape)
            digest.update(shape)
        self.shapes = shapes
        # where the static files are ({static} links in a page resolve to these addresses)
        for path, static in sorted(context.get("static_content", {}).items()):
            digest.update(repr((path, getattr(static, "url", ""))).encode())
        return digest.digest()

    def key(self, name: str, template: Any, context: dict[str, Any], kwargs: dict[str, Any]) -> bytes | None:
        """What the page is made of, or None: render it whatever it was."""
        template_name = os.path.splitext(os.path.basename(template.name))[0]
        if template_name in OWN_TEMPLATES and "page" in kwargs:
            # the bytes the page was made from, not the file now: it may have been saved again since
            digest = getattr(kwargs["page"], SOURCE_DIGEST, None)
            if not isinstance(digest, str):
                return None
            own = digest.encode()
        elif template_name == SOURCE_TEMPLATE and "source" in kwargs:
            # which page cites it, under which number, where and with which passages (the source itself
            # is in the bibliography, part of the site digest)
            own = self.cited(kwargs["source"].key, kwargs.get("cited_in", []))
        elif template_name == SOURCES_TEMPLATE and kwargs.get("page_name") == SOURCES_PAGE:
            # every source's citing notes
            citing = context.get("bibcite", {}).get("citing", {})
            own = b"".join(self.cited(key, citing[key]) for key in sorted(citing))
        else:
            return None
        if self.site is None:
            self.site = self.site_digest(template.environment, context)
        digest = hashlib.sha256(self.site)
        rest = sorted((k, repr(v)) for k, v in kwargs.items() if k not in ("page", "source", "cited_in"))
        digest.update(repr((name, template.name, rest)).encode())
        digest.update(own)
        return digest.digest()


def _stamp(path: str | Path) -> tuple[int, ...]:
    """What tells one file from another at the same place: device, inode, size, modification time;
    () for anything but a regular file (a link is never followed)."""
    try:
        st = os.lstat(path)
    except OSError:
        return ()
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else ()


def _fields(value: Any) -> tuple[Any, ...]:
    """A dataclass's fields, in order (dataclasses.astuple copies each value deeply: slow)."""
    return tuple(getattr(value, f.name) for f in fields(value))


def _shape(page: Any) -> bytes:
    """Where a page is and what other pages may show of it."""
    shown = sorted((k, repr(v)) for k, v in page.metadata.items() if k not in BODY_FIELDS)
    return repr((page.source_path, page.url, page.save_as, shown)).encode()
