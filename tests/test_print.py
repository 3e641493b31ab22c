"""The print edition (print.html): written by every build, one page, short notes, one bibliography, a colophon.

Two builds of one commit giving a byte-identical print.html is tested with the
archive (tests/test_archive.py: the two zips, print.html inside, are compared).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from bs4 import BeautifulSoup, Tag
from conftest import REPO, Site

from explainer import printed, provenance

PRINT = "print.html"
#: The most A4 pages the edition may print to (it printed 122 to 133 before it had short notes).
MOST_PAGES = 60


@pytest.fixture(scope="module")
def edition(real_site: Path) -> BeautifulSoup:
    return BeautifulSoup((real_site / PRINT).read_text(encoding="utf-8"), "html.parser")


def words(element: Tag) -> str:
    return " ".join(element.get_text(" ").split())


def clause_page(path: Path) -> BeautifulSoup:
    """The clause's article on its page, without its notes (most of the page, and slow to parse)."""
    html = path.read_text(encoding="utf-8")
    start = html.index('<article class="clause"')
    end = html.find('<section class="notes"', start)
    return BeautifulSoup(html[start : end if end != -1 else html.index("</article>", start)], "html.parser")


def test_contents_come_first_then_the_28_clauses_each_with_its_text(real_site: Path, edition: BeautifulSoup) -> None:
    main = edition.select_one("main")
    blocks = [child for child in main.find_all(True, recursive=False)]
    order = [block.get("id") for block in blocks]
    assert order.index("top") < order.index("contents") < order.index("introduction")
    assert main.select_one("header#top h1").get_text() == "The 28-point plan, annotated"
    clauses = edition.select("article.print-clause")
    assert [article["id"] for article in clauses] == [f"point-{n}" for n in range(1, 29)]
    assert all(edition.select_one("#contents").sourceline < article.sourceline for article in clauses)
    assert len(edition.select("#contents .contents-clauses a")) == 28
    for number, article in enumerate(clauses, 1):
        page = clause_page(real_site / f"point-{number}.html")
        assert words(article.select_one("blockquote.clause-text")) == words(page.select_one("blockquote.clause-text"))
        assert words(article.h3) == words(page.select_one("article.clause h1"))
        # Every paragraph of the page's own text is in the edition.
        for paragraph in page.select("article.clause > p[id]"):
            assert article.select_one(f"#p{number}-{paragraph['id']}") is not None, (number, paragraph["id"])


def test_one_bibliography_entry_per_cited_source_and_short_notes(edition: BeautifulSoup) -> None:
    notes = edition.select("section.notes li.note")
    cited = {note["data-source"] for note in notes}
    entries = edition.select("#bibliography li.bib-entry")
    assert sorted(entry["id"] for entry in entries) == sorted(printed.source_id(key) for key in cited)
    for note in notes:
        link = note.select_one("a.source")
        assert link["href"] == "#" + printed.source_id(note["data-source"])
        assert note.select_one(".reliability, .src-url, .badge") is None, "the full entry is in the bibliography"
    # Each reliability paragraph is printed once, in the bibliography, never under a clause.
    reliability = [words(p) for p in edition.select("#bibliography .reliability")]
    assert len(reliability) >= 5
    assert edition.select("article .reliability") == []
    text = words(edition)
    for paragraph in reliability:
        assert text.count(paragraph.removeprefix("Reliability: ")[:120]) == 1
    # A note names the passage each use quotes; its address, a long #:~:text=, prints as the domain.
    fragments = edition.select("article a.fragment")
    assert fragments and all(a["href"].startswith("https://") and "#:~:text=" in a["href"] for a in fragments)
    assert all(a["data-domain"] and "/" not in a["data-domain"] for a in fragments)


def test_every_id_is_unique_and_every_link_within_the_page_resolves(edition: BeautifulSoup, real_site: Path) -> None:
    ids = [tag["id"] for tag in edition.find_all(id=True)]
    assert len(ids) == len(set(ids))
    known = set(ids)
    for tag in edition.find_all(attrs={"aria-labelledby": True}):
        assert set(tag["aria-labelledby"].split()) <= known
    for a in edition.find_all("a", href=True):
        href = a["href"]
        if href.startswith("#"):
            assert href[1:] in known, href
        elif not urlparse(href).scheme:  # another page of the site, beside print.html
            assert (real_site / unquote(href.split("#")[0])).is_file(), href
    # Each marker leads to its note under the same clause, and each note back to a marker.
    for article in edition.select("article.print-clause"):
        own = {tag["id"] for tag in article.find_all(id=True)}
        markers = article.select("a.noteref")
        assert markers and all(a["href"][1:] in own for a in markers)
        assert all(a["href"][1:] in own for a in article.select("li.note a.backref"))


def test_colophon_names_commit_date_and_address(edition: BeautifulSoup) -> None:
    colophon = edition.select_one("#colophon")
    text = words(colophon)
    commit = colophon.select_one(".commit").get_text()
    assert re.fullmatch(r"[0-9a-f]{40}", commit) or commit == "commit unknown"
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    if head:
        assert commit == head
    stamp = colophon.select_one("time")["datetime"]
    assert re.fullmatch(r"20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z", stamp)
    assert "A local build" in text  # pelicanconf.py has no SITEURL


def test_nothing_to_run_or_navigate_and_page_numbers_in_print(edition: BeautifulSoup, real_site: Path) -> None:
    assert edition.find("script") is None and edition.find("form") is None
    assert edition.select(".breadcrumbs, .site-header, .prevnext, .sidenote, [role=search]") == []
    (sheet,) = edition.find_all("link", rel="stylesheet")
    css = (real_site / sheet["href"]).read_text(encoding="utf-8")
    assert re.search(r"@page\s*\{[^}]*@bottom-center\s*\{[^}]*counter\(page\)[^}]*counter\(pages\)", css)
    assert "color-scheme: light" in css and "prefers-color-scheme" not in css
    assert re.search(r"a\.fragment\[data-domain\]::after\s*\{\s*content:[^}]*attr\(data-domain\)", css)


def test_every_page_links_to_it_and_the_search_leaves_it_out(real_site: Path) -> None:
    for rel in ("index.html", "point-21.html", "sources/index.html", "sources/plan2025.html"):
        page = BeautifulSoup((real_site / rel).read_text(encoding="utf-8"), "html.parser")
        link = page.select_one("footer.site-footer a[href$='print.html']")
        assert link is not None and link.get_text() == "Print edition", rel
        assert (
            not urlparse(link["href"]).scheme
            and (real_site / Path(rel).parent / link["href"]).resolve() == (real_site / PRINT).resolve()
        )
    assert PRINT not in (real_site / "search-index.js").read_text(encoding="utf-8")


def test_it_prints_to_at_most_60_a4_pages(browser: object, real_site: Path) -> None:
    page = browser.new_page()
    page.goto((real_site / PRINT).as_uri())
    pdf = page.pdf(format="A4")
    page.close()
    # Each page is one "/Type /Page" object in Chromium's PDF ("/Pages" is the tree above them).
    count = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    assert 20 <= count <= MOST_PAGES, count


def test_a_build_outside_git_says_commit_unknown(site: Site) -> None:
    site.page("one", "A claim.[@rs]\n", title="Page one")
    result = site.build()
    assert result.returncode == 0, result.stderr
    colophon = site.soup(PRINT).select_one("#colophon")
    assert colophon.select_one(".commit").get_text() == "commit unknown"
    # The newest page's date (SOURCE_DATE_EPOCH wins when the environment sets it).
    stamp = os.environ.get("SOURCE_DATE_EPOCH", "")
    expected = provenance.Provenance("", False, int(stamp), "").date if stamp.isdigit() else "2026-11-22T00:00:00Z"
    assert colophon.select_one("time")["datetime"] == expected


def test_provenance_never_fails_and_honours_source_date_epoch(tmp_path: Path) -> None:
    unknown = provenance.read(tmp_path, 1_700_000_000, environ={})
    assert unknown == provenance.Provenance("", False, 1_700_000_000, "pages")
    assert unknown.date == "2023-11-14T22:13:20Z" and unknown.day == "14 November 2023"
    fixed = provenance.read(REPO, 0, environ={"SOURCE_DATE_EPOCH": "1764633600"})
    assert fixed.epoch == 1764633600 and fixed.date_from == "SOURCE_DATE_EPOCH"
    assert provenance.git(tmp_path / "missing", "status") is None


PLACES = printed.Places(
    slug="point",
    clauses=frozenset({5, 21}),
    sections=frozenset({"territory"}),
    sources={"sources/rs.html": "src-rs"},
)


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("#note-3", "#p5-note-3"),
        ("./point-21.html", "#point-21"),
        ("point-21.html#differ", "#p21-differ"),
        ("./point-21.html#point-21", "#point-21"),
        ("./point-22.html", "./point-22.html"),  # not in the edition: the site's page
        ("./index.html#territory", "#territory"),
        ("./index.html#what", "#intro-what"),
        ("./index.html", "#contents"),
        ("sources/rs.html", "#src-rs"),
        ("./method.html#review", "./method.html#review"),
        ("https://example.org/a", "https://example.org/a"),
        ("../x.html", "../x.html"),
    ],
)
def test_links_point_at_the_copies_in_the_edition(href: str, expected: str) -> None:
    assert printed.local_href(href, "p5", PLACES) == expected


def test_rewrite_prefixes_ids_demotes_headings_and_drops_margin_notes() -> None:
    html = (
        '<h2 id="text">The text</h2><p id="text-1" aria-describedby="text">A'
        '\u2060<span class="sidenote" aria-hidden="true"><small>1 RS</small></span>'
        '<sup class="cite">\u2060[<a class="noteref" id="cite-1a" href="#note-1">1</a>]</sup></p>'
    )
    assert printed.rewrite(html, "p5", PLACES, demote=2) == (
        '<h4 id="p5-text">The text</h4><p id="p5-text-1" aria-describedby="p5-text">A'
        '<sup class="cite">\u2060[<a class="noteref" id="p5-cite-1a" href="#p5-note-1">1</a>]</sup></p>'
    )
