"""Pure checks of clause-page metadata (number, section, title, summary, related)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .header import Field
from .problems import Problem

CLAUSE_COUNT = 28
#: The plan's own section headings and the clauses each covers.
SECTIONS = (
    ("Sovereignty and security guarantees", range(1, 12)),
    ("Economics and recovery", range(12, 21)),
    ("Territory", range(21, 24)),
    ("Humanitarian issues and confidence-building measures", range(24, 29)),
)
REQUIRED = ("title", "clause", "section", "summary", "related")
NUMBER_RE = re.compile(r"[0-9]{1,3}")


def section_of(number: int) -> str:
    """The section heading that covers clause *number*."""
    return next(name for name, numbers in SECTIONS if number in numbers)


@dataclass(frozen=True)
class ClauseMeta:
    """The checked metadata of one clause page."""

    #: clause number, 1-28
    number: int
    #: numbers of related clauses
    related: tuple[int, ...]
    #: repository-relative path of the page
    path: str
    #: 1-based line of the ``Clause:`` field
    line: int
    #: 1-based line of the ``Related:`` field
    related_line: int = 0


def _number(value: str) -> int | None:
    """*value* as a clause number 1-CLAUSE_COUNT, or None (ASCII digits only: '²'.isdigit() is True)."""
    if NUMBER_RE.fullmatch(value) and 1 <= int(value) <= CLAUSE_COUNT:
        return int(value)
    return None


def check(fields: dict[str, Field], path: str) -> tuple[ClauseMeta | None, list[Problem]]:
    """Check the header fields of a clause page; return its metadata and problems."""
    problems = []
    end_line = max((f.line for f in fields.values()), default=0) + 1
    for name in REQUIRED:
        if name not in fields or not fields[name].value:
            problems.append(Problem(path, fields[name].line if name in fields else end_line, 1,
                                    "clause.missing-field", f"clause page has no {name!r} field",
                                    f"add '{name.capitalize()}: ...' to the header (see CONTRIBUTING.md)"))
    if "clause" not in fields or not fields["clause"].value:
        return None, problems
    given = fields["clause"]
    number = _number(given.value)
    if number is None:
        problems.append(Problem(path, given.line, given.column, "clause.number",
                                f"clause number {given.value[:20]!r} is not 1-{CLAUSE_COUNT}",
                                f"the plan has {CLAUSE_COUNT} points; write a number such as 21"))
        return None, problems
    section = fields.get("section")
    if section and section.value and section.value != section_of(number):
        problems.append(Problem(path, section.line, section.column, "clause.section",
                                f"section {section.value[:80]!r} does not match clause {number}",
                                f"clause {number} is in the plan's section {section_of(number)!r}"))
    related: list[int] = []
    given_related = fields.get("related")
    if given_related and given_related.value:
        offset = 0
        for item in given_related.value.split(","):
            at = offset + len(item) - len(item.lstrip())
            offset += len(item) + 1
            item = item.strip()
            other = _number(item)
            if other is None or other == number:
                problems.append(Problem(path, given_related.line, given_related.column + at, "clause.related",
                                        f"related clause {item[:20]!r} is not another clause number 1-{CLAUSE_COUNT}",
                                        "list other clauses by number, separated by commas: 'Related: 2, 22'"))
            else:
                related.append(other)
    related_line = given_related.line if given_related else given.line
    return ClauseMeta(number, tuple(related), path, given.line, related_line), problems


def check_set(clauses: list[ClauseMeta]) -> list[Problem]:
    """Cross-page checks: each number once, and related clauses that have pages."""
    problems = []
    seen: dict[int, ClauseMeta] = {}
    for clause in sorted(clauses, key=lambda c: c.path):
        first = seen.setdefault(clause.number, clause)
        if first is not clause:
            problems.append(Problem(clause.path, clause.line, 1, "clause.duplicate",
                                    f"clause {clause.number} is also annotated in {first.path}",
                                    "each clause has exactly one page; merge the two"))
    for clause in clauses:
        for number in clause.related:
            if number not in seen:
                problems.append(Problem(clause.path, clause.related_line, 1, "clause.related-missing",
                                        f"related clause {number} has no page",
                                        "annotate that clause first, or remove it from 'Related'"))
    return problems
