"""Site search: the index the sitesearch plugin writes, and the search page that uses it."""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import REPO, build_real_site

from sitesearch import index as sitesearch

PREFIX = "window.SEARCH_INDEX = "
SUFFIX = ";\n"


def load(out: Path) -> dict:
    text = (out / "search-index.js").read_text(encoding="utf-8")
    assert text.startswith(PREFIX) and text.endswith(SUFFIX)
    return json.loads(text[len(PREFIX) : -len(SUFFIX)])


@pytest.fixture(scope="module")
def site(real_site: Path) -> Path:
    """The real site, as the session built it (conftest.real_site)."""
    return real_site


@pytest.fixture(scope="module")
def index(site: Path) -> dict:
    return load(site)


@cache
def page_soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def units_of(index: dict, page: str) -> list[dict]:
    return [u for u in index["u"] if u["u"].split("#")[0] == page]


def test_index_is_a_plain_script_of_compact_json(site: Path, index: dict) -> None:
    raw = (site / "search-index.js").read_bytes()
    text = raw.decode("utf-8")
    assert "\n" not in text[:-1], "one line: no indentation"
    assert index["v"] == 2 and set(index) == {"v", "p", "u"}
    assert all(len(page) == 3 and all(page) for page in index["p"]), "url, title and name"
    for unit in index["u"]:
        assert set(unit) <= {"p", "u", "l", "x"} and {"p", "u", "x"} <= set(unit)
        assert unit["u"] == index["p"][unit["p"]][0] or unit["u"].startswith(index["p"][unit["p"]][0] + "#")
        assert not unit["u"].startswith(("/", ".", "http")), unit["u"]
    assert len(raw) < 400_000 and len(gzip.compress(raw)) < 100_000


def test_every_page_is_indexed_with_its_title_and_the_search_page_is_not(site: Path, index: dict) -> None:
    urls = [url for url, _, _ in index["p"]]
    pages = site.rglob("*.html")  # a page that opts out (search, print edition) carries data-search-exclude
    expected = {p.relative_to(site).as_posix() for p in pages if "data-search-exclude" not in p.read_text("utf-8")}
    assert "search.html" not in expected
    assert set(urls) == expected and len(urls) == len(set(urls))
    assert {f"point-{n}.html" for n in range(1, 29)} | {
        "index.html",
        "sources/index.html",
        "sources/plan2025.html",
    } <= expected
    titles = {url: title for url, title, _ in index["p"]}
    assert titles["point-21.html"] == "Point 21: Territory: Crimea, Donbas and the line of contact"
    assert titles["sources/index.html"] == "Sources"
    own = {u["u"] for u in index["u"] if "l" not in u}
    assert own == set(urls), "every page has its own (title) entry"


def test_all_28_clauses_have_units_whose_fragments_exist(site: Path, index: dict) -> None:
    for number in range(1, 29):
        page = f"point-{number}.html"
        fragments = {u["u"].partition("#")[2] for u in units_of(index, page)} - {""}
        assert any(f.startswith("reporting") for f in fragments), page  # "What the reporting says"
        assert any(f.startswith(f"point-{number}-") for f in fragments), page  # the clause text
    for unit in index["u"]:
        page, _, fragment = unit["u"].partition("#")
        if fragment:
            assert page_soup(site / page).find(id=fragment) is not None, unit["u"]


def test_sub_items_deep_link_to_their_own_ids(index: dict) -> None:
    by_url = {u["u"]: u for u in index["u"]}
    for letter in "abcd":
        unit = by_url[f"point-21.html#point-21-{letter}"]
        assert unit["l"] == f"The text ({letter})"
        assert not unit["x"].startswith(f"{letter}.")
    assert "Zaporizhzhia will be frozen" in by_url["point-21.html#point-21-b"]["x"]
    assert {"point-10.html#point-10-1", "point-10.html#point-10-4", "point-12.html#point-12-f"} <= set(by_url)
    labels = {u["l"] for u in units_of(index, "point-21.html") if "l" in u}
    assert {"What the reporting says", "In plain words"} <= labels


def test_no_notes_citation_markers_or_site_chrome(site: Path, index: dict) -> None:
    everything = "\n".join(u["x"] for u in index["u"])
    assert "\u21a9" not in everything  # the notes' back links
    footer = " ".join(page_soup(site / "index.html").select_one("footer.site-footer").get_text().split())
    assert footer not in everything
    for number in range(1, 29):
        page = f"point-{number}.html"
        soup = page_soup(site / page)
        texts = "\n".join(u["x"] for u in units_of(index, page))
        notes = [" ".join(li.get_text(" ").split()) for li in soup.select("section.notes li")]
        assert notes, page
        for note in notes:
            assert note not in texts, (page, note[:80])
        for side in soup.select(".sidenote"):
            text = " ".join(side.get_text().split())
            assert len(text) < 12 or text not in texts, (page, text[:80])
        assert "Previous and next clause" not in texts
    # a sentence that ends in citation markers keeps no trace of them
    clause_21 = {u["u"]: u["x"] for u in units_of(index, "point-21.html")}
    assert any(x.endswith("more than one version of the plan circulated.") for x in clause_21.values())


def test_search_page_markup(site: Path) -> None:
    soup = page_soup(site / "search.html")
    form = soup.select_one("form[role=search]")
    field = form.select_one("input[type=search][name=q]")
    assert soup.select_one(f"label[for={field['id']}]").get_text(strip=True)
    results = soup.select_one("[aria-live=polite]")
    assert results is not None and results.get("data-root") == "."
    noscript = soup.find("noscript")
    assert "JavaScript" in noscript.get_text()
    assert {a["href"] for a in noscript.select("a")} == {"./index.html", "./sources/index.html"}
    scripts = [s for s in soup.select("body script[src]")]
    assert [s["src"] for s in scripts] == ["./search-index.js", "./theme/js/search.js"]
    for script in scripts:
        assert script.get("type") in (None, "text/javascript")
        assert not script.find_parent("head")
    assert (site / "theme/js/search.js").is_file()


def labelled(index: dict) -> list[tuple[str, str]]:
    """Each result as the search page shows it: its label and its text."""
    pages = index["p"]
    out = []
    for unit in index["u"]:
        _, title, name = pages[unit["p"]]
        label = title if "l" not in unit else f"{name} \u203a {unit['l']}" if unit["l"] else name
        out.append((label, unit["x"]))
    return out


def test_results_name_their_clause_and_section_never_a_citation_key(site: Path, index: dict) -> None:
    names = {url: name for url, _, name in index["p"]}
    assert names["point-21.html"] == "Point 21 \u00b7 Territory"
    assert names["point-4.html"] == "Point 4 \u00b7 A Russia\u2013NATO dialogue"  # no colon: up to the comma
    assert names["timeline.html"] == "Timeline" and names["method.html"] == "Method"
    results = labelled(index)
    labels = {label for label, _ in results}
    assert "Point 21 \u00b7 Territory \u203a Where reports differ" in labels
    assert "Point 21 \u00b7 Territory \u203a The text (d)" in labels
    assert "Timeline \u203a 21 November 2025" in labels  # a dated entry is named by its date
    keys = [p.stem for p in (site / "sources").glob("*.html") if p.stem != "index"]
    assert len(keys) >= 6
    for key in keys:
        assert names[f"sources/{key}.html"].startswith("Source: ")
        assert not [label for label in labels if key in label.lower().replace(" ", "")], key
    assert names["sources/rollingstone2025.html"] == "Source: Rolling Stone"
    assert len(results) == len(set(results)), "no two results with the same label and text"
    everything = " ".join(x for _, x in results)
    for boilerplate in ("Cite this page", "Last reviewed against its sources", "Sources on this page:", "@online{"):
        assert boilerplate not in everything


def test_search_files_fit_in_60_kb_gzipped(site: Path) -> None:
    """What a search costs to download, as served: the index and both scripts, compressed."""
    files = ["search-index.js", "theme/js/search.js", "theme/js/highlight.js"]
    sizes = {name: len(gzip.compress((site / name).read_bytes())) for name in files}
    assert sum(sizes.values()) <= 60 * 1024, sizes
    assert sizes["theme/js/highlight.js"] <= 2 * 1024, "the script every page loads stays small"


def test_page_names_lead_terms_and_boilerplate(tmp_path: Path) -> None:
    """The indexer on hand-written pages: names, labels from a leading term, what is left out."""
    head = '<!DOCTYPE html><html><head><title>{} \u00b7 Site</title></head><body><main id="main">'
    (tmp_path / "point-4.html").write_text(
        head.format("Point 4: A dialogue")
        + '<article id="point-4"><h1><span class="clause-number">Point 4</span> A Russia\u2013NATO dialogue, '
        'mediated by the US</h1><p>Opening.</p><p class="reviewed">Last reviewed.</p>'
        '<p class="trust">Sources on this page: X.</p><h2 id="text">The text</h2><p>Same.</p><p>Same.</p>'
        "<p>A sentence ends.\u2060</p></article>"
        '<details class="cite-page"><summary>Cite this page</summary><p>@online{x}</p></details></main></body></html>',
        encoding="utf-8",
    )
    (tmp_path / "timeline.html").write_text(
        head.format("Timeline: what happened") + '<article><h1>Timeline: what happened</h1><h2 id="days">Days</h2><ul>'
        '<li id="d-1"><strong>21 November 2025</strong> \u2014 The plan.</li>'
        '<li id="d-2"><strong>Crimea</strong> (sub-item a) would be.</li></ul></article></main></body></html>',
        encoding="utf-8",
    )
    (tmp_path / "src.html").write_text(
        head.format("Source: A long title")
        + '<article data-search-label="Source: Rolling Stone"><h1>A long title</h1><p>News report.</p>'
        "<p><strong>Reliability:</strong> Good.</p></article></main></body></html>",
        encoding="utf-8",
    )
    built = sitesearch.build(tmp_path, site_name="Site")
    assert built["p"] == [
        ["point-4.html", "Point 4: A dialogue", "Point 4 \u00b7 A Russia\u2013NATO dialogue"],
        ["src.html", "Source: A long title", "Source: Rolling Stone"],
        ["timeline.html", "Timeline: what happened", "Timeline"],
    ]
    got = [(u["u"], u.get("l"), u["x"]) for u in built["u"]]
    assert got == [
        ("point-4.html", None, "Opening."),
        ("point-4.html#text", "The text", "Same."),
        ("point-4.html#text", "The text", "A sentence ends."),
        ("src.html", None, "News report."),
        ("src.html", "Reliability", "Reliability: Good."),
        ("timeline.html", None, ""),
        ("timeline.html#d-1", "21 November 2025", "21 November 2025 \u2014 The plan."),
        ("timeline.html#d-2", "Days", "Crimea (sub-item a) would be."),
    ]


def test_two_builds_give_identical_files(site: Path, tmp_path: Path) -> None:
    again = build_real_site(tmp_path / "again")
    for name in ("search-index.js", "search.html"):
        assert (site / name).read_bytes() == (again / name).read_bytes(), name


def test_search_js_stays_within_the_rules() -> None:
    script = (REPO / "theme/static/js/search.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", script, flags=re.S)
    for forbidden in (
        "fetch(",
        "XMLHttpRequest",
        "import ",
        "export ",
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "WebAssembly",
    ):
        assert forbidden not in code, forbidden


# The indexer on its own, on a small hand-written page.
def test_units_link_to_the_nearest_id(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "p.html").write_text(
        """<!DOCTYPE html><html><head><title>A page \u00b7 Site</title>
<meta name="description" content="Described."></head><body>
<header class="site-header"><p>Site header</p></header><nav><a href="x">Nav</a></nav>
<main id="main"><article id="whole"><h1>A page</h1>
<p>Opening <em>words</em>.<sup class="cite"><a id="cite-1a" href="#note-1">1</a></sup></p>
<h2 id="first">First h\u00e9ading</h2>
<p>Under the first heading.</p>
<blockquote id="quote"><p id="item-a"><span class="item-label">a. </span>Own id.</p><p>In the quote.</p></blockquote>
<section id="part"><p>Inside a section.</p><h3>No id</h3><p>After a heading without id.</p></section>
<dl><dt>Term</dt><dd>Meaning</dd></dl>
<!-- a comment --><aside class="related"><p>Related list</p></aside>
<section class="notes"><ol><li id="note-1">A note.</li></ol></section>
</article></main><footer class="site-footer">Footer</footer></body></html>""",
        encoding="utf-8",
    )
    (tmp_path / "skip.html").write_text(
        "<html><body><main data-search-exclude><p>Hidden</p></main></body></html>", encoding="utf-8"
    )
    built = sitesearch.build(tmp_path, site_name="Site")
    assert built["p"] == [["sub/p.html", "A page", "A page"]]
    got = [(u["u"], u.get("l"), u["x"]) for u in built["u"]]
    assert got == [
        ("sub/p.html", None, "Opening words."),
        ("sub/p.html#first", "First h\u00e9ading", "Under the first heading."),
        ("sub/p.html#item-a", "First h\u00e9ading (a)", "Own id."),
        ("sub/p.html#quote", "First h\u00e9ading", "In the quote."),
        ("sub/p.html#part", "First h\u00e9ading", "Inside a section."),
        ("sub/p.html#part", "No id", "After a heading without id."),
        ("sub/p.html#first", "No id", "Term Meaning"),
    ]
    assert sitesearch.render(built) == sitesearch.render(sitesearch.build(tmp_path, site_name="Site"))
