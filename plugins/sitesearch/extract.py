"""One written page's searchable text: its title, its name and its units (pure: no Pelican here).

The page is parsed with lxml's C parser (libxml2) and its tree walked directly: about
ten times faster than Python's html.parser through BeautifulSoup, which the index was
first built with and which it still reproduces byte for byte (tests/sitesearch_reference.py
keeps that walker for the comparison). The two trees differ only on invalid nesting,
such as a <div> inside a <p>, which libxml2 closes the <p> before, as browsers do, and
html.parser did not; neither Markdown nor our templates write it. What a unit is, and
how it is labelled and linked, is described in :mod:`sitesearch.index`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

from lxml import etree

from .model import Options, Page, Unit

#: The part of each page that is indexed (the first match), else <body>.
SCOPE = "main"
#: Skipped while indexing: site chrome, navigation, notes and citation markers,
#: duplicated or decorative text, and lists that only point to other pages.
#: Checked element by element during the walk (a CSS selector pass over every
#: page cost more than the rest of the indexing put together).
EXCLUDE_TAGS = frozenset({"script", "style", "template", "noscript", "form", "button", "nav"})
EXCLUDE_CLASSES = frozenset(
    {
        "site-header",
        "site-footer",
        "notes",
        "cite",
        "sidenote",
        "visually-hidden",
        "related",
        "cited-in",
        "section-list",
        "coverage",
        # The same lines on every page (when reviewed, corrected, which sources) and its citation.
        "reviewed",
        "corrected",
        "trust",
        "cite-page",
        "toc",
    }
)
EXCLUDE_ATTRS = ("data-search-ignore",)
#: A page carrying this attribute anywhere (the search page itself) is left out.
SKIP_PAGE = "data-search-exclude"
#: The page's name in result labels, when its title is not it (a source page: "Source: Rolling Stone").
NAME_ATTR = "data-search-label"
#: A bold term and a dash opening a list item ("21 November 2025 — ...") labels it, as
#: does one ending in a colon under no heading ("Reliability: ...").
LEAD_TAGS = frozenset({"strong", "b"})
DASHES = ("\u2014", "\u2013 ")
#: Sub-item markers ("a. ") on clause text: left out of the text, named in the label.
ITEM_LABEL = "item-label"

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "details",
        "dialog",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "header",
        "hgroup",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    ]
)
#: Inline or cell elements whose neighbours need a space between them.
SPACED = frozenset({"br", "dt", "dd", "td", "th", "hr", "img"})
#: Elements whose text is not the page's text (BeautifulSoup's string containers, which
#: its get_text() leaves out): labels and names are read as they were.
NOT_TEXT = frozenset({"script", "style", "template", "rt", "rp"})
MAX_SHORT = 60
#: A title longer than this is named by its first part, up to a comma.
MAX_NAME = 40
#: Invisible characters the HTML may carry (soft hyphen, zero-width space, word joiner, BOM).
INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")
#: The notes section our plugin renders; it contains no nested <section>.
NOTES_START, NOTES_END = b'<section class="notes"', b"</section>"
FIRST_NAME = etree.XPath(f"descendant::*[@{NAME_ATTR}][1]")
CLAUSE_NUMBER = etree.XPath(
    "(descendant::h1//*[contains(concat(' ', normalize-space(@class), ' '), ' clause-number ')])[1]"
)
DESCRIPTION = etree.XPath("(//meta[@name='description'])[1]")
SKIPPED = etree.XPath(f"boolean(//@{SKIP_PAGE})")
SKIP_BYTES = SKIP_PAGE.encode()


def squash(text: str) -> str:
    """The text with invisible characters dropped and whitespace runs made one space, trimmed."""
    if "\u00ad" in text or "\u200b" in text or "\u2060" in text or "\ufeff" in text:
        text = INVISIBLE.sub("", text)
    # str.split() splits on exactly what the pattern \s matches, and several times faster.
    return " ".join(text.split())


def shorten(text: str, limit: int = MAX_SHORT) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:\u2014\u2013-")
    return cut + "\u2026"


def topic(title: str) -> str:
    """A title's short form: "Territory" for "Territory: Crimea, Donbas and the line of contact"."""
    head, colon, _ = title.partition(": ")
    if colon:
        return head
    if len(title) > MAX_NAME and ", " in title:
        return title.split(", ")[0]
    return shorten(title)


def is_element(node: Any) -> bool:
    """True for an element; False for a comment or processing instruction (whose tag is not a name)."""
    return isinstance(node.tag, str)


def classes(element: Any) -> list[str]:
    value = element.get("class")
    return value.split() if value else []


def strings(element: Any) -> Iterator[str]:
    """The element's text, piece by piece, in document order, without comments or NOT_TEXT."""
    if element.text:
        yield element.text
    for child in element:
        if is_element(child) and child.tag not in NOT_TEXT:
            yield from strings(child)
        if child.tail:
            yield child.tail


def text_of(element: Any, separator: str = "") -> str:
    return separator.join(strings(element))


def excluded(element: Any) -> bool:
    """True for an element whose text is not indexed."""
    if element.tag in EXCLUDE_TAGS or element.get("aria-hidden") == "true":
        return True
    value = element.get("class")
    if value and not EXCLUDE_CLASSES.isdisjoint(value.split()):
        return True
    return any(element.get(attr) is not None for attr in EXCLUDE_ATTRS)


def drop(element: Any) -> None:
    """Remove *element* but keep the text that follows it (lxml keeps that in the element's tail)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


class Block:
    """A unit being collected: the element it is, its text so far and where it links."""

    __slots__ = ("element", "parts", "anchor", "label", "item", "lead")

    def __init__(self, element: Any) -> None:
        self.element = element
        self.parts: list[str] = []
        self.anchor: str | None = None  # None: not placed yet; "": top of the page
        self.label = ""
        self.item = ""
        self.lead = ""


class Walker:
    """Walks one page's indexed part in document order and cuts it into blocks."""

    def __init__(self, scope: Any) -> None:
        self.scope = scope
        h1 = next(scope.iterdescendants("h1"), None)
        # Elements enclosing the page title are the page itself, not an anchor within it.
        self.page_level = {scope} | (set(h1.iterancestors()) if h1 is not None else set())
        self.position = 0
        self.heading_anchor: tuple[int, str] | None = None
        self.heading_text = ""
        self.enclosing: list[tuple[int, str]] = []
        self.blocks: list[Block] = []

    def run(self) -> list[Block]:
        root = Block(self.scope)
        self.blocks.append(root)
        self.walk(self.scope, root)
        return self.blocks

    def walk(self, element: Any, block: Block) -> None:
        if element.text:
            self.add(block, element.text)
        for child in element:
            if is_element(child) and not excluded(child):
                self.position += 1
                self.visit(child, block)
            if child.tail:  # the text after a child, skipped or not, is the parent's
                self.add(block, child.tail)

    def visit(self, child: Any, block: Block) -> None:
        name = child.tag
        if name in HEADINGS:
            self.heading(child)
        elif ITEM_LABEL in classes(child):
            block.item = squash(text_of(child)).rstrip(".")
        elif name in LEAD_TAGS and self.leads(block, child):
            block.lead = squash(text_of(child)).rstrip(":")
            self.walk(child, block)
        elif name in BLOCKS:
            pushed = self.enter(child)
            inner = Block(child)
            self.blocks.append(inner)
            self.walk(child, inner)
            if pushed:
                self.enclosing.pop()
        else:
            if name in SPACED:
                self.add(block, " ")
            self.walk(child, block)
            if name in SPACED:
                self.add(block, " ")

    def leads(self, block: Block, element: Any) -> bool:
        """True for a bold term that opens a block and names it: a list item's term
        followed by a dash, or under no heading a term ending in a colon ("Reliability:")."""
        if "".join(block.parts).strip():
            return False
        after = following_text(element)
        if block.element.tag == "li" and after is not None and after.lstrip().startswith(DASHES):
            return True
        return not self.heading_text and squash(text_of(element)).endswith(":")

    def heading(self, element: Any) -> None:
        if element.tag == "h1":
            self.heading_text, self.heading_anchor = "", None
            return
        self.heading_text = squash(text_of(element))
        if element.get("id"):
            self.heading_anchor = (self.position, element.get("id"))

    def enter(self, element: Any) -> bool:
        if element.get("id") and element not in self.page_level:
            self.enclosing.append((self.position, element.get("id")))
            return True
        return False

    def add(self, block: Block, text: str) -> None:
        if block.anchor is None:
            if not text.strip():
                return
            self.place(block)
        block.parts.append(text)

    def place(self, block: Block) -> None:
        """Fix the block's anchor and label from where its first words are."""
        own = (block.element.get("id") or "") if block.element not in self.page_level else None
        if own:
            block.anchor = own
        else:
            candidates = [c for c in (self.heading_anchor, self.enclosing[-1] if self.enclosing else None) if c]
            block.anchor = max(candidates)[1] if candidates else ""
        block.label = self.heading_text


def following_text(element: Any) -> str | None:
    """The text right after *element* (a comment's counts, as it did for BeautifulSoup), if any."""
    if element.tail:
        return str(element.tail)
    after = element.getnext()
    if after is not None and not is_element(after):
        return str(after.text or "")
    return None


def page_title(root: Any, site_name: str) -> str:
    title_tag = next(root.iter("title"), None)
    title = squash(text_of(title_tag)) if title_tag is not None else ""
    suffix = f" \u00b7 {site_name}"
    if site_name and title.endswith(suffix):
        title = title[: -len(suffix)]
    if not title and (h1 := next(root.iter("h1"), None)) is not None:
        title = squash(text_of(h1, " "))
    return title


def page_name(scope: Any, title: str) -> str:
    """The page's name in result labels (see :mod:`sitesearch.index`)."""
    declared = FIRST_NAME(scope)
    if declared and squash(declared[0].get(NAME_ATTR)):
        return squash(declared[0].get(NAME_ATTR))
    number_tag = CLAUSE_NUMBER(scope)
    if not number_tag:
        return topic(title)
    h1 = next(number_tag[0].iterancestors("h1"))
    number = squash(text_of(number_tag[0]))
    heading = squash(text_of(h1, " "))
    rest = heading[len(number) :].strip() if heading.startswith(number) else heading
    return f"{number} \u00b7 {topic(rest)}" if rest else number


def indexed_part(html: bytes) -> tuple[bytes, int]:
    """The page's <head> and <main> (in a <body>), the notes list cut out: that list, most
    of a clause page and never indexed, is removed before the parser sees it. Bytes, as
    written: libxml2 decodes them faster than Python does. Also where <main> starts in it, or -1."""
    end_head = html.find(b"</head>")
    head = html[: end_head + 7] if end_head != -1 else b""
    start, end = html.find(b"<main"), html.rfind(b"</main>")
    body = html[start : end + 7] if start != -1 and end != -1 else html
    pieces = [head, b"<body>"]
    at = 0
    while (cut := body.find(NOTES_START, at)) != -1 and (close := body.find(NOTES_END, cut)) != -1:
        pieces.append(body[at:cut])
        at = close + len(NOTES_END)
    pieces += [body[at:], b"</body>"]
    return b"".join(pieces), len(head) + 6 if start != -1 and end != -1 else -1


def parse(html: bytes) -> Any:
    """The root element of *html* (UTF-8), parsed by libxml2; None for a document with nothing in it."""
    return etree.fromstring(html, etree.HTMLParser(encoding="utf-8"))


def opts_out(part: bytes, main: int) -> bool | None:
    """True if the page opts out, found without parsing it: the attribute is on <main>
    itself (the print edition); False if the attribute is nowhere; None if only the
    parsed page can tell."""
    if SKIP_BYTES not in part:
        return False
    if main != -1:
        start_tag = next(iter(parse(part[main : part.find(b">", main) + 1]).iter(SCOPE)), None)
        if start_tag is not None and start_tag.get(SKIP_PAGE) is not None:
            return True
    return None


def index_page(
    html: bytes, url: str, options: Options, excluder: Callable[[Any], list[Any]] | None = None
) -> Page | None:
    """The page's title, name and units, its own entry first; None if the page opts out."""
    part, main = indexed_part(html)
    skip = opts_out(part, main)
    if skip:
        return None
    root = parse(part)
    if root is None or (skip is None and SKIPPED(root)):
        return None
    title = page_title(root, options.site_name)
    meta = DESCRIPTION(root)
    description = squash(meta[0].get("content") or "") if meta else ""
    scope = next(root.iter(SCOPE), None)
    if scope is None:
        scope = next(root.iter("body"), root)
    if excluder is not None:  # extra selectors from the settings
        for element in excluder(scope):
            if element is not scope:
                drop(element)
    name = page_name(scope, title)

    blocks = []
    for block in Walker(scope).run():
        text = squash("".join(block.parts))
        if not text:
            continue
        label = block.lead or (block.label + (f" ({block.item})" if block.item else "")).strip()
        target = url + (f"#{quote(block.anchor, safe='')}" if block.anchor else "")
        blocks.append(Unit(target, label, text))

    # The page's own entry: its title, with its opening paragraph if it has one.
    if blocks and blocks[0].url == url:
        opening = blocks.pop(0).text
    else:
        opening = description if description != options.default_description else ""
    seen: set[tuple[str | None, str]] = {("", opening)}
    units = [Unit(url, None, opening)]
    for unit in blocks:
        key = (unit.label, unit.text)
        if key not in seen:
            seen.add(key)
            units.append(unit)
    return Page(url, title, name, tuple(units))
