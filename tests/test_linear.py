"""Every check is linear in its input: doubling a pathological page at most roughly doubles the time.

Hypothesis builds pages from the openers that made scanners quadratic ("[",
"<!--", "{", "`", quotes, nesting...). Each is checked at n and at 2n
characters in the same run, in turn, best of three, and the ratio is compared; no
absolute time is asserted (the machine's speed is not the code's).
"""

from __future__ import annotations

from conftest import real_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from timing import doubles_linearly

PIECES = [
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "<",
    ">",
    "!",
    "@",
    '"',
    "\u201c",
    "\u201d",
    "`",
    "*",
    "_",
    "-",
    "#",
    " ",
    "\n",
    "\n\n",
    "a",
    ":",
    ";",
    ",",
    "&",
    "#",
    "<!--",
    "-->",
    "[@a, \u201cx ",
    "<a ",
    "{a",
    "    ",
    "> ",
    "- ",
    "|",
    "\\",
    "=",
    "'",
    "^",
]
SIZE = 20_000


def linear(small: str, large: str) -> tuple[bool, list[tuple[float, float]]]:
    """Whether analysing *large* (twice *small*) takes under 3x as long, best of three in turn, measured
    again twice at most when over (2 ms floor: the timer's grain); and the timings."""
    from pelican.plugins.bibcite.document import analyse

    def run(raw: bytes) -> None:
        analyse(raw, "content/pages/x.md", real_context())

    return doubles_linearly(run, small.encode("utf-8"), large.encode("utf-8"), floor=0.002, tries=3)


def page(unit: str, size: int) -> str:
    return "Title: T\nDate: 2026-11-22\n\n" + unit * (size // len(unit))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join))
def test_doubling_a_pathological_page_at_most_roughly_doubles_the_time(unit: str) -> None:
    within, timings = linear(page(unit, SIZE), page(unit, 2 * SIZE))
    assert within, (repr(unit), timings)


def test_the_paragraph_budget_keeps_markdown_linear() -> None:
    """Openers spread over paragraphs within the budget reach Python-Markdown, and still scale linearly."""
    for unit in ("[", "<span>", "[@a, \u201cx "):
        # 30 openers a paragraph, 10 or 20 paragraphs: within MAX_OPENERS, so Markdown converts them all.
        paragraph = unit * 30 + " word" * 150
        within, timings = linear(*("Title: T\n\n" + "\n\n".join([paragraph] * n) for n in (10, 20)))
        assert within, (unit, timings)
