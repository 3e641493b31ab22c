"""Search in a real browser, from disk: file:// pages, no server, no network.

Uses the session's Chromium (tests/browser.py), which skips without a browser
except under CI=true.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from browser import Watch


@pytest.fixture(scope="module")
def site(real_site: Path) -> Path:
    """The real site, built once for the session by conftest (tools/build.py build into a temporary folder)."""
    return real_site


def in_page(browser: Any, scenario: Callable[..., None], *args: Any) -> None:
    """Run *scenario(page, ...)* in a fresh context that is offline, every request that is not for a file
    recorded (browser.Watch with no host allowed); then require that none was attempted and that the
    console logged no error."""
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page, allowed=())
    try:
        scenario(page, *args)
    finally:
        context.close()
    assert watch.foreign == [], f"requests off disk were attempted: {watch.foreign}"
    assert watch.errors == [], f"console errors: {watch.errors}"


#: Each result as shown: its link, label, snippet, marked words, and whether a mark is a whole word.
RESULTS_JS = """() => [...document.querySelectorAll('#search-list li')].map(li => {
  const a = li.querySelector('a'), p = li.querySelector('.search-snippet');
  const marks = [...li.querySelectorAll('mark')];
  const whole = m => !/^[\\p{L}\\p{N}]/u.test(m.nextSibling ? m.nextSibling.textContent : '');
  return {href: a.getAttribute('href'), label: a.textContent, snippet: p ? p.textContent : '',
          marks: marks.map(m => m.textContent.toLowerCase()), exact: marks.some(whole)};
})"""
#: The marks highlight.js added on a page opened from a result, where they are, and what they are in.
MARKS_JS = """() => [...document.querySelectorAll('main mark.search-hl')].map(m => {
  const r = m.getBoundingClientRect(), target = m.closest('[id]');
  return {text: m.textContent.toLowerCase(), top: r.top, bottom: r.bottom, in: target ? target.id : ''};
})"""
#: Where an element is in the viewport.
RECT_JS = "s => { const r = document.querySelector(s).getBoundingClientRect(); return [r.top, r.bottom]; }"


def bare(href: str) -> str:
    """A result's link without the words it carries for highlight.js (?hl=...)."""
    return re.sub(r"\?hl=[^#]*", "", href)


def total(page: Any) -> int:
    """The number of results the search page reports."""
    return int(page.inner_text("#search-count").split()[0])


#: Types a query in the search box and submits it (the index stays loaded); the results as RESULTS_JS reads them.
SUBMIT_JS = f"""q => {{
  document.getElementById('search-input').value = q;
  document.getElementById('search-form').requestSubmit();
  return ({RESULTS_JS})();
}}"""


def search_for(page: Any, site: Path, query: str) -> list[dict]:
    """Search for *query* on the search page (opened first if it is not the page shown)."""
    if urlsplit(page.url).path != (site / "search.html").as_uri()[len("file://") :]:
        page.goto((site / "search.html").as_uri())
    return page.evaluate(SUBMIT_JS, query)


def results(page: Any) -> list[object]:
    page.wait_for_selector("#search-list li a", timeout=5000)
    return page.query_selector_all("#search-list li")


def type_and_follow(page: Any, site: Path, query: str, stem: str) -> None:
    start = (site / "search.html").as_uri()
    page.goto(start)
    page.locator("#search-input").press_sequentially(query, delay=15)
    items = results(page)
    assert 1 <= len(items) <= 30
    count = page.inner_text("#search-count")
    assert re.fullmatch(r"\d+ results?(, showing the first 30)?", count), count
    assert int(count.split()[0]) >= len(items)
    first = items[0]
    marks = [m.inner_text().lower() for m in first.query_selector_all("mark")]
    assert stem in " ".join(marks), marks
    assert all(any(m.startswith(w[:6]) for w in query.lower().split()) for m in marks), marks
    assert first.query_selector(".search-snippet") is not None
    # every result names where it is and links inside the site
    for item in items:
        link = item.query_selector("a")
        assert link.inner_text().strip()
        assert urljoin(start, link.get_attribute("href")).startswith(site.as_uri() + "/")

    link = first.query_selector("a")
    href = link.get_attribute("href")
    target = urljoin(start, href)
    link.click()
    page.wait_for_load_state("load")
    assert page.url == target
    parts = urlsplit(page.url)
    assert parts.scheme == "file"
    fragment = unquote(parts.fragment)
    if fragment:
        assert page.evaluate("id => document.getElementById(id) !== null", fragment), fragment
    assert Path(unquote(parts.path)).is_file()
    assert page.title() and not page.title().startswith("Search")
    body = " ".join(page.inner_text("main").lower().split())
    assert stem in body
    # the words the result matched are marked on the page it opened, in view
    marks = page.evaluate(MARKS_JS)
    assert marks and stem in " ".join(m["text"] for m in marks), marks
    assert 0 <= marks[0]["top"] < marks[0]["bottom"] <= page.viewport_size["height"], marks[0]


def query_in_address(page: Any, site: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto((site / "search.html").as_uri() + "?q=buffer%20zone")
    assert page.input_value("#search-input") == "buffer zone"
    items = results(page)
    hrefs = [bare(i.query_selector("a").get_attribute("href")) for i in items]
    assert "./point-21.html#point-21-d" in hrefs
    for item in items:  # every word appears in every result
        text = item.inner_text().lower()
        assert "buffer" in text and "zone" in text
    assert page.inner_text("#search-count") == f"{len(items)} results"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, "no sideways scrolling"


def accents_case_prefixes(page: Any, site: Path) -> None:
    page.goto((site / "search.html").as_uri())
    field = page.locator("#search-input")
    field.fill("ZÁPORIZHZH")
    page.keyboard.press("Enter")
    items = results(page)
    assert any("point-21.html" in i.query_selector("a").get_attribute("href") for i in items)
    # the site spells the plant Zaporizhzhya; the same place is found either way
    assert bare(items[0].query_selector("a").get_attribute("href")) == "./point-19.html"
    field.fill("qwxzzy nothing")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('#search-list li').length === 0")
    assert page.inner_text("#search-count").startswith("No results")
    field.fill("")
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('search-count').textContent === ''")


def markup_in_query(page: Any, site: Path) -> None:
    page.goto((site / "search.html").as_uri() + "?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    page.wait_for_function("document.getElementById('search-count').textContent !== ''")
    assert page.query_selector("#search-results img") is None


@pytest.mark.parametrize("query, stem", [("Zaporizhzhia", "zaporizhzh"), ("buffer zone", "buffer")])
def test_type_a_query_and_follow_a_result(browser: Any, site: Path, query: str, stem: str) -> None:
    in_page(browser, type_and_follow, site, query, stem)


def test_the_query_in_the_address_runs_on_load(browser: Any, site: Path) -> None:
    in_page(browser, query_in_address, site)


def test_accents_case_and_prefixes_and_no_results(browser: Any, site: Path) -> None:
    in_page(browser, accents_case_prefixes, site)


def test_page_text_is_never_parsed_as_html(browser: Any, site: Path) -> None:
    """A query that looks like markup is shown as text, and no element is created from it."""
    in_page(browser, markup_in_query, site)


VARIANTS = [
    ("Zaporozhye", "zaporizhzh"),
    ("Zaporizhia", "zaporizhzh"),
    ("Zelenskyy", "zelensky"),
    ("Donbass", "donbas"),
    ("cease-fire", "ceasefire"),
    ("600000", "600,000"),
    ("Dnipro", "dnieper"),
]


def test_search_forgives_spellings_hyphens_and_digit_grouping(browser: Any, site: Path) -> None:
    """Transliterations of the names in the text, a hyphen inside a word and digit grouping read alike."""

    def scenario(page: Any) -> None:
        for query, found in VARIANTS:
            items = search_for(page, site, query)
            assert items, query
            assert any(m.startswith(found) for m in items[0]["marks"]), (query, items[0]["marks"])

    in_page(browser, scenario)


def test_all_results_can_be_shown(browser: Any, site: Path) -> None:
    def scenario(page: Any) -> None:
        page.goto((site / "search.html").as_uri() + "?q=NATO")
        results(page)
        total = int(page.inner_text("#search-count").split()[0])
        assert total > 30 and len(page.query_selector_all("#search-list li")) == 30
        page.click("button.search-more")
        assert len(page.query_selector_all("#search-list li")) == total
        assert page.inner_text("#search-count") == f"{total} results"
        assert page.evaluate("document.activeElement.closest('li')") is not None  # focus moved to the 31st

    in_page(browser, scenario)


def test_prefixes_and_one_letter_typos_are_found_below_exact_words(browser: Any, site: Path) -> None:
    """A word being typed matches the start of words, a longer word one edit away from a word of
    the site matches that word; exact words rank first, and only what matched is marked."""

    def scenario(page: Any) -> None:
        typed = search_for(page, site, "Zapor")
        assert typed and all(set(r["marks"]) == {"zapor"} for r in typed), typed[:3]
        assert not any(r["exact"] for r in typed)
        for start in ("Zaporo", "Zaporizhz", "Zaporizhzhy", "Dnipr"):  # typing a spelling the site writes otherwise
            assert len(search_for(page, site, start)) >= 5, start
        # "troop" is a word and the start of "troops": whole words first
        ranked = [r["exact"] for r in search_for(page, site, "troop")]
        assert True in ranked and False in ranked and ranked == sorted(ranked, reverse=True), ranked
        for typo, right in (("Zaporizhzia", "Zaporizhzhia"), ("guarantess", "guarantees"), ("Donetks", "Donetsk")):
            assert search_for(page, site, right)
            expected = total(page)
            found = search_for(page, site, typo)
            assert found and total(page) >= expected, typo  # everything the right spelling finds, at least
            assert all(m in {right.lower(), "guarantee", "zaporizhzhya"} for m in found[0]["marks"]), found[0]
        assert search_for(page, site, "Zaporizzzia") == []  # two edits away: nothing

    in_page(browser, scenario)


def test_results_are_labelled_by_clause_and_section_and_never_repeat(browser: Any, site: Path) -> None:
    keys = [p.stem for p in (site / "sources").glob("*.html") if p.stem != "index"]

    def scenario(page: Any) -> None:
        for query in ("Rolling Stone", "reports differ", "21 November", "buffer zone", "crisis"):
            found = search_for(page, site, query)
            assert found, query
            pairs = [(r["label"], r["snippet"]) for r in found]
            assert len(pairs) == len(set(pairs)), query
            for label, _ in pairs:
                assert not any(key in label.lower().replace(" ", "") for key in keys), label
            if query == "21 November":
                assert found[0]["label"] == "Timeline \u203a 21 November 2025", found[0]
            if query == "buffer zone":
                assert "Point 21 \u00b7 Territory \u203a The text (d)" in [label for label, _ in pairs]
            if query == "Rolling Stone":
                assert any(label.startswith("Source: Rolling Stone") for label, _ in pairs)

    in_page(browser, scenario)


def test_a_result_opens_with_its_words_marked_and_its_heading_in_view(browser: Any, site: Path) -> None:
    def scenario(page: Any) -> None:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto((site / "point-1.html").as_uri())  # the header's search box, from disk
        page.fill("#header-q", "buffer zone")
        page.press("#header-q", "Enter")
        page.wait_for_selector("#search-list li a")
        assert urlsplit(page.url).path.endswith("/search.html") and urlsplit(page.url).query == "q=buffer+zone"
        found = page.evaluate(RESULTS_JS)
        sub_d = next(r for r in found if r["label"].endswith("The text (d)"))
        page.click(f"#search-list a[href='{sub_d['href']}']")
        page.wait_for_load_state("load")
        assert urlsplit(page.url).fragment == "point-21-d" and "hl=" in page.url
        marks = page.evaluate(MARKS_JS)
        assert {m["text"] for m in marks} == {"buffer", "zone"} and {m["in"] for m in marks} == {"point-21-d"}
        assert all(0 <= m["top"] < m["bottom"] <= 844 for m in marks), marks
        target, heading = page.evaluate(RECT_JS, "#point-21-d"), page.evaluate(RECT_JS, "h2#text")
        assert 8 <= heading[0] < heading[1] <= target[0], (heading, target)  # not flush; the heading shows
        # a section anchored at its heading, on a wide screen: the heading just below the top edge
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto((site / "point-21.html").as_uri() + "?hl=lawfully#differ")
        heading = page.evaluate(RECT_JS, "h2#differ")
        assert 8 <= heading[0] <= 64, heading
        marks = page.evaluate(MARKS_JS)
        assert marks and all(heading[1] < m["top"] < m["bottom"] <= 900 for m in marks[:1]), marks
        # a page's own entry (no fragment): the first mark and the page title in view
        page.goto((site / "point-21.html").as_uri() + "?hl=zaporizhzhia")
        marks, title = page.evaluate(MARKS_JS), page.evaluate(RECT_JS, "h1")
        assert marks and title[0] >= 0 and marks[0]["bottom"] <= 900, (title, marks[:1])

    in_page(browser, scenario)
    # Without JavaScript the same address opens at the fragment, below the top edge, with nothing marked.
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto((site / "point-21.html").as_uri() + "?hl=buffer%20zone#point-21-d")
        assert page.query_selector("mark") is None
        top, bottom = page.evaluate(RECT_JS, "#point-21-d")
        assert 8 <= top < bottom, (top, bottom)
    finally:
        context.close()


#: Records layout shifts, and at the first paint where the footer is and how many results there are.
CLS_JS = """
window.__shift = 0; window.__paint = null;
new PerformanceObserver(list => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;
}).observe({type: 'layout-shift', buffered: true});
new PerformanceObserver(() => {
  if (window.__paint) return;
  const footer = document.querySelector('footer'), items = document.getElementById('search-list');
  window.__paint = {footer: footer && footer.getBoundingClientRect().top, items: items ? items.children.length : -1};
}).observe({type: 'paint', buffered: true});
"""


#: The shifts recorded once two more frames have been drawn (layout-shift entries come after their frame).
SHIFTS_JS = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(
  () => done({shift: window.__shift, paint: window.__paint})))))"""


def test_results_for_the_query_in_the_address_shift_nothing(browser: Any, site: Path) -> None:
    """CLS 0: the page is painted before the index arrives (held back until then, as on a slow
    connection), and the results that follow push nothing the reader can see (the footer stays below
    the screen's bottom edge)."""

    def scenario(page: Any) -> None:
        held: list[Any] = []
        page.add_init_script(CLS_JS)
        page.route("**/search-index.js", lambda route: held.append(route))
        for width, height in ((390, 844), (1280, 900)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto((site / "search.html").as_uri() + "?q=NATO", wait_until="commit")
            page.wait_for_function("() => window.__paint")
            for _ in range(500):  # the request may come just after the paint
                if held:
                    break
                page.wait_for_timeout(10)
            assert len(held) == 1, "the page asks for its index once"
            held.pop().continue_()
            page.wait_for_selector("#search-list li")
            assert held == [], "and not again"
            got = page.evaluate(SHIFTS_JS)
            assert got["paint"] and got["paint"]["items"] == 0, got  # painted before the results came
            assert got["paint"]["footer"] >= height, got
            assert got["shift"] == 0, got

    in_page(browser, scenario)
