"""No script from a contributor ever runs in a reader's browser: checked in Chromium, dialogs watched.

Two layers. The checks refuse every script-carrying input of the corpus before
conversion; and, should a check ever miss one, what the build would publish
(Python-Markdown, then the nh3 sanitiser, then the neutralised Pelican link
syntax) is inert too. Both are opened in Chromium, every link is clicked, and
any dialog (alert, confirm, prompt) fails the test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import Watch
from conftest import Site, real_context
from test_corpus import CORPUS

#: Corpus cases whose Markdown carries a script, by any path the security review found.
XSS_CASES = [
    "06-javascript-link",
    "07-data-link",
    "08-obfuscated-javascript",
    "09-reference-link-javascript",
    "10-raw-script",
    "11-iframe",
    "12-onclick-attribute",
    "14-img-onerror",
    "15-object-embed",
    "47-raw-html-in-summary",
    "48-tag-slash-attribute",
    "56-placeholder-entity",
    "57-placeholder-reference",
    "85-entity-javascript",
    "86-abrupt-comment-img",
    "87-namespaced-tag",
    "88-lt-in-attribute",
]
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>x</title></head>
<body><main>{body}</main></body></html>"""


def published_without_checks(text: str) -> str:
    """What the build would publish for *text* if every check before conversion had been skipped."""
    from pelican.plugins.bibcite.document import compact, inert, sanitise
    from pelican.plugins.bibcite.markdown_ext import normalized, place_markers, plan_citations

    context = real_context()
    md = context.markdown()
    ext = context.ext
    plan = plan_citations(
        normalized(text, md.tab_length), "content/pages/bad.md", ext.sources, ext.keys, context.policy
    )
    ext.begin(plan)
    html = md.convert(text)
    result = context.ext.finish()
    return compact(place_markers(inert(sanitise(html)), result, "content/pages/bad.md"))


def markdown_of(case: str) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((CORPUS / case / "content").rglob("*.md")))


def no_script_runs(browser: object, url: str) -> list[str]:
    """Open *url*, click every link, and return the dialogs and page errors that a script caused."""
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()))
    Watch(page)  # a request to another host is never answered (browser.isolated_args: the dead proxy)
    page.goto(url)
    page.wait_for_timeout(50)
    count = page.locator("main a").count()
    for index in range(count):
        # el.click() runs the link's activation behaviour, javascript: URLs included, visible or not;
        # each link is clicked on a fresh load, since a click may navigate away.
        fresh(page, url)
        page.locator("main a").nth(index).evaluate("a => a.click()")
        page.wait_for_timeout(10)
    context.close()
    return dialogs


def fresh(page: object, url: str) -> None:
    """Load *url*, even if a navigation started by the last click (to another host, refused) is still going."""
    from playwright.sync_api import Error

    for _ in range(3):
        try:
            page.goto(url)
            return
        except Error:
            page.wait_for_timeout(100)
    page.goto(url)


@pytest.mark.parametrize("case", XSS_CASES)
def test_even_unchecked_the_published_html_has_no_script(case: str) -> None:
    text = markdown_of(case)
    assert re.search(r"alert|javascript|data:|onerror|onload|onclick|<script|<iframe|<object", text, re.I), case
    html = published_without_checks(text)
    for bad in (
        "<script",
        "javascript:",
        "data:",
        "onerror",
        "onclick",
        "onload",
        "<iframe",
        "<object",
        "<img",
        "<svg",
    ):
        assert bad not in html.lower(), (bad, html)


def test_even_unchecked_no_case_runs_a_script_in_chromium(browser: object, tmp_path: Path) -> None:
    """All cases on one page, as the build would publish them without the checks; every link clicked."""
    body = "".join(
        f'<section id="{case}">{published_without_checks(markdown_of(case))}</section>' for case in XSS_CASES
    )
    page = tmp_path / "page.html"
    page.write_text(PAGE.format(body=body), encoding="utf-8")
    assert no_script_runs(browser, page.as_uri()) == []


def test_the_checks_refuse_every_case(tmp_path: Path) -> None:
    from test_corpus import check_tool, expected, make_site

    for case in XSS_CASES:
        codes = {line.rsplit(": ", 1)[1] for line in expected(case)}
        assert codes & {"md.raw-html", "md.link-scheme", "md.link-intrasite"}, case
        collector, _ = check_tool.check(make_site(tmp_path / case, case))
        assert collector.errors, case


def test_a_built_page_of_hostile_but_allowed_text_runs_no_script(browser: object, site: Site) -> None:
    """Text that looks like markup, entities and Pelican's link syntax in a title are published as text."""
    site.page(
        "one",
        'Claim.[@rs] &lt;script&gt;alert(1)&lt;/script&gt; <q title="x &quot; onmouseover=alert(2)">q</q> '
        "[x](https://example.org \"href='{static}evil.svg' onclick=alert(3)\") `<img src=x onerror=alert(4)>` "
        "[@cz] [@anon]\n\n    <script>alert(5)</script>\n",
    )
    result = site.build()
    assert result.returncode == 0, result.stderr
    html = (site.root / "output" / "one.html").read_text(encoding="utf-8")
    assert "{static}" not in html and not (site.root / "output" / "evil.svg").exists()
    assert no_script_runs(browser, (site.root / "output" / "one.html").as_uri()) == []
