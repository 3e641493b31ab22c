"""The real site: all 28 clauses, the site pages, and the honesty rules a machine can check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import REPO, SOURCE_TEXTS, real_context

from explainer import quotes
from pelican.plugins.bibcite.bibliography import load
from pelican.plugins.bibcite.settings import merge, rules
from tools.check import read_settings

SITE_RULES = rules(merge(read_settings(REPO / "pelicanconf.py")))

SECTIONS = {
    "Sovereignty and security guarantees": range(1, 12),
    "Economics and recovery": range(12, 21),
    "Territory": range(21, 24),
    "Humanitarian issues and confidence-building measures": range(24, 29),
}


def soup(root: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((root / rel).read_text(encoding="utf-8"), "html.parser")


def articles_cited(page: BeautifulSoup) -> set[str]:
    return {li["data-source"] for li in page.select("li.note")} - {"plan2025"}


@pytest.mark.parametrize("number", range(1, 29))
def test_every_clause_page_is_complete(real_site: Path, number: int) -> None:
    page = soup(real_site, f"point-{number}.html")
    assert page.select_one("h1 .clause-number").get_text() == f"Point {number}"
    section = next(name for name, numbers in SECTIONS.items() if number in numbers)
    assert section in page.select_one("nav.breadcrumbs").get_text()
    # the verbatim clause, set apart, with stable ids on its sub-items, cited to the plan
    quote = page.select_one(f"blockquote.clause-text#point-{number}-text")
    assert quote is not None and len(quote.get_text(" ").split()) >= 5
    for item in quote.select("p[id], li[id]"):
        assert re.fullmatch(rf"point-{number}-([a-z]|\d+)", item["id"])
    assert page.select_one("li.note[data-source=plan2025]") is not None
    # the plain-words section exists and is cited
    plain = page.find(id="plain-words")
    assert plain is not None
    following = plain.find_next_siblings()
    body = []
    for element in following:
        if element.name == "h2":
            break
        body.append(element)
    assert body and any(e.select("a.noteref") for e in body)
    assert page.find(id="reporting") is not None
    # two different articles where two exist: a page citing just one says it is the only one
    cited = articles_cited(page)
    if len(cited) == 1:
        assert "is the only one of the five articles" in page.get_text(" ")
    if not cited:
        assert "None of the five articles in our sources discusses" in page.get_text(" ")


def test_sub_items_are_all_there(real_site: Path) -> None:
    ids = {item["id"] for n in range(1, 29) for item in soup(real_site, f"point-{n}.html").select(".clause-text [id]")}
    for expected in (
        "point-21-a",
        "point-21-d",
        "point-12-f",
        "point-13-c",
        "point-20-a",
        "point-24-d",
        "point-10-1",
        "point-10-4",
    ):
        assert expected in ids


def test_where_reports_differ_on_the_army_cap(real_site: Path) -> None:
    differ = soup(real_site, "point-6.html").select_one("section.differ")
    text = " ".join(differ.get_text(" ").split())
    for figure in ("600,000", "400,000", "half", "900,000", "800,000"):
        assert figure in text
    cited = {a["href"] for a in differ.select("a.noteref")}
    page = soup(real_site, "point-6.html")
    keys = {page.find(id=href[1:])["data-source"] for href in cited}
    assert {"plan2025", "crisiszone2025", "rollingstone2025", "fineprint2025", "braxton2025"} <= keys


def test_where_reports_differ_on_russian_as_a_state_language(real_site: Path) -> None:
    page = soup(real_site, "point-20.html")
    text = " ".join(page.select_one("section.differ").get_text(" ").split())
    assert "Russian" in text and "state language" in text
    assert {"braxton2025", "plan2025"} <= {
        page.find(id=a["href"][1:])["data-source"] for a in page.select("section.differ a.noteref")
    }


def test_home_lists_the_28_clauses_by_section(real_site: Path) -> None:
    page = soup(real_site, "index.html")
    for name, numbers in SECTIONS.items():
        section = page.find(id=name.lower().replace(" ", "-"))
        links = [a["href"].removeprefix("./") for a in section.select("ol.clauses a")]
        assert links == [f"point-{n}.html" for n in numbers]
    assert page.find(id="text-source") is not None and page.find(id="how-to-read") is not None
    assert page.select("section.notes li.note")


def test_coverage_matrix_is_generated_from_the_citations(real_site: Path) -> None:
    table = soup(real_site, "coverage.html").select_one("table.coverage")
    keys = [
        a["href"].removeprefix("./").removeprefix("sources/").removesuffix(".html") for a in table.select("thead th a")
    ]
    rows = table.select("tbody tr")
    assert len(rows) == 28
    for row in rows:
        href = row.th.a["href"].removeprefix("./")
        page = soup(real_site, href)
        counts = {li["data-source"]: len(li.select("a.backref")) for li in page.select("li.note")}
        cells = [td.get_text(strip=True) for td in row.select("td")[: len(keys)]]
        assert cells == [str(counts[k]) if k in counts else "none" for k in keys], href


def test_timeline_and_method_pages(real_site: Path) -> None:
    timeline = soup(real_site, "timeline.html")
    entries = [
        li
        for li in timeline.select("article li")
        if li.find("strong") and li.find_parent("section", class_="notes") is None
    ]
    assert len(entries) >= 8
    for li in entries:
        assert li.select("a.noteref"), li.get_text()[:80]
    method = soup(real_site, "method.html")
    assert {"kinds", "reliability", "quotations", "unknown", "corrections"} <= {
        e.get("id") for e in method.select("[id]")
    }


def test_every_source_page_exists_and_the_plan_is_cited_everywhere(real_site: Path) -> None:
    sources, problems = load(["citations"], REPO, rules=SITE_RULES)
    assert problems == []
    for key in sources:
        assert (real_site / "sources" / f"{key}.html").is_file()
    cited_in = soup(real_site, "sources/plan2025.html").select("ul.cited-in li")
    assert len(cited_in) >= 28


# The honesty checks themselves, on the real sources.
def texts() -> dict[str, str]:
    if not SOURCE_TEXTS.is_dir():  # a clone without ../shared: tests/test_fingerprint.py runs the checks there
        pytest.skip("the articles' texts are not beside this clone")
    sources, _ = load(["citations"], REPO, rules=SITE_RULES)
    found, problems = quotes.load_texts(sources, SOURCE_TEXTS)
    assert found and not problems, "source texts are needed"
    return found


def test_copy_check_catches_26_words_but_not_25() -> None:
    index = quotes.CopyIndex(texts())
    source = (SOURCE_TEXTS / "001_0d61ea94114a134e.txt").read_text(encoding="utf-8")
    words = quotes.words(source)[40:80]
    assert index.find(" ".join(words[:26])) is not None
    assert index.find(" ".join(words[:25])) is None
    problems = quotes.check_copy(index, "Intro.\n\n" + " ".join(words[:26]) + "\n", "x.md", [])
    assert [(p.line, p.code) for p in problems] == [(3, "copy.long-run")]


def test_quote_check_normalises_only_whitespace_and_quote_marks() -> None:
    t = texts()
    assert quotes.check_quote("would need  years to seize\nthe remainder", "crisiszone2025", t, "x", 1, 1) is None
    assert quotes.check_quote("Neither Ukraine nor America's European allies", "rollingstone2025", t, "x", 1, 1) is None
    assert quotes.check_quote("would need years to capture the remainder", "crisiszone2025", t, "x", 1, 1) is not None


def test_no_source_passage_over_25_words_in_content() -> None:

    from tools import check as check_tool

    collector, pages = check_tool.check(REPO / "pelicanconf.py")
    assert pages >= 33
    assert not [p for p in collector.problems if p.code in ("quote.skipped", "bib.sourcetext")]  # texts were read
    assert [p.format() for p in collector.problems if p.code.startswith("copy.")] == []


def _check_clause(text: str) -> list[str]:
    """The problem codes make check reports for clause page *text* (real sources, real settings)."""
    from pelican.plugins.bibcite.document import analyse

    return [p.code for p in analyse(text.encode(), "content/clauses/21-territory.md", real_context()).problems]


def test_the_clause_quotation_is_the_whole_point_in_order() -> None:
    """Each paragraph occurring somewhere in the plan is not enough: the quotation is point N, complete."""
    page = (REPO / "content/clauses/21-territory.md").read_text(encoding="utf-8")
    assert "clause.incomplete" not in _check_clause(page)
    lines = page.split("\n")
    item_b = next(i for i, line in enumerate(lines) if line.startswith("b. "))
    missing_b = "\n".join(lines[:item_b] + lines[item_b + 2 :])
    assert "clause.incomplete" in _check_clause(missing_b)
    point_22 = (
        "After agreeing on future territorial arrangements, both the Russian Federation and Ukraine undertake "
        "not to change these arrangements by force."
    )
    borrowed = page.replace("\n:::\n", f"\n\n{point_22}\n:::\n", 1)
    codes = _check_clause(borrowed)
    assert "clause.incomplete" in codes and "clause.not-verbatim" not in codes


def test_plain_words_cite_the_plan_by_point() -> None:
    """A bare [@plan2025] in 'In plain words' is refused; the real pages name the point everywhere."""
    page = (REPO / "content/clauses/21-territory.md").read_text(encoding="utf-8")
    assert "cite.primary-pinpoint" not in _check_clause(page)
    heading = page.index("\n", page.index("{#plain-words}"))
    bare = page[:heading] + "\n\nThe point keeps the line of contact.[@plan2025]" + page[heading:]
    assert "cite.primary-pinpoint" in _check_clause(bare)


def test_corrections_are_logged_and_shown_on_the_corrected_pages(real_site: Path) -> None:
    log = soup(real_site, "corrections.html")
    entries = {h["id"] for h in log.select("h3[id]")}
    assert {"plan-provenance", "territory-recognition", "weapons-limit"} <= entries
    for number in range(1, 29):
        line = soup(real_site, f"point-{number}.html").select_one("p.corrected")
        assert line is not None, number
        targets = {a["href"].split("#")[1] for a in line.select("a") if "#" in a["href"]}
        assert "plan-provenance" in targets and targets <= entries, (number, targets - entries)
    assert soup(real_site, "point-21.html").select_one("p.corrected a[href$='#territory-recognition']")
    for page in ("index.html", "method.html", "timeline.html"):  # every template shows the notice
        assert soup(real_site, page).select_one(
            "p.corrected a[href$='#plan-provenance'], p.corrected a[href$='#hedges']"
        ), page
    assert any(a.get_text() == "Corrections" for a in log.select("header nav a"))


def test_every_clause_page_says_when_it_was_last_reviewed_against_its_sources(real_site: Path) -> None:
    """A full review by a second reader is dated on each clause page; none is left without one."""
    for number in range(1, 29):
        line = soup(real_site, f"point-{number}.html").select_one("article.clause p.reviewed")
        assert line is not None, number
        text = " ".join(line.get_text(" ").split())
        assert text.startswith("Last reviewed against its sources on 2 December 2026"), (number, text)
        assert line.select_one('a[href$="method.html#review"]') is not None


def test_markers_are_joined_to_their_word_and_clause_pages_have_wayfinding(real_site: Path) -> None:
    """A marker never starts a line; each clause page opens with its neighbours and what backs it."""
    page = soup(real_site, "point-21.html")
    markers = page.select("article.clause sup.cite")
    assert markers and all(sup.get_text().startswith("\u2060") for sup in markers)  # word joiner first
    top = page.select_one("nav.prevnext-top")
    assert [a["href"] for a in top.select("a")] == ["./point-20.html", "./point-22.html"]
    assert top["aria-label"] != page.select_one("nav.prevnext:not(.prevnext-top)")["aria-label"]
    trust = " ".join(page.select_one("article.clause p.trust").get_text(" ").split())
    assert trust.startswith("Sources on this page: ") and "crisis.zone (opinion)" in trust
    kinds = {note["data-source"] for note in page.select("li.note")}
    assert len(trust.split("), ")) == len(kinds)  # each cited source once, in note order


def test_every_page_has_a_search_box_and_a_way_back_to_the_top(real_site: Path) -> None:
    for path in sorted(real_site.glob("*.html")):
        if path.name == "print.html":
            continue  # the print edition has no navigation (tests/test_print.py)
        page = soup(real_site, path.name)
        assert page.select_one("#top") is not None and page.select_one('footer a[href="#top"]'), path.name
        boxes = page.select("header form[role=search]")
        if path.name == "search.html":
            assert boxes == []  # the page's own form is the one
        else:
            assert len(boxes) == 1 and boxes[0]["action"] == "./search.html", path.name
            assert boxes[0].select_one("input[name=q]") is not None
