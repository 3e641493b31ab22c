"""Dates as contributors export them, read and put into words without overstating them.

``parse`` reads a biblatex ``date``-style field (``date``, ``urldate``,
``eventdate``, ``origdate``): ISO 8601 dates and date-times, biblatex ranges
with ``/`` (open at either end), and EDTF levels 0 and 1 (qualifiers ``~ ? %``,
unspecified digits ``X`` or the older ``u``, seasons 21-24).
``from_year_month`` reads the BibTeX ``year``/``month``/``day`` fields.

Both return a ``DateValue`` that prints itself for readers (``words``), for
machines (``iso``, ``edtf``, ``csl``) and for sorting (``sort_key``).  Only a value
that cannot be read at all raises ``DateError``; the message quotes it.
Standard library only, no I/O.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
#: EDTF level 1 seasons by code; CSL-JSON numbers them 1-4 in the same order.
SEASONS = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}
#: Values of ``Point.unspecified``: the largest unit whose digits were written as X.
UNSPECIFIED = ("", "day", "month", "year", "decade", "century", "millennium")
#: For unspecified year digits, how many years the written value spans.
YEAR_SPANS = {"year": 10, "decade": 100, "century": 1000}
#: Range ends that say "not known" or "open": EDTF 2019 (empty, ``..``), the EDTF
#: draft that Better BibTeX and biblatex followed (``unknown``, ``open``), and biblatex's ``*``.
OPEN_ENDS = frozenset({"", "..", "unknown", "open", "*"})
HINT = "write YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2025-11-21), or a range start/end such as 1984/1986"
UNSPECIFIED_DIGITS = "Xxu"
DATE_PART_RE = re.compile(r"[0-9Xxu]+")
TIME_RE = re.compile(r"([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,][0-9]+)?)?(?:[Zz]|[+-]([0-9]{2})(?::?([0-9]{2}))?)?")
YEAR_FIELD_RE = re.compile(r"[0-9Xxu]{4}[~?%]*")
FULL_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DAY_FIELD_RE = re.compile(r"[0-9]{1,2}")
MONTH_RANGE_RE = re.compile(r"\s*(?:--?|\u2013|\u2014|/)\s*")

Fail = Callable[[str], Exception]


class DateError(ValueError):
    """A date that cannot be read; the message quotes the input and says what is wrong."""


@dataclass(frozen=True)
class Point:
    """One end of a date or range, exactly as precise as it was written.

    ``year`` is None only when every year digit was unspecified ("XXXX").  With
    unspecified year digits ``year`` is the first year of the span: "199X" is
    ``Point(1990, unspecified="year")``, "19XX" is ``Point(1900, unspecified="decade")``.
    ``season`` is the EDTF code 21-24 and excludes month and day.  The qualifiers
    belong to this end, as EDTF writes them ("1984~/1986").
    """

    year: int | None
    month: int | None = None
    day: int | None = None
    #: the largest unit written as X: "" (none), "day", "month", "year" (199X),
    #: "decade" (19XX), "century" (1XXX) or "millennium" (XXXX)
    unspecified: str = ""
    season: int | None = None
    approximate: bool = False
    uncertain: bool = False

    def __post_init__(self) -> None:
        problem = point_problem(self.year, self.month, self.day, self.unspecified, self.season)
        if problem:
            raise DateError(f"{self!r}: {problem}")

    @property
    def fuzzy(self) -> bool:
        """True when year digits are unspecified, so the point is a span of years."""
        return self.unspecified in YEAR_SPANS or self.year is None

    def earliest(self) -> tuple[int, int, int]:
        """The first day this point can mean, as (year, month, day)."""
        if self.year is None:
            return (1, 1, 1)
        return (self.year, self.month or 1, self.day or 1)

    def latest(self) -> tuple[int, int, int]:
        """The last day this point can mean, as (year, month, day)."""
        if self.year is None:
            return (9999, 12, 31)
        year = self.year + YEAR_SPANS.get(self.unspecified, 1) - 1
        month = self.month or 12
        return (year, month, self.day or calendar.monthrange(year, month)[1])

    def words(self) -> str:
        """This point for readers, without its qualifiers: "21 November 2025", "the 1990s"."""
        if self.year is None:
            return "date unknown"
        span = YEAR_SPANS.get(self.unspecified)
        if span:
            # "the 1900s" could be a decade or a century, so only 1910s-1990s-style decades get the short form.
            if span == 10 and self.year % 100:
                return f"the {self.year}s"
            return f"between {self.year} and {self.year + span - 1}"
        if self.season:
            return f"{SEASONS[self.season]} {self.year}"
        if self.month and self.day:
            return f"{self.day} {MONTHS[self.month - 1]} {self.year}"
        if self.month:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return str(self.year)

    def iso(self) -> str:
        """This point as ISO 8601 / EDTF without qualifiers: "2025-11-21", "199X", "2025-21"."""
        if self.year is None:
            return "XXXX"
        hidden = len(str(YEAR_SPANS.get(self.unspecified, 1))) - 1
        text = f"{self.year:04d}"[: 4 - hidden] + "X" * hidden
        if self.unspecified == "month":
            return text + "-XX"
        if self.season:
            return f"{text}-{self.season}"
        if self.month:
            text += f"-{self.month:02d}"
        if self.unspecified == "day":
            return text + "-XX"
        if self.day:
            text += f"-{self.day:02d}"
        return text

    def edtf(self) -> str:
        """This point as EDTF, with its qualifier: "2025~", "1723%"."""
        mark = {(True, True): "%", (True, False): "~", (False, True): "?"}.get((self.approximate, self.uncertain), "")
        return self.iso() + mark

    def csl_parts(self, last: bool = False) -> list[int]:
        """CSL-JSON date-parts; a span of years gives its first year, or its last when ``last``."""
        if self.fuzzy:
            return [(self.latest() if last else self.earliest())[0]]
        return [part for part in (self.year, self.month, self.day) if part is not None]


@dataclass(frozen=True)
class DateValue:
    """A date or range as written, or a value kept verbatim in ``literal`` because it could not be read.

    ``end`` is None unless a range; an open end ("1984/", "1984/..") is ``is_range``
    with ``end`` None, an open start ("/1986", "../1986") has ``start`` None.
    ``approximate`` and ``uncertain`` are true when any end is: a flag given here
    for the whole value is copied onto each end, so values built either way compare equal.
    """

    start: Point | None
    end: Point | None = None
    is_range: bool = False
    approximate: bool = False
    uncertain: bool = False
    literal: str = ""

    def __post_init__(self) -> None:
        if self.literal:
            if self.start or self.end or self.is_range or self.approximate or self.uncertain:
                raise DateError(f"literal {self.literal!r} is kept verbatim and takes no other part")
            return
        if self.start is None and self.end is None:
            raise DateError("a date needs a start or an end (or a literal)")
        if self.end is not None or self.start is None:
            object.__setattr__(self, "is_range", True)
        for flag in ("approximate", "uncertain"):
            if getattr(self, flag) and not any(getattr(p, flag) for p in self.ends()):
                for side in ("start", "end"):
                    point = getattr(self, side)
                    if point is not None:
                        object.__setattr__(self, side, replace(point, **{flag: True}))
            object.__setattr__(self, flag, any(getattr(p, flag) for p in self.ends()))
        if self.start and self.end and self.start.earliest() > self.end.latest():
            raise DateError(f"the range ends ({self.end.words()}) before it starts ({self.start.words()})")

    def ends(self) -> list[Point]:
        """The known ends: one for a date or an open range, two for a closed range."""
        return [point for point in (self.start, self.end) if point is not None]

    def words(self) -> str:
        """The date for readers: "21 November 2025", "19–21 November 2025", "from 1984", "circa 2025"."""
        start, end = self.start, self.end
        if self.literal:
            return self.literal
        if start is not None and not self.is_range:
            return qualified(start)
        if start is None:
            assert end is not None
            return f"until {qualified(end)}"
        if end is None:
            return f"from {qualified(start)}"
        if start == end:
            return qualified(start)
        if flags(start) == flags(end) and not (start.fuzzy or end.fuzzy):
            return qualified(start, dash(start, end))
        return f"from {qualified(start)} to {qualified(end)}"

    def iso(self) -> str:
        """The machine form without qualifiers: "2025-11-21", "1984/1986", "1984/.."; empty for a literal."""
        return self._joined(Point.iso)

    def edtf(self) -> str:
        """The EDTF form with qualifiers, which ``parse`` reads back to an equal value."""
        return self._joined(Point.edtf)

    def _joined(self, form: Callable[[Point], str]) -> str:
        """Each end in *form*, an open end as "..", joined by "/" for a range."""
        if self.literal:
            return ""
        if not self.is_range and self.start is not None:
            return form(self.start)
        return "/".join(form(p) if p is not None else ".." for p in (self.start, self.end))

    def csl(self) -> dict[str, Any]:
        """CSL-JSON date: {"date-parts": [[2025, 11, 21]]}, a range as two parts, "circa" when qualified.

        CSL-JSON has no standard form for an open range or a wholly unknown
        year, so those are given as a "literal" in words rather than as a
        closed date that would claim more than was written.  Unspecified year
        digits become the range of years they allow.
        """
        start, end = self.start, self.end
        if self.literal:
            return {"literal": self.literal}
        if start is None or (self.is_range and end is None) or (start.year is None):
            return {"literal": self.words()}
        if end is None or end == start:
            parts = [start.csl_parts(), start.csl_parts(last=True)] if start.fuzzy else [start.csl_parts()]
        else:
            parts = [start.csl_parts(), end.csl_parts(last=True)]
        if len(parts) == 2 and parts[0] == parts[1]:
            parts = parts[:1]
        out: dict[str, Any] = {"date-parts": parts}
        if start.season and (end is None or end == start):
            out["season"] = start.season - 20
        if self.approximate or self.uncertain:
            out["circa"] = True
        return out

    def sort_key(self) -> tuple[int | str, ...]:
        """Chronological order by earliest then latest possible day; unknown years, then literals, last."""
        if self.literal:
            return (2, 9999, 12, 31, 9999, 12, 31, self.literal)
        first = self.start or self.end
        last = self.end or self.start
        assert first is not None and last is not None
        group = 1 if first.year is None else 0
        return (group, *first.earliest(), *last.latest(), self.edtf())


def flags(point: Point) -> tuple[bool, bool]:
    """A point's qualifiers, to tell whether two range ends share them."""
    return (point.approximate, point.uncertain)


def qualified(point: Point, text: str = "") -> str:
    """Words for a point (or ``text`` standing for it) with its qualifiers said."""
    text = text or point.words()
    if point.year is None:
        return text
    notes = []
    if point.approximate:
        # "circa between 1900 and 1909" reads badly, so a span of years says it after.
        if point.fuzzy:
            notes.append("approximate")
        else:
            text = f"circa {text}"
    if point.uncertain:
        notes.append("uncertain")
    return f"{text} ({', '.join(notes)})" if notes else text


def dash(start: Point, end: Point) -> str:
    """A closed range in words, compact when both ends share the year (and month)."""
    first, last = start.words(), end.words()
    if first == last:
        return first
    if start.year == end.year:
        year = start.year
        if start.day and end.day and start.month and end.month:
            if start.month == end.month:
                return f"{start.day}\u2013{end.day} {MONTHS[start.month - 1]} {year}"
            return f"{start.day} {MONTHS[start.month - 1]} \u2013 {end.day} {MONTHS[end.month - 1]} {year}"
        if start.month and end.month and not (start.day or end.day):
            return f"{MONTHS[start.month - 1]}\u2013{MONTHS[end.month - 1]} {year}"
        if start.season and end.season:
            return f"{SEASONS[start.season]}\u2013{SEASONS[end.season]} {year}"
    # An en dash between multi-word dates is spaced so it does not bind to the nearest word only.
    separator = " \u2013 " if " " in first or " " in last else "\u2013"
    return f"{first}{separator}{last}"


def point_problem(year: int | None, month: int | None, day: int | None, unspecified: str, season: int | None) -> str:
    """What makes these parts not a date, or empty when they are one."""
    if unspecified not in UNSPECIFIED:
        return f"unspecified must be one of {', '.join(repr(u) for u in UNSPECIFIED)}"
    if unspecified == "millennium" or year is None:
        if unspecified != "millennium" or any(part is not None for part in (year, month, day, season)):
            return "only a wholly unspecified year (XXXX) has no year, and it has no other part"
        return ""
    if not 1 <= year <= 9999:
        return f"year {year} is outside 0001-9999 (year 0000 and years BCE are not supported)"
    span = YEAR_SPANS.get(unspecified)
    if span and year % span:
        return f"year {year} does not begin a span of {span} years"
    if (span or unspecified == "month") and any(part is not None for part in (month, day, season)):
        return "with unspecified digits in the year or month, the later parts are unspecified too"
    return _month_day_problem(year, month, day, unspecified, season)


def _month_day_problem(year: int, month: int | None, day: int | None, unspecified: str, season: int | None) -> str:
    """What makes the season, month and day of a known year not a date, or empty."""
    if season is not None:
        if season not in SEASONS:
            return f"season {season} is not 21-24 (spring, summer, autumn, winter)"
        if month is not None or day is not None:
            return "a season has no month or day"
        return ""
    if unspecified == "day" and (month is None or day is not None):
        return "an unspecified day needs a known month"
    if month is None:
        return "a day needs a month" if day is not None else ""
    if not 1 <= month <= 12:
        return f"month {month:02d} does not exist (months are 01-12)"
    if day is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            return f"day {day:02d} does not exist in {MONTHS[month - 1]} {year}, which has {last} days"
    return ""


def parse(value: str) -> DateValue:
    """Read a biblatex date field: an ISO 8601 date or date-time, a range with '/', or EDTF levels 0-1.

    A date-time keeps the calendar date as written and drops the time: time
    zones are not converted, since the date is the one the outlet stated.
    """
    # Most dates are plain YYYY, YYYY-MM or YYYY-MM-DD: read them without the general machinery
    # (a 3,000-entry bibliography has thousands of them; make bench).
    m = _PLAIN_RE.fullmatch(value)
    if m:
        try:
            return _plain(*m.groups())
        except DateError:
            pass  # read it again in full, so that the message quotes the date as written
    return _parse(value)


#: A plain date, or a full date with a valid time (and zone) whose date alone is kept, as parse() keeps it.
_PLAIN_RE = re.compile(
    r"\s*([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]"
    r"(?::[0-5][0-9](?:\.[0-9]+)?)?(?:Z|[+-](?:0[0-9]|1[0-4])(?::?[0-5][0-9])?)?)?)?)?\s*"
)


@functools.lru_cache(maxsize=4096)
def _plain(year: str, month: str | None, day: str | None) -> DateValue:
    """A plain ISO date, checked as parse() checks it (cached: the same dates recur)."""
    return _parse("-".join(part for part in (year, month, day) if part))


def _parse(value: str) -> DateValue:
    """The general reader behind parse()."""

    def fail(reason: str) -> DateError:
        return DateError(f"date {value!r}: {reason}")

    text = value.strip()
    if not text:
        raise fail("it is empty")
    if "/" not in text:
        if text.lower() in OPEN_ENDS:
            raise fail("an open or unknown end is only meaningful in a range, such as 1984/.. or ../1986")
        return DateValue(read_point(text, fail))
    if text.count("/") > 1:
        if re.fullmatch(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4}", text):
            raise fail("day/month/year (or month/day/year) order is ambiguous; write the date as YYYY-MM-DD")
        raise fail(f"it has more than one '/'; {HINT}")
    ends: list[Point | None] = []
    for side in text.split("/"):
        side = side.strip()
        if side.lower() in OPEN_ENDS:
            ends.append(None)
            continue
        point = read_point(side, fail)
        # An end in a wholly unknown year ("XXXX/2006") says no more than an unknown end.
        ends.append(None if point.year is None else point)
    start, end = ends
    if start is None and end is None:
        raise fail("a range needs at least one known end")
    if start and end and start.earliest() > end.latest():
        raise fail(f"the range ends ({end.words()}) before it starts ({start.words()})")
    return DateValue(start, end, is_range=True)


def read_point(text: str, fail: Fail) -> Point:
    """Read one date or range end; ``fail`` builds the error that quotes the whole input."""
    core, approximate, uncertain = _qualifiers(text, fail)
    parts = _date_parts(core, text[len(core) :], fail)
    year, unspecified = _year(parts, fail)
    month = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    day = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
    season = None
    if month is not None and 21 <= month <= 41:
        if month > 24:
            raise fail(
                f"division {month} (EDTF level 2: hemispheres, quarters, halves) is not supported; "
                "seasons are 21-24 (spring, summer, autumn, winter)"
            )
        if len(parts) > 2:
            raise fail(f"season {month} takes no day")
        season, month = month, None
    problem = point_problem(year, month, day, unspecified, season)
    if problem:
        raise fail(problem)
    return Point(year, month, day, unspecified, season, approximate, uncertain)


def _qualifiers(text: str, fail: Fail) -> tuple[str, bool, bool]:
    """The date without its EDTF qualifier, and whether it is approximate and uncertain."""
    core = text.rstrip("~?%")
    marks = text[len(core) :]
    if not core:
        raise fail(f"there is no date before the qualifier {marks!r}")
    if len(marks) > 2 or len(set(marks)) != len(marks):
        raise fail(f"{marks!r} is not a qualifier; use ~ (approximate), ? (uncertain) or % (both)")
    if any(mark in core for mark in "~?%"):
        raise fail(
            "a qualifier (~ ? %) goes at the end of the date or of each range end; "
            "qualifiers on single parts (EDTF level 2) are not supported"
        )
    return core, "~" in marks or "%" in marks, "?" in marks or "%" in marks


def _date_parts(core: str, marks: str, fail: Fail) -> list[str]:
    """The year, month and day digits (X for unspecified) of a date, its time checked and dropped."""
    date_text = core
    separator = re.search(r"[Tt ]", core)
    if separator:
        date_text, time_text = core[: separator.start()], core[separator.end() :]
        if not FULL_DATE_RE.fullmatch(date_text):
            if separator.group() in "Tt" and re.match(r"[0-9]{2}:", time_text):
                raise fail("a time needs a full date YYYY-MM-DD before it")
            raise fail(f"this is not a date form the site reads; {HINT}{month_name_hint(core)}")
        if marks:
            raise fail("a date with a time takes no qualifier")
        check_time(time_text, fail)
    if date_text.startswith("-"):
        raise fail("years before 1 CE (negative years) are not supported")
    if date_text.startswith(("y", "Y")):
        raise fail("EDTF 'Y' years (more than four digits, or negative) are not supported")
    parts = date_text.split("-")
    if (
        len(parts) > 3
        or [len(p) for p in parts] != [4, 2, 2][: len(parts)]
        or not all(DATE_PART_RE.fullmatch(p) for p in parts)
    ):
        if len(parts) == 1 and re.fullmatch(r"[0-9]{5,}", date_text):
            raise fail(f"years have four digits and parts are separated by '-'; {HINT}")
        raise fail(f"this is not a date form the site reads; {HINT}{month_name_hint(core)}")
    return parts


def _year(parts: list[str], fail: Fail) -> tuple[int | None, str]:
    """The year (None when wholly unspecified) and which part of the date is unspecified."""
    digits = "".join(parts)
    first_x = next((i for i, c in enumerate(digits) if c in UNSPECIFIED_DIGITS), len(digits))
    if any(c not in UNSPECIFIED_DIGITS for c in digits[first_x:]):
        raise fail(
            "unspecified digits (X) may only stand for the last digits of a date, as in 199X or 2025-11-XX; "
            "other patterns (EDTF level 2) are not supported"
        )
    if first_x in (5, 7):
        raise fail("a month or day is two digits or XX; a half-known month or day (EDTF level 2) is not supported")
    hidden = max(0, 4 - first_x)
    year = int(parts[0][: 4 - hidden] + "0" * hidden) if hidden < 4 else None
    if year == 0:
        raise fail("year 0000 is not supported (ISO 8601 counts it as 1 BCE)")
    unspecified = {1: "year", 2: "decade", 3: "century", 4: "millennium"}.get(hidden, "")
    if not unspecified and first_x < len(digits):
        unspecified = "month" if first_x == 4 else "day"
    return year, unspecified


def month_name_hint(text: str) -> str:
    """A pointer to the month field when the text names a month in words."""
    words = re.findall(r"[A-Za-z]{3,}", text)
    if any(name.lower().startswith(word.lower()) for word in words for name in MONTHS):
        return " (a month in words belongs in the BibTeX month field, with the year in year)"
    return ""


def check_time(text: str, fail: Fail) -> None:
    """Check the time of a date-time, which is then dropped; raise ``fail`` when it is not a time."""
    match = TIME_RE.fullmatch(text)
    if not match:
        raise fail(f"time {text!r} is not hh:mm or hh:mm:ss, optionally with Z or an offset such as +10:00")
    hour, minute, second, offset_hour, offset_minute = match.groups()
    # 24:00 is not accepted: EDTF and ISO 8601-1:2019 write midnight as 00:00.
    limits = (
        ("hour", hour, 23),
        ("minute", minute, 59),
        ("second", second, 60),
        ("offset hour", offset_hour, 23),
        ("offset minute", offset_minute, 59),
    )
    for name, part, highest in limits:
        if part is not None and int(part) > highest:
            raise fail(f"{name} {part} does not exist ({name}s are 00-{highest})")


def from_year_month(year: str, month: str = "", day: str = "") -> DateValue:
    """Read BibTeX year, month and day fields: "2025", "nov" or "November" or "11", "21".

    The year may carry an EDTF qualifier ("2025?"), which applies to the whole
    date.  The month may be a number, an English name or abbreviation, a BibTeX
    macro name (bibtexparser gives ``nov`` bare), or a range of two ("jun--jul",
    also as the concatenation ``jun # "--" # jul``).
    """
    given = ", ".join(f"{name} {text!r}" for name, text in (("year", year), ("month", month), ("day", day)) if text)

    def fail(reason: str) -> DateError:
        return DateError(f"{given or f'year {year!r}'}: {reason}")

    year_text, month_text, day_text = unbrace(year), month_field(month), unbrace(day)
    point = _year_field(year_text, fail)
    if not month_text:
        if day_text:
            raise fail("a day needs a month")
        return DateValue(point)
    if point.unspecified:
        raise fail("a year with unspecified digits cannot take a month")
    assert point.year is not None
    names = MONTH_RANGE_RE.split(month_text)
    if len(names) == 2:
        return _month_range(point, names, day_text, fail)
    if len(names) > 2:
        raise fail("a month range has two months, e.g. jun--jul")
    number = month_number(month_text, fail)
    day_number = None
    if day_text:
        if not DAY_FIELD_RE.fullmatch(day_text):
            raise fail("the day must be a number, e.g. 21")
        day_number = int(day_text)
    problem = point_problem(point.year, number, day_number, "", None)
    if problem:
        raise fail(problem)
    return DateValue(replace(point, month=number, day=day_number))


def _year_field(year_text: str, fail: Fail) -> Point:
    """The BibTeX year field as a date: four digits, perhaps with unspecified digits and a qualifier."""
    if not year_text:
        raise fail("the year is empty")
    if not YEAR_FIELD_RE.fullmatch(year_text):
        if re.search(r"[0-9]{4}.*[-/\u2013]", year_text):
            raise fail("a year field holds one year; put a full date or a range in the date field, e.g. 1984/1986")
        raise fail("the year must be four digits, e.g. 2025")
    return read_point(year_text, fail)


def _month_range(point: Point, names: list[str], day_text: str, fail: Fail) -> DateValue:
    """A year with a range of two months ("jun--jul")."""
    first, last = month_number(names[0], fail), month_number(names[1], fail)
    if day_text:
        raise fail("a day cannot go with a range of months")
    if first > last:
        raise fail(f"the months run backwards ({MONTHS[first - 1]} to {MONTHS[last - 1]})")
    if first == last:
        return DateValue(replace(point, month=first))
    return DateValue(replace(point, month=first), replace(point, month=last), is_range=True)


def unbrace(text: str) -> str:
    """A field value without surrounding whitespace and case-protection braces."""
    text = text.strip()
    while text.startswith("{") and text.endswith("}"):
        text = text[1:-1].strip()
    return text


def month_field(text: str) -> str:
    """A month field with BibTeX concatenation (``jun # "--" # jul``) joined up."""
    if "#" not in text:
        return unbrace(text)
    return "".join(unbrace(piece.strip().strip('"')) for piece in text.split("#"))


def month_number(text: str, fail: Fail) -> int:
    """The number 1-12 of a month given as a number, an English name or abbreviation, or a BibTeX macro."""
    token = text.strip().lower().rstrip(".")
    if re.fullmatch(r"[0-9]{1,2}", token):
        if 1 <= int(token) <= 12:
            return int(token)
        raise fail(f"month {text!r} does not exist (months are 1-12)")
    if len(token) >= 3 and token.isalpha():
        for number, name in enumerate(MONTHS, start=1):
            if name.lower().startswith(token):
                return number
    raise fail(f"month {text!r} is not a month number, an English month name or a BibTeX macro jan-dec")
