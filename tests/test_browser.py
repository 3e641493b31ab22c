"""The reader's experience in a real browser: notes, keyboard, touch, no-JS, accessibility, isolation."""

from __future__ import annotations

import gzip
import itertools
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


def _watched(browser: object, address: str, allowed: tuple[str, ...]) -> tuple[Watch, list[tuple[str, str]], str]:
    """Open *address* under a Watch: the watch, the requests that failed (with why) and the body's colour."""
    context = browser.new_context()
    try:
        page = context.new_page()
        watch = Watch(page, allowed=allowed)
        failed: list[tuple[str, str]] = []
        page.on("requestfailed", lambda request: failed.append((request.url, request.failure)))
        page.goto(address)
        colour = page.evaluate("() => getComputedStyle(document.body).color")
    finally:
        context.close()
    return watch, failed, colour


def test_the_watch_records_and_stops_requests_to_other_hosts(browser: object, tmp_path: Path) -> None:
    """What every browser test relies on: a request to another host, by name or by address, loopback and
    link-local ones included, is recorded and never answered (the dead proxy); one to the server on
    127.0.0.1 goes through, except from a page on disk (offline)."""
    (tmp_path / "local.css").write_text("body { color: rgb(1, 2, 3) }", encoding="utf-8")
    url, server = serve(tmp_path)
    port = url.rsplit(":", 1)[1]
    # by name, by address, and the addresses Chromium would not send through a proxy by itself
    foreign = [
        "http://example.org/far.css",
        "http://192.0.2.1/far.css",
        f"http://localhost:{port}/local.css",
        f"http://127.0.0.2:{port}/local.css",
        "http://169.254.169.254/far.css",
    ]
    local = f"{url}/local.css"
    links = "".join(f'<link rel="stylesheet" href="{href}">' for href in [*foreign, local])
    (tmp_path / "page.html").write_text(f"<!doctype html><title>t</title>{links}", encoding="utf-8")
    try:
        watch, failed, colour = _watched(browser, f"{url}/page.html", ("127.0.0.1",))
        assert sorted(watch.foreign) == sorted(foreign)
        # refused by the proxy, not left to a network that happens to be missing here
        assert sorted(failed) == [(href, "net::ERR_PROXY_CONNECTION_FAILED") for href in sorted(foreign)]
        assert colour == "rgb(1, 2, 3)"
        watch, failed, colour = _watched(browser, (tmp_path / "page.html").as_uri(), ())
        assert sorted(watch.foreign) == sorted([*foreign, local])
        assert sorted(failed) == [(href, "net::ERR_INTERNET_DISCONNECTED") for href in sorted([*foreign, local])]
        assert colour != "rgb(1, 2, 3)"
    finally:
        server.shutdown()


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
    assert page.evaluate("() => document.activeElement.id") == "note-pop", "Enter moves into the preview"
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
    assert box["height"] <= 0.4 * 844 + 1, "at most 40% of the screen"
    marker = page.locator("a.noteref").nth(4).bounding_box()
    assert marker["y"] >= 0 and marker["y"] + marker["height"] <= box["y"], "the marker tapped stays in view above"
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


#: axe's rules whose outcome depends on the colours of the page (contrast, links told from text by colour).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


@pytest.mark.parametrize("rel", PAGES)
def test_axe_finds_no_violations(browser: object, base_url: str, rel: str) -> None:
    from axe_playwright_python.sync_playwright import DEFAULT_OPTIONS, Axe

    context, page, watch = new_page(browser, color_scheme="light")
    page.goto(f"{base_url}/{rel}")
    # One page load, both colour schemes: every rule in the light one, and in the dark one the rules that
    # read colours (the page's elements and attributes are the same in both).
    colours_only = {**DEFAULT_OPTIONS, "runOnly": {"type": "rule", "values": COLOUR_RULES}}
    for scheme, options in (("light", DEFAULT_OPTIONS), ("dark", colours_only)):
        page.emulate_media(color_scheme=scheme)
        assert page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
        results = Axe().run(page, options=options)
        assert results.violations_count == 0, f"{scheme}: {results.generate_report()}"
    assert watch.errors == [] and watch.foreign == []
    context.close()


#: One page of each type, looked at as a reader would (screenshots in test-artifacts/).
PAGE_TYPES = [
    "index.html",
    CLAUSE,
    "sources/index.html",
    "sources/plan2025.html",
    "coverage.html",
    "timeline.html",
    "method.html",
    "corrections.html",
    "search.html?q=Zaporizhia",
    "print.html",
]


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800)])
def test_screenshots_at_phone_and_desktop_sizes(browser: object, base_url: str, width: int, height: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context, page, watch = new_page(browser, viewport={"width": width, "height": height})
    for rel in PAGE_TYPES:
        page.goto(f"{base_url}/{rel}")
        # nothing wider than the screen: no sideways scrolling on a phone
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width, rel
        name = rel.replace("/", "_").replace("?q=", "-").removesuffix(".html").replace(".html", "")
        shot = ARTIFACTS / f"{name}-{width}x{height}.png"
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


def boxes_overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_preview_shows_the_one_citation_beside_its_marker(browser: object, base_url: str) -> None:
    context, page, watch = new_page(browser, viewport={"width": 1280, "height": 800})
    page.goto(f"{base_url}/{CLAUSE}")
    # a use with a quoted passage: the preview shows that passage, not the whole note
    marker = page.locator("a.noteref[id='cite-1f']")
    passage = page.locator("#note-1 .pinpoints a[href='#cite-1f']").evaluate("a => a.parentElement.textContent")
    quote = passage.split(": ", 1)[1]
    marker.scroll_into_view_if_needed()
    marker.hover()
    page.wait_for_function("() => !!document.querySelector('#note-pop:popover-open')")
    pop = page.locator("#note-pop")
    text = pop.inner_text()
    assert "Note 1f" in text and "Plan text" in text and "Primary document" in text
    assert quote in text and "All 18 uses of this source" in text
    assert text.count("\u201c") <= 2, "one use, not the note's other quotes"
    box, mbox = pop.bounding_box(), marker.bounding_box()
    assert not boxes_overlap(box, mbox), "never over its marker"
    gap = min(abs(box["y"] - (mbox["y"] + mbox["height"])), abs(mbox["y"] - (box["y"] + box["height"])))
    assert gap <= 12, f"anchored beside the marker, {gap} px away"
    assert page.evaluate(
        "() => getComputedStyle(document.querySelector('#note-pop'), '::backdrop').backgroundColor"
    ) in (
        "rgba(0, 0, 0, 0)",
        "",
    ), "not modal: the page is not dimmed"
    # moving away closes it
    page.mouse.move(5, 5)
    page.wait_for_function("() => !document.querySelector('#note-pop:popover-open')")
    # a click pins it; a click outside closes it
    marker.click()
    assert popover_open(page)
    page.mouse.click(640, 790)
    assert not popover_open(page)
    assert watch.errors == [] and watch.foreign == []
    context.close()


def test_keyboard_focus_previews_and_escape_dismisses(browser: object, base_url: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context, page, watch = new_page(browser, viewport={"width": 1280, "height": 800})
    page.goto(f"{base_url}/{CLAUSE}")
    on_marker = "() => document.activeElement.classList.contains('noteref')"
    for _ in range(60):  # Tab from the top of the page to the first marker
        page.keyboard.press("Tab")
        if page.evaluate(on_marker):
            break
    assert popover_open(page), "focusing a marker with the keyboard shows its preview"
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.keyboard.press("Escape")
    assert not popover_open(page)
    assert page.evaluate(on_marker), "focus stays on the marker"
    assert watch.errors == [] and watch.foreign == []
    context.close()


def test_markers_are_24_pixel_targets_merged_in_one_bracket(browser: object, base_url: str) -> None:
    context, page, _ = new_page(browser, viewport={"width": 390, "height": 844})
    for rel in (CLAUSE, "point-6.html", "timeline.html"):
        page.goto(f"{base_url}/{rel}")
        sizes = page.evaluate(
            "() => [...document.querySelectorAll('a.noteref')].map(a => {"
            " const r = a.getBoundingClientRect(); return [r.width, r.height]; })"
        )
        assert sizes and min(w for w, _ in sizes) >= 24 and min(h for _, h in sizes) >= 24
        groups = page.evaluate(
            "() => [...document.querySelectorAll('sup.cite')].map(s => [s.textContent.replace('\u2060', ''),"
            " [...s.querySelectorAll('a')].map(a => { const r = a.getBoundingClientRect();"
            " return [r.left, r.right, r.top]; })])"
        )
        for text, links in groups:
            assert text.startswith("[") and text.endswith("]") and ("," not in text or ", " in text)
            for (_, right, top), (left, _, top2) in itertools.pairwise(links):
                assert top != top2 or left >= right, f"each number its own target: {text}"
        # a marker never starts a line: its bracket sits on the line of the word before it
        starts = page.evaluate(
            "() => [...document.querySelectorAll('sup.cite')].filter(s => {"
            " const r = document.createRange(); r.setStart(s.firstChild, 0); r.setEnd(s.firstChild, 2);"
            " const b = r.getClientRects(); const p = s.previousSibling;"
            " if (!p || !b.length) return false;"
            " const q = document.createRange(); q.selectNodeContents(p); const pr = [...q.getClientRects()].pop();"
            " return pr && b[0].top > pr.bottom - 2; }).length"
        )
        assert starts == 0
    context.close()


def test_margin_notes_sit_on_their_line_once_per_source_per_screen(browser: object, base_url: str) -> None:
    context, page, _ = new_page(browser, viewport={"width": 1280, "height": 800})
    for rel in (CLAUSE, "point-6.html", "point-9.html", "timeline.html"):
        page.goto(f"{base_url}/{rel}")
        rows = page.evaluate(
            """() => { let above = null; return [...document.querySelectorAll('.sidenote')].map(sn => {
              const sup = sn.nextElementSibling, line = [...sup.getClientRects()].pop();
              const r = sn.getBoundingClientRect(), pushed = above !== null && above > line.top - 4;
              above = r.bottom + parseFloat(getComputedStyle(sn).marginBottom);
              return {drift: r.top - line.top, pushed, left: r.left}; }); }"""
        )
        assert rows
        assert all(abs(row["drift"]) <= 8 for row in rows if not row["pushed"]), rel
        assert len({round(row["left"]) for row in rows}) == 1, f"one margin column, also inside boxes: {rel}"
        closest = page.evaluate(
            """() => { const last = {}; let min = Infinity;
              for (const sn of document.querySelectorAll('.sn:not(.sn-short)')) {
                const n = sn.querySelector('b').textContent, y = sn.getBoundingClientRect().top + scrollY;
                if (n in last) min = Math.min(min, y - last[n]); last[n] = y; }
              return min; }"""
        )
        assert closest >= 800, f"{rel}: a source named twice {closest} px apart"
    # marker and margin note light up together
    page.goto(f"{base_url}/{CLAUSE}")
    marker = page.locator("a.noteref[id='cite-1f']")
    marker.scroll_into_view_if_needed()
    marker.hover()
    assert page.locator(".sn[data-ref='cite-1f']").evaluate("el => el.classList.contains('hl')")
    page.mouse.move(5, 5)
    page.locator(".sn[data-ref='cite-2a']").hover()
    assert page.locator("#cite-2a").evaluate("el => el.classList.contains('hl')")
    context.close()


def test_on_this_page_contents(browser: object, base_url: str) -> None:
    context, page, _ = new_page(browser, viewport={"width": 390, "height": 844})
    page.goto(f"{base_url}/timeline.html")
    toc = page.locator("details.toc")
    assert not toc.evaluate("el => el.open"), "collapsed on a phone"
    assert toc.bounding_box()["y"] < page.locator("main h2").first.bounding_box()["y"]
    toc.locator("summary").click()
    link = toc.locator("a").nth(3)
    target = link.get_attribute("href")
    link.click()
    top = page.evaluate(f"() => document.getElementById('{target[1:]}').getBoundingClientRect().top")
    assert 0 <= top < 200
    context.close()
    context, page, _ = new_page(browser, viewport={"width": 1440, "height": 900})
    page.goto(f"{base_url}/{CLAUSE}")
    box = page.locator("details.toc nav").bounding_box()
    text_left = page.locator("main h1").bounding_box()["x"]
    assert box and box["width"] > 100 and box["x"] + box["width"] <= text_left, "in the left margin"
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(100)
    assert page.locator("details.toc nav").bounding_box()["y"] >= 0, "stays in view"
    context.close()


def test_long_runs_of_back_links_fold_after_the_source(browser: object, base_url: str) -> None:
    for js in (True, False):
        context, page, _ = new_page(browser, js=js, viewport={"width": 390, "height": 844})
        page.goto(f"{base_url}/{CLAUSE}")
        note = page.locator("#note-1")
        summary = note.locator("details.backrefs > summary")
        assert summary.inner_text().strip() == "\u21a9\ufe0e 18 uses"
        assert summary.bounding_box()["y"] >= note.locator(".source").bounding_box()["y"], "after the source's name"
        assert not note.locator("a.backref").first.is_visible()
        # reached from a marker, the note shows the way back
        page.goto(f"{base_url}/{CLAUSE}#note-1")
        assert note.locator("a.backref[href='#cite-1c']").is_visible()
        context.close()
