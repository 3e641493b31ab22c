"""The Python-Markdown extension: citations, fenced divs and unsafe-input checks.

One ``BibciteExtension`` object owns the state of the document being read;
the reader calls ``begin()`` before and ``finish()`` after each conversion.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from typing import Any

from markdown import Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, HTML_PLACEHOLDER_RE, STX

from . import hooks, render, safety, syntax
from .bibliography import Source
from .problems import Problem
from .resolve import Note, resolve
from .settings import Policy

DIV_OPEN_RE = re.compile(r"^:::+\s*\{\s*\.([A-Za-z][\w-]*)\s*\}\s*$")
DIV_CLOSE_RE = re.compile(r"^:::+\s*$")
LIST_MARKER_RE = re.compile(r"^[-*+]\s+")
#: About a wide screen of text, in characters of Markdown: a source named in the margin less than
#: this far above is not named again (one name per source per screen).
SCREEN_CHARS = 4000


class MarginNames:
    """Which sources the margin has named close above a place in the page."""

    def __init__(self) -> None:
        self.at: dict[int, int] = {}

    def place(self, marks: tuple[tuple[int, Any], ...], offset: int) -> frozenset[int]:
        """The sources already named close above *offset*; the others of *marks* are named here."""
        shown = frozenset(number for number, at in self.at.items() if offset - at < SCREEN_CHARS)
        for number, _ in marks:
            if number not in shown:
                self.at[number] = offset
        return shown


#: Python-Markdown's normalize_whitespace empties lines of spaces only.
BLANK_LINE_SPACES_RE = re.compile(r"(?<=\n) +\n")


@dataclass
class DivParagraph:
    """A paragraph (or list item) inside a fenced div, as plain text."""

    #: the paragraph's text, white space squeezed, without its list marker
    text: str
    #: 1-based line in the source file
    line: int


@dataclass
class Div:
    """A fenced div ``::: {.name}`` ... ``:::`` of the source."""

    name: str
    #: 1-based lines of its opening and closing fences
    start: int
    end: int
    paragraphs: list[DivParagraph] = field(default_factory=list)


#: Stand-in for a citation marker until the page is sanitised. STX and ETX cannot come
#: from a contributor: Python-Markdown removes them from the input before any processor.
TOKEN_PREFIX = "\x02bibcite:"
TOKEN = TOKEN_PREFIX + "{}\x03"
TOKEN_RE = re.compile(TOKEN_PREFIX + "(\\d+)\x03")


@dataclass
class DocumentResult:
    """What the extension learned from one document."""

    notes: tuple[Note, ...] = ()
    problems: list[Problem] = field(default_factory=list)
    #: the closed fenced divs, in order
    divs: list[Div] = field(default_factory=list)
    #: marker HTML of each citation group, put in place of its token by place_markers()
    markers: list[str] = field(default_factory=list)
    #: (line, column) of each citation group, for problems about its marker
    marker_places: list[tuple[int, int]] = field(default_factory=list)
    #: the page's h2 and h3 headings in order, as (level, id, text): an "On this page" contents
    toc: list[tuple[int, str, str]] = field(default_factory=list)


class BibciteExtension(Extension):
    """Registers the processors; owns the per-document state."""

    def __init__(self, sources: dict[str, Source] | None = None, policy: Policy | None = None, **kwargs: Any):
        self.sources: dict[str, Source] = sources or {}
        #: the keys, to tell an author-in-text citation (@key says) from a handle
        self.keys = syntax.KeyIndex(self.sources)
        self.policy = policy or Policy()
        #: the page being read, for the tree hooks
        self.document: hooks.Document | None = None
        #: id prefixes other plugins reserve on this page
        self.reserved: tuple[str, ...] = ()
        self.path = ""
        #: the document's text, to locate what the tree checks find
        self.text = ""
        #: ids this extension gave (paragraphs, clause items), which may look like the site's own
        self.assigned: set[str] = set()
        self.active = False
        self.result = DocumentResult()
        self.plan: Plan | None = None
        super().__init__(**kwargs)

    def begin(self, plan: Plan, document: hooks.Document | None = None, reserved: tuple[str, ...] = ()) -> None:
        """Convert the document next: swap each citation of *plan* for its token."""
        self.reset()
        self.plan = plan
        self.path = plan.path
        self.document = document
        self.reserved = reserved
        self.text = plan.text
        self.active = True
        self.result = plan.result

    def finish(self) -> DocumentResult:
        """End the document and hand back what was found."""
        self.active = False
        return self.result

    def reset(self) -> None:
        """Forget the last document (Python-Markdown calls this from Markdown.reset())."""
        self.plan = None
        self.path = self.text = ""
        self.document = None
        self.reserved = ()
        self.assigned = set()
        self.active = False
        self.result = DocumentResult()

    def extendMarkdown(self, md: Markdown) -> None:  # Python-Markdown's name for it
        """Register the processors.

        - ``bibcite`` preprocessor, priority 28: after ``normalize_whitespace``
          (30), which keeps line numbers, and before ``meta`` (27), so it sees
          the file's real lines; it swaps each citation the plan found
          (plan_citations) for a token, which place_markers() replaces.
        - ``bibcite-div`` block processor, priority 75: before code blocks
          (80 runs first) are out of the way, ahead of lists and paragraphs,
          so a ``::: {.name}`` fence becomes one element.
        - ``bibcite-anchors`` treeprocessor, priority 4: after ``toc`` (5) has
          given headings their ids, gives every paragraph and list item a
          stable id (``reporting-3``), checks the whole tree (check_tree):
          links as the browser will follow them, ids, and anything the
          sanitiser would remove; then runs the ``tree`` hooks.
        """
        md.registerExtension(self)  # so that md.reset() resets it
        md.preprocessors.register(CitationPreprocessor(md, self), "bibcite", 28)
        md.parser.blockprocessors.register(FencedDivProcessor(md.parser, self.policy), "bibcite-div", 75)
        md.treeprocessors.register(AnchorTreeprocessor(md, self), "bibcite-anchors", 4)


class CitationPreprocessor(Preprocessor):
    """Finds citations with their real positions and stashes their markers."""

    def __init__(self, md: Markdown, ext: BibciteExtension):
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        plan = self.ext.plan
        if plan is None or not self.ext.active:
            # Metadata fields such as the summary are converted separately, after
            # the document; citations there were already reported with their place.
            return lines
        text = "\n".join(lines)
        if text != plan.text:
            raise RuntimeError("the text Markdown reads is not the text the citations were found in")
        pieces = []
        last = 0
        for start, end, number in plan.spans:
            pieces.append(text[last:start])
            if number >= 0:
                pieces.append(TOKEN.format(number))
            last = end
        pieces.append(text[last:])
        return "".join(pieces).split("\n")


def normalized(text: str, tab_length: int) -> str:
    """*text* as Python-Markdown's normalize_whitespace preprocessor gives it to ours (same offsets)."""
    source = text.replace(STX, "").replace(ETX, "")
    source = source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
    source = source.expandtabs(tab_length)
    return BLANK_LINE_SPACES_RE.sub("\n", source)


@dataclass
class Plan:
    """A document's citations, found and numbered before conversion, and where their tokens go."""

    #: repository-relative path
    path: str
    #: the text as the preprocessor will see it (normalized())
    text: str
    #: (start, end, marker number) of each citation in *text*, in order; -1: removed, no marker
    spans: list[tuple[int, int, int]]
    #: notes, markers, fenced divs and the problems found so far
    result: DocumentResult


def plan_citations(text: str, path: str, sources: dict[str, Source], keys: syntax.KeyIndex, policy: Policy) -> Plan:
    """Scan *text* (normalized) for citations, check them and the fenced divs, and number the notes."""
    result = DocumentResult()
    problems = result.problems
    index = syntax.LineIndex(text)
    skip = syntax.code_spans(text)
    groups, bad = syntax.scan(text, skip=skip, keys=keys)
    for item in bad:
        line, col = index.locate(item.offset)
        problems.append(Problem(path, line, col, item.code, item.message, item.hint, item.severity))
    header = text[: syntax.header_end(text)]
    for group in syntax.scan(header, skip_header=False)[0]:
        line, col = index.locate(group.start)
        problems.append(
            Problem(
                path,
                line,
                col,
                "cite.in-metadata",
                "citation in a metadata field",
                "cite in the body of the page; the header (title, summary...) has no notes",
            )
        )
    lines = text.split("\n")
    problems.extend(_check_divs(lines, path, policy))
    result.divs = _divs(lines)
    resolved = resolve(groups, sources, text, path)
    problems.extend(resolved.problems)
    result.notes = resolved.notes
    spans = []
    last = 0
    margin = MarginNames()
    for group, marks in zip(groups, resolved.markers, strict=True):
        html = render.marker(marks, resolved.notes, policy.margin_notes, margin.place(marks, group.start))
        # A space before the bracket belongs to the citation, as in Pandoc (an author-in-text
        # citation is a word of the sentence and keeps its space).
        start = group.start
        while start > last and text[start - 1] == " " and group.cites[0].mode != "in-text":
            start -= 1
        if html:
            # The marker is our own escaped HTML: it joins the page after the sanitiser
            # (place_markers), which then has a third less to parse.
            spans.append((start, group.end, len(result.markers)))
            result.markers.append(html)
            result.marker_places.append(index.locate(group.start))
        else:
            spans.append((start, group.end, -1))  # unknown keys only (an error): the citation goes
        last = group.end
    return Plan(path, text, spans, result)


def _check_divs(lines: list[str], path: str, policy: Policy) -> list[Problem]:
    problems = []
    open_at: int | None = None
    for number, line in enumerate(lines, 1):
        if m := DIV_OPEN_RE.match(line):
            if open_at is not None:
                problems.append(
                    Problem(
                        path,
                        number,
                        1,
                        "md.div-nested",
                        f"fenced div opened inside the one opened on line {open_at}",
                        "close the first with ':::' before opening another",
                    )
                )
            open_at = number
            if policy.div(m.group(1)) is None:
                names = [name for name, _, _ in policy.divs]
                problems.append(
                    Problem(
                        path,
                        number,
                        m.start(1) + 1,
                        "md.div-class",
                        f"unknown fenced div class {m.group(1)!r}",
                        "use one of " + ", ".join("." + c for c in names)
                        if names
                        else "this site has no fenced divs (BIBCITE_DIVS); remove the ':::' lines",
                    )
                )
        elif DIV_CLOSE_RE.match(line):
            if open_at is None:
                problems.append(
                    Problem(
                        path,
                        number,
                        1,
                        "md.div-unopened",
                        "':::' closes no fenced div",
                        "remove it or open a div above",
                    )
                )
            open_at = None
        elif line.startswith(":::"):
            problems.append(
                Problem(
                    path,
                    number,
                    1,
                    "md.div-syntax",
                    f"malformed fenced div line {line.strip()!r}",
                    "write '::: {.name}' to open and ':::' to close",
                )
            )
    if open_at is not None:
        problems.append(
            Problem(
                path,
                open_at,
                1,
                "md.div-unclosed",
                "fenced div is never closed",
                "add a line ':::' after its content",
            )
        )
    return problems


def _divs(lines: list[str]) -> list[Div]:
    """The fenced divs of the source, each with its paragraphs (list items included) as plain text."""
    divs: list[Div] = []
    current: list[str] = []
    start = 0

    def flush() -> None:
        if current and divs:
            text = LIST_MARKER_RE.sub("", " ".join(" ".join(current).split()))
            divs[-1].paragraphs.append(DivParagraph(text, start))
        current.clear()

    inside = False
    for number, line in enumerate(lines, 1):
        m = DIV_OPEN_RE.match(line)
        if m and not inside:
            divs.append(Div(m.group(1), number, 0))
            inside = True
            continue
        if not inside:
            continue
        if DIV_CLOSE_RE.match(line):
            flush()
            divs[-1].end = number
            inside = False
        elif not line.strip() or re.match(r"^[-*+]\s", line):
            flush()
            if line.strip():
                current.append(line)
                start = number
        else:
            if not current:
                start = number
            current.append(line)
    return [div for div in divs if div.end]


class FencedDivProcessor(BlockProcessor):
    """Turns ``::: {.name}`` ... ``:::`` into one element, as BIBCITE_DIVS says."""

    def __init__(self, parser: Any, policy: Policy):
        super().__init__(parser)
        self.policy = policy

    def test(self, parent: etree.Element, block: str) -> bool:
        m = DIV_OPEN_RE.match(block.split("\n", 1)[0])
        return bool(m and self.policy.div(m.group(1)))

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        head, _, rest = blocks.pop(0).partition("\n")
        opening = DIV_OPEN_RE.match(head)
        assert opening is not None  # test() matched it
        name = opening.group(1)
        inner: list[str] = []
        pending = rest
        while True:
            lines = pending.split("\n")
            close = next((i for i, line in enumerate(lines) if DIV_CLOSE_RE.match(line)), None)
            if close is not None:
                inner.append("\n".join(lines[:close]))
                after = "\n".join(lines[close + 1 :])
                if after.strip():
                    blocks.insert(0, after)
                break
            inner.append(pending)
            if not blocks:
                break  # unclosed: reported by the preprocessor
            pending = blocks.pop(0)
        tag, cls = self.policy.div(name) or ("div", name)
        element = etree.SubElement(parent, tag)
        element.set("class", cls)
        self.parser.parseBlocks(element, [b for b in inner if b.strip()])


def _plain_text(element: etree.Element) -> str:
    """A heading's words, without citation tokens or stashed raw HTML."""
    text = TOKEN_RE.sub("", "".join(element.itertext()))
    return " ".join(HTML_PLACEHOLDER_RE.sub("", text).split())


class AnchorTreeprocessor(Treeprocessor):
    """Stable ids for every paragraph; the tree check; the other plugins' tree hooks."""

    def __init__(self, md: Markdown, ext: BibciteExtension):
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        if self.ext.active:
            self._markers_in_text_only(root)
        prefix, count = "intro", 0
        for child in root:
            if child.tag in ("h2", "h3") and child.get("id"):
                prefix, count = child.get("id") or prefix, 0
                self.ext.result.toc.append((int(child.tag[1]), prefix, _plain_text(child)))
            else:
                count = self._paragraphs(child, prefix, count)
        if not self.ext.active:
            return
        if self.ext.policy.untrusted:
            self.ext.result.problems.extend(check_tree(root, self.ext))
        document = self.ext.document
        if document is not None:
            for function in hooks.REGISTRY.get("tree"):
                function(root, document)

    def _markers_in_text_only(self, root: etree.Element) -> None:
        """Take citation tokens out of attributes and raw HTML, where a marker cannot go.

        place_markers() then reports every citation whose token is gone.
        """
        if not self.ext.result.markers:
            return
        for element in root.iter():
            for name, value in element.attrib.items():
                if TOKEN_PREFIX in value:
                    element.set(name, TOKEN_RE.sub("", value))
        stash = self.md.htmlStash.rawHtmlBlocks
        for i, block in enumerate(stash):
            if isinstance(block, str) and TOKEN_PREFIX in block:
                stash[i] = TOKEN_RE.sub("", block)

    def _paragraphs(self, element: etree.Element, prefix: str, count: int) -> int:
        """Number the paragraphs and list items of a section: reporting-1, reporting-2..."""
        if element.tag == "section":
            for child in element:
                count = self._paragraphs(child, prefix, count)
        elif element.tag == "p" and len(element) == 0 and HTML_PLACEHOLDER_RE.fullmatch((element.text or "").strip()):
            pass  # a stashed block (fenced code): Python-Markdown unwraps a bare <p>, not one with an id
        elif element.tag in ("p", "li") and not element.get("id"):
            count += 1
            element.set("id", f"{prefix}-{count}")
            self.ext.assigned.add(f"{prefix}-{count}")
        elif element.tag in ("ul", "ol"):
            for item in element.findall("li"):
                count = self._paragraphs(item, prefix, count)
        return count


def place_markers(html: str, result: DocumentResult, path: str) -> str:
    """*html* (sanitised) with each citation token replaced by its marker.

    A token can only be in text here (see AnchorTreeprocessor); a citation
    whose token is gone is reported rather than losing its marker silently.
    """
    placed = set()

    def put(m: re.Match[str]) -> str:
        number = int(m.group(1))
        placed.add(number)
        return result.markers[number]

    html = TOKEN_RE.sub(put, html)
    for number, (line, col) in enumerate(result.marker_places):
        if number not in placed:
            result.problems.append(
                Problem(
                    path,
                    line,
                    col,
                    "cite.in-markup",
                    "citation inside a link title, an attribute, a raw HTML tag or a comment, "
                    "where no note marker can go",
                    "move the citation into the text, after the link or the element",
                )
            )
    return html


def check_tree(root: etree.Element, ext: BibciteExtension) -> list[Problem]:
    """Problems in the converted tree: unsafe links, ids that are the site's own, and what nh3 would drop.

    Raw HTML is not in the tree (Python-Markdown stashes it); the safety
    check read it with a real tokenizer before conversion.
    """
    check = _TreeCheck(ext)
    for element in root.iter():
        if isinstance(element.tag, str):  # not a comment or processing instruction node
            check.element(element)
    return check.problems


class _TreeCheck:
    """The checks of check_tree(), each problem located at its first mention in the source."""

    def __init__(self, ext: BibciteExtension) -> None:
        self.ext = ext
        self.problems: list[Problem] = []
        self.index: syntax.LineIndex | None = None
        self.seen_ids: set[str] = set()
        self.classes = {cls for _, _, cls in ext.policy.divs}

    def add(self, needle: str, code: str, message: str, hint: str) -> None:
        self.index = self.index or syntax.LineIndex(self.ext.text)
        # The tree is the body's: looked for after the header first ("## Related" under "Related: 22"),
        # then anywhere. [TOC] makes class "toc": case is folded.
        body = syntax.header_end(self.ext.text)
        offset = syntax.find_first(self.ext.text[body:], (needle,), fold_case=True)
        offset = body + offset if offset >= 0 else syntax.find_first(self.ext.text, (needle,), fold_case=True)
        line, column = self.index.locate(offset) if offset >= 0 else (1, 1)
        self.problems.append(Problem(self.ext.path, line, column, code, message, hint))

    def element(self, element: etree.Element) -> None:
        tag = str(element.tag)
        if tag not in safety.SAFE_TAGS:
            self.add(
                f"<{tag}",
                "md.sanitised",
                f"this page would contain a <{tag}> element, which is not published",
                "write plain Markdown: paragraphs, lists, emphasis, links and tables",
            )
            return
        allowed = safety.SAFE_ATTRIBUTES["*"] | safety.SAFE_ATTRIBUTES.get(tag, set())
        for name, value in element.attrib.items():
            if name not in allowed:
                self.add(
                    name,
                    "md.sanitised",
                    f"attribute {name!r} on <{tag}> would be removed by the sanitiser",
                    "remove it; attribute lists may set only an id and " + ", ".join(sorted(safety.ALLOWED_ATTRS)),
                )
            elif name == "href":
                self.href(value)
            elif name == "class":
                self.css_class(tag, value)
            elif name == "id":
                self.anchor(element, value)

    def href(self, value: str) -> None:
        why = safety.link_problem(value)
        if why:
            code = "md.link-intrasite" if "link syntax" in why else "md.link-scheme"
            self.add(
                value,
                code,
                why,
                "link only to http(s) addresses, or to a page of this site by its address (page.html#id)",
            )

    def css_class(self, tag: str, value: str) -> None:
        if not all(c in self.classes or (tag == "code" and c.startswith("language-")) for c in value.split()):
            self.add(
                value,
                "md.attribute",
                f"class {value[:40]!r} is the site's own or not allowed",
                "remove it; classes are set by the site",
            )

    def anchor(self, element: etree.Element, value: str) -> None:
        if value in self.seen_ids:
            self.add(
                value,
                "md.duplicate-id",
                f"id {value!r} is used twice on this page",
                "give one of the headings another id with {#other-id}",
            )
        self.seen_ids.add(value)
        if value not in self.ext.assigned and safety.reserved_id(value, self.ext.reserved):
            text = self.ext.text
            needle = "#" + value if "#" + value in text else "".join(element.itertext()).strip()
            self.add(
                needle or value,
                "md.duplicate-id",
                f"id {value!r} is one the site's notes and anchors use",
                "give the heading another id with {#other-id}; ids are otherwise set by the site",
            )
