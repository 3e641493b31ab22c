"""The metadata header of a page: an allowlist of fields, each value checked on its line.

Pelican gives header fields power over the build: ``Save_as`` and ``Url``
choose where a page is written (over another page), ``Status: draft`` hides a
clause, ``Template`` picks any template, ``Slug`` and ``Lang`` change the
address. A contributor's page may only set the fields the site's pages use;
everything else is refused on its line. The header is read exactly as
Python-Markdown's ``meta`` extension reads it, so the two never disagree about
where it ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from .problems import Problem

# Python-Markdown's own patterns (markdown/extensions/meta.py).
META_RE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
META_MORE_RE = re.compile(r"^[ ]{4,}(?P<value>.*)")
BEGIN_RE = re.compile(r"^-{3}(\s.*)?")
END_RE = re.compile(r"^(-{3}|\.{3})(\s.*)?")

#: The fields a page may set when the site gives no list (BIBCITE_HEADER_FIELDS); other plugins add
#: their own per page (hooks.page_rules).
PAGE_FIELDS = ("title", "date", "modified", "summary")
#: Fields whose value may go on over indented lines (the others are one line).
MULTILINE_FIELDS = frozenset({"summary"})
#: Fields Pelican converts as Markdown (its FORMATTED_FIELDS); the others are plain text, escaped when printed.
FORMATTED_FIELDS = frozenset({"summary"})
DATE_FIELDS = ("date", "modified")
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
#: At most this many header lines: nothing the allowlist permits needs more.
MAX_LINES = 40
#: The codes of header problems; a page with any of them is not converted.
CODES = frozenset({"md.meta-field", "md.meta-value"})
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class Field:
    """One header field as written."""

    #: lower-case name
    name: str
    #: the value, continuation lines joined with spaces
    value: str
    #: 1-based line of the field name
    line: int
    #: 1-based column of the value
    column: int
    #: whether the value went on over indented lines
    continued: bool = False


def plain_ranges(text: str) -> list[tuple[int, int]]:
    """Offsets of the header lines that are plain text (all but formatted fields), for the HTML checks to skip."""
    _, ordered, end = parse(text)
    formatted: set[int] = set()
    for number, item in enumerate(ordered):
        if item.name in FORMATTED_FIELDS:
            following = ordered[number + 1].line if number + 1 < len(ordered) else end + 1
            formatted.update(range(item.line, following))
    ranges = []
    offset = 0
    for number, line in enumerate(text.split("\n", end)[:end], 1):
        if number not in formatted:
            ranges.append((offset, offset + len(line)))
        offset += len(line) + 1
    return ranges


def parse(text: str) -> tuple[dict[str, Field], list[Field], int]:
    """The header's fields by name (first occurrence), every field in order, and the body's first line index."""
    # Python-Markdown expands tabs (to 4 columns) before its meta extension reads the header.
    lines = [line.expandtabs(4) for line in text.split("\n", MAX_LINES + 2)[: MAX_LINES + 2]]
    index = 1 if lines and BEGIN_RE.match(lines[0]) else 0
    ordered: list[Field] = []
    current: Field | None = None
    while index < len(lines):
        line = lines[index]
        if not line.strip() or END_RE.match(line):
            break
        if m := META_RE.match(line):
            if current:
                ordered.append(current)
            current = Field(m.group("key").lower(), m.group("value").strip(), index + 1, m.start("value") + 1)
        elif (more := META_MORE_RE.match(line)) and current:
            current = Field(
                current.name,
                f"{current.value} {more.group('value').strip()}".strip(),
                current.line,
                current.column,
                continued=True,
            )
        else:
            break
        index += 1
    if current:
        ordered.append(current)
    fields: dict[str, Field] = {}
    for item in ordered:
        fields.setdefault(item.name, item)
    return fields, ordered, index


def check(
    text: str,
    path: str,
    allowed: tuple[str, ...] | None = PAGE_FIELDS,
    owns_title: bool = False,
    elsewhere: tuple[tuple[str, str], ...] = (),
) -> tuple[dict[str, Field], list[Problem]]:
    """The header's fields and the problems with them: unknown, repeated, malformed or unsafe.

    *allowed*: the fields this page may set (None: any, as Pelican reads them);
    *owns_title*: a plugin reports a missing title itself; *elsewhere*: fields
    other pages may set, with the hint to give when this one sets them.
    """
    hints = dict(elsewhere)
    fields, ordered, end = parse(text)
    problems: list[Problem] = []
    if end > MAX_LINES:
        problems.append(
            Problem(
                path,
                MAX_LINES + 1,
                1,
                "md.meta-field",
                f"the header has more than {MAX_LINES} lines",
                "end the header with a blank line; the page's text goes after it",
            )
        )
    seen: set[str] = set()
    for item in ordered:
        column = item.column
        if allowed is not None and item.name not in allowed:
            problems.append(_refused(path, item, hints.get(item.name, ""), allowed))
            continue
        if item.name in seen:
            problems.append(
                Problem(
                    path,
                    item.line,
                    1,
                    "md.meta-field",
                    f"header field {item.name!r} is given twice",
                    "keep one; write the value on one line",
                )
            )
            continue
        seen.add(item.name)
        if allowed is not None and item.continued and item.name not in MULTILINE_FIELDS:
            problems.append(
                Problem(
                    path,
                    item.line + 1,
                    1,
                    "md.meta-field",
                    f"header field {item.name!r} goes on over an indented line",
                    "write the value on one line, or end the header with a blank line",
                )
            )
        if m := CONTROL_RE.search(item.value):
            problems.append(
                Problem(
                    path,
                    item.line,
                    column,
                    "md.meta-value",
                    f"header field {item.name!r} contains the control character U+{ord(m.group()):04X}",
                    "delete it; it is invisible and has no meaning in a page",
                )
            )
        elif item.name == "title" and not item.value:
            problems.append(
                Problem(path, item.line, column, "md.meta-value", "the title is empty", "give the page a title")
            )
        elif item.name in DATE_FIELDS and not valid_date(item.value):
            problems.append(
                Problem(
                    path,
                    item.line,
                    column,
                    "md.meta-value",
                    f"{item.name} {item.value[:40]!r} is not a real date as YYYY-MM-DD",
                    "write the date as YYYY-MM-DD, e.g. 2026-11-22 (optionally followed by HH:MM)",
                )
            )
    if "title" not in fields and not owns_title:
        problems.append(
            Problem(
                path,
                1,
                1,
                "md.meta-value",
                "the page has no title",
                "start the file with a header line 'Title: ...', then a blank line",
            )
        )
    return fields, problems


def _refused(path: str, item: Field, hint: str, allowed: tuple[str, ...]) -> Problem:
    if not hint:
        hint = (
            "a page may set only "
            + ", ".join(name.capitalize() for name in allowed)
            + "; where a page is written and how it looks are decided by the site, not the page"
        )
    return Problem(path, item.line, 1, "md.meta-field", f"header field {item.name!r} is not allowed", hint)


def valid_date(value: str) -> bool:
    """True for a real calendar date (and time) in one of DATE_FORMATS."""
    for fmt in DATE_FORMATS:
        try:
            datetime.strptime(value, fmt)
        except ValueError:
            continue
        return True
    return False
