"""Pandoc is the oracle for the citation syntax: every form either means here what it means in Pandoc
(same keys, order, mode, prefix and locator or suffix), or is one of the differences that
CONTRIBUTING.md's table lists with its reason. The table's rows are this test's expected
differences: a difference it does not list fails, and so does a row no example shows.

The pandoc binary is pypandoc-binary's (test requirements); nothing is downloaded.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pelican.plugins.bibcite.syntax import KeyIndex, scan

pypandoc = pytest.importorskip("pypandoc")

#: The keys of the made-up bibliography the cases cite: every punctuation class and script Pandoc allows.
KEYS = (
    "doe99",
    "smith04",
    "doe:2020.a",
    "Foo_bar.baz",
    "Foo_bar.baz.",
    "m\u00fcller2020",
    "\u0436\u0443\u043a",
    "a/b",
    "x-y+z",
    "k#1",
    "q?r",
    "t~u",
)
INDEX = KeyIndex(KEYS)
SEPARATOR = "<!-- case -->"
MODES = {"NormalCitation": "normal", "SuppressAuthor": "suppress-author", "AuthorInText": "in-text"}
#: Pandoc's smart punctuation (a no-break space after abbreviations, curly quotes, dashes), which this
#: site's Markdown does not apply: the comparison reads both alike (the table's "typography" row).
TYPOGRAPHY = str.maketrans(
    {
        "\u00a0": " ",
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "--",
        "\u2014": "---",
        "\u2026": "...",
    }
)
Cited = tuple[str, str, str, str]  # key, mode, prefix, suffix (locator or "quoted passage")


def _text(inlines: list[dict]) -> str:
    out = ""
    for inline in inlines:
        kind, content = inline["t"], inline.get("c")
        if kind == "Str":
            out += content
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out += " "
        elif kind == "Quoted":
            out += '"' + _text(content[1]) + '"'
        elif kind in ("Emph", "Strong", "Span", "Strikeout", "SmallCaps"):
            out += _text(content[-1] if kind == "Span" else content)
        elif kind == "Code":
            out += content[1]
        else:
            out += f"<{kind}>"
    return out


def _suffix(text: str) -> str:
    text = " ".join(text.translate(TYPOGRAPHY).split())
    return text[1:].strip() if text.startswith(",") else text


def _cites(node: object, found: list[Cited]) -> list[Cited]:
    if isinstance(node, dict):
        if node.get("t") == "Cite":
            for c in node["c"][0]:
                found.append(
                    (
                        c["citationId"],
                        MODES[c["citationMode"]["t"]],
                        _suffix(_text(c["citationPrefix"])),
                        _suffix(_text(c["citationSuffix"])),
                    )
                )
        for value in node.values():
            _cites(value, found)
    elif isinstance(node, list):
        for value in node:
            _cites(value, found)
    return found


#: What changes how Pandoc reads the rest of a document (example-list labels, link definitions):
#: a case with one of these is read on its own.
DOCUMENT_WIDE = re.compile(r"\(@|\]:")


def pandoc(cases: list[str]) -> list[list[Cited]]:
    """Pandoc's citations of each case: one run of `pandoc -f markdown -t json` for all but the cases
    whose text changes how Pandoc reads the whole document, which run alone."""
    alone = [i for i, case in enumerate(cases) if DOCUMENT_WIDE.search(case)]
    together = _pandoc_run([case for i, case in enumerate(cases) if i not in alone])
    found = {i: _pandoc_run([cases[i]])[0] for i in alone}
    return [found[i] if i in found else together.pop(0) for i in range(len(cases))]


def _pandoc_run(cases: list[str]) -> list[list[Cited]]:
    if not cases:
        return []
    source = f"\n\n{SEPARATOR}\n\n".join(cases)
    result = subprocess.run(
        [pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "json"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    out: list[list[Cited]] = [[]]
    for block in json.loads(result.stdout)["blocks"]:
        if block["t"] == "RawBlock" and block["c"][1].strip() == SEPARATOR:
            out.append([])
        else:
            _cites(block, out[-1])
    assert len(out) == len(cases), "a case swallowed the separator"
    return out


def ours(case: str) -> tuple[list[Cited], list[str]]:
    """Our citations of *case* (key, mode, prefix, locator or quote), and the codes of our errors."""
    groups, problems = scan(case, skip_header=False, keys=INDEX)
    cited = [
        (c.key, c.mode, c.prefix, c.locator or (f'"{c.quote}"' if c.quote else "")) for g in groups for c in g.cites
    ]
    return cited, [f"{p.code}: {p.message}" for p in problems if p.severity == "error"]


#: How each listed difference is recognised: our error, or what Pandoc finds that we do not.
def classify(case: str, theirs: list[Cited]) -> str:
    """ "agree", or the name of the table row that explains the difference, or "unexplained"."""
    mine, errors = ours(case)
    if not errors:
        mine = [(k, m, p, s.translate(TYPOGRAPHY)) for k, m, p, s in mine]
        if mine == theirs:
            return "agree"
        extra = _unmatched(theirs, mine)
        if extra is None or not all(c[1] == "in-text" for c in extra):
            return "unexplained"
        reasons = [
            "handle" if c[0] not in INDEX else "escaped" if f"\\[@{c[0]}" in case else "unexplained" for c in extra
        ]
        return "unexplained" if "unexplained" in reasons else reasons[0]
    first = errors[0]
    for name, pattern in ERROR_ROWS:
        if re.search(pattern, first):
            return name
    return "unexplained"


def _unmatched(theirs: list[Cited], mine: list[Cited]) -> list[Cited] | None:
    """Pandoc's citations that ours skip, when ours are Pandoc's in order with some left out; else None."""
    extra: list[Cited] = []
    rest = list(mine)
    for cited in theirs:
        if rest and rest[0] == cited:
            rest.pop(0)
        else:
            extra.append(cited)
    return None if rest else extra


ERROR_ROWS = (
    ("in-link", r"^cite\.in-link"),
    ("attributes", r"^cite\.attributes"),
    ("inline-note", r"^cite\.inline-note"),
    ("bare-key", r"^cite\.bare-key"),
    ("braced-locator", r"^cite\.syntax: unexpected text '\{"),
    ("trailing-text", r"^cite\.syntax: unexpected text "),
    ("two-keys", r"^cite\.syntax: two keys"),
    ("empty-pinpoint", r"^cite\.syntax: (empty locator|empty quoted|empty item)"),
    ("missing-key", r"^cite\.syntax: missing citation key"),
    ("no-key", r"^cite\.syntax: citation item .* has no '@key'"),
    ("quote-then-text", r"^cite\.syntax: (text .* after the quoted passage|unterminated quoted)"),
    ("markup", r"^cite\.syntax: Markdown \("),
)


def table() -> dict[str, str]:
    """The rows of CONTRIBUTING.md's table of differences with Pandoc: name -> example."""
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text.split("\n### Where Pandoc reads it differently\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"^\| `([a-z-]+)` \| `(.+?)` \|", line)
        if m:
            rows[m.group(1)] = m.group(2).replace("\\|", "|")
    return rows


def test_the_table_lists_every_kind_of_difference_and_each_example_shows_its_own() -> None:
    rows = table()
    assert set(rows) == {"handle", "escaped", *(name for name, _ in ERROR_ROWS)}
    examples = list(rows.items())
    found = pandoc([example for _, example in examples])
    assert {name: classify(example, theirs) for (name, example), theirs in zip(examples, found, strict=True)} == {
        name: name for name, _ in examples
    }


#: Every example of the citation syntax in Pandoc's manual (section "Citation syntax"), with our keys.
MANUAL = [
    "Blah blah [see @doe99, pp. 33-35; also @smith04, chap. 1].",
    "Blah blah [@doe99, pp. 33-35, 38-39 and *passim*].",
    "Blah blah [@smith04; @doe99].",
    "[@smith{ii, A, D-Z}, with a suffix]",
    "[@smith, {pp. iv, vi-xi, (xv)-(xvii)} with suffix here]",
    "[@smith{}, 99 years later]",
    "Smith says blah [-@smith04].",
    "@smith04 says blah.",
    "@smith04 [p. 33] says blah.",
    "[@Foo_bar.baz.]",
    "@{Foo_bar.baz.} says",
    "[@doe99 p. 33]",
    "[-@smith04; @doe99]",
    "[see @doe99 and @smith04]",
    "[me @ example.com]",
    "(@smith04)",
    "[@m\u00fcller2020]",
    "[@doe:2020.a]",
    "\\[@doe99\\]",
    "Follow @nytimes for news.",
    "https://medium.com/@author/post",
    "[@doe99](https://example.org)",
    "[@doe99]{.c}",
    "Text.^[See @doe99, p. 3.]",
    'A quote.[@doe99, "exact words"]',
    "Mail me@example.com today.",
    "Code `[@doe99]` here.",
]


def test_every_form_of_pandocs_manual_agrees_or_is_a_listed_difference() -> None:
    found = pandoc(MANUAL)
    verdicts = {case: classify(case, theirs) for case, theirs in zip(MANUAL, found, strict=True)}
    assert [case for case, verdict in verdicts.items() if verdict == "unexplained"] == []
    # the forms this site supports agree exactly
    for case in (
        "Smith says blah [-@smith04].",
        "@smith04 [p. 33] says blah.",
        "@{Foo_bar.baz.} says",
        "[@doe99 p. 33]",
        "[-@smith04; @doe99]",
        "[@m\u00fcller2020]",
        "[@doe:2020.a]",
        'A quote.[@doe99, "exact words"]',
        "Mail me@example.com today.",
        "Code `[@doe99]` here.",
    ):
        assert verdicts[case] == "agree", case


# --- the grammar, for hypothesis -------------------------------------------------------------

LABELS = (
    "p.",
    "pp.",
    "chap.",
    "ch.",
    "para.",
    "sec.",
    "fig.",
    "vol.",
    "n.",
    "l.",
    "bk.",
    "col.",
    "no.",
    "pt.",
    "v.",
    "fol.",
    "sub verbo",
)
key = st.sampled_from(KEYS).map(
    lambda k: "{" + k + "}" if not re.fullmatch(r"\w(?:\w|[:.#$%&+?<>~/-](?=\w))*", k) else k
)
locator = st.builds(
    lambda label, a, b: f"{label} {a}" + (f"--{a + b}" if b else ""),
    st.sampled_from(LABELS),
    st.integers(1, 400),
    st.integers(0, 9),
)
suffix = st.one_of(
    st.just(""),
    locator.map(lambda x: ", " + x),
    locator.map(lambda x: " " + x),
    st.sampled_from([', "exact words"', ", \u201cthe words\u201d", ", with a suffix"]),
)
prefix = st.sampled_from(["", "see ", "cf. ", "see also ", "e.g. ", "compare "])
item = st.builds(lambda p, m, k, s: f"{p}{m}{k}{s}", prefix, st.sampled_from(["@", "-@"]), key, suffix)
group = st.lists(item, min_size=1, max_size=3).map(lambda items: "[" + "; ".join(items) + "]")
in_text = st.builds(
    lambda k, loc: f"@{k}" + (f" [{loc}]" if loc else "") + " says", key, st.one_of(st.just(""), locator)
)
noise = st.sampled_from(
    [
        "Follow @nytimes",
        "mail me@example.org",
        "https://medium.com/@author/post",
        "`[@doe99]`",
        "\\[@doe99\\]",
        "[a link](https://example.org)",
        "see @smyth04",
        "(@doe99)",
        "[@doe99]{.x}",
        "[@doe99](https://example.org)",
        "Text.^[A note.]",
        "[@]",
        "[@doe99,]",
        "[@doe99.]",
        "[see @doe99 and @smith04]",
        "[@smith{ii}]",
    ]
)
words = st.sampled_from(["Blah", "blah.", "The report", "said so", "and", "(in 2025)"])
sentence = st.lists(st.one_of(group, in_text, noise, words), min_size=1, max_size=4).map(" ".join)


@settings(max_examples=6, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sentence, min_size=40, max_size=40))
def test_generated_citations_agree_with_pandoc_or_are_listed_differences(cases: list[str]) -> None:
    found = pandoc(cases)
    verdicts = [classify(case, theirs) for case, theirs in zip(cases, found, strict=True)]
    unexplained = [
        (case, ours(case), theirs)
        for case, theirs, verdict in zip(cases, found, verdicts, strict=True)
        if verdict == "unexplained"
    ]
    assert unexplained == []
    assert verdicts.count("agree") >= 10  # most generated citations are ones both read alike


def test_every_page_renders_with_pandoc_and_citeproc_without_a_warning(tmp_path: Path) -> None:
    from tools import pandoc as tool

    count, messages = tool.render_all(tmp_path)
    assert messages == []
    assert count == len(list((REPO / "content").rglob("*.md"))) >= 30
    page = (tmp_path / "clauses" / "21-territory.html").read_text(encoding="utf-8")
    assert 'class="csl-entry"' in page and "???" not in page  # every citation resolved by citeproc
