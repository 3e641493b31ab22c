"""Pure parser of the citation syntax: Pandoc's, with what it cannot mean here refused.

Accepted forms, as Pandoc reads them::

    [@key]                      one source
    [@key, para. 4]             with a locator ([@key p. 4] too, as in Pandoc)
    [@a; @b]                    several sources
    [see @key, p. 2]            with a prefix
    [-@key]                     suppress-author (the sentence names the author already)
    [@key, "exact words"]       with a quoted passage as the pinpoint
    @key says                   author-in-text: the author's name, then the note marker
    @key [p. 33] says           author-in-text with a locator
    @{key with.trailing.}       any key, in braces

Keys follow Pandoc: a letter (of any script), digit or ``_``, then those and
internal punctuation ``:.#$%&-+?<>~/``; trailing punctuation is not part of
the key.  A bracketed group is a citation when an ``@`` opens an item of it.
A bare ``@word`` is a citation only when *word* is a key of the bibliography,
so handles and e-mail addresses stay text; one edit away from a key, it is a
warning.  Nothing in a code span, code block or the metadata header is ever a
citation.  What Pandoc reads differently from Python-Markdown (a citation as
link text or link definition, with attributes, in an inline note) is refused
with a located problem.  Nothing here imports Pelican or Markdown.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Pandoc's key rule: starts with a letter (any script), digit or ``_``; internal
#: punctuation is allowed only when followed by a letter, digit or ``_``.
KEY_RE = re.compile(r"[^\W](?:[^\W]|[:.#$%&+?<>~/-](?=[^\W]))*")
#: A key in braces, as Pandoc allows for any key: ``@{Foo_bar.baz.}``.
BRACED_KEY_RE = re.compile(r"\{([^{}\n]+)\}")
#: An ``@`` (or ``-@``, suppress-author) that marks a citation: at the start of an item of the
#: group or after a space, and followed by a key.
MARKER_RE = re.compile(r"(?:^|(?<=[\s;]))-?@(?=\w|\{)")
#: A bare ``@key`` outside brackets: not after a letter or digit (e-mail addresses), ``@`` or ``\``.
#: The ``@`` comes first and the character before it is looked at after, so that the engine jumps
#: from one ``@`` to the next (a lookbehind first is tried at every position: 7x slower).
BARE_RE = re.compile(r"@(?<![\w@\\]@)(?:\{[^{}\n]+\}|[^\W](?:[^\W]|[:.#$%&+?<>~/-](?=[^\W]))*)")
#: Pandoc's inline note ``^[...]``, which Python-Markdown does not know.
INLINE_NOTE_RE = re.compile(r"\^\[")
MODES = ("normal", "suppress-author", "in-text")
#: Markdown emphasis or code, which a prefix or locator (plain text here) would show as typed.
MARKUP_RE = re.compile(r"[*`]+")
#: Every key a group names, braced or not (to tell a citation from a link to a handle).
NAMED_RE = re.compile(r"-?@(?:\{([^{}\n]+)\}|(\w[\w:.#$%&+?<>~/-]*))")
#: A group that opens with an ``@`` and no key: a citation begun and not finished ([@], [@, p. 4]).
MISSING_KEY_RE = re.compile(r"\s*-?@(?!\w|\{)")
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
    #: "normal", "suppress-author" (``-@key``) or "in-text" (a bare ``@key``), as Pandoc's modes
    mode: str = "normal"


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
    #: the problem's code
    code: str = "cite.syntax"
    #: "error" or "warning"
    severity: str = "error"


class KeyIndex:
    """The bibliography's keys, to tell a bare ``@key`` from a handle, and a near miss from both.

    One edit (a letter added, dropped, changed or two swapped) is found with
    the keys' one-letter deletions, so looking a word up is linear in its
    length whatever the size of the bibliography.
    """

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self.keys = frozenset(keys)
        self.deletions: dict[str, str] = {}
        for key in sorted(self.keys):
            for variant in (key, *_deletions(key)):
                self.deletions.setdefault(variant, key)

    def __contains__(self, word: str) -> bool:
        return word in self.keys

    def near(self, word: str) -> str | None:
        """A key one edit away from *word*, or None."""
        if len(word) < 4 or word in self.keys:
            return None
        for variant in (word, *_deletions(word)):
            key = self.deletions.get(variant)
            if key is not None and abs(len(key) - len(word)) <= 1:
                return key
        return None


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


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
    text: str,
    skip_header: bool = True,
    skip: list[tuple[int, int]] | None = None,
    keys: KeyIndex | None = None,
) -> tuple[list[Group], list[SyntaxProblem]]:
    """Find every citation in a Markdown document, bracketed and author-in-text.

    Returns the groups in document order and the problems of what looks like
    a citation but is malformed or would be read differently by Pandoc.
    *skip* is ``code_spans(text, skip_header)`` when the caller has it already;
    *keys* (the bibliography) tells a bare ``@key`` from a handle: without it,
    only bracketed groups are found.
    """
    if skip is None:
        skip = code_spans(text, skip_header)
    keys = keys or KeyIndex()
    groups: list[Group] = []
    problems: list[SyntaxProblem] = []
    brackets: list[tuple[int, int]] = []  # every [...] read here, so a bare @ inside one is not read again
    finder = _Finder(text)
    i = 0
    while (j := text.find("[", i)) != -1:
        i = j + 1
        if _inside(skip, j) or _escaped(text, j) or (j > 0 and text[j - 1] in "!^"):
            continue
        close = _closing_bracket(text, j, finder)
        if close is None:
            continue
        body = text[j + 1 : close]
        if not (MARKER_RE.search(body) or MISSING_KEY_RE.match(body)) or _inside(skip, close):
            continue
        brackets.append((j, close + 1))
        reading = _after_group(text, j, close, body, keys)
        if reading != "citation":
            if isinstance(reading, SyntaxProblem):
                problems.append(reading)
            i = close + 1
            continue
        result = parse_group(body, j + 1)
        if isinstance(result, SyntaxProblem):
            problems.append(result)
        else:
            groups.append(Group(result, j, close + 1))
        i = close + 1
    problems.extend(_inline_notes(text, skip))
    if keys.keys:
        bare, found = _bare(text, skip, brackets, keys)
        groups = sorted(groups + bare, key=lambda g: g.start)
        problems.extend(found)
    return groups, problems


def _after_group(text: str, start: int, close: int, body: str, keys: KeyIndex) -> SyntaxProblem | str:
    """What the characters after a bracketed group make of it.

    "citation": a citation group. "text": a link whose text merely starts with a
    handle (``[@nytimes](https://...)``). A problem: a citation that
    Python-Markdown and Pandoc would read as something else.
    """
    after = text[close + 1 : close + 2]
    at_line_start = start == 0 or text[start - 1] == "\n"
    named = [m.group(1) or _strip_key(m.group(2)) for m in NAMED_RE.finditer(body)]
    known = any(name in keys for name in named)
    if after in ("(", "[") or (after == ":" and at_line_start):
        if not known:
            return "text"  # a link whose text starts with a handle, such as [@nytimes](https://...)
        what = "link definition" if after == ":" else "link"
        return SyntaxProblem(
            start,
            f"citation used as the text of a {what}: Markdown makes it a {what} and drops the citation",
            "put the link and the citation side by side: [the report](https://...).[@key]",
            "cite.in-link",
        )
    if after == "{":
        return SyntaxProblem(
            close + 1,
            "attributes after a citation ({...}): Pandoc reads a span, Markdown leaves the braces as text",
            "remove the braces after the citation",
            "cite.attributes",
        )
    return "citation"


def _strip_key(name: str) -> str:
    m = KEY_RE.match(name)
    return m.group(0) if m else name


def _inline_notes(text: str, skip: list[tuple[int, int]]) -> list[SyntaxProblem]:
    """Pandoc's inline notes ^[...]: Markdown here would print a stray ^ and a bracket."""
    return [
        SyntaxProblem(
            m.start(),
            "inline note ^[...]: this site's Markdown does not read it (a stray ^ would be published)",
            "write the remark in the text itself, and cite its source with [@key]",
            "cite.inline-note",
        )
        for m in INLINE_NOTE_RE.finditer(text)
        if not _inside(skip, m.start()) and not _escaped(text, m.start())
    ]


def _bare(
    text: str, skip: list[tuple[int, int]], brackets: list[tuple[int, int]], keys: KeyIndex
) -> tuple[list[Group], list[SyntaxProblem]]:
    """Author-in-text citations (``@key says``, ``@key [p. 33] says``) of keys the bibliography has."""
    groups: list[Group] = []
    problems: list[SyntaxProblem] = []
    for m in BARE_RE.finditer(text):
        at = m.start()
        if _inside(skip, at) or _inside(brackets, at):
            continue
        word = m.group(0)[1:]
        braced = word.startswith("{")
        key = word[1:-1] if braced else word
        before = text[at - 1] if at else " "
        if key not in keys:
            near = None if braced or not before.isspace() else keys.near(key)
            if near:
                problems.append(
                    SyntaxProblem(
                        at,
                        f"'@{key}' is not a citation: no source has this key (did you mean '@{near}'?)",
                        f"write @{near} for a citation of that source, or \\@{key} to keep the text as it is",
                        "cite.maybe-key",
                        "warning",
                    )
                )
            continue
        if before == "[":
            continue  # inside brackets that are not a citation group: escaped \\[@key\\], a link's text
        if not before.isspace():
            problems.append(
                SyntaxProblem(
                    at,
                    f"'@{key}' right after {before!r} is text in Pandoc, not a citation",
                    f"write [@{key}] for a note, or put a space before @{key} to name the author",
                    "cite.bare-key",
                )
            )
            continue
        end, locator, quote, problem = _in_text_locator(text, m.end(), key)
        if problem:
            problems.append(problem)
            continue
        groups.append(Group((Cite(key, "", locator, quote, at, "in-text"),), at, end))
    return groups, problems


def _in_text_locator(text: str, end: int, key: str) -> tuple[int, str, str, SyntaxProblem | None]:
    """The ``[locator]`` that may follow an author-in-text citation: (end, locator, quote, problem)."""
    start = end + 1 if text[end : end + 2] == " [" else end if text[end : end + 1] == "[" else -1
    if start < 0:
        return end, "", "", None
    close = text.find("]", start)
    newline = text.find("\n\n", start)
    if close < 0 or (0 <= newline < close) or "[" in text[start + 1 : close] or "@" in text[start:close]:
        return end, "", "", None
    if text[close + 1 : close + 2] in ("(", "[", "{", ":"):
        return end, "", "", None  # a link or a span of its own
    value = " ".join(text[start + 1 : close].split())
    parsed = _pinpoint(value, key, start + 1, start + 1)
    if isinstance(parsed, SyntaxProblem):
        return end, "", "", parsed
    return close + 1, parsed[0], parsed[1], None


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
        if c == "@" and _marks_citation(text, k, start):
            seen_marker = True
        if not c.isspace():
            last = c
        k += 1
    return None


def _marks_citation(text: str, k: int, start: int) -> bool:
    """Whether the ``@`` at *k* opens a citation item of the group opened at *start*."""
    if text[k - 1] == "-":
        k -= 1
    return k == start + 1 or text[k - 1].isspace() or text[k - 1] == ";"


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
    if not markers and MISSING_KEY_RE.match(item):
        return SyntaxProblem(
            base + item.index("@"),
            f"missing citation key after '@' in {stripped!r}",
            "write the BibTeX key right after '@', as in [@rollingstone2025]",
        )
    if not markers:
        return SyntaxProblem(
            base + lead,
            f"citation item {stripped!r} has no '@key'",
            "separate sources with ';' and start each key with '@', as in [@a; @b]",
        )
    if len(markers) > 1:
        return SyntaxProblem(
            base + markers[1].start(),
            f"two keys in one citation item {stripped!r}",
            "separate sources with ';', as in [@a; @b]",
        )
    marker = markers[0]
    mode = "suppress-author" if marker.group(0).startswith("-") else "normal"
    at = marker.end() - 1  # the @
    prefix = item[: marker.start()].strip()
    braced = BRACED_KEY_RE.match(item, at + 1)
    key_match = braced or KEY_RE.match(item, at + 1)
    if key_match is None:
        return SyntaxProblem(
            base + at,
            f"missing citation key after '@' in {stripped!r}",
            "write the BibTeX key right after '@', as in [@rollingstone2025]",
        )
    key = braced.group(1) if braced else key_match.group(0)
    rest = item[key_match.end() :]
    if not rest.strip():
        return Cite(key, prefix, "", "", base + at, mode)
    if rest[0] == ",":
        value, value_at = rest[1:], key_match.end() + 1
    elif rest[0].isspace():
        value, value_at = rest, key_match.end()  # Pandoc's suffix without a comma: [@doe99 p. 33]
    else:
        return SyntaxProblem(
            base + key_match.end(),
            f"unexpected text {rest.strip()!r} right after key '@{key}'",
            "put a comma between the key and its locator, as in [@key, para. 4]; a key that ends in "
            f"punctuation goes in braces, as in [@{{{key}{rest.strip()}}}]"
            if rest[0] != "{"
            else "braced locators ({ii, A}) are not read here; write [@key, ii, A]",
        )
    parsed = _pinpoint(" ".join(value.split()), key, base + value_at, base + key_match.end())
    if isinstance(parsed, SyntaxProblem):
        return parsed
    markup = MARKUP_RE.search(prefix + " " + parsed[0])
    if markup:
        return SyntaxProblem(
            base + lead,
            f"Markdown ({markup.group(0)!r}) in the prefix or locator of '@{key}': it would be shown as typed",
            "write the prefix and locator as plain words (passim, not *passim*)",
        )
    return Cite(key, prefix, parsed[0], parsed[1], base + at, mode)


def _pinpoint(value: str, key: str, where: int, comma: int) -> tuple[str, str] | SyntaxProblem:
    """(locator, quoted passage) of a citation's pinpoint *value*; *where* is its offset."""
    if not value:
        return SyntaxProblem(
            comma, f"empty locator after '@{key},'", "remove the comma or add a locator such as 'para. 4'"
        )
    if value[0] not in OPEN_QUOTES:
        return value, ""
    closing = OPEN_QUOTES[value[0]]
    end = value.find(closing, 1)
    if end == -1:
        return SyntaxProblem(where, f"unterminated quoted passage for '@{key}'", f"close the passage with {closing}")
    quote = " ".join(value[1:end].split())
    if not quote:
        return SyntaxProblem(where, f"empty quoted passage for '@{key}'", "quote the exact words")
    if value[end + 1 :].strip():
        return SyntaxProblem(
            where,
            f"text {value[end + 1 :].strip()!r} after the quoted passage for '@{key}'",
            "a pinpoint is either a locator or a quoted passage, not both",
        )
    return "", quote
