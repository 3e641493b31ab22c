"""The reader's experience in a real browser: notes, keyboard, touch, no-JS, accessibility, isolation."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import ARTIFACTS, Watch, serve
from bs4 import BeautifulSoup

CLAUSE = "point-21.html"


@pytest.fixture(scope="module")
def base_url(real_site: Path) -> Iterator[str]:
    url, server = serve(real_site)
    yield url
    server.shutdown()


def new_page(browser: object, *, js: bool = True, **options: object) -> tuple[object, object, Watch]:
    context = browser.new_context(java_script_enabled=js, **options)
    page = context.new_page()
    return context, page, Watch(page)


def popover_open(page: object) -> bool:
    return page.evaluate("() => !!document.querySelector('#note-pop:popover-open')")


def test_note_opens_and_closes_with_the_mouse(browser: object, base_url: str) -> None:
    context, page, watch = new_page(browser, viewport={"width": 1280, "height": 800})
    page.goto(f"{base_url}/{CLAUSE}")
    marker = page.locator("a.noteref").nth(2)
    number = marker.inner_text()
    marker.click()
    assert popover_open(page)
    assert page.url.endswith(CLAUSE), "with JavaScript the note opens in place"
    text = page.locator("#note-pop").inner_text()
    assert f"Note {number}" in text and "Primary document" in text
    page.locator("#note-pop button", has_text="Close").click()
    assert not popover_open(page)
    assert page.evaluate("() => document.activeElement.id") == marker.get_attribute("id")
    assert watch.errors == [] and watch.foreign == []
    context.close()


def test_note_opens_and_closes_with_the_keyboard(browser: object, base_url: str) -> None:
    context, page, watch = new_page(browser)
    page.goto(f"{base_url}/{CLAUSE}")
    page.locator("a.noteref").first.focus()
    page.keyboard.press("Enter")
    assert popover_open(page)
    assert page.evaluate("() => document.activeElement.textContent") == "Close"
    page.keyboard.press("Escape")
    assert not popover_open(page)
    assert page.evaluate("() => document.activeElement.id") == "cite-1a"
    # Tab reaches the markers in order
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('role')") == "doc-noteref"
    assert watch.errors == [] and watch.foreign == []
    context.close()


def test_note_opens_with_a_tap(browser: object, base_url: str) -> None:
    context, page, watch = new_page(browser, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page.goto(f"{base_url}/{CLAUSE}")
    page.locator("a.noteref").nth(4).tap()
    assert popover_open(page)
    box = page.locator("#note-pop").bounding_box()
    assert box["y"] + box["height"] <= 844 + 1 and box["width"] >= 380, "a sheet along the bottom of the phone"
    page.locator("#note-pop button").tap()
    assert not popover_open(page)
    assert watch.errors == [] and watch.foreign == []
    context.close()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_back_link_returns_to_the_citing_place(browser: object, base_url: str, js: bool) -> None:
    context, page, watch = new_page(browser, js=js, viewport={"width": 390, "height": 844})
    page.goto(f"{base_url}/{CLAUSE}")
    back = page.locator("#note-2 a.backref").nth(1)
    target = back.get_attribute("href")
    back.click()
    assert page.url.endswith(target)
    assert page.locator(target).is_visible()
    assert page.evaluate(
        f"() => {{ const r = document.querySelector('{target}').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    assert watch.errors == [] and watch.foreign == []
    context.close()


def test_without_javascript_a_marker_leads_to_its_note_and_back(browser: object, base_url: str) -> None:
    context, page, watch = new_page(browser, js=False, viewport={"width": 390, "height": 844})
    page.goto(f"{base_url}/{CLAUSE}")
    marker = page.locator("a.noteref").nth(2)
    href, anchor = marker.get_attribute("href"), marker.get_attribute("id")
    marker.click()
    assert page.url.endswith(href)
    note = page.locator(href)
    assert note.is_visible() and note.evaluate("el => el.matches(':target')")
    note.locator(f'a.backref[href="#{anchor}"]').click()
    assert page.url.endswith(f"#{anchor}")
    assert page.evaluate(f"() => document.getElementById('{anchor}').getBoundingClientRect().top >= 0")
    assert watch.errors == [] and watch.foreign == []
    context.close()


def test_keyboard_without_javascript(browser: object, base_url: str) -> None:
    context, page, _ = new_page(browser, js=False)
    page.goto(f"{base_url}/{CLAUSE}")
    page.locator("a.noteref").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**#note-1")
    assert page.locator("#note-1").evaluate("el => el.matches(':target')")
    context.close()


PAGES = [
    "index.html",
    CLAUSE,
    "point-6.html",
    "sources/index.html",
    "sources/crisiszone2025.html",
    "coverage.html",
    "timeline.html",
    "method.html",
]


@pytest.mark.parametrize("rel", PAGES)
def test_axe_finds_no_violations(browser: object, base_url: str, rel: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    for scheme in ("light", "dark"):
        context, page, watch = new_page(browser, color_scheme=scheme)
        page.goto(f"{base_url}/{rel}")
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        assert watch.errors == [] and watch.foreign == []
        context.close()


@pytest.mark.parametrize("rel", ["index.html", CLAUSE, "sources/index.html", "coverage.html"])
def test_screenshots_at_phone_and_desktop_sizes(browser: object, base_url: str, rel: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in ((390, 844), (1280, 800)):
        context, page, watch = new_page(browser, viewport={"width": width, "height": height})
        page.goto(f"{base_url}/{rel}")
        # nothing wider than the screen: no sideways scrolling on a phone
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        shot = ARTIFACTS / f"{rel.replace('/', '_').removesuffix('.html')}-{width}x{height}.png"
        page.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 5000
        assert watch.errors == [] and watch.foreign == []
        context.close()


def test_wide_screens_show_notes_in_the_margin(browser: object, base_url: str) -> None:
    context, page, _ = new_page(browser, viewport={"width": 1280, "height": 800})
    page.goto(f"{base_url}/{CLAUSE}")
    side = page.locator(".sidenote").nth(3)
    marker_box = page.locator("sup.cite").nth(3).bounding_box()
    side_box = side.bounding_box()
    text_right = page.locator("#plain-words").bounding_box()["x"] + page.locator("#plain-words").bounding_box()["width"]
    assert side.is_visible() and side_box["x"] >= text_right
    assert abs(side_box["y"] - marker_box["y"]) < 200, "beside the text it supports"
    context.close()
    context, page, _ = new_page(browser, viewport={"width": 390, "height": 844})
    page.goto(f"{base_url}/{CLAUSE}")
    assert not page.locator(".sidenote").first.is_visible()
    context.close()


def test_print_lists_notes_as_endnotes_with_addresses(browser: object, base_url: str) -> None:
    context, page, _ = new_page(browser)
    page.goto(f"{base_url}/{CLAUSE}")
    page.emulate_media(media="print")
    assert page.locator("section.notes").is_visible()
    assert not page.locator(".site-header nav").is_visible()
    assert page.locator("#note-1 a.src-url").is_visible()  # each source's address prints once, in its note
    # a quoted passage's link does not print its long #:~:text= address after it
    after = page.evaluate("() => getComputedStyle(document.querySelector('.notes a.fragment'), '::after').content")
    assert "http" not in after
    assert not page.locator(".breadcrumbs").is_visible()
    context.close()


def test_clause_page_budget_and_no_render_blocking_script(real_site: Path) -> None:
    for n in range(1, 29):
        html = (real_site / f"point-{n}.html").read_bytes()
        soup = BeautifulSoup(html, "html.parser")
        for script in soup.head.find_all("script", src=True):
            assert script.has_attr("defer") or script.has_attr("async")
        assets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
        assets += [s["src"] for s in soup.find_all("script", src=True)]
        total = len(gzip.compress(html, 9))
        for href in assets:
            assert not href.startswith(("http:", "https:", "//"))
            total += len(gzip.compress((real_site / href).read_bytes(), 9))
        assert total <= 30 * 1024, f"point-{n}.html weighs {total} bytes gzipped with its CSS and JS"
