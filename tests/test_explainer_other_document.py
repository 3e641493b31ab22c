"""The explainer annotates any numbered document: a made-up three-clause charter, its own sections and text.

Nothing here names the 28-point plan: the settings are written from scratch (no pelicanconf.py), the
document calls its clauses "Article", and its own entry and text are checked like the plan's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import REPO, problem_lines

SETTINGS = """
AUTHOR = "The charter's readers"
SITENAME = "The Lighthouse Charter, annotated"
SITESUBTITLE = "Three articles, explained"
SITEURL = ""
RELATIVE_URLS = True
TIMEZONE = "UTC"
DEFAULT_DATE = (2026, 1, 1)
PATH = {site!r} + "/content"
THEME = {theme!r}
ARTICLE_PATHS = []
PAGE_PATHS = ["pages", "clauses"]
PAGE_URL = PAGE_SAVE_AS = "{{slug}}.html"
DIRECT_TEMPLATES = []
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
JINJA_ENVIRONMENT = {{"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}}
MARKDOWN = {{"extension_configs": {{"markdown.extensions.extra": {{}}, "markdown.extensions.meta": {{}},
                                   "markdown.extensions.toc": {{"permalink": False}}}}, "output_format": "html5"}}
PLUGINS = ["pelican.plugins.bibcite", "explainer"]
BIBCITE_ROOT = {site!r}
BIBCITE_UNTRUSTED_CONTENT = True
BIBCITE_REQUIRED_FIELDS = ["title", "kind"]
BIBCITE_KINDS = {{"primary": "Primary document: the text being annotated", "news": "News report: reporting"}}
BIBCITE_DIVS = {{"clause": "blockquote.clause-text"}}
BIBCITE_TEMPLATES = {{"index": "home"}}
EXPLAINER_PRIMARY_KEY = "charter"
EXPLAINER_SECTIONS = [("Duties", 1, 2), ("Rights", 3, 3)]
EXPLAINER_ITEM = "Article"
EXPLAINER_DOCUMENT = "The charter"
EXPLAINER_SOURCE_TEXTS = "texts"
"""
CHARTER = (
    "The Lighthouse Charter\n\nDuties\n\n1. The keeper lights the lamp at dusk.\n\n"
    "2. The keeper keeps a log: a. Ships seen from the tower. b. The weather at noon.\n\n"
    "Rights\n\n3. The keeper may rest one day in seven.\n"
)
BIB = """@misc{charter,
  title = {The Lighthouse Charter},
  kind = {primary},
  sourcetext = {charter.txt},
}
@online{gazette,
  title = {Keepers welcome their charter},
  journaltitle = {The Harbour Gazette},
  date = {2026-01-02},
  kind = {news},
}
"""
CLAUSE = """Title: {title}
Clause: {number}
Section: {section}
Summary: {title}, in plain words.
Related: {related}

::: {{.clause}}
{text}
:::

## In plain words {{#plain-words}}

{plain}[@charter, article {number}]

## What was reported

The Gazette reported that keepers welcomed the charter.[@gazette]
"""
CLAUSES = {
    1: ("The lamp", "Duties", "2", "The keeper lights the lamp at dusk.", "The lamp is lit every evening."),
    2: (
        "The log",
        "Duties",
        "1, 3",
        "The keeper keeps a log:\n\na. Ships seen from the tower.\n\nb. The weather at noon.",
        "The keeper writes down ships and weather.",
    ),
    3: ("Rest", "Rights", "2", "The keeper may rest one day in seven.", "One day a week is free."),
}


def make_site(root: Path, clauses: dict[int, tuple[str, str, str, str, str]] = CLAUSES) -> Path:
    for folder in ("content/pages", "content/clauses", "citations", "texts"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "texts" / "charter.txt").write_text(CHARTER, encoding="utf-8")
    (root / "citations" / "sources.bib").write_text(BIB, encoding="utf-8")
    (root / "content/pages/index.md").write_text(
        "Title: The charter\nDate: 2026-01-03\nSummary: Three articles.\n\nEach article, explained.\n", encoding="utf-8"
    )
    for number, (title, section, related, text, plain) in clauses.items():
        (root / f"content/clauses/article-{number}.md").write_text(
            CLAUSE.format(title=title, number=number, section=section, related=related, text=text, plain=plain),
            encoding="utf-8",
        )
    settings = root / "charterconf.py"
    settings.write_text(SETTINGS.format(site=str(root), theme=str(REPO / "theme")), encoding="utf-8")
    return settings


def test_no_setting_names_the_plan(tmp_path: Path) -> None:
    text = make_site(tmp_path).read_text(encoding="utf-8").replace(str(tmp_path), "SITE").replace(str(REPO), "REPO")
    assert not any(word in text for word in ("plan", "28", "Point", "pelicanconf", "shared"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("charter")
    settings = make_site(root)
    result = subprocess.run(
        [sys.executable, "-m", "tools.build", "build", "--settings", str(settings), "--output", str(root / "output")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert problem_lines(result.stderr) == [], result.stderr
    assert "quote.skipped" not in result.stderr  # the charter's own text was read and checked against
    return root / "output"


def test_each_article_has_its_page_with_the_documents_own_names_and_ids(built: Path) -> None:
    page = BeautifulSoup((built / "article-2.html").read_text(encoding="utf-8"), "html.parser")
    assert page.select_one("h1").get_text(" ", strip=True) == "Article 2 The log"
    assert page.select_one("blockquote.clause-text")["id"] == "article-2-text"
    assert [p["id"] for p in page.select("blockquote.clause-text p[id]")] == ["article-2-a", "article-2-b"]
    assert page.select_one('a.item-label[href="#article-2-b"]')["aria-label"] == "Article 2, sub-item b (link)"
    crumbs = [li.get_text(strip=True) for li in page.select("nav.breadcrumbs li")]
    assert crumbs[0] == "The charter" and "Duties" in crumbs and crumbs[-1] == "Article 2"
    assert [a.get_text() for a in page.select("ol.notes-list li .badge")] == ["Primary document", "News report"]
    assert '"headline":"Article 2: The log"' in page.select_one('script[type="application/ld+json"]').string


def test_the_home_page_lists_the_documents_sections(built: Path) -> None:
    home = BeautifulSoup((built / "index.html").read_text(encoding="utf-8"), "html.parser")
    text = home.get_text(" ")
    assert "Duties" in text and "Rights" in text
    assert {a["href"] for a in home.select('a[href^="./article-"]')} == {
        "./article-1.html",
        "./article-2.html",
        "./article-3.html",
    }


def _problems(tmp_path: Path, clauses: dict[int, tuple[str, str, str, str, str]]) -> list[str]:
    from tools import check

    collector, _ = check.check(make_site(tmp_path, clauses))
    return sorted(f"{p.path}:{p.line}: {p.code}" for p in collector.errors + collector.warnings)


def test_the_clause_text_is_checked_against_the_documents_own_text(tmp_path: Path) -> None:
    wrong = dict(CLAUSES)
    wrong[1] = (*CLAUSES[1][:3], "The keeper lights the lamp at dawn.", CLAUSES[1][4])
    short = dict(CLAUSES)
    short[2] = (*CLAUSES[2][:3], "The keeper keeps a log:\n\na. Ships seen from the tower.", CLAUSES[2][4])
    assert _problems(tmp_path / "clean", CLAUSES) == []
    assert _problems(tmp_path / "wrong", wrong) == ["content/clauses/article-1.md:8: clause.not-verbatim"]
    assert _problems(tmp_path / "short", short) == ["content/clauses/article-2.md:7: clause.incomplete"]


def test_the_documents_own_numbering_and_sections_are_enforced(tmp_path: Path) -> None:
    odd = dict(CLAUSES)
    odd[3] = ("Rest", "Duties", "4", *CLAUSES[3][3:])
    assert _problems(tmp_path, odd) == [
        "content/clauses/article-3.md:3: clause.section",
        "content/clauses/article-3.md:5: clause.related",
    ]
