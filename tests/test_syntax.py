"""The citation parser: tables of valid and invalid input, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pelican.plugins.bibcite.syntax import LineIndex, SyntaxProblem, scan


def cites(text: str) -> list[tuple[str, str, str, str]]:
    groups, problems = scan(text, skip_header=False)
    assert problems == []
    return [(c.key, c.prefix, c.locator, c.quote) for g in groups for c in g.cites]


VALID = [
    ("One source.[@rs]", [("rs", "", "", "")]),
    ("Located.[@rs, para. 4]", [("rs", "", "para. 4", "")]),
    ("Several.[@a; @b]", [("a", "", "", ""), ("b", "", "", "")]),
    ("Prefix.[see @rs, p. 2]", [("rs", "see", "p. 2", "")]),
    ('Quoted.[@rs, "exact words"]', [("rs", "", "", "exact words")]),
    ("Curly.[@rs, \u201cexact; [odd] words\u201d]", [("rs", "", "", "exact; [odd] words")]),
    ('Mixed.[@a, "x y"; see @b, ch. 2; @c]', [("a", "", "", "x y"), ("b", "see", "ch. 2", ""), ("c", "", "", "")]),
    ("Key punctuation.[@doe:2025.x-y]", [("doe:2025.x-y", "", "", "")]),
    ("Across lines.[@a;\n@b]", [("a", "", "", ""), ("b", "", "", "")]),
    ("Twice.[@a] and again.[@a]", [("a", "", "", ""), ("a", "", "", "")]),
    # Pandoc's forms
    ("No comma.[@rs p. 4]", [("rs", "", "p. 4", "")]),
    ("Suppress.[-@rs; @cz]", [("rs", "", "", ""), ("cz", "", "", "")]),
    (
        "Any script.[@m\u00fcller2020; @\u0436\u0443\u043a]",
        [("m\u00fcller2020", "", "", ""), ("\u0436\u0443\u043a", "", "", "")],
    ),
    ("Braced.[@{Foo_bar.baz.}, p. 3]", [("Foo_bar.baz.", "", "p. 3", "")]),
    ("Spaced at.[me @ example.com]", []),
    # never citations
    ("A bare @handle on social media.", []),
    ("Mail me at someone@example.org or [someone@example.org].", []),
    ("A link [profile](https://social.example/@user).", []),
    ("A URL in brackets [https://social.example/@user].", []),
    ("Code `[@rs]` span.", []),
    ("Double ``code [@rs] `x` span``.", []),
    ("```\n[@rs]\n```\n", []),
    ("~~~python\nx = '[@rs]'\n~~~\n", []),
    ("Para.\n\n    [@rs] indented code\n", []),
    ("Escaped \\[@rs] bracket.", []),
    ("A link [@rs](https://example.org) to a handle (no bibliography given).", []),
    ("![@rs](image.png)", []),
    ("[@rs]: https://example.org/reference-definition (no bibliography given)", []),
]


@pytest.mark.parametrize(("text", "expected"), VALID, ids=[t for t, _ in VALID])
def test_valid(text: str, expected: list) -> None:
    assert cites(text) == expected


def test_list_item_continuation_is_not_code() -> None:
    assert cites("- item\n\n    continued.[@rs]\n") == [("rs", "", "", "")]


def test_metadata_header_is_skipped() -> None:
    groups, _ = scan("Title: A [@rs] title\nSummary: x\n\nBody.[@cz]\n")
    assert [c.key for g in groups for c in g.cites] == ["cz"]


INVALID = [
    ("[@]", 1, "missing citation key"),
    ("[@rs,]", 4, "empty locator"),
    ("[@rs, ]", 4, "empty locator"),
    ('[@rs, "unterminated]', 5, "unterminated quoted passage"),
    ('[@rs, ""]', 5, "empty quoted passage"),
    ('[@rs, "words" p. 3]', 5, "after the quoted passage"),
    ("[@a @b]", 4, "two keys in one citation item"),
    ("[@a;]", 4, "empty item"),
    ("[@a; see]", 5, "has no '@key'"),
    ("[@rs.]", 4, "unexpected text '.' right after key"),
    ("[@smith{ii, A}, with a suffix]", 7, "unexpected text"),
    ("[@-bad]", 1, "missing citation key"),
]


@pytest.mark.parametrize(("text", "offset", "message"), INVALID, ids=[t for t, _, _ in INVALID])
def test_invalid(text: str, offset: int, message: str) -> None:
    groups, problems = scan(text, skip_header=False)
    assert groups == []
    assert len(problems) == 1
    assert isinstance(problems[0], SyntaxProblem)
    assert message in problems[0].message
    assert problems[0].offset == offset
    assert problems[0].hint


def test_positions_are_real_lines_and_columns() -> None:
    text = "Title: x\n\nFirst line.\nSecond [@a] and [@b; @c].\n"
    groups, _ = scan(text)
    index = LineIndex(text)
    places = [index.locate(c.offset) for g in groups for c in g.cites]
    assert places == [(4, 9), (4, 18), (4, 22)]


# Property-based: no input crashes the scanner, and every key it returns occurs in the input.
ALPHABET = st.sampled_from(list('[]@;,"\u201c\u201d`~ \n\\!():-.abcAB12_/#'))


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=80))
def test_never_crashes_and_keys_come_from_input(text: str) -> None:
    groups, problems = scan(text)
    for group in groups:
        assert text[group.start] == "[" and text[group.end - 1] == "]"
        for cite in group.cites:
            assert "@" + cite.key in text
            assert text[cite.offset] == "@"
            assert text.startswith(cite.key, cite.offset + 1)
    for problem in problems:
        assert 0 <= problem.offset <= len(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_never_crashes_on_any_unicode(text: str) -> None:
    groups, _ = scan(text)
    for group in groups:
        for cite in group.cites:
            assert "@" + cite.key in text


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_]{0,8}", fullmatch=True),
            st.sampled_from(["", "see", "cf."]),
            st.sampled_from(["", "p. 2", "para. 4"]),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_round_trip_of_generated_groups(items: list[tuple[str, str, str]]) -> None:
    body = "; ".join(
        (f"{prefix} " if prefix else "") + f"@{key}" + (f", {loc}" if loc else "") for key, prefix, loc in items
    )
    assert cites(f"Text.[{body}]") == [(k, p, loc, "") for k, p, loc in items]
