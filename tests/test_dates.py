"""Dates as contributors export them: tables of valid and invalid input, real exports, and properties."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date

import bibtexparser
import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from pelican.plugins.bibcite.dates import DateError, DateValue, Point, from_year_month, parse

#: The real exports: a copy inside the repository if there is one, else the shared folder beside it.
FIXTURE_DIRS = (REPO / "tests" / "fixtures" / "bibtex", (REPO / ".." / "shared" / "fixtures" / "bibtex").resolve())
FIXTURE_DIR = next((d for d in FIXTURE_DIRS if d.is_dir()), FIXTURE_DIRS[-1])
CSL_SCHEMA = FIXTURE_DIR.parent / "csl-data.schema.json"
DATE_FIELDS = ("date", "urldate", "eventdate", "origdate")


def parts(*dates: list[int], **extra: object) -> dict:
    """A CSL-JSON date with these date-parts."""
    return {"date-parts": list(dates), **extra}


def literal(text: str) -> dict:
    """A CSL-JSON date given in words."""
    return {"literal": text}


CIRCA = {"circa": True}

# (input, words, iso, csl)
VALID = [
    # ISO 8601 dates, of each precision
    ("2025", "2025", "2025", parts([2025])),
    ("2025-11", "November 2025", "2025-11", parts([2025, 11])),
    ("2025-11-21", "21 November 2025", "2025-11-21", parts([2025, 11, 21])),
    ("  2025-11-21\n", "21 November 2025", "2025-11-21", parts([2025, 11, 21])),
    ("2024-02-29", "29 February 2024", "2024-02-29", parts([2024, 2, 29])),
    ("0876-03-01", "1 March 876", "0876-03-01", parts([876, 3, 1])),
    # date-times: the calendar date as written, never moved to another time zone
    ("2013-10-30T11:20:51-07:00", "30 October 2013", "2013-10-30", parts([2013, 10, 30])),
    ("2013-10-30T11:20:51Z", "30 October 2013", "2013-10-30", parts([2013, 10, 30])),
    ("2013-10-30T11:20", "30 October 2013", "2013-10-30", parts([2013, 10, 30])),
    ("2016-07-18T23:26:06+10:00", "18 July 2016", "2016-07-18", parts([2016, 7, 18])),
    ("2016-12-31T23:59:60.5-0330", "31 December 2016", "2016-12-31", parts([2016, 12, 31])),
    ("2025-11-21 09:00:00", "21 November 2025", "2025-11-21", parts([2025, 11, 21])),
    # closed ranges, compact within a month or a year
    ("1984/1986", "1984\u20131986", "1984/1986", parts([1984], [1986])),
    (
        "2025-11-19/2025-11-21",
        "19\u201321 November 2025",
        "2025-11-19/2025-11-21",
        parts([2025, 11, 19], [2025, 11, 21]),
    ),
    ("2025-11/2025-12", "November\u2013December 2025", "2025-11/2025-12", parts([2025, 11], [2025, 12])),
    (
        "2025-10-30/2025-11-02",
        "30 October \u2013 2 November 2025",
        "2025-10-30/2025-11-02",
        parts([2025, 10, 30], [2025, 11, 2]),
    ),
    (
        "2024-12-30/2025-01-02",
        "30 December 2024 \u2013 2 January 2025",
        "2024-12-30/2025-01-02",
        parts([2024, 12, 30], [2025, 1, 2]),
    ),
    ("2024-11/2025-01", "November 2024 \u2013 January 2025", "2024-11/2025-01", parts([2024, 11], [2025, 1])),
    (
        "2025-11/2025-12-05",
        "November 2025 \u2013 5 December 2025",
        "2025-11/2025-12-05",
        parts([2025, 11], [2025, 12, 5]),
    ),
    ("1968-05-19/1968-05-25", "19\u201325 May 1968", "1968-05-19/1968-05-25", parts([1968, 5, 19], [1968, 5, 25])),
    ("2025/2025", "2025", "2025/2025", parts([2025])),
    ("1984 / 1986", "1984\u20131986", "1984/1986", parts([1984], [1986])),
    # open and unknown ends (EDTF 2019, and the older draft Better BibTeX wrote); CSL-JSON has no closed form
    ("1984/", "from 1984", "1984/..", literal("from 1984")),
    ("/1986", "until 1986", "../1986", literal("until 1986")),
    ("1984/..", "from 1984", "1984/..", literal("from 1984")),
    ("../1986", "until 1986", "../1986", literal("until 1986")),
    ("2004-06-01/unknown", "from 1 June 2004", "2004-06-01/..", literal("from 1 June 2004")),
    ("unknown/2006", "until 2006", "../2006", literal("until 2006")),
    ("2004-01-01/open", "from 1 January 2004", "2004-01-01/..", literal("from 1 January 2004")),
    ("XXXX/2006", "until 2006", "../2006", literal("until 2006")),
    # EDTF qualifiers, said in words; iso() leaves them to csl()'s circa and edtf()
    ("2025~", "circa 2025", "2025", parts([2025], **CIRCA)),
    ("2025?", "2025 (uncertain)", "2025", parts([2025], **CIRCA)),
    ("2025%", "circa 2025 (uncertain)", "2025", parts([2025], **CIRCA)),
    ("1723?~", "circa 1723 (uncertain)", "1723", parts([1723], **CIRCA)),
    ("2025-11~", "circa November 2025", "2025-11", parts([2025, 11], **CIRCA)),
    ("2025-11-21?", "21 November 2025 (uncertain)", "2025-11-21", parts([2025, 11, 21], **CIRCA)),
    ("1984~/1986~", "circa 1984\u20131986", "1984/1986", parts([1984], [1986], **CIRCA)),
    ("1984?/1986", "from 1984 (uncertain) to 1986", "1984/1986", parts([1984], [1986], **CIRCA)),
    ("1984/1986~", "from 1984 to circa 1986", "1984/1986", parts([1984], [1986], **CIRCA)),
    (
        "2025-11-19%/2025-11-21%",
        "circa 19\u201321 November 2025 (uncertain)",
        "2025-11-19/2025-11-21",
        parts([2025, 11, 19], [2025, 11, 21], **CIRCA),
    ),
    ("1984~/", "from circa 1984", "1984/..", literal("from circa 1984")),
    ("../1986?", "until 1986 (uncertain)", "../1986", literal("until 1986 (uncertain)")),
    # unspecified digits widen the date; CSL-JSON gets the span they allow
    ("199X", "the 1990s", "199X", parts([1990], [1999])),
    ("199u", "the 1990s", "199X", parts([1990], [1999])),
    ("19XX", "between 1900 and 1999", "19XX", parts([1900], [1999])),
    ("19uu", "between 1900 and 1999", "19XX", parts([1900], [1999])),
    ("190X", "between 1900 and 1909", "190X", parts([1900], [1909])),
    ("1XXX", "between 1000 and 1999", "1XXX", parts([1000], [1999])),
    ("XXXX", "date unknown", "XXXX", literal("date unknown")),
    ("2025-11-XX", "November 2025", "2025-11-XX", parts([2025, 11])),
    ("2025-XX", "2025", "2025-XX", parts([2025])),
    ("2025-XX-XX", "2025", "2025-XX", parts([2025])),
    ("1999-uu-uu", "1999", "1999-XX", parts([1999])),
    ("1999-01-uu", "January 1999", "1999-01-XX", parts([1999, 1])),
    ("199X~", "the 1990s (approximate)", "199X", parts([1990], [1999], **CIRCA)),
    ("19XX%", "between 1900 and 1999 (approximate, uncertain)", "19XX", parts([1900], [1999], **CIRCA)),
    ("199X/2005", "from the 1990s to 2005", "199X/2005", parts([1990], [2005])),
    ("1984/199X", "from 1984 to the 1990s", "1984/199X", parts([1984], [1999])),
    # EDTF seasons 21-24
    ("2025-21", "spring 2025", "2025-21", parts([2025], season=1)),
    ("2004-22", "summer 2004", "2004-22", parts([2004], season=2)),
    ("2025-23~", "circa autumn 2025", "2025-23", parts([2025], season=3, **CIRCA)),
    ("2025-24", "winter 2025", "2025-24", parts([2025], season=4)),
    ("2004-21/2004-23", "spring\u2013autumn 2004", "2004-21/2004-23", parts([2004])),
    ("2004-24/2005-21", "winter 2004 \u2013 spring 2005", "2004-24/2005-21", parts([2004], [2005])),
]

# (year, month, day, words, iso)
VALID_FIELDS = [
    ("2025", "", "", "2025", "2025"),
    ("2025", "nov", "", "November 2025", "2025-11"),
    ("2025", "November", "", "November 2025", "2025-11"),
    ("2025", "Nov.", "", "November 2025", "2025-11"),
    ("2025", "sept", "", "September 2025", "2025-09"),
    ("2025", "11", "", "November 2025", "2025-11"),
    ("2025", "01", "", "January 2025", "2025-01"),
    ("2025", "1", "", "January 2025", "2025-01"),
    ("2025", "nov", "21", "21 November 2025", "2025-11-21"),
    ("2024", "feb", "29", "29 February 2024", "2024-02-29"),
    ("2025", " {November} ", "03", "3 November 2025", "2025-11-03"),
    ("{2025}", "dec", "", "December 2025", "2025-12"),
    ("2025?", "", "", "2025 (uncertain)", "2025"),
    ("2025~", "nov", "21", "circa 21 November 2025", "2025-11-21"),
    ("199X", "", "", "the 1990s", "199X"),
    ("2025", 'jun # "--" # jul', "", "June\u2013July 2025", "2025-06/2025-07"),
    ("2025", "June--July", "", "June\u2013July 2025", "2025-06/2025-07"),
    ("2025", "may/may", "", "May 2025", "2025-05"),
]

# (input, words that must appear in the message)
INVALID = [
    ("21/11/2025", "ambiguous"),
    ("11/21/2025", "ambiguous"),
    ("2025/11/21", "more than one '/'"),
    ("2025-13", "month 13 does not exist"),
    ("2025-00", "month 00 does not exist"),
    ("2025-02-30", "day 30 does not exist in February 2025"),
    ("2023-02-29", "day 29 does not exist in February 2023"),
    ("2025-11-32", "day 32 does not exist"),
    ("2025-11-00", "day 00 does not exist"),
    ("November 2025", "month field"),
    ("21 November 2025", "not a date form"),
    ("2025-11-21T25:00", "hour 25"),
    ("2025-11-21T24:00", "hour 24"),
    ("2025-11-21T10:60", "minute 60"),
    ("2025-11-21T10:00+25:00", "offset hour 25"),
    ("2025-11-21T10", "not hh:mm"),
    ("2025-11-21T", "not hh:mm"),
    ("2025-11T10:00", "full date"),
    ("T10:00", "full date"),
    ("2025-11-21T10:00~", "takes no qualifier"),
    ("", "empty"),
    ("   ", "empty"),
    ("abc", "not a date form"),
    ("25", "not a date form"),
    ("2025-1", "not a date form"),
    ("2025-W47", "not a date form"),
    ("2025-325", "not a date form"),
    ("20251121", "four digits"),
    ("-0876", "negative years"),
    ("y-51234", "'Y' years"),
    ("y52000", "'Y' years"),
    ("Y170000002", "'Y' years"),
    ("0000", "year 0000"),
    ("0XXX", "year 0000"),
    ("2025-1X", "half-known"),
    ("2025-11-2X", "half-known"),
    ("2025-XX-21", "last digits"),
    ("1X90", "last digits"),
    ("199X-11", "last digits"),
    ("?2025", "at the end"),
    ("2025?-11", "at the end"),
    ("2025??", "not a qualifier"),
    ("2025~?%", "not a qualifier"),
    ("~", "no date before"),
    ("2025-25", "level 2"),
    ("2025-41", "level 2"),
    ("2025-21-01", "takes no day"),
    ("2025-42", "month 42 does not exist"),
    ("1986/1984", "before it starts"),
    ("2025-11-21/2025-11-19", "before it starts"),
    ("2025-11-21/22", "not a date form"),
    ("..", "only meaningful in a range"),
    ("unknown", "only meaningful in a range"),
    ("/", "at least one known end"),
    ("../..", "at least one known end"),
    ("XXXX/XXXX", "at least one known end"),
]

# (year, month, day, words that must appear in the message)
INVALID_FIELDS = [
    ("", "", "", "year is empty"),
    ("25", "", "", "four digits"),
    ("MMXXV", "", "", "four digits"),
    ("1984--1986", "", "", "date field"),
    ("2025-11", "", "", "date field"),
    ("2025", "13", "", "month '13' does not exist"),
    ("2025", "0", "", "month '0' does not exist"),
    ("2025", "foo", "", "not a month"),
    ("2025", "ju", "", "not a month"),
    ("2025", "feb", "30", "day 30 does not exist in February 2025"),
    ("2025", "nov", "x", "day must be a number"),
    ("2025", "", "3", "day needs a month"),
    ("199X", "nov", "", "unspecified digits"),
    ("2025", "jul--jun", "", "run backwards"),
    ("2025", "jun--jul", "3", "range of months"),
    ("2025", "jan-feb-mar", "", "two months"),
]

#: Values in the real exports that are refused on purpose.  Each can be read in
#: principle, but a news bibliography has no use for it and printing it honestly
#: ("877 BCE"? ISO 8601 counts -0876 as 877 BCE) invites a wrong date on the page.
REFUSED = {
    "-0876": "a negative (BCE) year; ISO 8601 and EDTF count year 0, so it is 877 BCE, easy to print wrongly",
    "y-51234": "an EDTF level 1 'Y' year, negative and of five digits",
    "y52000": "an EDTF level 1 'Y' year of five digits, beyond 9999",
}


def unqualified(value: DateValue) -> DateValue:
    """The value with every qualifier removed."""

    def plain(point: Point | None) -> Point | None:
        return None if point is None else replace(point, approximate=False, uncertain=False)

    return replace(value, start=plain(value.start), end=plain(value.end), approximate=False, uncertain=False)


@pytest.mark.parametrize(("text", "words", "iso", "csl"), VALID, ids=[row[0] for row in VALID])
def test_valid(text: str, words: str, iso: str, csl: dict) -> None:
    value = parse(text)
    assert (value.words(), value.iso(), value.csl()) == (words, iso, csl)
    # Both machine forms read back: iso() without its qualifiers, edtf() exactly.
    assert parse(value.iso()) == unqualified(value)
    assert parse(value.edtf()) == value


@pytest.mark.parametrize(
    ("year", "month", "day", "words", "iso"), VALID_FIELDS, ids=[f"{y}|{m}|{d}" for y, m, d, _, _ in VALID_FIELDS]
)
def test_valid_fields(year: str, month: str, day: str, words: str, iso: str) -> None:
    value = from_year_month(year, month, day)
    assert (value.words(), value.iso()) == (words, iso)
    assert parse(value.edtf()) == value


@pytest.mark.parametrize(("text", "reason"), INVALID, ids=[row[0] or "empty" for row in INVALID])
def test_invalid(text: str, reason: str) -> None:
    with pytest.raises(DateError) as caught:
        parse(text)
    message = str(caught.value)
    assert repr(text) in message
    assert reason in message


@pytest.mark.parametrize(
    ("year", "month", "day", "reason"), INVALID_FIELDS, ids=[f"{y}|{m}|{d}" for y, m, d, _ in INVALID_FIELDS]
)
def test_invalid_fields(year: str, month: str, day: str, reason: str) -> None:
    with pytest.raises(DateError) as caught:
        from_year_month(year, month, day)
    message = str(caught.value)
    assert repr(year) in message
    assert reason in message


def test_built_values_equal_parsed_ones() -> None:
    assert DateValue(Point(2025), approximate=True) == parse("2025~")
    assert DateValue(Point(1984), Point(1986), uncertain=True) == parse("1984?/1986?")
    assert DateValue(Point(1984), Point(1986)) == parse("1984/1986")
    assert DateValue(None, Point(1986)) == parse("/1986")
    assert DateValue(Point(1984), is_range=True) == parse("1984/..")
    assert DateValue(Point(1984), is_range=True) != parse("1984")
    assert parse("1984~/1986").approximate and not parse("1984~/1986").end.approximate


def test_kept_literal() -> None:
    kept = DateValue(None, literal="Michaelmas term, 1925")
    assert (kept.words(), kept.iso(), kept.csl()) == ("Michaelmas term, 1925", "", literal("Michaelmas term, 1925"))
    assert kept.sort_key() > parse("XXXX").sort_key() > parse("2100").sort_key()


@pytest.mark.parametrize("parts", [(2025, 2, 29), (2025, 13, None), (2025, None, 3), (0, None, None)])
def test_point_refuses_impossible_parts(parts: tuple) -> None:
    with pytest.raises(DateError):
        Point(*parts)


def test_sort_key_is_chronological() -> None:
    ordered = [
        "/1984",
        "1984",
        "1984/1986",
        "1985",
        "199X",
        "1995-06-01",
        "1995-06",
        "2025-11-19/2025-11-21",
        "2025-11-21",
        "2025-11-21~",
        "XXXX",
    ]
    shuffled = ordered[:]
    random.Random(1).shuffle(shuffled)
    assert sorted(shuffled, key=lambda text: parse(text).sort_key()) == ordered


def test_csl_matches_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(CSL_SCHEMA.read_text(encoding="utf-8"))
    date_schema = {**schema["definitions"]["date-variable"], "definitions": schema["definitions"]}
    for text, *_ in VALID:
        jsonschema.validate(parse(text).csl(), date_schema)


def fixture_dates() -> list[tuple[str, str, str, str, str, str]]:
    """(file, key, field, year-or-date, month, day) for every date in the real exports."""
    found = []
    for path in sorted(FIXTURE_DIR.glob("*.bib")):
        for entry in bibtexparser.parse_file(str(path)).entries:
            fields = {field.key.lower(): str(field.value) for field in entry.fields}
            found += [(path.name, entry.key, name, fields[name], "", "") for name in DATE_FIELDS if name in fields]
            if "year" in fields:
                # bibtexparser 2 leaves an undefined month macro (month = nov) as its bare name.
                found.append(
                    (path.name, entry.key, "year", fields["year"], fields.get("month", ""), fields.get("day", ""))
                )
    return found


def test_real_exports() -> None:
    assert FIXTURE_DIR.is_dir(), f"real exports missing: looked in {', '.join(str(d) for d in FIXTURE_DIRS)}"
    found = fixture_dates()
    assert found, f"no .bib files with dates in {FIXTURE_DIR}"
    read, refused, failures = 0, [], []
    for name, key, field, text, month, day in found:
        try:
            value = from_year_month(text, month, day) if field == "year" else parse(text)
            assert value.words() and value.csl()
            read += 1
        except DateError as exc:
            (refused if text in REFUSED else failures).append(f"{name} {key} {field}: {exc}")
    print(f"\nreal exports in {FIXTURE_DIR}: {len(found)} date values, {read} read, {len(refused)} refused as listed")
    assert failures == []
    assert len(refused) == len(REFUSED), "REFUSED lists a value the exports no longer hold"


def test_month_macros_from_bibtexparser() -> None:
    library = bibtexparser.parse_string(
        "@online{a, year = 2025, month = nov, day = 21}\n"
        "@online{b, year = {2025}, month = {Sept.}}\n"
        '@online{c, year = 2025, month = jun # "--" # jul}\n'
    )
    got = []
    for entry in library.entries:
        fields = {field.key: str(field.value) for field in entry.fields}
        got.append(from_year_month(fields["year"], fields.get("month", ""), fields.get("day", "")).words())
    assert got == ["21 November 2025", "September 2025", "June\u2013July 2025"]


PRECISIONS = ("year", "month", "day")
QUALIFIERS = ("", "~", "?", "%")


def written(day: date, precision: str, qualifier: str) -> str:
    """*day* written to *precision*, with an EDTF qualifier."""
    text = {"year": f"{day.year:04d}", "month": f"{day.year:04d}-{day.month:02d}", "day": day.isoformat()}[precision]
    return text + qualifier


@st.composite
def written_dates(draw: st.DrawFn) -> tuple[str, date, date | None]:
    """A date or range written from valid parts, with the days it was built from."""
    dates = st.dates(min_value=date(1000, 1, 1), max_value=date(2100, 12, 31))
    first = draw(dates)
    text = written(first, draw(st.sampled_from(PRECISIONS)), draw(st.sampled_from(QUALIFIERS)))
    if not draw(st.booleans()):
        return text, first, None
    # Cutting a later day to any precision still ends at or after the start, so every range is valid.
    last = draw(st.dates(min_value=first, max_value=date(2100, 12, 31)))
    return text + "/" + written(last, draw(st.sampled_from(PRECISIONS)), draw(st.sampled_from(QUALIFIERS))), first, last


@settings(max_examples=150, deadline=None)
@given(written_dates())
def test_property_written_dates_read_back(case: tuple[str, date, date | None]) -> None:
    text, first, last = case
    value = parse(text)
    assert value.start is not None and value.start.year == first.year
    assert value.start.earliest() <= (first.year, first.month, first.day)
    if last is not None:
        assert value.is_range and value.end is not None
        assert value.end.latest() >= (last.year, last.month, last.day)
    assert parse(value.iso()) == unqualified(value)
    assert parse(value.edtf()) == value
    assert value.words() and value.csl()


ALPHABET = "0123456789-/XuT:.Z+~?%"
# Random characters almost never make a date, so half the strings are put together
# from date-like pieces (valid or nearly so) to reach the code past the first check.
YEARS = ("2025", "2024", "1999", "0999", "199X", "19XX", "1XXX", "XXXX", "199u", "0000", "0XXX", "-0876", "20251")
PARTS = ("01", "02", "11", "12", "13", "21", "24", "25", "29", "30", "31", "00", "XX", "uu", "1X", "X1")
TIMES = ("T10:20", "T23:59:60.5", "T25:00", "T10:20:30Z", "T10:20+10:00", "T10:20-0330", "T10", "T", "T24:00")
MARKS = ("~", "?", "%", "?~", "??", "~?%")


def maybe(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """The strategy's text, or nothing."""
    return st.one_of(st.just(""), strategy)


PART = st.sampled_from(PARTS).map("-".__add__)
END = st.tuples(
    st.sampled_from(YEARS), maybe(PART), maybe(PART), maybe(st.sampled_from(TIMES)), maybe(st.sampled_from(MARKS))
).map("".join)
SIDE = st.one_of(END, st.sampled_from(["", ".."]))
DATE_LIKE = st.one_of(END, st.tuples(SIDE, st.just("/"), SIDE).map("".join))


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(alphabet=ALPHABET, max_size=30), DATE_LIKE))
def test_property_any_string_reads_or_raises_date_error(text: str) -> None:
    assert set(text) <= set(ALPHABET)
    try:
        value = parse(text)
    except DateError as exc:
        assert repr(text) in str(exc)
        return
    assert parse(value.edtf()) == value
    assert value.words() and isinstance(value.csl(), dict) and value.sort_key()
