"""The explainer: one numbered document annotated clause by clause, on top of bibcite.

Everything about annotating a document lives here, not in the citation
plugin: clause pages and sections, the document's own text and the checks
that clause quotations are verbatim and complete, quotations and copying
checked against the sources' texts, the corrections log, the coverage
matrix, JSON-LD, the print edition, the Atom feed of clause updates and the sitemap. It talks to
bibcite only through ``pelican.plugins.bibcite.hooks``.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from feedgenerator import Atom1Feed
from markupsafe import Markup
from pelican import signals
from pelican.generators import Generator, PelicanTemplateNotFound
from pelican.utils import get_relative_path, path_to_url

from pelican.plugins.bibcite import hooks, render
from pelican.plugins.bibcite.bibliography import Source, format_date
from pelican.plugins.bibcite.header import valid_date
from pelican.plugins.bibcite.problems import Problem
from pelican.plugins.bibcite.settings import SettingsError
from pelican.plugins.bibcite.syntax import LineIndex

from . import clauses, fingerprint, printed, provenance, quotes

#: name -> (default, description)
DEFAULTS: dict[str, tuple[Any, str]] = {
    "EXPLAINER_PRIMARY_KEY": (
        "",
        "key of the annotated document's own entry; clause quotations are checked against its text",
    ),
    "EXPLAINER_SECTIONS": ([], "the document's sections in order: (heading, first clause, last clause)"),
    "EXPLAINER_ITEM": ("Point", "what the document calls a clause: titles 'Point 21', addresses point-21.html"),
    "EXPLAINER_DOCUMENT": (
        "The document",
        "the document's short name, as the first step of a clause page's breadcrumbs",
    ),
    "EXPLAINER_CLAUSES_PATH": ("clauses", "folder under PATH whose pages are clause pages"),
    "EXPLAINER_CLAUSE_DIV": ("clause", "fenced div class (::: {.clause}) that holds a clause's verbatim text"),
    "EXPLAINER_SOURCE_TEXTS": (
        "",
        "folder of the sources' texts (BibTeX field sourcetext), relative to BIBCITE_ROOT; where a text is "
        "absent its fingerprint is used",
    ),
    "EXPLAINER_FINGERPRINTS": (
        "",
        "folder of the sources' fingerprints (make fingerprint), relative to BIBCITE_ROOT; with "
        "EXPLAINER_SOURCE_TEXTS also '', the checks against the sources are off (a note says so)",
    ),
    "EXPLAINER_PRIMARY_START": (
        "",
        "where the document begins in its source text, ending '1. ' (default: the first section heading and '1. ')",
    ),
    "EXPLAINER_CORRECTIONS": ("corrections", "file name (without .md) of the corrections page"),
    "EXPLAINER_MAX_QUOTE": (25, "longest quotation from a source, in words (the document's own clauses aside)"),
}
#: An entry of the corrections page: "### What was corrected {#entry-id}".
CORRECTION_HEADING_RE = re.compile(r"^###[ \t]+(.+?)[ \t]*\{#([a-z][a-z0-9-]*)\}[ \t]*$", re.M)
#: One correction in a page's header: its date and the id of its entry on the corrections page.
CORRECTION_RE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\s+#?([a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*)")
ITEM_RE = re.compile(r"^([a-z])\.\s+")
#: Quotations in the text: curly quotes, or straight ones not inside an attribute value.
QUOTATION_RE = re.compile(r"\u201c[^\u201d]*\u201d|(?<![\w=])\"[^\"\n]*(?:\n(?!\n)[^\"\n]*)*\"")
#: A locator that names the document's point (and sub-item): "point 21d", "points 16 and 22".
LOCATOR_TEMPLATE = r"{item}s?\s+[0-9]"
CLAUSE_FIELDS = ("clause", "section", "related", "reviewed")
#: Where the print edition is written (a theme without a "print" template has none).
PRINT_SAVE_AS = "print.html"


@dataclass
class State:
    """What the explainer knows in one build or check run."""

    settings: dict[str, Any] = field(default_factory=dict)
    spec: clauses.Spec = field(default_factory=lambda: clauses.Spec(()))
    root: Path = Path(".")
    clauses_folder: Path = Path("clauses")
    sources: dict[str, Source] = field(default_factory=dict)
    #: each source's own text (the document's span, or an article without the document it reproduces)
    texts: dict[str, str] = field(default_factory=dict)
    #: the fingerprints of the sources whose text is absent
    fingerprints: dict[str, fingerprint.Fingerprint] = field(default_factory=dict)
    copy_indexes: list[quotes.CopyIndex | quotes.FingerprintCopyIndex] = field(default_factory=list)
    #: the document's points by number, from its text (None without it)
    points: dict[int, str] | None = None
    #: the SHA-256 of each point, from the document's fingerprint (when its text is absent)
    point_hashes: dict[int, str] = field(default_factory=dict)
    correction_titles: dict[str, str] = field(default_factory=dict)


STATE = State()


def merge(settings: dict[str, Any]) -> dict[str, Any]:
    """The explainer's settings with defaults filled in; unknown or inconsistent ones refused."""
    unknown = sorted(k for k in settings if k.startswith("EXPLAINER_") and k not in DEFAULTS)
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(unknown)}; known: {', '.join(DEFAULTS)}")
    merged = {name: settings.get(name, default) for name, (default, _) in DEFAULTS.items()}
    if not merged["EXPLAINER_PRIMARY_KEY"]:
        raise SettingsError("EXPLAINER_PRIMARY_KEY: name the BibTeX key of the document being annotated")
    why = spec_of(merged).valid()
    if why:
        raise SettingsError(f"EXPLAINER_SECTIONS: {why}")
    return merged


def spec_of(merged: dict[str, Any]) -> clauses.Spec:
    """The document's sections and clause name from merged settings."""
    sections = tuple((str(name), int(first), int(last)) for name, first, last in merged["EXPLAINER_SECTIONS"])
    return clauses.Spec(sections, str(merged["EXPLAINER_ITEM"]))


# --- bibcite hooks ----------------------------------------------------------------------------


def setup(start: hooks.Setup) -> list[Problem]:
    """Read the settings, the sources' texts, the document's points and the corrections' titles."""
    merged = merge(start.settings)
    vars(STATE).update(vars(State()))  # a fresh state for every run
    STATE.settings = {**start.settings, **merged}
    STATE.spec = spec_of(merged)
    STATE.root = start.root
    STATE.sources = start.sources
    content = Path(os.path.abspath(start.settings.get("PATH", "content")))
    STATE.clauses_folder = content / merged["EXPLAINER_CLAUSES_PATH"]
    STATE.correction_titles = _correction_titles(content, start.settings.get("PAGE_PATHS", ["pages"]))
    return _load_sources(start, merged)


def inputs(settings: dict[str, Any], root: Path) -> list[Path]:
    """What the checks read besides each page: the sources' texts, their fingerprints, the corrections page."""
    merged = merge(settings)
    content = Path(os.path.abspath(settings.get("PATH", "content")))
    name = merged["EXPLAINER_CORRECTIONS"] + ".md"
    found = [content / folder / name for folder in settings.get("PAGE_PATHS", ["pages"])]
    found += [root / merged[key] for key in ("EXPLAINER_SOURCE_TEXTS", "EXPLAINER_FINGERPRINTS") if merged[key]]
    return found


def _start_text(merged: dict[str, Any]) -> str:
    """Where the document begins in the text that reproduces it, normalised as the texts are."""
    spec = spec_of(merged)
    return quotes.normalise(merged["EXPLAINER_PRIMARY_START"] or f"{spec.sections[0][0]} 1. ") + " "


def own_text(key: str, texts: dict[str, str], sources: dict[str, Source], merged: dict[str, Any]) -> str:
    """The text a quotation of *key* is checked against: for the annotated document, its span in the
    article that reproduces it; for that article, its text without the document; else the whole text."""
    text = texts[key]
    primary = merged["EXPLAINER_PRIMARY_KEY"]
    primary_file = sources[primary].sourcetext if primary in sources else ""
    if key != primary and sources[key].sourcetext != primary_file:
        return text
    span = quotes.plan_span(text, spec_of(merged).count, _start_text(merged))
    if span is None:
        return text
    return text[span[0] : span[1]] if key == primary else text[: span[0]] + " " + text[span[1] :]


def fingerprint_of(
    key: str, texts: dict[str, str], sources: dict[str, Source], merged: dict[str, Any]
) -> fingerprint.Fingerprint:
    """The fingerprint of source *key*'s own text (with the points' hashes for the annotated document)."""
    text = own_text(key, texts, sources, merged)
    points = {}
    if key == merged["EXPLAINER_PRIMARY_KEY"]:
        spec = spec_of(merged)
        headings = tuple(name for name, _, _ in spec.sections)
        found = quotes.plan_points(text, spec.count, _start_text(merged))
        points = {n: fingerprint.sha256(quotes.squeezed(point, headings)) for n, point in found.items()}
    return fingerprint.make(key, text, quotes.words(text), points)


def _load_sources(start: hooks.Setup, merged: dict[str, Any]) -> list[Problem]:
    """Each source's text where it is present, its fingerprint otherwise; neither is an error."""
    texts_name, prints_name = merged["EXPLAINER_SOURCE_TEXTS"], merged["EXPLAINER_FINGERPRINTS"]
    if not texts_name and not prints_name:
        return [quotes.skipped_notice(Path("(EXPLAINER_SOURCE_TEXTS and EXPLAINER_FINGERPRINTS unset)"))]
    folder = start.root / texts_name if texts_name else None
    raw, problems = quotes.load_texts(start.sources, folder) if folder and folder.is_dir() else ({}, [])
    unreadable = {(p.path, p.line) for p in problems}
    for _, source in sorted(start.sources.items()):
        if source.sourcetext:
            problem = _text_or_fingerprint(start.root, source, raw, merged, (source.path, source.line) in unreadable)
            if problem is not None:
                problems.append(problem)
    if STATE.texts:
        STATE.copy_indexes.append(quotes.CopyIndex(STATE.texts))
    if STATE.fingerprints:
        STATE.copy_indexes.append(quotes.FingerprintCopyIndex(STATE.fingerprints))
    primary = merged["EXPLAINER_PRIMARY_KEY"]
    if primary in STATE.texts:
        STATE.points = quotes.plan_points(STATE.texts[primary], STATE.spec.count, _start_text(merged))
    elif primary in STATE.fingerprints:
        STATE.point_hashes = STATE.fingerprints[primary].points
    return problems


def _text_or_fingerprint(
    root: Path, source: Source, raw: dict[str, str], merged: dict[str, Any], unreadable: bool
) -> Problem | None:
    """Keep *source*'s own text (checked against its fingerprint), else its fingerprint; else a problem."""
    key, prints_name = source.key, merged["EXPLAINER_FINGERPRINTS"]
    found, problem = _fingerprint_file(root, prints_name, source)
    if key in raw:
        STATE.texts[key] = own_text(key, raw, STATE.sources, merged)
        if prints_name and found is None and problem is None:
            return _fingerprint_problem(source, "has no fingerprint", "")
        if found is not None and found.sha256 != fingerprint.sha256(STATE.texts[key]):
            return _fingerprint_problem(source, "has a fingerprint of another version of its text", "")
        return problem
    if found is not None:
        STATE.fingerprints[key] = found
        return None
    if problem is None and not unreadable:  # an unreadable text is bib.sourcetext already
        return _fingerprint_problem(
            source,
            "has neither its text nor a fingerprint: its quotations cannot be checked",
            "place its text in the source-text folder, or commit its fingerprint (make fingerprint KEY=...)",
        )
    return problem


def fingerprint_path(root: Path, folder: str, key: str) -> Path:
    """Where source *key*'s fingerprint is kept."""
    return root / folder / f"{render.source_name(key)}.json"


def _fingerprint_file(root: Path, folder: str, source: Source) -> tuple[fingerprint.Fingerprint | None, Problem | None]:
    """The committed fingerprint of *source*, or None; a problem when the file is there but unusable."""
    if not folder:
        return None, None
    path = fingerprint_path(root, folder, source.key)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, _fingerprint_problem(source, f"has a fingerprint that cannot be read ({exc.strerror})", "")
    if not stat.S_ISREG(mode) or os.path.realpath(path) != os.path.abspath(path):
        return None, _fingerprint_problem(source, "has a fingerprint that is not a regular file", "")
    try:
        return fingerprint.loads(path.read_bytes(), source.key), None
    except fingerprint.FingerprintError as exc:
        return None, _fingerprint_problem(source, f"has a malformed fingerprint: {exc}", "")


def _fingerprint_problem(source: Source, what: str, hint: str) -> Problem:
    return Problem(
        source.path,
        source.line,
        1,
        "quote.fingerprint",
        f"source {source.key!r} {what}",
        hint or f"make it from the source's text: make fingerprint KEY={source.key}",
    )


def _correction_titles(content: Path, page_paths: list[str]) -> dict[str, str]:
    """The corrections page's entry titles by id, for the "Corrected" line of each page."""
    name = STATE.settings["EXPLAINER_CORRECTIONS"] + ".md"
    for folder in page_paths:
        path = content / folder / name
        try:
            regular = stat.S_ISREG(os.lstat(path).st_mode) and os.path.realpath(path) == os.path.abspath(path)
        except OSError:
            continue
        if regular:  # a link or a pipe is bibcite's file.* problem, never read here
            text = path.read_text(encoding="utf-8", errors="replace")
            return {m.group(2): m.group(1).strip() for m in CORRECTION_HEADING_RE.finditer(text)}
    return {}


#: Ids the theme's templates give their own sections (clause.html's related clauses, home.html's list
#: of clauses and coverage table, method.html's kinds and reliability notes): a heading of a page
#: that took one would share it, and "On this page" would lead to either.
THEME_IDS = ("related", "clauses", "coverage", "kinds", "reliability")


def page_rules(path: str) -> hooks.PageRules:
    """Clause pages (in the clauses folder) may set Clause, Section and Related; every page Corrected."""
    reserved = (STATE.spec.slug, *THEME_IDS)
    if Path(os.path.abspath(STATE.root / path)).is_relative_to(STATE.clauses_folder):
        return hooks.PageRules(("corrected", *CLAUSE_FIELDS), owns_title=True, role="clause", reserved_ids=reserved)
    hint = "only pages in the clauses folder are clause pages; move the page there or remove the field"
    return hooks.PageRules(("corrected",), reserved_ids=reserved, refused=tuple((f, hint) for f in CLAUSE_FIELDS))


def header_check(document: hooks.Document) -> list[Problem]:
    """A clause page's number, section and related clauses; the Corrected field of any page."""
    problems: list[Problem] = []
    if document.role == "clause":
        meta, problems = clauses.check(document.header, document.path, STATE.spec)
        document.data["clause"] = meta
    if "reviewed" in document.header:
        value, line, column = document.header["reviewed"]
        if not valid_date(value) or len(value) != 10:
            problems.append(
                Problem(
                    document.path,
                    line,
                    column,
                    "md.meta-value",
                    f"reviewed {value[:40]!r} is not a date as YYYY-MM-DD",
                    "give the day a second reader finished reading the page against all its sources",
                )
            )
        else:
            document.data["reviewed"] = value
    if "corrected" in document.header:
        value, line, column = document.header["corrected"]
        found = corrections(value)
        if found is None:
            problems.append(
                Problem(
                    document.path,
                    line,
                    column,
                    "md.meta-value",
                    f"corrected {value[:60]!r} is not 'YYYY-MM-DD entry-id' (several separated by ';')",
                    "give the date of the correction and the id of its entry on the corrections page, "
                    "e.g. Corrected: 2026-12-02 plan-provenance",
                )
            )
        document.data["corrections"] = found or []
    return problems


def corrections(value: str) -> list[tuple[str, str]] | None:
    """The (date, entry id) pairs of a Corrected field, or None when one is malformed."""
    found = []
    for part in value.split(";"):
        m = CORRECTION_RE.fullmatch(part.strip())
        if not m or not valid_date(m.group(1)):
            return None
        found.append((m.group(1), m.group(2)))
    return found


def tree(root: etree.Element, document: hooks.Document) -> None:
    """Ids for the clause quotation and each of its items (point-21-text, point-21-b, point-21-1)."""
    meta = document.data.get("clause")
    if meta is None:
        return
    slug, number = STATE.spec.slug, meta.number
    for quote in root:
        if quote.tag == "blockquote" and quote.get("class") == "clause-text":
            document.assign(quote, f"{slug}-{number}-text")
            bullet = 0
            for child in quote:
                if child.tag == "p" and child.text and (m := ITEM_RE.match(child.text)):
                    anchor = f"{slug}-{number}-{m.group(1)}"
                    document.assign(child, anchor)
                    label = etree.Element(
                        "a",
                        {
                            "class": "item-label",
                            "href": f"#{anchor}",
                            "aria-label": f"{STATE.spec.item} {number}, sub-item {m.group(1)} (link)",
                        },
                    )
                    label.text = m.group(1) + "."
                    label.tail = " " + child.text[m.end() :]
                    child.text = None
                    child.insert(0, label)
                elif child.tag in ("ul", "ol"):
                    for li in child.iter("li"):
                        bullet += 1
                        document.assign(li, f"{slug}-{number}-{bullet}")


def document_check(document: hooks.Document) -> list[Problem]:
    """Quotations, the verbatim and complete clause text, pinpoints of the document, copying."""
    meta = document.data.get("clause")
    anchors = "".join(
        f'<a href="{STATE.settings["EXPLAINER_CORRECTIONS"]}.html#{anchor}"></a>'
        for _, anchor in document.data.get("corrections", ())
    )
    document.data["extra_links"] = anchors
    if meta is not None:
        document.data["ids"] = {f"{STATE.spec.slug}-{meta.number}", "notes-heading"}
    problems = honesty(document)
    if meta is not None:
        if not any(p.code == "clause.not-verbatim" for p in problems):  # that already says what is wrong
            problems.extend(whole_point(meta.number, document))
        problems.extend(primary_pinpoints(document))
    return problems


def _clause_divs(document: hooks.Document) -> list[Any]:
    return [div for div in document.result.divs if div.name == STATE.settings["EXPLAINER_CLAUSE_DIV"]]


def _clause_paragraphs(document: hooks.Document) -> list[tuple[str, int]]:
    """(text without its item label, line) of each paragraph of the clause quotation."""
    return [(ITEM_RE.sub("", p.text), p.line) for div in _clause_divs(document) for p in div.paragraphs]


def honesty(document: hooks.Document) -> list[Problem]:
    """Quote, verbatim, quotation-length and copy checks for one document."""
    exempt = [(div.start, div.end) for div in _clause_divs(document)]
    problems = _pinpoint_quotes(document) + _long_quotations(document, exempt) + _verbatim(document)
    for index in STATE.copy_indexes:
        problems.extend(quotes.check_copy(index, document.text, document.path, exempt))
    return problems


def _pinpoint_quotes(document: hooks.Document) -> list[Problem]:
    """Each quoted pinpoint ([@key, "words"]) is short and found in its source's text."""
    most = int(STATE.settings["EXPLAINER_MAX_QUOTE"])
    problems = []
    for note in document.result.notes:
        for ref in (ref for ref in note.refs if ref.quote):
            count = len(ref.quote.split())
            if count > most:
                problems.append(
                    Problem(
                        document.path,
                        ref.line,
                        ref.column,
                        "quote.too-long",
                        f"quoted passage of {count} words (at most {most})",
                        "shorten the quotation and paraphrase the rest",
                    )
                )
            found = _quote_problem(ref.quote, note.source.key, document.path, ref.line, ref.column)
            if found:
                problems.append(found)
    return problems


def _quote_problem(quote: str, key: str, path: str, line: int, column: int) -> Problem | None:
    """A quoted passage not in its source: checked against the text, else against the fingerprint."""
    if key in STATE.texts:
        return quotes.check_quote(quote, key, STATE.texts, path, line, column)
    if key in STATE.fingerprints and not STATE.fingerprints[key].has_words(quotes.words(quote)):
        return Problem(
            path,
            line,
            column,
            "quote.not-found",
            f"quoted passage not found in {key!r} (checked against its fingerprint): \u201c{quote[:80]}\u201d",
            "copy the words exactly, in order, or use a locator",
        )
    return None


def _long_quotations(document: hooks.Document, exempt: list[tuple[int, int]]) -> list[Problem]:
    """Quotations in the text, outside the clause's own verbatim text, are short."""
    most = int(STATE.settings["EXPLAINER_MAX_QUOTE"])
    index = LineIndex(document.text)
    problems = []
    for m in QUOTATION_RE.finditer(document.text):
        line, column = index.locate(m.start())
        count = len(m.group(0).split())
        if count > most and not any(a <= line <= b for a, b in exempt):
            problems.append(
                Problem(
                    document.path,
                    line,
                    column,
                    "quote.too-long",
                    f"quotation of {count} words (at most {most})",
                    "shorten the quotation and paraphrase the rest",
                )
            )
    return problems


def _verbatim(document: hooks.Document) -> list[Problem]:
    """Each paragraph of the clause quotation is found, word for word, in the document's text."""
    key = STATE.settings["EXPLAINER_PRIMARY_KEY"]
    primary = STATE.texts.get(key, "")
    printed = STATE.fingerprints.get(key)

    def absent(paragraph: str) -> bool:
        if primary:
            return quotes.normalise(paragraph) not in primary
        return printed is not None and not printed.has_words(quotes.words(paragraph))

    return [
        Problem(
            document.path,
            line,
            1,
            "clause.not-verbatim",
            f"clause text is not verbatim from the document: \u201c{paragraph[:70]}\u201d",
            "copy the clause exactly as the document's text gives it",
        )
        for paragraph, line in _clause_paragraphs(document)
        if absent(paragraph)
    ]


def whole_point(number: int, document: hooks.Document) -> list[Problem]:
    """The clause quotation is point *number* of the document: complete, in order, nothing else.

    The verbatim check alone passes a paragraph found anywhere in the document;
    this one compares the whole quotation with the document's own point
    (sub-item labels, bullets and spacing aside), so a missing sub-item or a
    paragraph of another point is caught.
    """
    points = STATE.points or {}
    divs = _clause_divs(document)
    if not divs or (number not in points and number not in STATE.point_hashes):
        return []
    headings = tuple(name for name, _, _ in STATE.spec.sections)
    quoted = quotes.squeezed(" ".join(text for text, _ in _clause_paragraphs(document)), headings)
    item = STATE.spec.item.lower()
    if number not in points:  # the document's text is absent: its fingerprint holds each point's hash
        if fingerprint.sha256(quoted) == STATE.point_hashes[number]:
            return []
        return [
            Problem(
                document.path,
                divs[0].start,
                1,
                "clause.incomplete",
                f"the quoted text is not {item} {number} of the document, whole and in order (checked "
                "against its fingerprint, which cannot show where they differ)",
                f"quote {item} {number} exactly as the document gives it, every sub-item, in order, and nothing "
                "else; with the document's text at hand, make check shows where",
            )
        ]
    wanted = quotes.squeezed(points[number], headings)
    if quoted == wanted:
        return []
    at = next(
        (i for i, (a, b) in enumerate(zip(quoted, wanted, strict=False)) if a != b), min(len(quoted), len(wanted))
    )
    what = (
        "stops before the end of"
        if wanted.startswith(quoted)
        else "goes on past"
        if quoted.startswith(wanted)
        else "differs from"
    )
    return [
        Problem(
            document.path,
            divs[0].start,
            1,
            "clause.incomplete",
            f"the quoted text {what} {item} {number} of the document "
            f"(near \u201c{wanted[max(at - 20, 0) : at + 20]}\u201d)",
            f"quote {item} {number} exactly as the document gives it, every sub-item, in order, and nothing else",
        )
    ]


def primary_pinpoints(document: hooks.Document) -> list[Problem]:
    """In a clause page's plain-words section, every citation of the document names its point or quotes it.

    The section restates the document in other words: a reader checking a
    sentence needs to know which point (and sub-item) it restates.
    """
    lines = document.text.split("\n")
    start = next((n for n, line in enumerate(lines, 1) if line.startswith("## ") and "{#plain-words}" in line), 0)
    if not start:
        return []
    end = next((n for n, line in enumerate(lines, 1) if n > start and line.startswith("## ")), len(lines) + 1)
    key = STATE.settings["EXPLAINER_PRIMARY_KEY"]
    item = STATE.spec.item.lower()
    locator = re.compile(LOCATOR_TEMPLATE.format(item=re.escape(item)))
    problems = []
    for note in document.result.notes:
        if note.source.key != key:
            continue
        for ref in note.refs:
            if start < ref.line < end and not ref.quote and not locator.match(ref.locator):
                problems.append(
                    Problem(
                        document.path,
                        ref.line,
                        ref.column,
                        "cite.primary-pinpoint",
                        f"a citation of the document in 'In plain words' names no {item}",
                        f"name the {item} and sub-item, as in [@{key}, {item} 2b], or quote it",
                    )
                )
    return problems


def metadata(document: hooks.Document, values: dict[str, Any]) -> None:
    """A clause page's number, section, template and address; any page's corrections."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for day, anchor in document.data.get("corrections", ()):
        title = STATE.correction_titles.get(anchor, anchor.replace("-", " "))
        grouped.setdefault(day, []).append((anchor, title))
    values["corrections"] = [(format_date(day), entries) for day, entries in sorted(grouped.items(), reverse=True)]
    values.pop("corrected", None)
    values.pop("reviewed", None)
    if "reviewed" in document.data:
        values["reviewed"] = format_date(document.data["reviewed"])
    meta = document.data.get("clause")
    if meta is not None:
        values["clause"] = meta.number
        values["related"] = meta.related
        values["section"] = STATE.spec.section_of(meta.number)
        values["template"] = "clause"
        values["slug"] = f"{STATE.spec.slug}-{meta.number}"
    else:
        for name in CLAUSE_FIELDS:
            values.pop(name, None)


def site_check(site: hooks.SitePages) -> list[Problem]:
    """Each clause once, related clauses that exist, clause addresses kept for clause pages."""
    metas = [page.data["clause"] for page in site.pages if page.data.get("clause") is not None]
    problems = clauses.check_set(metas)
    reserved = re.compile(rf"{re.escape(STATE.spec.slug)}-[0-9]+\.html")
    for page in site.pages:
        if page.data.get("clause") is None and reserved.fullmatch(page.name):
            problems.append(
                Problem(
                    page.path,
                    1,
                    1,
                    "file.output",
                    f"would be written as {page.name}, the address of a clause page",
                    f"rename the file; {STATE.spec.slug}-N is kept for the clause pages",
                )
            )
    # The home page lists the sections, each under its own id.
    site.extra_targets.setdefault("index.html", set()).update(section_id(name) for name, _, _ in STATE.spec.sections)
    return problems


def note_fields(source: Source) -> list[tuple[str, str, str]]:
    """The reliability note of a source, under its citation."""
    return [("reliability", "Reliability", source.note)] if source.note else []


# --- Pelican ----------------------------------------------------------------------------------


class LazyJsonLd:
    """A page's JSON-LD, built when the template prints it.

    Every page stays in memory until the whole site is written, so building the
    string up front kept ~5 KB per page alive for the whole build (make bench).
    """

    __slots__ = ("page", "siteurl")

    def __init__(self, page: Any, siteurl: str) -> None:
        self.page = page
        self.siteurl = siteurl

    def __str__(self) -> str:
        page = self.page
        clause = getattr(page, "clause", None)
        title = f"{STATE.spec.item} {clause}: {page.title}" if clause else page.title
        return render.jsonld(
            title,
            re.sub(r"<[^>]+>", "", getattr(page, "summary", "")),
            page.notes,
            f"{self.siteurl}/{page.url}" if self.siteurl else "",
            page.date.date().isoformat(),
        )

    def __html__(self) -> str:
        """JSON for a script element: json.dumps output with <, > and & escaped (render.jsonld)."""
        return str(self)


class ExplainerGenerator(Generator):
    """The clause list and coverage matrix for the templates; the print edition; the feed and sitemap when published."""

    def generate_context(self) -> None:
        pages = [*self.context.get("pages", []), *self.context.get("hidden_pages", [])]
        sources = sorted(STATE.sources.values(), key=lambda s: (s.outlet_label.lower(), s.title.lower(), s.key))
        clause_pages = sorted((p for p in pages if getattr(p, "clause", None)), key=lambda p: p.clause)
        coverage = []
        for page in clause_pages:
            counts = [sum(len(n.refs) for n in page.notes if n.source.key == s.key) for s in sources]
            articles = sum(1 for s, count in zip(sources, counts, strict=True) if count and s.kind != "primary")
            coverage.append({"page": page, "counts": counts, "articles": articles})
        siteurl = self.settings.get("SITEURL", "")
        absolute = siteurl.startswith(("http://", "https://"))
        for page in pages:
            if hasattr(page, "notes"):
                page.jsonld = LazyJsonLd(page, siteurl if absolute else "")
        self.context["explainer"] = {
            "clause_pages": clause_pages,
            "coverage": coverage,
            "sources": sources,
            "item": STATE.spec.item,
            "slug": STATE.spec.slug,
            "document": STATE.settings["EXPLAINER_DOCUMENT"],
            "sections": [(name, list(range(first, last + 1))) for name, first, last in STATE.spec.sections],
        }

    def generate_output(self, writer: Any) -> None:
        self._write_print(writer)
        if self.settings.get("SITEURL", "").startswith(("http://", "https://")):
            self._write_feed(self.context["explainer"]["clause_pages"])
            self._write_sitemap(self.context["explainer"]["sources"])

    def _write_print(self, writer: Any) -> None:
        """The print edition: the introduction and every clause in one page, their notes short, one
        bibliography and a colophon, made from the pages in memory (printed.py)."""
        try:
            template = self.get_template("print")
        except PelicanTemplateNotFound:
            return
        relative = bool(self.settings.get("RELATIVE_URLS"))
        # The address the pages' own links start with in a file at the root, as Pelican's writer makes it.
        siteurl = path_to_url(get_relative_path(PRINT_SAVE_AS)) if relative else self.settings.get("SITEURL", "")
        address = self.settings.get("SITEURL", "")
        writer.write_file(
            PRINT_SAVE_AS,
            template,
            self.context,
            relative_urls=relative,
            page_name=PRINT_SAVE_AS.removesuffix(".html"),
            url=PRINT_SAVE_AS,
            edition={
                **self._print_parts(siteurl),
                "address": address if address.startswith(("http://", "https://")) else "",
            },
        )

    def _print_parts(self, siteurl: str) -> dict[str, Any]:
        """The print edition's introduction, sections of clauses, bibliography and provenance."""
        clause_pages = self.context["explainer"]["clause_pages"]
        pages = [*self.context.get("pages", []), *self.context.get("hidden_pages", [])]
        home = next((p for p in pages if p.save_as == "index.html" and hasattr(p, "notes")), None)
        places = printed.Places(
            slug=STATE.spec.slug,
            clauses=frozenset(p.clause for p in clause_pages),
            sections=frozenset(section_id(name) for name, _, _ in STATE.spec.sections),
            sources=printed.source_places(STATE.sources),
            siteurl=siteurl,
        )
        intro = None if home is None else _print_part(home, "intro", siteurl, places)
        parts = {p.clause: _print_part(p, printed.clause_prefix(p.clause), siteurl, places) for p in clause_pages}
        sections = [
            printed.Section(
                name, section_id(name), first, last, tuple(parts[n] for n in range(first, last + 1) if n in parts)
            )
            for name, first, last in STATE.spec.sections
        ]
        cited = printed.citing(
            (number, part.prefix, part.page.notes)
            for number, part in [(0, intro), *sorted(parts.items())]
            if part is not None
        )
        newest = max((int(getattr(p, "modified", p.date).timestamp()) for p in pages), default=0)
        return {
            "intro": intro,
            "sections": sections,
            "clauses": sorted(parts),
            "bibliography": _bibliography(cited),
            "provenance": provenance.read(STATE.root, newest),
        }

    def _write_feed(self, clause_pages: list[Any]) -> None:
        """An Atom feed of clause updates, newest first (absolute URLs, so only when published)."""
        siteurl = self.settings["SITEURL"]
        feed = Atom1Feed(
            title=f"{self.settings['SITENAME']}: clause updates",
            link=f"{siteurl}/",
            feed_url=f"{siteurl}/feeds/clauses.atom",
            description=self.settings.get("SITESUBTITLE", ""),
            language=self.settings.get("DEFAULT_LANG", "en"),
        )
        ordered = sorted(clause_pages, key=lambda p: (getattr(p, "modified", p.date), -p.clause), reverse=True)
        for page in ordered:
            feed.add_item(
                title=f"{STATE.spec.item} {page.clause}: {page.title}",
                link=f"{siteurl}/{page.url}",
                unique_id=f"{siteurl}/{page.url}",
                description=re.sub(r"<[^>]+>", "", page.summary),
                updateddate=getattr(page, "modified", page.date),
                pubdate=page.date,
            )
        path = Path(self.output_path) / "feeds" / "clauses.atom"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as stream:
            feed.write(stream, "utf-8")

    def _write_sitemap(self, sources: list[Source]) -> None:
        """sitemap.xml of every page and source page, with dates from page metadata."""
        siteurl = self.settings["SITEURL"]
        rows = [(page.url, page.date.date().isoformat()) for page in self.context.get("pages", [])]
        rows += [(render.source_href(s.key), "") for s in sources] + [("sources/index.html", "")]
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        ]
        for url, day in sorted(rows):
            lastmod = f"<lastmod>{day}</lastmod>" if day else ""
            lines.append(f"<url><loc>{xml_escape(f'{siteurl}/{url}')}</loc>{lastmod}</url>")
        lines.append("</urlset>")
        (Path(self.output_path) / "sitemap.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def section_id(name: str) -> str:
    """The id of a section's heading on the home page (and in the print edition)."""
    return name.lower().replace(" ", "-")


def _print_part(page: Any, prefix: str, siteurl: str, places: printed.Places) -> printed.Part:
    """A page in the print edition: its content and short notes (HTML built from escaped parts).

    The introduction's headings go one level down (under "Introduction"), a clause's two (under its
    section and its title); the notes' heading is one level below the page's own.
    """
    demote = 2 if getattr(page, "clause", None) else 1
    where = (places.slug, places.clauses, places.sections, tuple(sorted(places.sources.items())), places.siteurl)
    html = _rewritten(page.get_content(siteurl), prefix, where, demote)
    return printed.Part(page, prefix, Markup(html), Markup(printed.short_notes(page.notes, prefix, 2 + demote)))


@functools.lru_cache(maxsize=256)
def _rewritten(html: str, prefix: str, where: tuple[Any, ...], demote: int) -> str:
    """printed.rewrite(), kept: the devserver prints every clause again after each edit of one."""
    slug, clauses, sections, sources, siteurl = where
    return printed.rewrite(html, prefix, printed.Places(slug, clauses, sections, dict(sources), siteurl), demote)


def _bibliography(cited: dict[str, list[printed.Citing]]) -> list[printed.Entry]:
    """One entry for each source the edition cites, by the short name its notes give."""
    sources = sorted((STATE.sources[key] for key in cited), key=lambda s: (s.short_label.lower(), s.key))
    return [
        printed.Entry(
            source,
            printed.source_id(source.key),
            Markup(render.describe(source)),
            Markup(render.badge(source)),
            tuple(field for function in hooks.REGISTRY.get("note_fields") for field in function(source)),
            tuple(cited[source.key]),
        )
        for source in sources
    ]


def get_generators(pelican: Any) -> type[Generator]:
    """The explainer's generator (its settings are checked when a build starts)."""
    merge(pelican.settings)
    return ExplainerGenerator


def register() -> None:
    """Connect to bibcite's hooks and to Pelican."""
    hooks.setup(setup)
    hooks.inputs(inputs)
    hooks.page_rules(page_rules)
    hooks.header_check(header_check)
    hooks.tree(tree)
    hooks.document_check(document_check)
    hooks.metadata(metadata)
    hooks.site_check(site_check)
    hooks.note_fields(note_fields)
    signals.get_generators.connect(get_generators)
