"""The search index in shards (plugins/sitesearch/shards.py), and the lxml indexer against the one it replaced.

The browser tests open the real site from disk twice, with one more page of unusual
spellings: once with its index in one file, once split into shards of a few
kilobytes, and require every query to give the same results both ways.
"""

from __future__ import annotations

import gzip
import json
import re
import runpy
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import sitesearch_reference as reference
from conftest import REPO, Site, problem_lines

from assethash.plugin import HASHED_RE
from sitesearch import folding, shards
from sitesearch import index as sitesearch_index
from sitesearch.extract import Options
from sitesearch.index import Collector

NAME = "search-index.js"
#: Small enough to cut the real site (42 KB gzipped) into about six shards.
LIMIT = 8 * 1024
HEAD = re.compile(r"window\.SEARCH_INDEX = (.*);\n", re.S)
SHARD = re.compile(r"window\.SEARCH_SHARD\((\d+),(.*)\);\n", re.S)


@cache
def options() -> Options:
    """The real site's settings that shape the index, as the plugin reads them."""
    conf = runpy.run_path(str(REPO / "pelicanconf.py"))
    return Options(conf["SITENAME"], conf["SITESUBTITLE"])


#: A page of spellings where lower case, Unicode decomposition and search.js's rules meet.
UNUSUAL = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Unusual spellings, quixotically \u00b7 {site}</title></head><body><main id="main"><article>
<h1>Unusual spellings</h1>
<p>\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3, \u03a3\u0391\u03a3 and
\u03a3\u03af\u03c3\u03c5\u03c6\u03bf\u03c2 of \u0130stanbul with \u0131spanak; \ufb01nance, \ufb00 and \ufb05;
\u2460\u2461, x\u00b2, \u00bd, \u216b; \U0001d401\U0001d428\U0001d425\U0001d41d
and \U00020000-x; e\u0301te\u0301 beside \u00e9t\u00e9.</p>
<h2 id="scripts">Other scripts</h2>
<p>\u0939\u093f\u0928\u094d\u0926\u0940, \ud55c\uad6d\uc5b4, \u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f,
\u0417\u0430\u043f\u043e\u0440\u0456\u0436\u0436\u044f, \u01c5emal, Stra\u00dfe and STRASSE, \u212a and \u210c,
\uff21\uff22\uff23\uff11\uff12\uff13, snake_case.</p>
<h2 id="rules">Rules</h2>
<ul><li id="hyphens">co-operate, re\u2010enter, non\u2011stop, a--b, -lead, trail-, yy-y, 9-11.</li>
<li id="digits">1 000 000, 600,000, 2.500, 12,34, 1\u202f000, 1\u00a0000, 1,0000, 7,000,00,
\u2460 000, \u00b2\u00a0000, x\u3000y, 5 \u2014 000.</li>
<li id="variants">Zaporozhye, Dnipro, Zelenskyy, Donbass, kyiv ya ye ie.</li></ul>
</article></main></body></html>
"""


def write_index(out: Path, limit: int) -> shards.Written:
    (out / NAME).unlink()
    return shards.write(Collector(out, options()).pages(), out, NAME, limit)


@pytest.fixture(scope="module")
def pair(real_site: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two copies of the real site with the page of unusual spellings: the index in one file, and in shards."""
    base = tmp_path_factory.mktemp("shards")
    copies = (base / "single", base / "sharded")
    for out in copies:
        shutil.copytree(real_site, out)
        (out / "unusual.html").write_text(UNUSUAL.format(site=options().site_name), encoding="utf-8")
    assert not write_index(copies[0], 0).shards
    assert len(write_index(copies[1], LIMIT).shards) >= 5
    return copies


def load(out: Path) -> tuple[dict, list[dict]]:
    """The head (or the whole index) and every unit, in order, shards joined."""
    match = HEAD.fullmatch((out / NAME).read_text(encoding="utf-8"))
    assert match
    head = json.loads(match.group(1))
    if "u" in head:
        return head, head["u"]
    units: list[dict] = []
    for number, (name, first_page, first_unit) in enumerate(head["s"]):
        call = SHARD.fullmatch((out / name).read_text(encoding="utf-8"))
        assert call and int(call.group(1)) == number, name
        assert first_unit == len(units) and units[-1]["p"] < first_page if units else first_page == 0
        units += json.loads(call.group(2))
    return head, units


def test_the_lxml_indexer_writes_what_the_html_parser_one_did(real_site: Path) -> None:
    """The plugin (lxml, page by page as written) and the BeautifulSoup walker it replaced, on the real site."""
    opts = options()
    before = reference.render(reference.build(real_site, opts.site_name, opts.default_description))
    assert (real_site / NAME).read_text(encoding="utf-8") == before


#: Pages where the two parsers' trees could part: comments, text outside the text (script, ruby), bold leads,
#: hidden and excluded parts (their following text kept), ids at every level, entities and odd whitespace.
EDGES = [
    '<h1>T<!-- c -->itle <script>x()</script><span class="clause-number">Point 9</span> Edge, cases</h1>'
    "<p>Opening<!-- a comment --> words &amp; more\u00a0text.</p>",
    '<h1>Ruby</h1><h2 id="r">Ruby <ruby>\u6f22<rp>(</rp><rt>kan</rt><rp>)</rp></ruby> heading</h2><p>Text '
    "<ruby>\u5b57<rt>ji</rt></ruby> here.</p>",
    '<h1>Leads</h1><ul><li id="a"><strong>Term</strong><!-- x --> \u2014 dash after a comment.</li>'
    "<li><b>Other:</b> no dash</li><li><strong>Third</strong>\u2013 en dash</li></ul>",
    '<h1>Hidden</h1><p>Keep <span aria-hidden="true">gone</span>after, <span class="drop">dropped</span>and'
    ' tail.</p><div data-search-ignore><p>ignored</p></div><p class="drop">whole</p><p>End.</p>',
    '<h1>Ids</h1><section id="s"><div id="d"><p>In a div.</p><h3 id="h">Heading</h3><p>After.</p></div>'
    "<p>Back in s.</p></section><dl><dt>Term</dt><dd>Def<br>line</dd></dl><table><tr><td>a</td><td>b</td>"
    "</tr></table><p>\u00adsoft\u200bzero\u2060joiner\ufeff.</p>",
]


@pytest.mark.parametrize("exclude", [[], [".drop"]])
def test_the_lxml_walker_reads_hand_made_pages_as_the_reference_does(tmp_path: Path, exclude: list[str]) -> None:
    for n, body in enumerate(EDGES):
        (tmp_path / f"e{n}.html").write_text(
            f'<!DOCTYPE html><html><head><title>E{n} \u00b7 S</title><meta name="description" content="D{n}">'
            f'</head><body><nav>Menu</nav><main id="main"><article id="art">{body}</article></main></body></html>',
            encoding="utf-8",
        )
    built = sitesearch_index.build(tmp_path, "S", "", exclude)
    assert built == reference.build(tmp_path, "S", "", exclude)
    assert len(built["u"]) >= 15 and ("dropped" in json.dumps(built)) == (not exclude)


def test_shards_are_the_single_index_cut_by_page(pair: tuple[Path, Path]) -> None:
    single, sharded = pair
    whole, units = load(single)
    head, shard_units = load(sharded)
    assert set(head) == {"v", "p", "s", "w"} and head["p"] == whole["p"] and head["v"] == whole["v"]
    assert shard_units == units
    assert [p["u"].split("#")[0] for p in units if "l" not in p] == [url for url, _, _ in head["p"]]
    # each shard within the limit unless it is a single page; names the published site caches for a year
    starts = [first for _, first, _ in head["s"]] + [len(head["p"])]
    for (name, first, _), end in zip(head["s"], starts[1:], strict=True):
        assert HASHED_RE.search(name) and name.startswith("search-index-"), name
        assert len(gzip.compress((sharded / name).read_bytes(), 9)) <= LIMIT or end - first == 1, name
    # the words: every word of a shard's sections and texts, filed under exactly the shards that hold it
    where: dict[str, list[int]] = {}
    for key, words in head["w"].items():
        for word in words.split(" "):
            assert word not in where, word
            where[word] = numbers(key)
    expected: dict[str, list[int]] = {}
    for number, (first, end) in enumerate(zip(starts, starts[1:], strict=False)):
        texts = [t for u in units if first <= u["p"] < end for t in (u.get("l", ""), u["x"])]
        for word in folding.words(texts):
            expected.setdefault(word, []).append(number)
    assert where == expected
    assert {"zaporizhia", "ceasefire", "600000", "strase", "istanbul"} <= set(where)


def numbers(key: str) -> list[int]:
    """ "0-2,5" as [0, 1, 2, 5]."""
    ends = [[int(n) for n in part.split("-")] for part in key.split(",")]
    return [n for first, *last in ends for n in range(first, (last or [first])[0] + 1)]


def test_the_setting_splits_a_built_site_and_is_checked(site: Site, builder: Any) -> None:
    for n, key in enumerate(("rs", "cz", "anon")):
        site.page(f"p{n}", f"Paragraph {n} of a page about buffer zones.[@{key}]\n\nAnother paragraph, number {n}.")
    settings = site.configure()
    plain = settings.read_text(encoding="utf-8")
    settings.write_text(plain + "SITESEARCH_SHARD_BYTES = 1\n", encoding="utf-8")
    result = builder.build(site.root)
    assert result["code"] == 0 and problem_lines(result["stderr"]) == [], result["stderr"]
    head, units = load(site.root / "output")
    assert len(head["s"]) == len(head["p"]) >= 4, "a page a shard"
    assert [f for f in result["files"] if f.startswith("search-index")] == sorted([NAME] + [s[0] for s in head["s"]])
    assert units == shards_free(site.root / "output")
    settings.write_text(plain + "SITESEARCH_SHARD_BYTES = '300 KB'\n", encoding="utf-8")
    result = builder.build(site.root)
    assert result["code"] == 1 and "SITESEARCH_SHARD_BYTES must be a number of bytes" in result["stderr"]


def shards_free(out: Path) -> list[dict]:
    """The units of the site at *out* indexed again in one file (in a copy)."""
    copy = out.parent / "single"
    shutil.copytree(out, copy)
    write_index(copy, 0)
    return load(copy)[1]


def test_ranges_and_groups() -> None:
    assert shards.ranges([0]) == "0" and shards.ranges([0, 1, 2, 5, 7, 8]) == "0-2,5,7-8"
    assert numbers("0-2,5,7-8") == [0, 1, 2, 5, 7, 8]
    vocabulary = shards.Vocabulary()
    for number, words in enumerate([frozenset({"b", "a"}), frozenset({"a", "c"})]):
        vocabulary.add(number, words)
    assert vocabulary.groups() == {"0-1": "a", "0": "b", "1": "c"}


# In Chromium, from disk.

#: Types a query and submits it; once the results are shown (after the shards they need have
#: loaded), the count line, the results, and how many shard scripts the page has loaded.
ASK_JS = """async q => {
  const count = document.getElementById('search-count');
  count.textContent = '\\u2026';
  document.getElementById('search-input').value = q;
  document.getElementById('search-form').requestSubmit();
  for (let waited = 0; count.textContent === '\\u2026'; waited += 5) {
    if (waited > 5000) return {count: 'no answer in 5 s'};
    await new Promise(r => setTimeout(r, 5));
  }
  const items = [...document.querySelectorAll('#search-list li')].map(li => [
    li.querySelector('a').getAttribute('href'), li.querySelector('a').textContent,
    li.querySelector('.search-snippet') ? li.querySelector('.search-snippet').textContent : '',
    [...li.querySelectorAll('mark')].map(m => m.textContent)]);
  return {count: count.textContent, items, loaded: document.querySelectorAll('script[src*="search-index-"]').length};
}"""

QUERIES = [
    # whole words, several words, a word only a page title has (with one its text has), nothing
    "NATO",
    "buffer zone",
    "quixotically istanbul",
    "qwxzzy nothing",
    # being typed: one letter (nearly every shard), the start of a spelling the site writes otherwise
    "s",
    "Zaporo",
    # one edit away (the word being typed, and one before it), and two
    "Donetks",
    "guarantess security",
    "Zaporizzzia",
    # spellings read alike, hyphens, digit grouping, and the page of unusual spellings
    # (tests/test_search_shards.py::test_python_cuts_words_as_search_js_does checks every word of it)
    "Zaporozhye",
    "cease-fire",
    "600000",
    "\u03a3\u0391\u03a3 and",
    "istanbul finance",
]


def test_shards_give_the_results_of_one_file(browser: Any, pair: tuple[Path, Path]) -> None:
    single, sharded = pair
    shard_count = len(load(sharded)[0]["s"])
    context = browser.new_context()
    errors: list[str] = []
    try:
        one, split = context.new_page(), context.new_page()
        for page in (one, split):
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        one.goto((single / "search.html").as_uri())
        answers = one.evaluate(
            f"async qs => {{ const out = []; for (const q of qs) out.push(await ({ASK_JS})(q)); return out; }}", QUERIES
        )
        loaded = []
        for query, expected in zip(QUERIES, answers, strict=True):
            # afresh, so that a result can only come from the shards this query chose (scripts are deferred:
            # they have run by DOMContentLoaded)
            split.goto((sharded / "search.html").as_uri(), wait_until="domcontentloaded")
            got = split.evaluate(ASK_JS, query)
            assert got["count"] == expected["count"] and got["items"] == expected["items"], query
            loaded.append(got["loaded"])
        assert loaded[0] < shard_count, "a query loads only the shards it needs"
        assert loaded[-1] <= shard_count
        # every result shown at once, from shards already there
        split.evaluate(ASK_JS, "NATO")
        split.click("button.search-more")
        assert len(split.query_selector_all("#search-list li")) == int(split.inner_text("#search-count").split()[0])
        # a shard that does not load is said so, and tried again by the next search
        broken = context.new_page()
        broken.route("**/search-index-*", lambda route: route.abort())
        broken.goto((sharded / "search.html").as_uri())
        assert broken.evaluate(ASK_JS, "NATO")["count"].startswith("Part of the search index could not be loaded")
        broken.unroute("**/search-index-*")
        assert broken.evaluate(ASK_JS, "NATO")["count"] == answers[0]["count"]
    finally:
        context.close()
    assert errors == []


#: search.js's fold() and the constants it uses, read out of the script, cutting folded text into words.
FOLD_START, FOLD_END = "  // Letters and digits in any script", "  function escape(word)"
WORDS_JS = """([source, texts]) => {
  const cut = new Function(source + '; return t => fold(t).split(SPLIT).filter(w => w);')();
  return texts.map(cut);
}"""


def test_python_cuts_words_as_search_js_does(browser: Any, pair: tuple[Path, Path]) -> None:
    """folding.py decides which shard search.js loads: its words must be search.js's, on every text of the site."""
    script = (REPO / "theme/static/js/search.js").read_text(encoding="utf-8")
    source = script[script.index(FOLD_START) : script.index(FOLD_END)]
    head, units = load(pair[0])
    texts = sorted({t for u in units for t in (u.get("l", ""), u["x"])} | {title for _, title, _ in head["p"]})
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto((pair[0] / "search.html").as_uri())
        cut = page.evaluate(WORDS_JS, [source, texts])
    finally:
        context.close()
    for text, words in zip(texts, cut, strict=True):
        assert set(words) == folding.words([text]), text
    assert folding.words(texts) == {w for words in cut for w in words}


def test_shards_kept_between_builds_are_those_a_fresh_write_gives(pair: tuple[Path, Path], tmp_path: Path) -> None:
    """The devserver keeps what it worked out of each page (shards.Prepared) and the shards it cut: a shard
    cut from the same page objects is written again without cutting it; after an edit that moves the cuts
    (a page grown, one shrunk) and one that does not, every file is what a fresh write gives."""
    single, _ = pair
    pages = Collector(single, options()).pages()
    middle = len(pages) // 2
    grown = pages[middle]._replace(units=pages[middle].units * 3)
    shrunk = pages[-2]._replace(units=pages[-2].units[:1])
    same = pages[-1]._replace()  # an equal page, a new object: its shard is cut again
    kept = shards.Prepared(reuse=True)
    cuts: list[bool] = []
    original_shard = kept.shard

    def shard(limit: int, number: int, first: int, now: list, last: Path | None) -> Any:
        found = original_shard(limit, number, first, now, last)
        cuts.append(found is None)
        return found

    kept.shard = shard  # type: ignore[method-assign]
    edited = [*pages[:middle], grown, *pages[middle + 1 : -2], shrunk, same]
    # the pages, then edited; the same at another size limit; a page added at the front
    versions = [(pages, LIMIT), (edited, LIMIT), (edited, 2 * LIMIT), ([pages[1], *edited], 2 * LIMIT)]
    last = None
    for step, (version, limit) in enumerate(versions):
        out, fresh = tmp_path / f"kept-{step}", tmp_path / f"fresh-{step}"
        out.mkdir()
        fresh.mkdir()
        cuts.clear()
        written = shards.write(version, out, NAME, limit, kept, last)
        last = out
        kept.keep_only(version)
        shards.write(version, fresh, NAME, limit, shards.Prepared())
        assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in fresh.iterdir())
        for path in fresh.iterdir():
            assert (out / path.name).read_bytes() == path.read_bytes(), path.name
        assert len(written.shards) >= 3
        if step in (0, 2, 3):  # new pages, a new limit, every page moved by one: every shard cut
            assert all(cuts), (step, cuts)
        else:  # the shards before the grown page were kept (their files linked); it and every later one cut again
            assert cuts[0] is False and cuts[-1] is True, cuts
            first = written.shards[0]
            assert first.stat().st_ino == (tmp_path / f"kept-{step - 1}" / first.name).stat().st_ino


def test_a_kept_shard_that_cannot_be_linked_is_written_again(
    pair: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the last build's file cannot be linked (another file system), the same shard is written out."""
    single, _ = pair
    pages = Collector(single, options()).pages()
    kept = shards.Prepared(reuse=True)
    first, second, fresh = tmp_path / "first", tmp_path / "second", tmp_path / "fresh"
    for folder in (first, second, fresh):
        folder.mkdir()
    shards.write(pages, first, NAME, LIMIT, kept)
    kept.keep_only(pages)
    monkeypatch.setattr(shards, "_linked", lambda source, path: False)
    written = shards.write(pages, second, NAME, LIMIT, kept, first)
    shards.write(pages, fresh, NAME, LIMIT, shards.Prepared())
    assert len(written.shards) >= 5
    for path in fresh.iterdir():
        assert (second / path.name).read_bytes() == path.read_bytes(), path.name
        assert (second / path.name).stat().st_ino != (first / path.name).stat().st_ino
