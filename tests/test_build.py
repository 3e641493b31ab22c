"""Whole tiny sites built with the real plugin and theme; assertions on the HTML."""

from __future__ import annotations

from urllib.parse import unquote

from conftest import Site, problem_lines

BODY = """
First claim.[@rs] An opinion follows.[see @cz, para. 4]

Both at once.[@rs; @cz] A quoted pinpoint.[@rs, "exact - words & more"]

Unknown metadata is said plainly.[@anon] Mail someone@example.org, follow @handle, and `[@nope]` is code.
"""


def built(site: Site) -> Site:
    site.page("one", BODY, title="Page one")
    site.page("two", "Only the second page cites this.[@cz]\n", title="Page two")
    result = site.build()
    assert result.returncode == 0, result.stderr
    # the happy path is silent: no error and no warning
    assert problem_lines(result.stderr) == []
    assert "warning" not in result.stderr.lower()
    return site


def test_notes_are_numbered_in_order_of_first_citation(site: Site) -> None:
    soup = built(site).soup("one.html")
    markers = [(a["id"], a.get_text()) for a in soup.select("a.noteref")]
    assert markers == [
        ("cite-1a", "1"),
        ("cite-2a", "2"),
        ("cite-1b", "1"),
        ("cite-2b", "2"),
        ("cite-1c", "1"),
        ("cite-3a", "3"),
    ]
    notes = soup.select("section.notes[role=doc-endnotes] ol > li.note")
    assert [li["id"] for li in notes] == ["note-1", "note-2", "note-3"]
    assert [li["data-source"] for li in notes] == ["rs", "cz", "anon"]
    for a in soup.select("a.noteref"):
        assert a["role"] == "doc-noteref"
        assert a["href"] == "#note-" + a.get_text()
        assert soup.find(id=a["href"][1:]) is not None


def test_each_note_links_back_to_every_citing_place_with_distinct_labels(site: Site) -> None:
    soup = built(site).soup("one.html")
    backs = {
        # what a reader sees: the label after the arrow (the arrow is hidden from screen readers, which
        # read "Back to citation 1a" instead)
        li["id"]: [(a["href"], "".join(a.find_all(string=True, recursive=False))) for a in li.select("a.backref")]
        for li in soup.select("li.note")
    }
    assert backs["note-1"] == [("#cite-1a", "1a"), ("#cite-1b", "1b"), ("#cite-1c", "1c")]
    assert backs["note-2"] == [("#cite-2a", "2a"), ("#cite-2b", "2b")]
    assert backs["note-3"] == [("#cite-3a", "3")]
    for href, _ in sum(backs.values(), []):
        assert soup.find(id=href[1:]) is not None


def test_note_shows_full_metadata_access_date_archive_and_kind(site: Site) -> None:
    note = built(site).soup("one.html").find(id="note-1")
    text = " ".join(note.get_text(" ").split())
    for expected in (
        "Rolling Stone",
        "\u201cPlan leaked\u201d",
        "by Jane Doe",
        "21 November 2025",
        "accessed 23 November 2025",
        "Archived copy",
        "News report",
    ):
        assert expected in text
    assert note.select_one("a.src-url")["href"] == "https://example.org/rs"
    assert note.select_one("a.src-archive")["href"] == "https://archive.example.org/rs"
    assert note.select_one(".badge.kind-news") is not None


def test_locator_prefix_and_quoted_passage_with_text_fragment(site: Site) -> None:
    soup = built(site).soup("one.html")
    pins = " ".join(soup.find(id="note-2").select_one("ul.pinpoints").get_text(" ").split())
    assert "see, para. 4" in pins
    fragment = soup.find(id="note-1").select_one("a.fragment")
    assert fragment.get_text() == "\u201cexact - words & more\u201d"
    href = fragment["href"]
    assert href.startswith("https://example.org/rs#:~:text=")
    encoded = href.split("#:~:text=", 1)[1]
    assert "-" not in encoded and "&" not in encoded and " " not in encoded
    assert unquote(encoded) == "exact - words & more"


def test_unknown_metadata_is_stated_never_blank(site: Site) -> None:
    note = built(site).soup("one.html").find(id="note-3")
    text = " ".join(note.get_text(" ").split())
    # one line names everything that could not be identified, once
    assert "Not identified: publisher, title, byline, date, address." in text
    assert text.count("not identified") + text.count("Not identified") == 1
    assert "Unverified" in text
    assert note.select_one("a.src-url") is None


def test_reliability_note_is_shown(site: Site) -> None:
    note = built(site).soup("one.html").find(id="note-2")
    assert "Byline described as AI-powered." in note.select_one(".reliability").get_text()


def test_non_citations_stay_text(site: Site) -> None:
    soup = built(site).soup("one.html")
    text = soup.select_one("article").get_text()
    assert "someone@example.org" in text and "@handle" in text
    assert soup.select_one("code").get_text() == "[@nope]"


def test_source_pages_list_every_citing_page_and_note(site: Site) -> None:
    soup = built(site).soup("sources/cz.html")
    links = [(a["href"], " ".join(a.get_text().split())) for a in soup.select("ul.cited-in a")]
    assert ("../one.html", "Page one") in links
    assert ("../one.html#note-2", "note 2") in links
    assert ("../two.html", "Page two") in links
    assert ("../two.html#note-1", "note 1") in links
    # the note links to its source page, relative to the page
    one = site.soup("one.html")
    assert one.find(id="note-2").select_one("a.about")["href"] == "sources/cz.html"


def test_sources_index_grouped_by_outlet_with_counts(site: Site) -> None:
    soup = built(site).soup("sources/index.html")
    groups = {" ".join(s.h2.get_text().split()): s for s in soup.select("section.outlet")}
    assert set(groups) == {"crisis.zone (1 source)", "Rolling Stone (1 source)", "publisher not identified (1 source)"}
    counts = " ".join(groups["crisis.zone (1 source)"].get_text(" ").split())
    assert "cited 3 times on 2 pages" in counts


def test_pages_without_citations_have_no_notes_section(site: Site) -> None:
    site.page("one", BODY)
    site.page("plain", "No citations here.\n", title="Plain")
    assert site.build().returncode == 0
    assert site.soup("plain.html").select_one("section.notes") is None


def test_uncited_source_is_a_warning_listed_at_the_end(site: Site) -> None:
    site.page("one", "Only one source.[@rs]\n")
    result = site.build()
    assert result.returncode == 0
    lines = problem_lines(result.stderr)
    assert lines == [
        "citations/anon.bib:1:1: warning: source 'anon' is not cited by any page [bib.uncited]",
        "citations/cz.bib:1:1: warning: source 'cz' is not cited by any page [bib.uncited]",
    ]


def test_page_without_summary_gets_one_without_note_markers(site: Site) -> None:
    words = " ".join(f"word{i}" for i in range(60))
    site.page("one", f"First claim.[@rs] Second claim.[@cz, para. 2] {words}\n\nMore.[@anon]\n")
    assert site.build().returncode == 0
    soup = site.soup("one.html")
    description = soup.find("meta", attrs={"name": "description"})["content"]
    assert description.startswith("First claim. Second claim. word0 word1")
    assert description.endswith("\u2026")  # cut at SUMMARY_MAX_LENGTH words, as Pelican does
    for noise in ("Rolling Stone", "News report", "para. 2", "claim.1", "crisis.zone"):
        assert noise not in description, noise
    # the page itself keeps its markers and margin notes
    assert len(soup.select("sup.cite")) == 3 and len(soup.select(".sidenote")) == 3


def test_page_html_is_kept_as_ascii_with_character_references(site: Site) -> None:
    site.page("one", "Curly \u201cquotes\u201d \u2014 and \u00e9t\u00e9.[@rs, \u201cLeaked\u201d] [@cz] [@anon]\n")
    assert site.build().returncode == 0
    raw = (site.root / "output" / "one.html").read_text(encoding="utf-8")
    body = raw[raw.index("<article") : raw.index('<section class="notes"')]
    assert body.isascii() and "&#8220;quotes&#8221;" in body
    # readers (and every parser) see the characters themselves
    assert "Curly \u201cquotes\u201d \u2014 and \u00e9t\u00e9." in site.soup("one.html").article.get_text()


def test_pandoc_modes_render_as_pandoc_means_them(site: Site) -> None:
    """@key names the author in the sentence, then the marker; [-@key] is the note alone; both count as citations."""
    site.page(
        "one",
        "As @rs says, it leaked.[-@cz] @anon [para. 2] adds more. A handle @rsx stays text.\n",
        title="Page one",
    )
    result = site.build()
    assert result.returncode == 0, result.stderr
    assert problem_lines(result.stderr) == []
    soup = site.soup("one.html")
    paragraph = soup.select_one("main p#intro-1")
    assert paragraph is not None
    for margin in paragraph.select(".sidenote"):
        margin.decompose()  # the margin notes repeat each source beside its marker
    # the word joiner that keeps a marker on its word's line is not a word
    text = " ".join(paragraph.get_text(" ", strip=True).replace("\u2060", " ").split())
    # the family name (or the outlet of an unsigned article) replaces "@key"; the space before it stays
    assert text.startswith("As Doe [ 1 ] says, it leaked. [ 2 ]")
    authors = [span.get_text() for span in paragraph.select("span.cite-author")]
    assert authors == ["Doe", "an unidentified source"]  # anon has no author, outlet or title
    assert "@rs " not in text and "@anon" not in text
    assert "@rsx" in text  # not a key, and too short to be a near miss: a handle, left as typed
    assert [a.get_text() for a in paragraph.select("a.noteref")] == ["1", "2", "3"]
    pins = soup.select_one("li#note-3 ul.pinpoints").get_text(" ", strip=True)
    assert "para. 2" in pins
