"""pelican.plugins.bibcite on its own: a fresh Pelican site with the stock theme, as a new user makes one.

No setting of this project, no theme of ours, no explainer: one article, one .bib entry, and the plugin
enabled by name. Run as `pelican` runs, in a subprocess, for its real exit code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

SETTINGS = """
AUTHOR = "A. Writer"
SITENAME = "A fresh site"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
RELATIVE_URLS = True
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
PLUGINS = ["pelican.plugins.bibcite"]
"""
ENTRY = """@article{smith2020,
  author = {Smith, Jane and Doe, John},
  title = {On {Static} Sites},
  journal = {Journal of Small Things},
  year = {2020},
  volume = {3},
  pages = {1--10},
  doi = {10.1000/xyz123},
}
"""
PAGE = "Title: About\n\nA page, one folder down.[@smith2020]\n"
ARTICLE = "Title: Hello\nDate: 2026-12-01\n\nStatic sites can cite.[@smith2020, p. 3] Twice, even.[@smith2020]\n"


def make_site(root: Path, article: str = ARTICLE) -> Path:
    (root / "content").mkdir(parents=True)
    (root / "citations").mkdir()
    (root / "pelicanconf.py").write_text(SETTINGS, encoding="utf-8")
    (root / "citations" / "refs.bib").write_text(ENTRY, encoding="utf-8")
    (root / "content" / "hello.md").write_text(article, encoding="utf-8")
    (root / "content" / "pages").mkdir()
    (root / "content" / "pages" / "about.md").write_text(PAGE, encoding="utf-8")
    return root


def pelican(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", "output"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "400"},  # Pelican's console wraps its messages at the width
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("fresh"))
    result = pelican(root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "output"


def test_the_stock_theme_shows_numbered_notes_after_the_text(site: Path) -> None:
    soup = BeautifulSoup((site / "hello.html").read_text(encoding="utf-8"), "html.parser")
    content = soup.select_one(".entry-content")  # notmyidea's article body
    assert content is not None
    assert [a.get_text() for a in content.select("sup.cite a.noteref")] == ["1", "1"]
    notes = content.select("ol.notes-list > li.note")
    assert [li["id"] for li in notes] == ["note-1"]
    text = " ".join(notes[0].get_text(" ").split())
    assert "Journal of Small Things" in text and "On Static Sites" in text and "Jane Smith and John Doe" in text
    assert "p. 3" in text
    # markers lead to the note and back; no margin note (BIBCITE_MARGIN_NOTES is off by default)
    assert content.select_one("#cite-1a")["href"] == "#note-1"
    assert content.select_one('a.backref[href="#cite-1b"]') is not None
    assert content.select(".sidenote") == []
    # "About this source", made relative to each page's place by Pelican itself
    assert content.select_one("a.about")["href"] == "./sources/smith2020.html"
    page = BeautifulSoup((site / "pages" / "about.html").read_text(encoding="utf-8"), "html.parser")
    assert page.select_one("a.about")["href"] == "../sources/smith2020.html"
    assert (site / "sources" / "smith2020.html").is_file()
    # the theme's index page lists the article with its summary, not with escaped markup
    assert "&lt;" not in (site / "index.html").read_text(encoding="utf-8")


def test_the_plugin_ships_a_source_page_and_an_index_for_the_stock_theme(site: Path) -> None:
    page = BeautifulSoup((site / "sources" / "smith2020.html").read_text(encoding="utf-8"), "html.parser")
    assert page.select_one("#source-smith2020 h1").get_text() == "On Static Sites"
    assert page.select_one('a[href="https://doi.org/10.1000/xyz123"]') is not None
    assert page.select_one('a[href="../hello.html#note-1"]') is not None
    assert page.select_one("nav") is not None  # the stock theme's own menu: the page extends its base.html
    index = BeautifulSoup((site / "sources" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert index.select_one('a[href="../sources/smith2020.html"]') is not None
    assert (site / "sources" / "sources.json").exists() and (site / "sources" / "sources.bib").exists()


def test_an_unknown_key_is_a_located_error_and_a_failed_build(tmp_path: Path) -> None:
    root = make_site(tmp_path, ARTICLE.replace("[@smith2020]", "[@smyth2020]"))
    result = pelican(root)
    assert result.returncode != 0
    assert "content/hello.md:4:55: error: unknown citation key 'smyth2020'" in result.stderr, result.stderr
    assert "[cite.unknown-key]" in result.stderr


@pytest.mark.parametrize("setting", ["CACHE_CONTENT", "LOAD_CONTENT_CACHE"])
def test_pelicans_content_cache_is_refused_with_the_reason(tmp_path: Path, setting: str) -> None:
    """A cached page would skip the reader: its problems unreported, its notes stale. So the cache stays off."""
    root = make_site(tmp_path)
    with (root / "pelicanconf.py").open("a", encoding="utf-8") as conf:
        conf.write(f"{setting} = True\n")
    result = pelican(root)
    assert result.returncode != 0
    said = " ".join((result.stdout + result.stderr).split())  # Pelican's console wraps long lines
    assert "CACHE_CONTENT and LOAD_CONTENT_CACHE must be False" in said
    assert not (root / "output" / "hello.html").exists()
