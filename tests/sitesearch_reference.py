"""The search indexer as it was before lxml (issue 17): BeautifulSoup's html.parser, kept for the tests only.

tests/test_search_shards.py builds the real site's index with it and requires the
plugin's (sitesearch.extract, lxml) to be byte for byte the same: the comparison
stays true as the content changes, which a committed copy of the index would not.
Not used by the build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PreformattedString, Tag

# What is indexed and how labels are cut is the plugin's policy, shared: only the parser and the
# walk differ, which is what the comparison is for.
from sitesearch.extract import (
    BLOCKS,
    DASHES,
    EXCLUDE_ATTRS,
    EXCLUDE_CLASSES,
    EXCLUDE_TAGS,
    HEADINGS,
    ITEM_LABEL,
    LEAD_TAGS,
    NAME_ATTR,
    SCOPE,
    SKIP_PAGE,
    SPACED,
    squash,
    topic,
)
from sitesearch.index import VERSION, natural, render

#: What the tests use: the old walk's index, written as the plugin writes one.
__all__ = ["build", "render"]

#: The notes section our plugin renders; it contains no nested <section>.
NOTES_RE = re.compile(r'<section class="notes".*?</section>', re.S)


def excluded(tag: Tag) -> bool:
    """True for an element whose text is not indexed."""
    if tag.name in EXCLUDE_TAGS or tag.get("aria-hidden") == "true":
        return True
    classes = tag.get("class")
    if classes and not EXCLUDE_CLASSES.isdisjoint(classes):
        return True
    return any(tag.has_attr(attr) for attr in EXCLUDE_ATTRS)


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
