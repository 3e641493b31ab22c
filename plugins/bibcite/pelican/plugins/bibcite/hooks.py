"""The hooks another plugin uses to add its own rules to bibcite, without importing its internals.

A plugin registers plain functions from its ``register()``; registering the
same function again (Pelican calls ``register()`` for every build in a
process) replaces it rather than adding a second copy::

    from pelican.plugins.bibcite import hooks

    def register():
        hooks.document_check(my_check)      # (Document) -> problems
        hooks.site_check(my_site_check)     # (SitePages) -> problems

Every hook receives plain data (see the classes below) and returns problems
(``pelican.plugins.bibcite.problems.Problem``), which are reported with
bibcite's own, located, in the build and in a check without a build alike.

=================  =====================================================  =======================
hook               called with                                            returns
=================  =====================================================  =======================
``setup``          ``Setup``: settings, root, sources (start of a run)    problems
``page_rules``     repository-relative path of a page                     ``PageRules`` or None
``header_check``   ``Document`` before conversion (header only)           problems
``tree``           the converted element tree and its ``Document``        nothing (may set ids)
``document_check`` ``Document`` after conversion                          problems
``metadata``       ``Document`` and Pelican's metadata dict (build only)  nothing (may change it)
``site_check``     ``SitePages``: every page and the sources               problems
``note_fields``    a ``Source``                                           (class, label, text)s
``entry_fields``   nothing                                                BibTeX field names read
``inputs``         settings and the root folder                           files and folders read
=================  =====================================================  =======================
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .problems import Problem

if TYPE_CHECKING:
    from .bibliography import Source
    from .markdown_ext import DocumentResult


@dataclass(frozen=True)
class PageRules:
    """What a plugin decides about one page before it is read."""

    #: header fields this page may set besides BIBCITE_HEADER_FIELDS (lower case)
    header_fields: tuple[str, ...] = ()
    #: the plugin reports a missing title itself (as a missing field of its own kind of page)
    owns_title: bool = False
    #: the plugin's name for this kind of page ("clause"), handed back in Document.role
    role: str = ""
    #: id prefixes the plugin gives elements itself ("point" for point-21-b); content may not use them
    reserved_ids: tuple[str, ...] = ()
    #: fields other pages may set but this one may not, with the hint to give when it does
    refused: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Setup:
    """The start of a build or of a check."""

    #: Pelican's settings (BIBCITE_* merged with their defaults)
    settings: dict[str, Any]
    #: the repository root that problem paths are relative to
    root: Path
    #: the bibliography by key
    sources: dict[str, Source]


@dataclass
class Document:
    """One page as bibcite read it: its text, header, notes and the ids it was given."""

    #: repository-relative path
    path: str
    #: the Markdown text (header included), UTF-8 decoded with plain line endings
    text: str
    #: header fields by lower-case name: (value, line, column)
    header: dict[str, tuple[str, int, int]]
    #: the role a page_rules hook gave it, or ""
    role: str
    #: notes, fenced divs and findings of the Markdown extension
    result: DocumentResult
    #: ids given by the site (hooks call assign()); content may not set them itself
    assigned: set[str] = field(default_factory=set)
    #: anything a plugin wants to keep about this page between its hooks; bibcite itself reads
    #: "ids" (ids the theme adds to the page, as link targets) and "extra_links" (HTML of links
    #: the theme adds, for the link check)
    data: dict[str, Any] = field(default_factory=dict)

    def assign(self, element: etree.Element, anchor: str) -> None:
        """Give *element* the site's id *anchor*."""
        element.set("id", anchor)
        self.assigned.add(anchor)


@dataclass(frozen=True)
class Page:
    """One page of the site, for site checks and link checks."""

    #: repository-relative path of the Markdown source
    path: str
    #: the source file, to locate a link in its text
    source: Path
    #: the file the build writes, relative to the output folder
    name: str
    #: the converted body, citation markers included
    html: str
    #: the page's notes
    notes: tuple[Any, ...]
    #: ids the page carries besides those in its body and notes (added by the theme)
    ids: frozenset[str] = frozenset()
    #: what the hooks kept about it (Document.data)
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass
class SitePages:
    """Every page that was read, and the bibliography."""

    pages: list[Page]
    sources: dict[str, Source]
    settings: dict[str, Any]
    #: files the build writes besides the pages, with the ids they always carry (a plugin may add to it)
    extra_targets: dict[str, set[str]] = field(default_factory=dict)


F = TypeVar("F", bound=Callable[..., Any])


class Registry:
    """The registered functions of each hook, by name (so registering again replaces)."""

    def __init__(self) -> None:
        self.functions: dict[str, dict[str, Callable[..., Any]]] = {}

    def add(self, hook: str, function: F) -> F:
        name = f"{function.__module__}.{function.__qualname__}"
        self.functions.setdefault(hook, {})[name] = function
        return function

    def keep_only(self, modules: Iterable[str]) -> None:
        """Forget functions of plugins that are not enabled in this build (a process may build several sites)."""
        prefixes = tuple(name + "." for name in modules)
        for functions in self.functions.values():
            for name in [n for n in functions if not n.startswith(prefixes)]:
                del functions[name]

    def get(self, hook: str) -> list[Callable[..., Any]]:
        return list(self.functions.get(hook, {}).values())

    def problems(self, hook: str, *args: Any) -> list[Problem]:
        """Every problem the functions of *hook* return for *args*."""
        found: list[Problem] = []
        for function in self.get(hook):
            found.extend(function(*args) or ())
        return found


REGISTRY = Registry()


def setup(function: Callable[[Setup], Iterable[Problem]]) -> Callable[[Setup], Iterable[Problem]]:
    """Run *function* at the start of every build and check (load what the other hooks need)."""
    return REGISTRY.add("setup", function)


def page_rules(function: Callable[[str], PageRules | None]) -> Callable[[str], PageRules | None]:
    """Let *function* decide, from its path, what header fields a page may set and what role it has."""
    return REGISTRY.add("page_rules", function)


def header_check(function: Callable[[Document], Iterable[Problem]]) -> Callable[[Document], Iterable[Problem]]:
    """Check each page's header before conversion (also for pages that are not converted)."""
    return REGISTRY.add("header_check", function)


def tree(function: Callable[[etree.Element, Document], None]) -> Callable[[etree.Element, Document], None]:
    """Let *function* give elements of the converted tree the site's ids (Document.assign) before checking."""
    return REGISTRY.add("tree", function)


def document_check(function: Callable[[Document], Iterable[Problem]]) -> Callable[[Document], Iterable[Problem]]:
    """Check each page after conversion."""
    return REGISTRY.add("document_check", function)


def metadata(function: Callable[[Document, dict[str, Any]], None]) -> Callable[[Document, dict[str, Any]], None]:
    """Set Pelican metadata (template, slug...) of each page read in a build."""
    return REGISTRY.add("metadata", function)


def site_check(function: Callable[[SitePages], Iterable[Problem]]) -> Callable[[SitePages], Iterable[Problem]]:
    """Check all pages together (numbering, cross-references, output names)."""
    return REGISTRY.add("site_check", function)


def note_fields(
    function: Callable[[Source], Iterable[tuple[str, str, str]]],
) -> Callable[[Source], Iterable[tuple[str, str, str]]]:
    """Add (css class, label, plain text) lines to a source's note in the notes list."""
    return REGISTRY.add("note_fields", function)


def entry_fields(function: Callable[[], Iterable[str]]) -> Callable[[], Iterable[str]]:
    """Declare BibTeX fields a plugin reads, so they are not reported as likely typos."""
    return REGISTRY.add("entry_fields", function)


def inputs(
    function: Callable[[dict[str, Any], Path], Iterable[Path]],
) -> Callable[[dict[str, Any], Path], Iterable[Path]]:
    """Declare the files and folders a plugin's document checks read besides the page (its source
    texts, say): a process that builds again (the devserver) reuses a page's reading only while
    they are unchanged."""
    return REGISTRY.add("inputs", function)


def rules_for(path: str) -> PageRules:
    """The merged PageRules the page_rules hooks give *path*."""
    fields: list[str] = []
    reserved: list[str] = []
    refused: list[tuple[str, str]] = []
    owns_title = False
    role = ""
    for function in REGISTRY.get("page_rules"):
        rules = function(path)
        if rules is not None:
            fields.extend(rules.header_fields)
            reserved.extend(rules.reserved_ids)
            refused.extend(rules.refused)
            owns_title = owns_title or rules.owns_title
            role = role or rules.role
    return PageRules(tuple(fields), owns_title, role, tuple(reserved), tuple(refused))
