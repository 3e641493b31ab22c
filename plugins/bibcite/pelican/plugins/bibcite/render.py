"""Pure HTML builders: the citation marker, the notes list and a source's description.

Links to the generated source pages start with the *root* each caller gives:
the path from the page to the site's root ("" or "../"), or the site's address.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from html import escape
from typing import Any
from urllib.parse import quote as percent

from . import hooks
from .bibliography import Source
from .export import coins
from .resolve import Note, Ref

SAFE_NAME_RE = re.compile(r"[\w][\w.-]*")
#: Names the sources folder already uses (its index).
RESERVED_NAMES = frozenset({"index"})


def source_name(key: str) -> str:
    """The file name (without .html) of source *key*'s page: the key itself when it is a safe file name.

    Keys may hold Pandoc's internal punctuation (``baez/article``, ``a:b``); such a key is
    spelt with hyphens and a short hash of the key, so that no two keys share a page and no
    key names a folder.
    """
    if SAFE_NAME_RE.fullmatch(key) and key.lower() not in RESERVED_NAMES:
        return key
    base = re.sub(r"[^\w.-]+", "-", key).strip("-.") or "source"
    return f"{base}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:8]}"


def source_path(key: str) -> str:
    """Where source *key*'s page is written, relative to the output folder."""
    return f"sources/{source_name(key)}.html"


def source_href(key: str, root: str = "") -> str:
    """Link to the page of source *key*, from a page whose way to the site's root is *root*."""
    return root + percent(source_path(key), safe="/")


def text_fragment(url: str, passage: str) -> str:
    """*url* with a Text Fragment that scrolls to *passage* (WICG scroll-to-text)."""
    # '-', ',' and '&' are syntax inside a text directive, so they are encoded too.
    encoded = percent(passage, safe="").replace("-", "%2D")
    base = url.split("#", 1)[0]
    return f"{base}#:~:text={encoded}"


#: A marker and its margin note as marker() writes them (the margin note has no nested span; the page
#: may hold the word joiner as a character reference, see document.compact).
MARKER_RE = re.compile(
    r'(?:(?:\u2060|&#8288;)<span class="sidenote" aria-hidden="true">.*?</span>)?<sup class="cite">.*?</sup>', re.S
)


def marker(
    marks: tuple[tuple[int, Ref], ...],
    notes: tuple[Note, ...],
    margin: bool = True,
    shown: frozenset[int] = frozenset(),
) -> str:
    """The markers for one citation group ("[1, 3, 4]", each number its own link), and its margin note.

    The margin note (shown beside the text on wide screens) repeats the
    source's short name, kind and pinpoint; it is hidden from assistive
    technology because the marker already leads to the full note. Sources
    in *shown* are already named in the margin close above: their entry
    keeps only its number and pinpoint, or is left out when it has none.
    """
    if not marks:
        return ""
    author = ""
    if marks[0][1].mode == "in-text":  # "@key says": the author's name is a word of the sentence
        author = f'<span class="cite-author">{escape(in_text_name(notes[marks[0][0] - 1].source))}</span>'
    links = ", ".join(
        f'<a class="noteref" id="{ref.anchor}" href="#note-{number}" role="doc-noteref" '
        f'aria-label="Note {number}">{number}</a>'
        for number, ref in marks
    )
    # A word joiner first: a marker never starts a line of its own ("ways." then "[1]").
    sup = f'<sup class="cite">\u2060[{links}]</sup>'
    named = set(shown)
    entries = []
    for number, ref in marks:
        entries.append(_side(number, ref, notes[number - 1].source, number in named))
        named.add(number)
    side = "".join(entries)
    if not margin or not side:
        return author + sup
    # The margin note before the marker, joined to the word before it: a float starts on the line
    # where it is met, and after the marker it would drop to the next line when the line breaks there.
    return f'{author}\u2060<span class="sidenote" aria-hidden="true">{side}</span>{sup}'


def in_text_name(source: Source) -> str:
    """The name an author-in-text citation prints: family names (one, two, or the first "et al."),
    an organisation as it is named; for an unsigned piece its short name, outlet or title, and
    never a made-up author."""
    names = [name.literal or name.family or name.display() for name in source.creators]
    if len(names) >= 3:
        return f"{names[0]} et al."
    if names:
        return " and ".join(names)
    return source.shortname or source.outlet or source.title or "an unidentified source"


def _side(number: int, ref: Ref, source: Source, repeat: bool = False) -> str:
    """One source's entry in a margin note (one line each, linked to its marker by *data-ref*)."""
    pin = pinpoint(ref, source, link=False)
    if repeat and not pin:
        return ""
    kind = f' <i class="kind-{escape(source.kind)}">{escape(source.kind_label)}</i>' if source.kind else ""
    name = "" if repeat else f" {escape(source.short_label)}{kind}"
    rest = f" \u2014 {pin}" if pin and not repeat else (f" {pin}" if pin else "")
    short = " sn-short" if repeat else ""
    return f'<small class="sn{short}" data-ref="{ref.anchor}"><b>{number}</b>{name}{rest}</small>'


#: TeX's special characters as commands that print them, for literal text inside a BibTeX value.
BIBTEX_SPECIALS = {
    "\\": "\\textbackslash{}",
    "{": "\\textbraceleft{}",
    "}": "\\textbraceright{}",
    "%": "\\%",
    "&": "\\&",
    "#": "\\#",
    "$": "\\$",
    "_": "\\_",
    "~": "\\textasciitilde{}",
    "^": "\\textasciicircum{}",
}
BIBTEX_SPECIAL_RE = re.compile(r"[\\{}%&#$_~^]")


def bibtex_text(value: str) -> str:
    """*value* as literal text inside a BibTeX ``{...}`` value: no brace can close it, no command can run."""
    return BIBTEX_SPECIAL_RE.sub(lambda m: BIBTEX_SPECIALS[m.group(0)], value)


def badge(source: Source) -> str:
    """The kind-of-source badge (none where the site does not require a kind and the entry gives none)."""
    if not source.kind:
        return ""
    return (
        f'<span class="badge kind-{escape(source.kind)}" title="{escape(source.kind_meaning)}">'
        f"{escape(source.kind_label)}</span>"
    )


def breakable(url: str) -> str:
    """*url*, escaped, with a line-break opportunity after each "/" of its path (never inside "://")."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return escape(url)
    return escape(scheme + sep) + "/<wbr>".join(escape(part) for part in rest.split("/"))


def _unknown(text: str) -> str:
    return f'<span class="unknown">{escape(text)}</span>'


def describe(source: Source) -> str:
    """Outlet, title, byline, date, address, identifiers, access date and archive link, honestly:
    what is known in order, then one line naming what could not be identified."""
    missing = []
    parts = []
    if source.outlet:
        parts.append(f'<span class="src-outlet">{escape(source.outlet)}</span>')
    else:
        missing.append("publisher")
    if source.title:
        parts.append(f'<span class="src-title">\u201c{source.title_html}\u201d</span>')
    else:
        missing.append("title")
    if source.byline:
        role = " (ed.)" if source.creator_role == "editor" else ""
        parts.append(f'<span class="src-byline">by {escape(source.byline)}{role}</span>')
    else:
        missing.append("byline")
    note = f" ({source.datenote})" if source.datenote else ""
    if source.date_value:
        note_html = f' <span class="datenote">({escape(source.datenote)})</span>' if note else ""
        parts.append(f'<span class="src-date">{escape(source.display_date)}{note_html}</span>')
    else:
        missing.append("date" + note)
    text = ", ".join(parts) + ". " if parts else ""
    if source.url:
        text += f'<a class="src-url" href="{escape(source.url)}">{breakable(source.url)}</a>'
        if source.urldate:
            text += f' <span class="src-accessed">(accessed {escape(source.display_urldate)})</span>'
        text += ". "
    elif not any(href for _, href in source.links):
        missing.append("address")
    if missing:
        text += _unknown("Not identified: " + ", ".join(missing) + ".") + " "
    for label, href in source.links:
        if href:
            text += f'<a class="src-id" href="{escape(href)}">{escape(label)}</a>. '
        else:
            text += f'<span class="src-id">{escape(label)}</span>. '
    if source.archiveurl:
        text += f'<a class="src-archive" href="{escape(source.archiveurl)}">Archived copy</a>. '
    return text.strip()


def pinpoint(ref: Ref, source: Source, link: bool = True) -> str:
    """The prefix, locator or quoted passage of one citing place."""
    bits = []
    if ref.prefix:
        bits.append(escape(ref.prefix))
    if ref.locator:
        bits.append(escape(ref.locator))
    if ref.quote:
        passage = f"\u201c{escape(ref.quote)}\u201d"
        if source.url and link:
            passage = f'<a class="fragment" href="{escape(text_fragment(source.url, ref.quote))}">{passage}</a>'
        bits.append(passage)
    return ", ".join(bits)


#: The id of the notes list's heading.
NOTES_HEADING = "notes-heading"
#: More uses of one source than this, and its back-links fold under "↩ N uses".
BACKREFS_OPEN = 3


def note_item(note: Note, root: str = "") -> str:
    """One ``<li>`` of the notes list."""
    source = note.source
    backs = " ".join(
        f'<a class="backref" href="#{ref.anchor}"><span class="visually-hidden">Back to citation </span>'
        f'<span aria-hidden="true">\u21a9\ufe0e</span>{note.number}{ref.label if len(note.refs) > 1 else ""}</a>'
        for ref in note.refs
    )
    if len(note.refs) > BACKREFS_OPEN:  # after the source's name, folded: "↩ 26 uses"
        backrefs = f'<details class="backrefs"><summary>\u21a9\ufe0e {len(note.refs)} uses</summary>{backs}</details>'
    else:
        backrefs = f'<span class="backrefs">{backs}</span>'
    pins = [
        f'<li><a href="#{ref.anchor}">{note.number}{ref.label}</a>: {pinpoint(ref, source)}</li>'
        for ref in note.refs
        if ref.prefix or ref.locator or ref.quote
    ]
    pin_list = f'<ul class="pinpoints">{"".join(pins)}</ul>' if pins else ""
    head, tail = _source_parts(source, root, tuple(hooks.REGISTRY.get("note_fields")))
    return f'<li id="{note.anchor}" class="note" {head}{backrefs}{pin_list}{tail}</li>'


@functools.lru_cache(maxsize=4096)
def _source_parts(source: Source, root: str, fields: tuple[Any, ...]) -> tuple[str, str]:
    """What a note shows of its source, the same in every note citing it from pages at the same
    depth: before the back-links (its name, kind, description and page), and after the pinpoints
    (the other plugins' *fields* and COinS). Kept for the build: a source is cited from many pages."""
    extras = "".join(
        f'<p class="{escape(cls)}"><strong>{escape(label)}:</strong> {escape(text)}</p>'
        for function in fields
        for cls, label, text in function(source)
    )
    # COinS: reference managers (Zotero's connector) offer to save each source of the page.
    openurl = f'<span class="Z3988" title="{escape(coins(source))}"></span>'
    head = (
        f'data-source="{escape(source.key)}" data-name="{escape(source.short_label)}">'
        f'{badge(source)} <span class="source">{describe(source)}</span> '
        f'<a class="about" href="{escape(source_href(source.key, root))}">About this source</a> '
    )
    return head, extras + openurl


def notes_section(notes: tuple[Note, ...], root: str = "") -> str:
    """The page's notes list, or empty when nothing is cited.

    Like marker(), it joins the page after the sanitiser: it is built from fixed
    markup and escaped values, and a source's address is refused unless it is
    http(s) (bib.url-scheme). tests/test_escaping.py renders notes from hostile
    text in every field and checks them against the sanitiser's allowlist.
    """
    if not notes:
        return ""
    items = "".join(note_item(note, root) for note in notes)
    return (
        f'<section class="notes" role="doc-endnotes" aria-labelledby="{NOTES_HEADING}">'
        f'<h2 id="{NOTES_HEADING}">Notes</h2>'
        f'<ol class="notes-list">{items}</ol></section>'
    )


def notes_ids(notes: tuple[Note, ...]) -> set[str]:
    """The ids notes_section() gives its elements, without rendering it (the link check wants every page's)."""
    return {NOTES_HEADING, *(note.anchor for note in notes)} if notes else set()


def jsonld(headline: str, description: str, notes: tuple[Note, ...], url: str = "", date: str = "") -> str:
    """A schema.org ``Article`` with its ``citation`` list, safe to embed in a script element."""
    citations = []
    for note in notes:
        source = note.source
        item: dict[str, object] = {"@type": "CreativeWork"}
        if source.title:
            item["name"] = source.title
        if source.url:
            item["url"] = source.url
        if source.outlet:
            item["publisher"] = {"@type": "Organization", "name": source.outlet}
        if source.creators:
            item["author"] = [
                {"@type": "Organization" if name.literal else "Person", "name": name.display()}
                for name in source.creators
            ]
        if source.date:
            item["datePublished"] = source.date
        item["genre"] = source.kind_label
        citations.append(item)
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": headline,
        "description": description,
        "citation": citations,
    }
    if url:
        data["url"] = url
        data["mainEntityOfPage"] = url
    if date:
        data["dateModified"] = date
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # Inside <script>, "</" or "<!--" would change how the element ends; JSON allows these escapes.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
