"""What the index holds of a page, and the settings that shape it (pure, and without lxml: the
build loads the parser only when it indexes pages itself, not when a second process does)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple


class Unit(NamedTuple):
    """One search result: a block of text, or (label None) the page's own entry."""

    #: address relative to the site root, with the fragment of the nearest id
    url: str
    #: the section it is in ("" before any heading); None for the page's own entry
    label: str | None
    #: its plain text (the page's own entry: its opening paragraph or description, or "")
    text: str


class Page(NamedTuple):
    """What the index keeps of one page."""

    #: address relative to the site root
    url: str
    #: the page title, without the site name
    title: str
    #: the short name that labels its results ("Point 21 · Territory")
    name: str
    #: its own entry first, then its blocks in document order, no two with the same label and text
    units: tuple[Unit, ...]


class Options(NamedTuple):
    """Settings that shape every page's entry (a tuple, not a dataclass: the indexing process never loads
    dataclasses)."""

    #: the site name, cut from the end of titles ("Title · Site")
    site_name: str = ""
    #: a meta description equal to this (the site's default) does not describe a page
    default_description: str = ""
    #: extra CSS selectors whose elements are left out (SITESEARCH_EXCLUDE)
    exclude: tuple[str, ...] = ()

    def excluder(self) -> Callable[[Any], list[Any]] | None:
        """The compiled selector of ``exclude`` (cssselect, imported only when there is one)."""
        if not self.exclude:
            return None
        from lxml.cssselect import CSSSelector

        return CSSSelector(", ".join(self.exclude))
