"""Pure parser of the citation syntax, a subset of Pandoc's.

Accepted forms, inside square brackets::

    [@key]                      one source
    [@key, para. 4]             with a locator
    [@a; @b]                    several sources
    [see @key, p. 2]            with a prefix
    [@key, "exact words"]       with a quoted passage as the pinpoint

A bracketed group is a citation when an ``@`` opens it or follows a space or
``;`` inside it.  A bare ``@handle`` outside brackets, an e-mail address, a URL
containing ``@`` and anything in a code span, fenced or indented code block or
the metadata header is never a citation.  Nothing here imports Pelican or
Markdown, so the linter and the tests use it directly.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

#: Pandoc's key rule: starts with a letter, digit or ``_``; internal
#: punctuation is allowed only when followed by a letter, digit or ``_``.
KEY_RE = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_]|[:.#$%&+?<>~/-](?=[A-Za-z0-9_]))*")
#: An ``@`` that marks a citation: at the start of the group or after a space or ``;``.
MARKER_RE = re.compile(r"(?:^|(?<=[\s;]))@")
OPEN_QUOTES = {'"': '"', "\u201c": "\u201d"}
#: Python-Markdown's opening fence (fenced_code.FENCED_BLOCK_RE): at the start of the line, then a
#: one-word language or {attributes}; a fence with any other info string is not a fence there.
FENCE_RE = re.compile(r"(`{3,}|~{3,})[ ]*(?:\{[^\n]*\}|\.?[\w#.+-]*[ ]*(?:hl_lines=(\"|')[^\n]*?\2[ ]*)?)$")
FENCE_ONLY_RE = re.compile(r"`{3,}|~{3,}")
META_LINE_RE = re.compile(r"^[ ]{0,3}[A-Za-z0-9_-]+:")
BACKTICKS_RE = re.compile(r"`+")
LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


@dataclass(frozen=True)
class Cite:
    """One source cited inside a group."""

    #: the citation key, without the ``@``
    key: str
    #: text before the key, such as ``see``; may be empty
    prefix: str
    #: locator after the comma, such as ``para. 4``; empty when absent
    locator: str
    #: quoted passage used as the pinpoint; empty when absent
    quote: str
    #: offset of the ``@`` in the scanned text
    offset: int


@dataclass(frozen=True)
class Group:
    """A bracketed citation group such as ``[@a; @b]``."""

    #: the cited sources in order
    cites: tuple[Cite, ...]
    #: offset of the opening bracket in the scanned text
    start: int
    #: offset just after the closing bracket
    end: int


@dataclass(frozen=True)
class SyntaxProblem:
    """A group that looks like a citation but cannot be parsed."""

    #: offset of the problem in the scanned text
    offset: int
    #: what is wrong, quoting the input
    message: str
    #: how to fix it
    hint: str


class LineIndex:
    """Maps offsets in a text to 1-based (line, column) pairs."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def locate(self, offset: int) -> tuple[int, int]:
        """Return the 1-based line and column of *offset*."""
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1


def find_first(text: str, needles: tuple[str, ...], fold_case: bool = False) -> int:
    """Offset of the first of *needles* found in *text*, tried in order (then, if *fold_case*, without case); -1."""
    for haystack, fold in ((text, False), *(((text.lower(), True),) if fold_case else ())):
        for needle in needles:
            offset = haystack.find(needle.lower() if fold else needle) if needle else -1
            if offset >= 0:
                return offset
    return -1


def header_end(text: str) -> int:
    """Return the offset where a Pelican/Python-Markdown metadata header ends (0 if none)."""
    lines = text.split("\n")
    if not lines or not META_LINE_RE.match(lines[0]):
        return 0
    offset = 0
    for line in lines:
        if not line.strip():
            break
        offset += len(line) + 1
    return min(offset, len(text))


def fences(text: str) -> list[tuple[int, int, int]]:
    """Python-Markdown's fenced code blocks: (start, end, end of the opening line) offsets, in order.

    As its fenced_code extension reads them: the opening fence at the start
    of a line, a one-word info string or ``{attributes}``, and a closing line
    of exactly the same fence; an opening fence never closed is not code.
    Each fence's closing lines are listed once, so this stays linear.
    """
    lines = text.split("\n")
    starts = []
    offset = 0
    closers: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        starts.append(offset)
        offset += len(line) + 1
        bare = line.rstrip(" ")
        if bare and bare[0] in "`~" and FENCE_ONLY_RE.fullmatch(bare):
            closers.setdefault(bare, []).append(number)
    cursor = dict.fromkeys(closers, 0)
    found = []
    number = 0
    while number < len(lines):
        m = FENCE_RE.match(lines[number])
        if m:
            fence = m.group(1)
            candidates = closers.get(fence, [])
            while cursor.get(fence, 0) < len(candidates) and candidates[cursor[fence]] <= number:
                cursor[fence] += 1
            if cursor.get(fence, 0) < len(candidates):
                close = candidates[cursor[fence]]
                found.append((starts[number], starts[close] + len(lines[close]), starts[number] + len(lines[number])))
                number = close + 1
                continue
        number += 1
    return found


def code_spans(text: str, skip_header: bool = True) -> list[tuple[int, int]]:
    """Return sorted ``(start, end)`` ranges that must not be scanned for citations.

    Covers the metadata header, fenced code blocks (as fences() finds them),
    indented code blocks and inline code spans, following Python-Markdown.
    """
    ranges: list[tuple[int, int]] = []
    start = header_end(text) if skip_header else 0
    if start:
        ranges.append((0, start))
    fenced = [(a, b) for a, b, _ in fences(text)]
    ranges.extend(fenced)
    next_fence = 0
    offset = 0
    prev_blank = True
    in_list = False
    in_code = False
    prose: list[tuple[int, int]] = []
    for line in text.split("\n"):
        end = offset + len(line)
        while next_fence < len(fenced) and fenced[next_fence][1] < offset:
            next_fence += 1
        if offset < start or (next_fence < len(fenced) and fenced[next_fence][0] <= offset <= fenced[next_fence][1]):
            offset = end + 1
            prev_blank, in_code = False, False
            continue
        indented = line.startswith(("    ", "\t"))
        if (in_code or (prev_blank and not in_list)) and indented:
            # An indented code block goes on over indented lines and the blank lines between them.
            ranges.append((offset, end))
            in_code = True
        elif in_code and not line.strip():
            pass
        else:
            in_code = False
            prose.append((offset, end))
        if line.strip() and not in_code:
            if LIST_ITEM_RE.match(line):
                in_list = True
            elif not line.startswith((" ", "\t")):
                in_list = False
        prev_blank = not line.strip()
        offset = end + 1
    ranges.extend(_inline_code(text, prose))
    return sorted(ranges)


def _inline_code(text: str, prose: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Find backtick code spans, which may cross lines within a paragraph.

    A run of backticks is closed by the next run of the same length; the runs
    of each length are listed once, so unclosed runs cost no rescanning.
    """
    ranges = []
    for block_start, block_end in _paragraphs(prose):
        runs = [(m.start(), m.end()) for m in BACKTICKS_RE.finditer(text, block_start, block_end)]
        by_length: dict[int, list[int]] = {}
        for number, (start, end) in enumerate(runs):
            by_length.setdefault(end - start, []).append(number)
        cursor = dict.fromkeys(by_length, 0)
        i = 0
        while i < len(runs):
            start, end = runs[i]
            length = end - start
            same = by_length[length]
            while cursor[length] < len(same) and same[cursor[length]] <= i:
                cursor[length] += 1
            if cursor[length] == len(same):
                i += 1
                continue
            close = same[cursor[length]]
            ranges.append((start, runs[close][1]))
            i = close + 1
    return ranges


def _paragraphs(lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge consecutive non-blank prose lines into paragraph ranges."""
    merged: list[tuple[int, int]] = []
    for start, end in lines:
        if end == start:
            continue
        if merged and merged[-1][1] + 1 == start:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _inside(ranges: list[tuple[int, int]], offset: int) -> bool:
    i = bisect.bisect_right(ranges, (offset, float("inf"))) - 1
    return i >= 0 and ranges[i][0] <= offset < ranges[i][1]


def scan(
    text: str, skip_header: bool = True, skip: list[tuple[int, int]] | None = None
) -> tuple[list[Group], list[SyntaxProblem]]:
    """Find every citation group in a Markdown document.

    Returns the groups in document order and the syntax problems of groups
    that look like citations but are malformed. *skip* is ``code_spans(text,
    skip_header)`` when the caller has it already.
    """
    if skip is None:
        skip = code_spans(text, skip_header)
    groups: list[Group] = []
    problems: list[SyntaxProblem] = []
    finder = _Finder(text)
    i = 0
    while (j := text.find("[", i)) != -1:
        i = j + 1
        if _inside(skip, j) or _escaped(text, j) or (j > 0 and text[j - 1] == "!"):
            continue
        close = _closing_bracket(text, j, finder)
        if close is None:
            continue
        body = text[j + 1 : close]
        if not MARKER_RE.search(body) or _inside(skip, close):
            continue
        after = text[close + 1 : close + 2]
        if after in ("(", "[") or (after == ":" and (j == 0 or text[j - 1] == "\n")):
            continue  # a link or link reference whose text starts with @, not a citation
        result = parse_group(body, j + 1)
        if isinstance(result, SyntaxProblem):
            problems.append(result)
        else:
            groups.append(Group(result, j, close + 1))
        i = close + 1
    return groups, problems


def _escaped(text: str, offset: int) -> bool:
    backslashes = 0
    k = offset - 1
    while k >= 0 and text[k] == "\\":
        backslashes += 1
        k -= 1
    return backslashes % 2 == 1


def _closing_bracket(text: str, start: int, finder: _Finder | None = None) -> int | None:
    """Return the offset of the ``]`` closing the group opened at *start*.

    Quoted passages may contain brackets and semicolons; a blank line or a
    nested ``[`` ends the search. Linear over a whole document: a quoted
    passage is skipped with a cached search for its closing mark, so a page
    of unclosed ``[@a, "x`` does not rescan to the end from every bracket.
    """
    finder = finder or _Finder(text)
    paragraph_end = finder.next("\n\n", start + 1)
    limit = len(text) if paragraph_end == -1 else paragraph_end
    seen_marker = False
    last = ""  # the last character that is not a space
    k = start + 1
    while k < limit:
        c = text[k]
        if c in OPEN_QUOTES and last == "," and seen_marker:
            close = finder.next(OPEN_QUOTES[c], k + 1)
            if close == -1 or close >= limit:
                # An unterminated passage: close the group at the first bracket so the
                # parser can report the open quote instead of silently skipping it.
                opening, closing = finder.next("[", start + 1), finder.next("]", start + 1)
                if closing != -1 and closing < limit and (opening == -1 or closing < opening):
                    return closing
                return None
            k = close + 1
            last = c
            continue
        if c == "]":
            return k
        if c == "[":
            return None
        if c == "@" and (k == start + 1 or text[k - 1].isspace() or text[k - 1] == ";"):
            seen_marker = True
        if not c.isspace():
            last = c
        k += 1
    return None


class _Finder:
    """str.find with memory: the next occurrence of each needle, searched for once per stretch of text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: dict[str, tuple[int, int]] = {}  # needle -> (searched from, result)

    def next(self, needle: str, start: int) -> int:
        """The first occurrence of *needle* at or after *start*, or -1."""
        cached = self.found.get(needle)
        if cached is not None:
            origin, result = cached
            if origin <= start and (result == -1 or result >= start):
                return result
        result = self.text.find(needle, start)
        self.found[needle] = (start, result)
        return result


def parse_group(body: str, base: int = 0) -> tuple[Cite, ...] | SyntaxProblem:
    """Parse the inside of a citation group; *base* is its offset in the document."""
    items = _split_items(body)
    cites = []
    for item_start, item in items:
        parsed = _parse_item(item, base + item_start)
        if isinstance(parsed, SyntaxProblem):
            return parsed
        cites.append(parsed)
    return tuple(cites)


def _split_items(body: str) -> list[tuple[int, str]]:
    """Split at ``;`` outside quoted passages, keeping each item's offset."""
    items = []
    quote: str | None = None
    start = 0
    last = ""  # the item's last character that is not a space
    for k, c in enumerate(body):
        if quote is not None:
            if c == quote:
                quote = None
        elif c in OPEN_QUOTES and last == ",":
            quote = OPEN_QUOTES[c]
        elif c == ";":
            items.append((start, body[start:k]))
            start = k + 1
            last = ""
            continue
        if not c.isspace():
            last = c
    items.append((start, body[start:]))
    return items


def _parse_item(item: str, base: int) -> Cite | SyntaxProblem:
    stripped = item.strip()
    lead = len(item) - len(item.lstrip())
    if not stripped:
        return SyntaxProblem(base + lead, "empty item in citation group", "remove the extra ';' or add '@key'")
    markers = list(MARKER_RE.finditer(item))
    if not markers:
        return SyntaxProblem(
            base + lead,
            f"citation item {stripped!r} has no '@key'",
            "separate sources with ';' and start each key with '@', as in [@a; @b]",
        )
    at = markers[0].start()
    prefix = item[:at].strip()
    key_match = KEY_RE.match(item, at + 1)
    if key_match is None:
        return SyntaxProblem(
            base + at,
            f"missing citation key after '@' in {stripped!r}",
            "write the BibTeX key right after '@', as in [@rollingstone2025]",
        )
    key = key_match.group(0)
    rest = item[key_match.end() :]
    if len(markers) > 1:
        return SyntaxProblem(
            base + markers[1].start(),
            f"two keys in one citation item {stripped!r}",
            "separate sources with ';', as in [@a; @b]",
        )
    if not rest.strip():
        return Cite(key, prefix, "", "", base + at)
    if not rest.lstrip().startswith(","):
        return SyntaxProblem(
            base + key_match.end(),
            f"unexpected text {rest.strip()!r} after key '@{key}'",
            "put a comma between the key and its locator, as in [@key, para. 4]",
        )
    after_comma = rest.lstrip()[1:]
    comma_at = key_match.end() + rest.index(",")
    value = after_comma.strip()
    if not value:
        return SyntaxProblem(
            base + comma_at, f"empty locator after '@{key},'", "remove the comma or add a locator such as 'para. 4'"
        )
    if value[0] in OPEN_QUOTES:
        closing = OPEN_QUOTES[value[0]]
        end = value.find(closing, 1)
        if end == -1:
            return SyntaxProblem(
                base + comma_at + 1,
                f"unterminated quoted passage for '@{key}'",
                f"close the passage with {closing}",
            )
        quote = " ".join(value[1:end].split())
        if not quote:
            return SyntaxProblem(base + comma_at + 1, f"empty quoted passage for '@{key}'", "quote the exact words")
        if value[end + 1 :].strip():
            return SyntaxProblem(
                base + comma_at + 1,
                f"text {value[end + 1 :].strip()!r} after the quoted passage for '@{key}'",
                "a pinpoint is either a locator or a quoted passage, not both",
            )
        return Cite(key, prefix, "", quote, base + at)
    return Cite(key, prefix, " ".join(value.split()), "", base + at)
