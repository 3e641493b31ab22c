"""Contributors' text is printed as text: hostile BibTeX fields and page metadata never become markup."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from conftest import Site

EVIL_BIB = """@online{evil,
  title = {<img src=x onerror=alert(1)> Evil & "title"},
  author = {<script>alert(2)</script>},
  journaltitle = {Out'let <b>bold</b>},
  date = {2025-11-21},
  url = {https://example.org/e?a=1&b=%22%3E%3Cscript%3Ealert(3)%3C/script%3E},
  kind = {news},
  note = {<iframe src=x></iframe> reliability},
  datenote = {<svg onload=alert(4)> date},
}
"""
#: Raw tags in the header are refused (md.raw-html), but a closing tag is not an element of its own:
#: printed unescaped it would end <title> or <h1> early.
EVIL_TITLE = "Q&A </title></h1></a> \"quoted\" 'single'"
#: The only scripts our theme writes: the deferred notes script and JSON-LD.
OWN_SCRIPTS = {"notes.js", "application/ld+json"}
#: the theme's own scripts, from its static folder
OWN_SCRIPT_RE = re.compile(r"(^|/)theme/js/[a-z]+\.js$")


@pytest.fixture
def hostile(site: Site) -> Site:
    site.write("citations/evil.bib", EVIL_BIB)
    site.write(
        "content/pages/one.md",
        f"Title: {EVIL_TITLE}\nDate: 2026-11-22\n"
        'Summary: *x* "quoted" & **more**\n\nClaim.[@evil] Others.[@rs] [@cz] [@anon]\n',
    )
    result = site.build()
    assert result.returncode == 0, result.stderr
    return site


def foreign_markup(soup: object) -> list[str]:
    """Elements or event attributes that our templates and renderer never write."""
    found = []
    for tag in soup.find_all(True):
        if tag.name in {"img", "iframe", "svg", "object", "embed"}:
            found.append(str(tag)[:80])
        if tag.name == "script" and not (tag.get("type") in OWN_SCRIPTS or OWN_SCRIPT_RE.search(tag.get("src", ""))):
            found.append(str(tag)[:80])
        found += [f"{tag.name}[{name}]" for name in tag.attrs if name.startswith("on")]
    return found


@pytest.mark.parametrize("page", ["one.html", "sources/evil.html", "sources/index.html", "sources/rs.html"])
def test_hostile_fields_are_text_not_markup(hostile: Site, page: str) -> None:
    soup = hostile.soup(page)
    assert foreign_markup(soup) == []
    text = soup.get_text(" ")
    if page != "sources/rs.html":
        assert '<img src=x onerror=alert(1)> Evil & "title"' in text
    if page in ("one.html", "sources/rs.html"):
        assert EVIL_TITLE in text  # the page title, as typed, in the page or in the list of citing pages


def test_hostile_fields_on_the_source_page(hostile: Site) -> None:
    soup = hostile.soup("sources/evil.html")
    assert soup.h1.get_text() == '<img src=x onerror=alert(1)> Evil & "title"'
    assert soup.title.get_text().startswith("Source: <img src=x onerror=alert(1)>")
    assert soup.select_one(".reliability").get_text() == "Reliability: <iframe src=x></iframe> reliability"
    link = soup.select_one("a.src-url")
    assert link["href"] == "https://example.org/e?a=1&b=%22%3E%3Cscript%3Ealert(3)%3C/script%3E"


def test_page_title_and_summary_in_head(hostile: Site) -> None:
    soup = hostile.soup("one.html")
    assert soup.title.get_text().startswith(EVIL_TITLE)
    assert soup.find("meta", attrs={"property": "og:title"})["content"].startswith(EVIL_TITLE)
    description = soup.find("meta", attrs={"name": "description"})["content"]
    assert description == 'x "quoted" & more'


def test_json_ld_stays_one_script_and_parses(hostile: Site) -> None:
    raw = (hostile.root / "output" / "one.html").read_text(encoding="utf-8")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', raw, re.S).group(1)
    assert "<" not in block and ">" not in block  # nothing inside can end or comment out the element
    data = json.loads(block)
    names = [c.get("name") for c in data["citation"]]
    assert '<img src=x onerror=alert(1)> Evil & "title"' in names
    assert data["headline"] == EVIL_TITLE


def test_build_refuses_a_theme_without_autoescaping(site: Site) -> None:
    site.page("one", "Claim.[@rs] [@cz] [@anon]\n")
    assert site.build().returncode == 0  # also writes the site's pelicanconf.py
    conf = site.root / "pelicanconf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + "JINJA_ENVIRONMENT = {'autoescape': False}\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "tools.build", "build", "--settings", str(conf), "--output", str(site.root / "output2")],
        capture_output=True,
        text=True,
        cwd=site.root,
        timeout=120,
    )
    assert result.returncode == 1
    assert "JINJA_ENVIRONMENT must set 'autoescape': True" in result.stderr
    assert not (site.root / "output2").exists()


EVIL = "<script>alert(1)</script> \" ' & <img src=x onerror=alert(2)>"


def test_notes_list_needs_no_sanitiser() -> None:
    """The notes list skips nh3: hostile text in every field must still stay inside the sanitiser's allowlist."""
    from html import escape

    import nh3
    from bs4 import BeautifulSoup

    from pelican.plugins.bibcite import dates, document
    from pelican.plugins.bibcite.bibliography import Source
    from pelican.plugins.bibcite.render import notes_ids, notes_section
    from pelican.plugins.bibcite.resolve import Note, Ref

    source = Source(
        key="evil",
        entry_type="online",
        title=EVIL,
        title_html=escape(EVIL),
        authors=(EVIL, EVIL),
        byline=f"{EVIL} and {EVIL}",
        creators=(),
        creator_role="author",
        others=False,
        outlet=EVIL,
        date="2025-11-21",
        date_value=dates.parse("2025-11-21"),
        doi="10.1000/x",
        links=(("doi:10.1000/x", "https://doi.org/10.1000/x"),),
        url='https://example.org/?q="><script>alert(3)</script>',
        urldate="2025-11-22",
        archiveurl="https://archive.example.org/'onmouseover='x",
        kind="news",
        note=EVIL,
        datenote=EVIL,
        sourcetext="",
        shortname=EVIL,
        unknown=frozenset(),
        path="citations/evil.bib",
        line=1,
    )
    refs = (Ref("a", "cite-1a", EVIL, EVIL, EVIL, 1, 1), Ref("b", "cite-1b", "", "", "", 2, 1))
    notes_html = notes_section((Note(1, source, refs),))
    # the link check reads the list's ids without rendering it: the same ids, for one note and for many
    many = tuple(Note(n, source, refs) for n in range(1, 6))
    for notes in ((Note(1, source, refs),), many, ()):
        assert set(re.findall(r'\sid="([^"]+)"', notes_section(notes))) == notes_ids(notes)
    assert notes_ids(many) == {"notes-heading", "note-1", "note-2", "note-3", "note-4", "note-5"}
    soup = BeautifulSoup(notes_html, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name in document.SAFE_TAGS, tag.name
        allowed = document.SAFE_ATTRIBUTES["*"] | document.SAFE_ATTRIBUTES.get(tag.name, set())
        assert set(tag.attrs) <= allowed, (tag.name, tag.attrs)
        if tag.name == "a":
            assert tag["href"].startswith(("#", "https://", "sources/")), tag["href"]
    # what the sanitiser would make of it is the same document
    assert (
        BeautifulSoup(
            nh3.clean(
                notes_html,
                tags=document.SAFE_TAGS,
                attributes=document.SAFE_ATTRIBUTES,
                url_schemes=set(document.SAFE_SCHEMES),
                link_rel=None,
            ),
            "html.parser",
        )
        == soup
    )
    assert soup.get_text().count(EVIL) >= 6  # outlet, title, byline, prefix, locator, reliability note...
