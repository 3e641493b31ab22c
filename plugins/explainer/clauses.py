"""Pure checks of clause-page metadata (number, section, title, summary, related)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pelican.plugins.bibcite.problems import Problem

REQUIRED = ("title", "clause", "section", "summary", "related")
NUMBER_RE = re.compile(r"[0-9]{1,3}")


@dataclass(frozen=True)
class Spec:
    """The numbered document being annotated: its sections and what one clause is called."""

    #: (section heading, first clause, last clause), in order, covering 1..count without gaps
    sections: tuple[tuple[str, int, int], ...]
    #: what the document calls a clause ("Point"), used in titles, addresses (point-21.html) and ids
    item: str = "Point"

    @property
    def count(self) -> int:
        """How many clauses the document has."""
        return self.sections[-1][2] if self.sections else 0

    @property
    def slug(self) -> str:
        """The clause pages' address prefix and id prefix ("point")."""
        return re.sub(r"[^a-z0-9]+", "-", self.item.lower()).strip("-") or "clause"

    def section_of(self, number: int) -> str:
        """The section heading that covers clause *number*."""
        return next(name for name, first, last in self.sections if first <= number <= last)

    def valid(self) -> str:
        """Why the sections do not number the clauses 1..N in order without gaps; empty if they do."""
        expected = 1
        for name, first, last in self.sections:
            if not name or first != expected or last < first:
                return f"section {name!r} covers {first}-{last}; expected a name and {expected}-N"
            expected = last + 1
        return "" if self.sections else "no sections"


@dataclass(frozen=True)
class ClauseMeta:
    """The checked metadata of one clause page."""

    #: clause number, 1-N
    number: int
    #: numbers of related clauses
    related: tuple[int, ...]
    #: repository-relative path of the page
    path: str
    #: 1-based line of the ``Clause:`` field
    line: int
    #: 1-based line of the ``Related:`` field
    related_line: int = 0


def _number(value: str, count: int) -> int | None:
    """*value* as a clause number 1-*count*, or None (ASCII digits only: '²'.isdigit() is True)."""
    if NUMBER_RE.fullmatch(value) and 1 <= int(value) <= count:
        return int(value)
    return None


def check(fields: dict[str, tuple[str, int, int]], path: str, spec: Spec) -> tuple[ClauseMeta | None, list[Problem]]:
    """Check the header fields (value, line, column) of a clause page; return its metadata and problems."""
    problems = []
    count = spec.count
    end_line = max((line for _, line, _ in fields.values()), default=0) + 1
    for name in REQUIRED:
        if name not in fields or not fields[name][0]:
            problems.append(
                Problem(
                    path,
                    fields[name][1] if name in fields else end_line,
                    1,
                    "clause.missing-field",
                    f"clause page has no {name!r} field",
                    f"add '{name.capitalize()}: ...' to the header (see CONTRIBUTING.md)",
                )
            )
    if "clause" not in fields or not fields["clause"][0]:
        return None, problems
    value, line, column = fields["clause"]
    number = _number(value, count)
    if number is None:
        problems.append(
            Problem(
                path,
                line,
                column,
                "clause.number",
                f"clause number {value[:20]!r} is not 1-{count}",
                f"the document has {count} clauses; write a number such as {count}",
            )
        )
        return None, problems
    section = fields.get("section")
    if section and section[0] and section[0] != spec.section_of(number):
        problems.append(
            Problem(
                path,
                section[1],
                section[2],
                "clause.section",
                f"section {section[0][:80]!r} does not match clause {number}",
                f"clause {number} is in the section {spec.section_of(number)!r}",
            )
        )
    related: list[int] = []
    given_related = fields.get("related")
    if given_related and given_related[0]:
        offset = 0
        related_value, related_line, related_column = given_related
        for item in related_value.split(","):
            at = offset + len(item) - len(item.lstrip())
            offset += len(item) + 1
            item = item.strip()
            other = _number(item, count)
            if other is None or other == number:
                problems.append(
                    Problem(
                        path,
                        related_line,
                        related_column + at,
                        "clause.related",
                        f"related clause {item[:20]!r} is not another clause number 1-{count}",
                        "list other clauses by number, separated by commas: 'Related: 2, 22'",
                    )
                )
            else:
                related.append(other)
    return ClauseMeta(number, tuple(related), path, line, given_related[1] if given_related else line), problems


def check_set(clauses: list[ClauseMeta]) -> list[Problem]:
    """Cross-page checks: each number once, and related clauses that have pages."""
    problems = []
    seen: dict[int, ClauseMeta] = {}
    for clause in sorted(clauses, key=lambda c: c.path):
        first = seen.setdefault(clause.number, clause)
        if first is not clause:
            problems.append(
                Problem(
                    clause.path,
                    clause.line,
                    1,
                    "clause.duplicate",
                    f"clause {clause.number} is also annotated in {first.path}",
                    "each clause has exactly one page; merge the two",
                )
            )
    for clause in clauses:
        for number in clause.related:
            if number not in seen:
                problems.append(
                    Problem(
                        clause.path,
                        clause.related_line,
                        1,
                        "clause.related-missing",
                        f"related clause {number} has no page",
                        "annotate that clause first, or remove it from 'Related'",
                    )
                )
    return problems
