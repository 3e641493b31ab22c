"""The search indexer as it was before lxml (issue 17): BeautifulSoup's html.parser, kept for the tests only.

tests/test_search_shards.py builds the real site's index with it and requires the
plugin's (sitesearch.extract, lxml) to be byte for byte the same: the comparison
stays true as the content changes, which a committed copy of the index would not.
Not used by the build.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PreformattedString, Tag

VERSION = 2
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


def excluded(tag: Tag) -> bool:
    """True for an element whose text is not indexed."""
    if tag.name in EXCLUDE_TAGS or tag.get("aria-hidden") == "true":
        return True
    classes = tag.get("class")
    if classes and not EXCLUDE_CLASSES.isdisjoint(classes):
        return True
    return any(tag.has_attr(attr) for attr in EXCLUDE_ATTRS)


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
MAX_SHORT = 60
#: A title longer than this is named by its first part, up to a comma.
MAX_NAME = 40
WHITESPACE = re.compile(r"\s+")
#: Invisible characters the HTML may carry (soft hyphen, zero-width space, word joiner, BOM).
INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")
#: The notes section our plugin renders; it contains no nested <section>.
NOTES_RE = re.compile(r'<section class="notes".*?</section>', re.S)


def squash(text: str) -> str:
    return WHITESPACE.sub(" ", INVISIBLE.sub("", text)).strip()


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


def natural(path: str) -> list[Any]:
    """Sort key: point-2 before point-10."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", path) if part]


@dataclass
class Unit:
    element: Tag
    parts: list[str] = field(default_factory=list)
    anchor: str | None = None  # None: not placed yet; "": top of the page
    label: str = ""
    item: str = ""
    lead: str = ""


class Walker:
    """Walks one page's indexed part in document order and cuts it into units."""

    def __init__(self, scope: Tag) -> None:
        self.scope = scope
        h1 = scope.find("h1")
        # Elements enclosing the page title are the page itself, not an anchor within it.
        self.page_level = {id(scope)} | ({id(p) for p in h1.parents} if h1 else set())
        self.position = 0
        self.heading_anchor: tuple[int, str] | None = None
        self.heading_text = ""
        self.enclosing: list[tuple[int, str]] = []
        self.units: list[Unit] = []

    def run(self) -> list[Unit]:
        root = Unit(self.scope)
        self.units.append(root)
        self.walk(self.scope, root)
        return self.units

    def walk(self, element: Tag, unit: Unit) -> None:
        for child in element.children:
            if isinstance(child, PreformattedString):  # comments, CDATA, doctype...
                continue
            if isinstance(child, NavigableString):
                self.add(unit, str(child))
                continue
            if not isinstance(child, Tag) or excluded(child):
                continue
            self.position += 1
            name = child.name
            if name in HEADINGS:
                self.heading(child)
            elif ITEM_LABEL in (child.get("class") or ()):
                unit.item = squash(child.get_text()).rstrip(".")
            elif name in LEAD_TAGS and self.leads(unit, child):
                unit.lead = squash(child.get_text()).rstrip(":")
                self.walk(child, unit)
            elif name in BLOCKS:
                pushed = self.enter(child)
                inner = Unit(child)
                self.units.append(inner)
                self.walk(child, inner)
                if pushed:
                    self.enclosing.pop()
            else:
                if name in SPACED:
                    self.add(unit, " ")
                self.walk(child, unit)
                if name in SPACED:
                    self.add(unit, " ")

    def leads(self, unit: Unit, element: Tag) -> bool:
        """True for a bold term that opens a block and names it: a list item's term
        followed by a dash, or under no heading a term ending in a colon ("Reliability:")."""
        if "".join(unit.parts).strip():
            return False
        after = element.next_sibling
        if unit.element.name == "li" and isinstance(after, NavigableString) and after.lstrip().startswith(DASHES):
            return True
        return not self.heading_text and squash(element.get_text()).endswith(":")

    def heading(self, element: Tag) -> None:
        if element.name == "h1":
            self.heading_text, self.heading_anchor = "", None
            return
        self.heading_text = squash(element.get_text())
        if element.get("id"):
            self.heading_anchor = (self.position, str(element["id"]))

    def enter(self, element: Tag) -> bool:
        if element.get("id") and id(element) not in self.page_level:
            self.enclosing.append((self.position, str(element["id"])))
            return True
        return False

    def add(self, unit: Unit, text: str) -> None:
        if unit.anchor is None:
            if not text.strip():
                return
            self.place(unit)
        unit.parts.append(text)

    def place(self, unit: Unit) -> None:
        """Fix the unit's anchor and label from where its first words are."""
        own = str(unit.element.get("id") or "") if id(unit.element) not in self.page_level else None
        if own:
            unit.anchor = own
        else:
            candidates = [c for c in (self.heading_anchor, self.enclosing[-1] if self.enclosing else None) if c]
            unit.anchor = max(candidates)[1] if candidates else ""
        unit.label = self.heading_text


def page_title(soup: BeautifulSoup, site_name: str) -> str:
    title = squash(soup.title.get_text()) if soup.title else ""
    suffix = f" \u00b7 {site_name}"
    if site_name and title.endswith(suffix):
        title = title[: -len(suffix)]
    if not title and (h1 := soup.find("h1")):
        title = squash(h1.get_text(" "))
    return title


def page_name(scope: Tag, title: str) -> str:
    """The page's name in result labels (see the module's docstring)."""
    declared = scope.select_one(f"[{NAME_ATTR}]")
    if declared is not None and squash(str(declared[NAME_ATTR])):
        return squash(str(declared[NAME_ATTR]))
    number_tag = scope.select_one("h1 .clause-number")
    h1 = number_tag.find_parent("h1") if number_tag else None
    if number_tag is None or h1 is None:
        return topic(title)
    number = squash(number_tag.get_text())
    heading = squash(h1.get_text(" "))
    rest = heading[len(number) :].strip() if heading.startswith(number) else heading
    return f"{number} \u00b7 {topic(rest)}" if rest else number


def index_page(
    html: str, url: str, number: int, site_name: str, default_description: str, exclude: list[str]
) -> tuple[str, str, list[dict[str, Any]]] | None:
    """The page's title, name and units, its own entry first; None if the page opts out."""
    # Parse only <head> and <main>: the notes list, which is most of a clause page and
    # never indexed, is cut out of the text before the (slow) HTML parser sees it.
    head = html[: html.find("</head>") + 7] if "</head>" in html else ""
    start, end = html.find("<main"), html.rfind("</main>")
    body = html[start : end + 7] if start != -1 and end != -1 else html
    body = NOTES_RE.sub("", body)
    soup = BeautifulSoup(head + "<body>" + body + "</body>", "html.parser")
    if SKIP_PAGE in html and soup.select_one(f"[{SKIP_PAGE}]"):
        return None
    title = page_title(soup, site_name)
    meta = soup.find("meta", attrs={"name": "description"})
    description = squash(str(meta.get("content") or "")) if meta else ""
    scope = soup.find(SCOPE) or soup.body or soup
    if exclude:  # extra selectors from the settings
        for element in scope.select(", ".join(exclude)):
            element.decompose()
    name = page_name(scope, title)

    units = []
    for unit in Walker(scope).run():
        text = squash("".join(unit.parts))
        if not text:
            continue
        label = unit.lead or (unit.label + (f" ({unit.item})" if unit.item else "")).strip()
        target = url + (f"#{quote(unit.anchor, safe='')}" if unit.anchor else "")
        units.append({"p": number, "u": target, "l": label, "x": text})

    # The page's own entry: its title, with its opening paragraph if it has one.
    if units and units[0]["u"] == url:
        opening = units.pop(0)["x"]
    else:
        opening = description if description != default_description else ""
    own = {"p": number, "u": url, "x": opening}
    seen: set[tuple[object, object]] = {("", opening)}
    result = [own]
    for entry in units:
        key = (entry["l"], entry["x"])
        if key not in seen:
            seen.add(key)
            result.append(entry)
    return title, name, result


def build(
    output: Path, site_name: str = "", default_description: str = "", exclude: list[str] | None = None
) -> dict[str, Any]:
    """Index every HTML file under *output*."""
    files = sorted((p.relative_to(output).as_posix() for p in output.rglob("*.html")), key=natural)
    pages: list[list[str]] = []
    units: list[dict[str, Any]] = []
    for rel in files:
        html = (output / rel).read_text(encoding="utf-8")
        url = quote(rel, safe="/")
        found = index_page(html, url, len(pages), site_name, default_description, exclude or [])
        if found is None:
            continue
        title, name, found_units = found
        pages.append([url, title, name])
        units.extend(found_units)
    return {"v": VERSION, "p": pages, "u": units}


def render(index: dict[str, Any]) -> str:
    """The index as a plain script assigning a global."""
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.SEARCH_INDEX = {text};\n"
