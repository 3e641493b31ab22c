"""Pure: the pieces of the print edition (print.html) made from what the build holds in memory.

The print edition puts the introduction and every clause in one page. Each
page's content keeps its text and its numbered citations, with its ids made
unique in the one page and its links to the other clause pages pointed at their
copies in it. Its notes become short (number, source, pinpoint of each use) and
link to one bibliography at the end, where each source is described once: on
the site the notes list repeats the full description and the reliability note
under every clause, which printed as half the pages.

Nothing here calls Pelican or Markdown: pages are read through the few
attributes the callers pass in, and the HTML is edited through bibcite's
tokenizer (one pass, offsets kept), never re-parsed into a tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlsplit

from pelican.plugins.bibcite import render
from pelican.plugins.bibcite.bibliography import Source
from pelican.plugins.bibcite.htmltok import tokenize
from pelican.plugins.bibcite.resolve import Note, Ref

#: A margin note as render.marker() writes it (it holds no nested span), with the word joiner that keeps
#: it on its word's line: the print edition has no margin.
SIDENOTE_RE = re.compile(r'\u2060?<span class="sidenote" aria-hidden="true">.*?</span>', re.S)
#: From an attribute's name to the first character of its value (past "=", spaces and the opening quote).
VALUE_START_RE = re.compile(r"[^\s=/>]+\s*=\s*[\"']?")
#: Attributes that name ids of the same page.
IDREF_ATTRS = frozenset({"aria-labelledby", "aria-describedby"})
HEADING_RE = re.compile(r"h[1-6]")


@dataclass(frozen=True, slots=True)
class Places:
    """Where the pages a content links to are in the print edition."""

    #: the clause pages' address stem ("point" for point-21.html)
    slug: str
    #: the clause numbers printed in the edition
    clauses: frozenset[int]
    #: ids of the home page's sections, kept as they are in the edition
    sections: frozenset[str]
    #: a source page's address (sources/key.html) -> its entry's id in the bibliography
    sources: dict[str, str]
    #: the address the content's own links start with ("." for relative links, or SITEURL)
    siteurl: str = "."


def clause_prefix(number: int) -> str:
    """The prefix of clause *number*'s ids in the edition."""
    return f"p{number}"


def source_id(key: str) -> str:
    """The id of source *key*'s entry in the bibliography."""
    return f"src-{render.source_name(key)}"


def local_href(href: str, prefix: str, places: Places) -> str:
    """*href* of a page whose ids carry *prefix*, as a link in the edition.

    Links within the page and to the other clause pages, the home page's sections
    and the sources' pages become links within the edition; links to the other
    pages of the site (method, corrections...) are kept, relative to the root
    where print.html is written.
    """
    if href.startswith("#"):
        return f"#{prefix}-{href[1:]}" if len(href) > 1 else href
    root = places.siteurl.rstrip("/") + "/"
    if href.startswith(root):
        rel = href[len(root) :]
    elif href.startswith("./"):
        rel = href[2:]
    elif re.match(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|/|\.\./)", href):
        return href
    else:
        rel = href
    path, _, fragment = rel.partition("#")
    clause = re.fullmatch(rf"{re.escape(places.slug)}-([0-9]+)\.html", path)
    if clause and int(clause.group(1)) in places.clauses:
        number = int(clause.group(1))
        own = f"{places.slug}-{number}"
        return f"#{clause_prefix(number)}-{fragment}" if fragment and fragment != own else f"#{own}"
    if path == "index.html":
        if fragment in places.sections:
            return f"#{fragment}"
        return f"#intro-{fragment}" if fragment else "#contents"
    if path in places.sources:
        return f"#{places.sources[path]}"
    return href


def rewrite(html: str, prefix: str, places: Places, demote: int = 0) -> str:
    """A page's content for the edition: margin notes dropped, every id prefixed with *prefix*,
    links pointed at the edition (local_href), headings *demote* levels lower."""
    html = SIDENOTE_RE.sub("", html)
    edits: list[tuple[int, int, str]] = []
    for token in tokenize(html):
        if token.kind not in ("start", "end"):
            continue
        if demote and HEADING_RE.fullmatch(token.name):
            digit = token.start + (2 if token.kind == "start" else 3)
            edits.append((digit, digit + 1, str(min(6, int(token.name[1]) + demote))))
        for attr in token.attrs if token.kind == "start" else ():
            value = _new_value(attr.name, attr.value, prefix, places)
            if value is None:
                continue
            found = VALUE_START_RE.match(html, attr.offset)
            if found is None:  # an attribute without a value
                continue
            edits.append((found.end(), found.end() + len(attr.raw), escape(value, quote=True)))
    return _apply(html, edits)


def _new_value(name: str, value: str, prefix: str, places: Places) -> str | None:
    """The attribute's value in the edition, or None to leave it as it is."""
    if name == "id":
        return f"{prefix}-{value}"
    if name in IDREF_ATTRS:
        return " ".join(f"{prefix}-{part}" for part in value.split())
    if name == "href":
        new = local_href(value, prefix, places)
        return new if new != value else None
    return None


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    """*text* with each (start, end, replacement) made, in order."""
    parts = []
    pos = 0
    for start, end, replacement in sorted(edits):
        parts.append(text[pos:start])
        parts.append(replacement)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def domain(url: str) -> str:
    """The host of *url* without "www.", as a printed page names where a quotation is."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def pinpoint(ref: Ref, source: Source) -> str:
    """The prefix, locator and quoted passage of one use; the passage links to it in the source (a
    Text Fragment), and carries the source's domain, which the printed page shows instead of the address."""
    bits = [escape(part) for part in (ref.prefix, ref.locator) if part]
    if ref.quote:
        passage = f"\u201c{escape(ref.quote)}\u201d"
        if source.url:
            passage = (
                f'<a class="fragment" href="{escape(render.text_fragment(source.url, ref.quote))}" '
                f'data-domain="{escape(domain(source.url))}">{passage}</a>'
            )
        bits.append(passage)
    return ", ".join(bits)


def short_notes(notes: Iterable[Note], prefix: str, level: int = 4) -> str:
    """A page's notes, short: each its number, its source's short name and kind linked to the
    bibliography, and the pinpoint of each use that has one, each with its way back to the text."""
    items = []
    for note in notes:
        source = note.source
        kind = f' <span class="kind">({escape(source.kind_label.lower())})</span>' if source.kind else ""
        uses = [
            f'<span class="use"><a class="backref" href="#{prefix}-{ref.anchor}">'
            f"{note.number}{ref.label if len(note.refs) > 1 else ''}</a> {pinpoint(ref, source)}</span>"
            for ref in note.refs
            if ref.prefix or ref.locator or ref.quote
        ]
        if uses:
            after = ": " + "; ".join(uses)
        else:  # no pinpoint to show: only the way back, which a printed page has no use for
            after = (
                f' <a class="backref only" href="#{prefix}-{note.refs[0].anchor}" '
                f'aria-label="Back to citation {note.number}">\u21a9\ufe0e</a>'
            )
        items.append(
            f'<li id="{prefix}-{note.anchor}" value="{note.number}" class="note" data-source="{escape(source.key)}">'
            f'<a class="source" href="#{source_id(source.key)}">{escape(source.short_label)}</a>{kind}{after}</li>'
        )
    if not items:
        return ""
    # Not a named region: thirty landmarks all called "Notes" would tell a screen reader nothing.
    return (
        '<section class="notes">'
        f'<h{level} id="{prefix}-notes-heading" class="notes-heading">Notes</h{level}>'
        f'<ol class="notes-list">{"".join(items)}</ol></section>'
    )


@dataclass(frozen=True, slots=True)
class Citing:
    """A part of the edition that cites a source, and where its note is."""

    #: the clause's number, 0 for the introduction
    clause: int
    #: the note's id in the edition
    anchor: str


def citing(parts: Iterable[tuple[int, str, Iterable[Note]]]) -> dict[str, list[Citing]]:
    """For each source key, the parts (clause number or 0, id prefix, notes) that cite it, in the edition's order."""
    found: dict[str, list[Citing]] = {}
    for clause, prefix, notes in parts:
        for note in notes:
            found.setdefault(note.source.key, []).append(Citing(clause, f"{prefix}-{note.anchor}"))
    return found


def source_places(keys: Iterable[str]) -> dict[str, str]:
    """Each source page's address (as a page links to it) -> the id of its bibliography entry."""
    return {render.source_href(key): source_id(key) for key in keys}


@dataclass(frozen=True, slots=True)
class Part:
    """The introduction or one clause, as the edition prints it."""

    #: the page (Pelican's object: title, summary, notes, clause, related, reviewed, corrections)
    page: Any
    #: the prefix of its ids in the edition
    prefix: str
    #: its content, rewritten (rewrite())
    html: str
    #: its short notes (short_notes())
    notes: str


@dataclass(frozen=True, slots=True)
class Section:
    """One of the document's sections and the clauses of it that are printed."""

    #: the section's heading
    name: str
    #: its id, the same as on the home page
    anchor: str
    #: its first and last clause numbers
    first: int
    last: int
    parts: tuple[Part, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    """A source's one entry in the bibliography."""

    source: Source
    #: its id in the edition (source_id())
    anchor: str
    #: render.describe(): outlet, title, byline, date, address, access date, archived copy
    description: str
    #: render.badge(): its kind
    badge: str
    #: (class, label, text) of the other plugins' note fields (the reliability note)
    fields: tuple[tuple[str, str, str], ...]
    #: the parts that cite it, in the edition's order
    citing: tuple[Citing, ...]
