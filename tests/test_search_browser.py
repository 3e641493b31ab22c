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


@pytest.fixture(scope="module")
def site(real_site: Path) -> Path:
    """The real site, built once for the session by conftest (tools/build.py build into a temporary folder)."""
    return real_site


def in_page(browser: Any, scenario: Callable[..., None], *args: Any) -> None:
    """Run *scenario(page, ...)* in a fresh context where every request not for a
    file:// address is blocked and recorded; then require that none was attempted
    and that the console logged no error."""
    context = browser.new_context()
    blocked: list[str] = []
    errors: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith("file://"):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        scenario(page, *args)
    finally:
        context.close()
    assert blocked == [], f"requests off disk were attempted: {blocked}"
    assert errors == [], f"console errors: {errors}"


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


def query_in_address(page: Any, site: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto((site / "search.html").as_uri() + "?q=buffer%20zone")
    assert page.input_value("#search-input") == "buffer zone"
    items = results(page)
    hrefs = [i.query_selector("a").get_attribute("href") for i in items]
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
    assert items[0].query_selector("a").get_attribute("href") == "./point-19.html"
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
            page.goto((site / "search.html").as_uri() + "?q=" + query)
            items = results(page)
            assert items, query
            marks = [m.inner_text().lower() for m in items[0].query_selector_all("mark")]
            assert any(m.startswith(found) for m in marks), (query, marks)

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
