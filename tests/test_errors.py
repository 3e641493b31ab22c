"""Every kind of bad input is a located, coded error with a non-zero exit, and output/ survives."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SOURCE_TEXTS, Builder, Site, problem_lines

GOOD = "A claim.[@rs] Another.[@cz] Unknown.[@anon]\n"
#: Source rs with the file name of its text.
BIB_WITH_TEXT = (
    "@online{rs, title={T}, author={A}, journaltitle={O}, date={2025}, url={https://x.org}, kind={news},"
    " sourcetext={rs.txt}}\n"
)


def break_and_build(
    site: Site,
    *,
    page: str | None = None,
    bib: dict[str, str] | None = None,
    extra: dict[str, str] | None = None,
    texts: Path | None = None,
) -> list[str]:
    """Break a good site, build it over a last good output; return the problem lines of the failed build."""
    site.page("one", GOOD if page is None else page, title="Page one")
    for key, text in (bib or {}).items():
        site.write(f"citations/{key}.bib", text)
    for rel, text in (extra or {}).items():
        site.write(rel, text)
    site.configure(texts or SOURCE_TEXTS)
    result = BUILDER.build(site.root)
    assert result["code"] == 1, result["stderr"]
    assert "still holds the last good build" in result["stderr"]
    # the failed build did not touch the last good output, and left nothing beside it
    assert result["sentinel_intact"] and result["files"] == ["sentinel.html"], result["files"]
    assert not list(site.root.glob(".output-new-*"))
    lines = problem_lines(result["stderr"])
    assert lines, result["stderr"]
    return lines


@pytest.fixture(autouse=True)
def _builder(builder: Builder) -> None:
    global BUILDER
    BUILDER = builder


BUILDER: Builder


def test_the_good_site_builds(site: Site) -> None:
    site.page("one", GOOD, title="Page one")
    result = site.build()
    assert result.returncode == 0, result.stderr
    assert problem_lines(result.stderr) == []


def test_unknown_key_with_suggestion(site: Site) -> None:
    lines = break_and_build(site, page=GOOD + "\nTypo here.[@rss]\n")
    assert lines == [
        "content/pages/one.md:6:12: error: unknown citation key 'rss' (did you mean 'rs'?) [cite.unknown-key]"
    ]


def test_citation_syntax_error(site: Site) -> None:
    lines = break_and_build(site, page=GOOD + "\nEmpty.[@]\n")
    assert lines == ["content/pages/one.md:6:8: error: missing citation key after '@' in '@' [cite.syntax]"]


def test_malformed_bibtex_located_and_other_entries_still_checked(site: Site) -> None:
    bad = (
        "@online{good2,\n  title = {x},\n  kind = {rumour},\n}\n\n@online{broken,\n"
        "  title = {Unclosed,\n  kind = {news}\n"
    )
    lines = break_and_build(site, bib={"mixed": bad})
    assert (
        "citations/mixed.bib:6:1: error: malformed BibTeX entry: Unexpectedly reached end of file. [bib.malformed]"
        in lines
    )
    # the entry before the broken one was still read and checked
    assert any(line.startswith("citations/mixed.bib:3:3: error: unknown kind 'rumour'") for line in lines)


def test_duplicate_key_in_two_files_reports_both_places(site: Site) -> None:
    lines = break_and_build(
        site, bib={"zz": "@online{rs, title={x}, unknown={author, outlet, date, url}, kind={news}}\n"}
    )
    assert (
        "citations/zz.bib:1:1: error: duplicate key 'rs' (first defined at citations/rs.bib:1) [bib.duplicate-key]"
        in lines
    )
    assert (
        "citations/rs.bib:1:1: error: duplicate key 'rs' (defined again at citations/zz.bib:1) [bib.duplicate-key]"
        in lines
    )


def test_duplicate_key_in_one_file(site: Site) -> None:
    entry = "@online{dup, title={x}, unknown={author, outlet, date, url}, kind={news}}\n"
    lines = break_and_build(site, bib={"dup": entry + "\n" + entry})
    assert (
        "citations/dup.bib:3:1: error: duplicate key 'dup' (first defined at citations/dup.bib:1) [bib.duplicate-key]"
        in lines
    )


def test_missing_required_field(site: Site) -> None:
    lines = break_and_build(site, bib={"rs": "@online{rs,\n  title = {T},\n  kind = {news},\n}\n"})
    assert "citations/rs.bib:1:1: error: 'rs' has no author or editor [bib.missing-field]" in lines
    assert (
        "citations/rs.bib:1:1: error: 'rs' has no outlet (journaltitle, journal, booktitle, publisher, "
        "organization...) [bib.missing-field]"
    ) in lines
    assert "citations/rs.bib:1:1: error: 'rs' has no url, doi or eprint [bib.missing-field]" in lines


def test_missing_kind(site: Site) -> None:
    lines = break_and_build(site, bib={"anon": "@misc{anon,\n  unknown = {title, author, outlet, date, url},\n}\n"})
    assert lines == ["citations/anon.bib:1:1: error: 'anon' has no kind [bib.missing-field]"]


def test_url_that_is_not_http(site: Site) -> None:
    entry = (
        "@online{rs,\n  title={T}, author={A}, journaltitle={O}, date={2025},\n"
        "  url = {javascript:alert(1)},\n  kind={news},\n}\n"
    )
    lines = break_and_build(site, bib={"rs": entry})
    assert lines == [
        "citations/rs.bib:3:3: error: url of 'rs' is not a plain http(s) address: "
        "'javascript:alert(1)' [bib.url-scheme]"
    ]


def test_unparseable_date(site: Site) -> None:
    entry = (
        "@online{rs,\n  title={T}, author={A}, journaltitle={O},\n"
        "  date = {21/11/2025},\n  url={https://x.org}, kind={news},\n}\n"
    )
    lines = break_and_build(site, bib={"rs": entry})
    assert lines == [
        "citations/rs.bib:3:3: error: date of 'rs': date '21/11/2025': day/month/year (or month/day/year) "
        "order is ambiguous; write the date as YYYY-MM-DD [bib.date]"
    ]


def test_impossible_date(site: Site) -> None:
    entry = (
        "@online{rs,\n  title={T}, author={A}, journaltitle={O},\n"
        "  date = {2025-02-30},\n  url={https://x.org}, kind={news},\n}\n"
    )
    assert break_and_build(site, bib={"rs": entry}) == [
        "citations/rs.bib:3:3: error: date of 'rs': date '2025-02-30': day 30 does not exist in February 2025, "
        "which has 28 days [bib.date]"
    ]


def test_unknown_kind_with_suggestion(site: Site) -> None:
    entry = (
        "@online{rs,\n"
        "  title={T}, author={A}, journaltitle={O}, date={2025}, url={https://x.org},\n  kind = {opinon},\n}\n"
    )
    lines = break_and_build(site, bib={"rs": entry})
    assert lines == ["citations/rs.bib:3:3: error: unknown kind 'opinon' in 'rs' (did you mean 'opinion'?) [bib.kind]"]


def test_missing_bib_file(site: Site) -> None:
    site.page("one", GOOD, title="Page one")
    conf = site.configure()
    original = conf.read_text()
    conf.write_text(original + 'BIBCITE_BIBLIOGRAPHY = ["citations", "citations/missing.bib"]\n')
    result = BUILDER.build(site.root)
    assert result["code"] == 1 and result["sentinel_intact"]
    line_no = len(original.splitlines()) + 1
    assert problem_lines(result["stderr"]) == [
        f"pelicanconf.py:{line_no}:39: error: bibliography file or folder 'citations/missing.bib' does not exist "
        "[bib.missing-file]"
    ]


def test_quoted_passage_not_in_the_source_text(site: Site, tmp_path_factory: pytest.TempPathFactory) -> None:
    texts = tmp_path_factory.mktemp("texts")
    (texts / "rs.txt").write_text("The plan, first leaked to the news site Axios on Wednesday.\n")
    page = GOOD + '\nFound.[@rs, "first  leaked to the news site"] Not.[@rs, "leaked to Reuters"]\n'
    lines = break_and_build(
        site,
        page=page,
        texts=texts,
        bib={"rs": BIB_WITH_TEXT},
    )
    assert lines == [
        "content/pages/one.md:6:52: error: quoted passage not found in the text of 'rs': \u201cleaked to Reuters\u201d "
        "[quote.not-found]"
    ]


def test_a_source_with_neither_its_text_nor_a_fingerprint_is_an_error(
    site: Site, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The checks against the sources are never skipped silently: a text that is absent needs a fingerprint."""
    lines = break_and_build(
        site,
        bib={"rs": BIB_WITH_TEXT},
        texts=tmp_path_factory.mktemp("empty") / "absent",
    )
    assert lines == [
        "citations/rs.bib:1:1: error: source 'rs' has neither its text nor a fingerprint: its quotations cannot be "
        "checked [quote.fingerprint]"
    ]


def test_the_checks_against_sources_are_off_only_when_configured_off(site: Site) -> None:
    site.page("one", GOOD, title="Page one")
    settings = site.configure()
    with settings.open("a", encoding="utf-8") as conf:
        conf.write('EXPLAINER_SOURCE_TEXTS = ""\n')
    result = BUILDER.build(site.root)
    assert result["code"] == 0, result["stderr"]
    assert "quote, verbatim and copy checks were skipped [quote.skipped]" in result["stderr"]


def test_quotation_longer_than_25_words(site: Site) -> None:
    long = " ".join(["word"] * 26)
    lines = break_and_build(site, page=GOOD + f'\nShe said "{long}".[@rs]\n')
    assert lines == ["content/pages/one.md:6:10: error: quotation of 26 words (at most 25) [quote.too-long]"]


def test_javascript_link_and_raw_script(site: Site) -> None:
    page = GOOD + '\n[click](javascript:alert(1)) and <script>alert(1)</script>\n\n<p onclick="x()">hi</p>\n'
    lines = break_and_build(site, page=page)
    assert (
        "content/pages/one.md:6:9: error: link with the unsafe scheme 'javascript': "
        "'javascript:alert(1)' [md.link-scheme]" in lines
    )
    assert "content/pages/one.md:6:34: error: raw HTML element <script> is not allowed [md.raw-html]" in lines
    assert "content/pages/one.md:8:1: error: raw HTML element <p> is not allowed [md.raw-html]" in lines


def test_non_utf8_file(site: Site) -> None:
    site.configure()
    (site.root / "content/pages").mkdir(parents=True)
    (site.root / "content/pages/one.md").write_bytes(b"Title: x\nDate: 2026-11-22\n\nCaf\xe9 claim.[@rs]\n")
    result = BUILDER.build(site.root)
    assert result["code"] == 1 and result["sentinel_intact"]
    errors = [line for line in problem_lines(result["stderr"]) if ": error: " in line]
    assert errors == [
        "content/pages/one.md:4:4: error: file is not valid UTF-8 (invalid continuation byte) [md.encoding]"
    ]


CLAUSE = """Title: Territory
Clause: 21
Section: Territory
Summary: A summary.
Related: 22
Date: 2026-11-22

Body.[@rs]
"""


CLAUSE22 = CLAUSE.replace("Clause: 21", "Clause: 22").replace("Related: 22", "Related: 21")


def test_missing_clause_field(site: Site) -> None:
    lines = break_and_build(
        site,
        extra={"content/clauses/21.md": CLAUSE.replace("Summary: A summary.\n", ""), "content/clauses/22.md": CLAUSE22},
    )
    assert lines == ["content/clauses/21.md:6:1: error: clause page has no 'summary' field [clause.missing-field]"]


def test_clause_section_and_duplicate_number(site: Site) -> None:
    lines = break_and_build(
        site,
        extra={
            "content/clauses/21.md": CLAUSE,
            "content/clauses/22.md": CLAUSE22,
            "content/clauses/21-again.md": CLAUSE.replace("Section: Territory", "Section: Economics and recovery"),
        },
    )
    assert (
        "content/clauses/21-again.md:3:10: error: section 'Economics and recovery' "
        "does not match clause 21 [clause.section]" in lines
    )
    assert (
        "content/clauses/21.md:2:1: error: clause 21 is also annotated in content/clauses/21-again.md "
        "[clause.duplicate]"
    ) in lines


def test_related_clause_without_a_page(site: Site) -> None:
    lines = break_and_build(site, extra={"content/clauses/21.md": CLAUSE})
    assert lines == ["content/clauses/21.md:5:1: error: related clause 22 has no page [clause.related-missing]"]


def test_clause_number_out_of_range(site: Site) -> None:
    lines = break_and_build(site, extra={"content/clauses/29.md": CLAUSE.replace("Clause: 21", "Clause: 29")})
    assert lines == ["content/clauses/29.md:2:9: error: clause number '29' is not 1-28 [clause.number]"]
