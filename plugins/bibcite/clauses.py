"""Pure checks of clause-page metadata (number, section, title, summary, related)."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
HEADER_RE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.*)$")


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


def header_fields(text: str) -> dict[str, tuple[str, int, int]]:
    """Metadata fields of a Markdown header: name -> (value, line, column of value)."""
    fields: dict[str, tuple[str, int, int]] = {}
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            break
        m = HEADER_RE.match(line)
        if m:
            fields.setdefault(m.group(1).lower(), (m.group(2).strip(), number, m.start(2) + 1))
    return fields


def check(text: str, path: str) -> tuple[ClauseMeta | None, list[Problem]]:
    """Check the header of clause page *text*; return its metadata and problems."""
    fields = header_fields(text)
    problems = []
    end_line = max((line for _, line, _ in fields.values()), default=0) + 1
    for name in REQUIRED:
        if not fields.get(name, ("",))[0]:
            problems.append(Problem(path, end_line if name not in fields else fields[name][1], 1,
                                    "clause.missing-field", f"clause page has no {name!r} field",
                                    f"add '{name.capitalize()}: ...' to the header (see CONTRIBUTING.md)"))
    if "clause" not in fields or not fields["clause"][0]:
        return None, problems
    value, line, col = fields["clause"]
    if not value.isdigit() or not 1 <= int(value) <= CLAUSE_COUNT:
        problems.append(Problem(path, line, col, "clause.number", f"clause number {value!r} is not 1-{CLAUSE_COUNT}",
                                f"the plan has {CLAUSE_COUNT} points; write a number such as 21"))
        return None, problems
    number = int(value)
    if "section" in fields and fields["section"][0] and fields["section"][0] != section_of(number):
        s_value, s_line, s_col = fields["section"]
        problems.append(Problem(path, s_line, s_col, "clause.section",
                                f"section {s_value!r} does not match clause {number}",
                                f"clause {number} is in the plan's section {section_of(number)!r}"))
    related: list[int] = []
    if fields.get("related", ("",))[0]:
        r_value, r_line, r_col = fields["related"]
        for item in r_value.split(","):
            item = item.strip()
            if not item.isdigit() or not 1 <= int(item) <= CLAUSE_COUNT or int(item) == number:
                problems.append(Problem(path, r_line, r_col + r_value.find(item), "clause.related",
                                        f"related clause {item!r} is not another clause number 1-{CLAUSE_COUNT}",
                                        "list other clauses by number, separated by commas: 'Related: 2, 22'"))
            else:
                related.append(int(item))
    related_line = fields["related"][1] if "related" in fields else line
    return ClauseMeta(number, tuple(related), path, line, related_line), problems


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
