"""One Markdown document, read and checked without Pelican: used by the reader and by `make check`.

Decoding, the clause header, citations, unsafe input, the honesty checks
(quoted pinpoints, verbatim clause text, quotation length, copying) and the
final sanitising of the HTML all happen here, so the linter and the build
report exactly the same problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nh3
from markdown import Markdown

from . import clauses, quotes
from .markdown_ext import BibciteExtension, DocumentResult, place_markers
from .problems import Problem
from .render import ROOT
from .render import notes_section as render_notes
from .syntax import LineIndex

#: Larger files are refused: no clause or page needs megabytes of Markdown.
MAX_BYTES = 512 * 1024
QUOTATION_RE = re.compile(r"\u201c[^\u201d]*\u201d|(?<![\w=])\"[^\"\n]*(?:\n(?!\n)[^\"\n]*)*\"")
FRONT_MATTER_RE = re.compile(r"^---[ \t]*$", re.M)

#: What the published HTML may contain: what our Markdown and renderer produce, nothing more.
SAFE_TAGS = {
    "a", "abbr", "aside", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "mark", "ol", "p", "pre", "q", "s", "section", "small",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
SAFE_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir", "role", "aria-label", "aria-hidden", "aria-labelledby",
          "aria-describedby", "data-source"},
    "a": {"href"},
    "ol": {"start"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "scope", "align"},
    "abbr": {"title"},
}
SAFE_SCHEMES = {"http", "https", "mailto", ROOT.split(":")[0]}


def sanitise(html: str) -> str:
    """The HTML through nh3 (Ammonia): only our allowlist of tags, attributes and URL schemes survives."""
    return nh3.clean(html, tags=SAFE_TAGS, attributes=SAFE_ATTRIBUTES, url_schemes=SAFE_SCHEMES,
                     link_rel=None, strip_comments=True)


def compact(html: str) -> str:
    """*html* with every non-ASCII character as a character reference.

    Python stores a string with even one non-ASCII character at 2 or 4 bytes
    per character, and Pelican keeps every page's HTML until the whole site is
    written: a margin note's dash or curly quotes doubled the memory of a page
    of plain ASCII prose (make bench, 5,000 pages). Browsers read "&#8220;"
    exactly as the character.
    """
    return html if html.isascii() else html.encode("ascii", "xmlcharrefreplace").decode("ascii")


@dataclass
class Analysis:
    """What one document yields."""

    #: repository-relative path
    path: str
    #: sanitised HTML of the body
    html: str = ""
    #: Python-Markdown's metadata (lists of strings by lower-case key)
    meta: dict[str, list[str]] = field(default_factory=dict)
    #: notes, rendered notes and extension findings
    result: DocumentResult = field(default_factory=DocumentResult)
    #: the checked clause header, for clause pages
    clause: clauses.ClauseMeta | None = None
    #: every problem found in this document
    problems: list[Problem] = field(default_factory=list)
    #: False when the file could not be read at all
    readable: bool = True

    @property
    def notes_html(self) -> str:
        """The notes list (rendered on each access)."""
        return render_notes(self.result.notes)


@dataclass
class Context:
    """What every document is checked against."""

    ext: BibciteExtension
    md_settings: dict[str, Any]
    texts: dict[str, str] | None = None
    copy_index: quotes.CopyIndex | None = None
    plan_key: str = "plan2025"
    _instances: dict[str, tuple[dict[str, Any], Markdown]] = field(default_factory=dict, repr=False)
    _meta: Any = field(default=None, repr=False)

    def markdown(self) -> Markdown:
        """The Markdown instance for the next document, built once and reset in between.

        Python-Markdown supports reuse through reset(); building an instance
        with its extensions for every page cost ~0.4 ms a page (make bench).
        """
        return self._instance("document").reset()

    def metadata_markdown(self) -> Markdown:
        """The instance Pelican converts formatted metadata (the summary) with.

        Pelican's reader removes the ``meta`` preprocessor from the instance it
        is given, so this one is separate and gets it back before each use.
        """
        md = self._instance("metadata")
        if "meta" not in md.preprocessors and "markdown.extensions.meta" in self.md_settings.get("extensions", []):
            md.preprocessors.register(self._meta, "meta", 27)
        return md

    def _instance(self, role: str) -> Markdown:
        settings, md = self._instances.get(role, (None, None))
        if md is None or settings is not self.md_settings:  # new settings: a new instance
            md = Markdown(**{**self.md_settings, "extensions": [*self.md_settings.get("extensions", []), self.ext]})
            self._instances[role] = (self.md_settings, md)
            if role == "metadata" and "meta" in md.preprocessors:
                self._meta = md.preprocessors["meta"]
        return md


def make_context(sources: dict[str, Any], md_settings: dict[str, Any], plugin: dict[str, Any],
                 root: Path) -> tuple[Context, list[Problem]]:
    """The checking context for a build or for `make check`: sources, their texts, the copy index."""
    context = Context(BibciteExtension(sources), md_settings, plan_key=plugin["BIBCITE_PLAN_KEY"])
    folder = root / plugin["BIBCITE_SOURCE_TEXTS"] if plugin["BIBCITE_SOURCE_TEXTS"] else None
    if folder is None or not folder.is_dir():
        return context, [quotes.skipped_notice(folder or Path("(BIBCITE_SOURCE_TEXTS unset)"))]
    context.texts = quotes.load_texts(sources, folder)
    context.copy_index = quotes.CopyIndex(context.texts)
    return context, quotes.missing_texts(sources, folder)


def decode(raw: bytes, path: str) -> tuple[str, Problem | None]:
    """Strict UTF-8 with an optional BOM; Windows line endings become plain ones."""
    if len(raw) > MAX_BYTES:
        return "", Problem(path, 1, 1, "md.too-large", f"file is {len(raw):,} bytes (at most {MAX_BYTES:,})",
                           "split it, or remove what was pasted in by mistake")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return "", Problem(path, line, column, "md.encoding", f"file is not valid UTF-8 ({exc.reason})",
                           "save the file as UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return "", Problem(path, 1, 1, "md.empty", "file is empty", "write the page, or delete the file")
    if "\x00" in text:
        line, column = LineIndex(text).locate(text.index("\x00"))
        return "", Problem(path, line, column, "md.encoding", "file contains a NUL byte", "save it as plain text")
    if text.startswith("---") and FRONT_MATTER_RE.match(text) and not FRONT_MATTER_RE.search(text, 4):
        return "", Problem(path, 1, 1, "md.meta-unterminated", "metadata block opened with '---' is never closed",
                           "close it with a line '---', or write 'Key: value' lines followed by a blank line")
    return text, None


def analyse(raw: bytes, path: str, context: Context, is_clause: bool) -> Analysis:
    """Read, convert and check one document."""
    analysis = Analysis(path)
    text, problem = decode(raw, path)
    if problem:
        analysis.problems.append(problem)
        analysis.readable = False
        return analysis
    if is_clause:
        analysis.clause, found = clauses.check(text, path)
        analysis.problems.extend(found)
    md = context.markdown()
    context.ext.begin(path)
    html = md.convert(text)
    analysis.result = context.ext.finish()
    analysis.meta = getattr(md, "Meta", {}) or {}
    analysis.html = compact(place_markers(sanitise(html), analysis.result, path))
    analysis.problems.extend(analysis.result.problems)
    analysis.problems.extend(honesty(text, path, analysis.result, context))
    return analysis


def honesty(text: str, path: str, result: DocumentResult, context: Context) -> list[Problem]:
    """Quote, verbatim, quotation-length and copy checks for one document."""
    problems = []
    exempt = result.clause_ranges
    for note in result.notes:
        for ref in note.refs:
            if not ref.quote:
                continue
            if len(ref.quote.split()) > quotes.MAX_RUN:
                problems.append(Problem(path, ref.line, ref.column, "quote.too-long",
                                        f"quoted passage of {len(ref.quote.split())} words (at most {quotes.MAX_RUN})",
                                        "shorten the quotation and paraphrase the rest"))
            if context.texts is not None:
                found = quotes.check_quote(ref.quote, note.source.key, context.texts, path, ref.line, ref.column)
                if found:
                    problems.append(found)
    index = LineIndex(text)
    for m in QUOTATION_RE.finditer(text):
        line, column = index.locate(m.start())
        if any(a <= line <= b for a, b in exempt):
            continue
        count = len(m.group(0).split())
        if count > quotes.MAX_RUN:
            problems.append(Problem(path, line, column, "quote.too-long",
                                    f"quotation of {count} words (at most {quotes.MAX_RUN})",
                                    "shorten the quotation and paraphrase the rest"))
    if context.texts is not None and result.clause_text:
        plan = context.texts.get(context.plan_key, "")
        for paragraph in result.clause_text:
            if plan and quotes.normalise(paragraph.text) not in plan:
                problems.append(Problem(path, paragraph.line, 1, "clause.not-verbatim",
                                        f"clause text is not verbatim from the plan: \u201c{paragraph.text[:70]}\u201d",
                                        "copy the clause exactly as the plan's text gives it"))
    if context.copy_index is not None:
        problems.extend(quotes.check_copy(context.copy_index, text, path, exempt))
    return problems
