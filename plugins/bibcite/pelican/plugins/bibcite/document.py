"""One Markdown document, read and checked without Pelican: used by the reader and by a check run.

Decoding, the header, citations, unsafe input, the other plugins' document
hooks and the final sanitising of the HTML all happen here, so a check
without a build and the build report exactly the same problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape as html_unescape
from pathlib import Path
from typing import Any

from markdown import Markdown

from . import header, hooks, safety
from .markdown_ext import BibciteExtension, DocumentResult, normalized, place_markers, plan_citations
from .problems import Problem
from .render import notes_section as render_notes
from .safety import SAFE_ATTRIBUTES, SAFE_SCHEMES, SAFE_TAGS
from .settings import Policy
from .syntax import LineIndex, code_spans, find_first

#: Larger files are refused: no clause or page needs megabytes of Markdown.
MAX_BYTES = 512 * 1024
FRONT_MATTER_RE = re.compile(r"^---[ \t]*$", re.M)


def sanitise(html: str) -> str:
    """The HTML through nh3 (Ammonia): only our allowlist of tags, attributes and URL schemes survives."""
    import nh3  # only a build that sanitises loads it (1.7 MB)

    return nh3.clean(
        html,
        tags=SAFE_TAGS,
        attributes=SAFE_ATTRIBUTES,
        url_schemes=set(SAFE_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


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
    #: the page as the hooks saw it (None when it was not converted)
    document: hooks.Document | None = None
    #: every problem found in this document
    problems: list[Problem] = field(default_factory=list)
    #: False when the file could not be read at all
    readable: bool = True

    @property
    def data(self) -> dict[str, Any]:
        """What the hooks kept about this page."""
        return self.document.data if self.document else {}

    @property
    def notes_html(self) -> str:
        """The notes list (rendered on each access)."""
        return render_notes(self.result.notes)


@dataclass
class Context:
    """What every document is checked against."""

    ext: BibciteExtension
    md_settings: dict[str, Any]
    policy: Policy = field(default_factory=Policy)
    _instances: dict[str, tuple[dict[str, Any], Markdown]] = field(default_factory=dict, repr=False)

    def markdown(self) -> Markdown:
        """The Markdown instance for the next document, built once and reset in between.

        Python-Markdown supports reuse through reset(); building an instance
        with its extensions for every page cost ~0.4 ms a page (make bench).
        """
        return self._instance("document").reset()

    def metadata_markdown(self) -> Markdown:
        """The instance that converts formatted header fields (the summary): without the ``meta``
        preprocessor, which would take a summary's "Word: ..." line for a header field."""
        return self._instance("metadata").reset()

    def _instance(self, role: str) -> Markdown:
        settings, md = self._instances.get(role, (None, None))
        if md is None or settings is not self.md_settings:  # new settings: a new instance
            # One extension per Markdown instance: the document's, and a fresh one for header fields.
            ext = self.ext if role == "document" else BibciteExtension(self.ext.sources, self.policy)
            md = Markdown(**{**self.md_settings, "extensions": [*self.md_settings.get("extensions", []), ext]})
            if role == "metadata" and "meta" in md.preprocessors:
                md.preprocessors.deregister("meta")
            self._instances[role] = (self.md_settings, md)
        return md


def make_context(
    sources: dict[str, Any], md_settings: dict[str, Any], settings: dict[str, Any], root: Path, policy: Policy
) -> tuple[Context, list[Problem]]:
    """The checking context for a build or a check run; the other plugins' setup hooks run here."""
    context = Context(BibciteExtension(sources, policy), md_settings, policy)
    return context, hooks.REGISTRY.problems("setup", hooks.Setup(settings, root, sources))


def decode(raw: bytes, path: str) -> tuple[str, Problem | None]:
    """Strict UTF-8 with an optional BOM; Windows line endings become plain ones."""
    if len(raw) > MAX_BYTES:
        return "", Problem(
            path,
            1,
            1,
            "md.too-large",
            f"file is {len(raw):,} bytes (at most {MAX_BYTES:,})",
            "split it, or remove what was pasted in by mistake",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return "", Problem(
            path, line, column, "md.encoding", f"file is not valid UTF-8 ({exc.reason})", "save the file as UTF-8"
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return "", Problem(path, 1, 1, "md.empty", "file is empty", "write the page, or delete the file")
    if "\x00" in text:
        line, column = LineIndex(text).locate(text.index("\x00"))
        return "", Problem(path, line, column, "md.encoding", "file contains a NUL byte", "save it as plain text")
    if text.startswith("---") and FRONT_MATTER_RE.match(text) and not FRONT_MATTER_RE.search(text, 4):
        return "", Problem(
            path,
            1,
            1,
            "md.meta-unterminated",
            "metadata block opened with '---' is never closed",
            "close it with a line '---', or write 'Key: value' lines followed by a blank line",
        )
    return text, None


def analyse(raw: bytes, path: str, context: Context) -> Analysis:
    """Read, check, convert and check again one document; never raises."""
    analysis = Analysis(path)
    try:
        _analyse(raw, analysis, context)
    except Exception as exc:  # one bad file must become its problem, not a traceback
        analysis.problems.append(
            Problem(
                path,
                1,
                1,
                "md.internal",
                f"this page could not be read: {type(exc).__name__}: {str(exc)[:200]}",
                "simplify what the page does unusually; if it looks fine, report it as a bug",
            )
        )
        analysis.readable = False
    return analysis


def _analyse(raw: bytes, analysis: Analysis, context: Context) -> None:
    """The steps of analyse(), in this order: decode, header (and the header hooks), unsafe input,
    citations (scan, resolve, fenced divs: plan_citations), Markdown, sanitise, place the markers,
    the document hooks (the explainer's honesty checks). A problem that makes conversion unsafe
    stops before Markdown."""
    path = analysis.path
    text, problem = decode(raw, path)
    if problem:
        analysis.problems.append(problem)
        analysis.readable = False
        return
    policy = context.policy
    rules = hooks.rules_for(path)
    allowed = None if policy.header_fields is None else policy.header_fields + rules.header_fields
    fields, found = header.check(text, path, allowed, rules.owns_title, rules.refused)
    analysis.problems.extend(found)
    document = hooks.Document(
        path, text, {k: (f.value, f.line, f.column) for k, f in fields.items()}, rules.role, DocumentResult()
    )
    analysis.problems.extend(hooks.REGISTRY.problems("header_check", document))
    # Python-Markdown is slow on some inputs and the sanitiser drops what it does not allow:
    # both are checked for before conversion, and a page that fails is not converted.
    found = safety.check_budget(text, path) if policy.untrusted else []
    if not found:
        # The header is checked too, but for the summary only: the other fields are plain text.
        skip = sorted(header.plain_ranges(text) + code_spans(text, skip_header=False))
        found = safety.check_markdown(text, path, skip, policy, rules.reserved_ids)
    analysis.problems.extend(found)
    if found or any(p.code in header.CODES for p in analysis.problems):
        analysis.readable = False
        return
    md = context.markdown()
    # Citations are found, checked and numbered on the text exactly as Markdown will read it;
    # during conversion the extension only swaps each one for its token.
    ext = context.ext
    plan = plan_citations(normalized(text, md.tab_length), path, ext.sources, ext.keys, policy)
    ext.begin(plan, document, rules.reserved_ids)
    try:
        html = md.convert(text)
    finally:
        analysis.result = document.result = ext.finish()
    document.assigned |= context.ext.assigned
    analysis.document = document
    analysis.meta = {k: v for k, v in (getattr(md, "Meta", {}) or {}).items() if k in fields}
    if policy.sanitise:
        clean = sanitise(html)
        lost = changed_by_sanitiser(html, clean)
        if lost:
            analysis.result.problems.append(_lost_problem(lost, text, path, html, clean))
    else:
        clean = html
    if policy.untrusted:
        clean = inert(clean)
    analysis.html = compact(place_markers(clean, analysis.result, path))
    analysis.problems.extend(analysis.result.problems)
    analysis.problems.extend(hooks.REGISTRY.problems("document_check", document))


#: A start tag, and an attribute with a value, as Python-Markdown and nh3 both write them.
START_TAG_RE = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)")
ATTRIBUTE_RE = re.compile(r"\s([a-zA-Z][a-zA-Z0-9_:.-]*)=\"")
END_TAG_RE = re.compile(r"</([a-zA-Z][a-zA-Z0-9]*)")


def changed_by_sanitiser(before: str, after: str) -> str:
    """What nh3 removed or added, as the first tag or attribute name whose count changed; empty if none.

    The safety net behind the checks before conversion: the sanitiser must
    never change a page silently (drop a link's address, an element, or wrap
    the rest of a page in an unclosed <s>). Comments are meant to go.
    """
    before = _without_comments(before)
    for pattern in (START_TAG_RE, END_TAG_RE, ATTRIBUTE_RE):
        counts: dict[str, int] = {}
        for m in pattern.finditer(before):
            counts[m.group(1).lower()] = counts.get(m.group(1).lower(), 0) + 1
        for m in pattern.finditer(after):
            counts[m.group(1).lower()] = counts.get(m.group(1).lower(), 0) - 1
        changed = sorted(name for name, count in counts.items() if count)
        if changed:
            return {START_TAG_RE: "<", END_TAG_RE: "</"}.get(pattern, "") + changed[0]
    return ""


def _without_comments(html: str) -> str:
    """*html* without <!-- ... --> comments, in one pass (find, not a regular expression)."""
    pieces = []
    last = 0
    while (start := html.find("<!--", last)) != -1:
        end = html.find("-->", start + 4)
        if end == -1:
            break
        pieces.append(html[last:start])
        last = end + 3
    pieces.append(html[last:])
    return "".join(pieces)


def _lost_problem(lost: str, text: str, path: str, before: str = "", after: str = "") -> Problem:
    """Locate what the sanitiser changed at its first mention in the source, or at the top."""
    needle = lost if lost.startswith("<") else lost + "="
    if not lost.startswith("<"):
        # An attribute: find the value it lost (an address nh3 could not parse) in the source.
        values = re.findall(rf'\s{re.escape(lost)}="([^"]*)"', before)
        kept = set(re.findall(rf'\s{re.escape(lost)}="([^"]*)"', after))
        needle = next((html_unescape(v) for v in values if v not in kept), needle)
    offset = find_first(text, (needle,))
    line, column = LineIndex(text).locate(offset) if offset >= 0 else (1, 1)
    what = f"tag {lost}>" if lost.startswith("<") else f"attribute {lost!r}"
    return Problem(
        path,
        line,
        column,
        "md.sanitised",
        f"the sanitiser would change this page ({what}): an unclosed or misplaced tag, or an address it cannot parse",
        "close every inline element you open, and check the links' addresses",
    )


def inert(html: str) -> str:
    """*html* with "{" and "|" as character references, which browsers read as the characters.

    Pelican rewrites any attribute value that starts with {static}, {attach},
    |filename| and the like, and copies the file it names into the output;
    a link title such as "href='{static}evil.svg'" is enough. The site's own
    links never use that syntax, so none of the contributor's text may.
    """
    return html.replace("{", "&#123;").replace("|", "&#124;")
