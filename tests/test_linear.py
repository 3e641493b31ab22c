"""Every check is linear in its input: doubling a pathological page at most roughly doubles the time.

Hypothesis builds pages from the openers that made scanners quadratic ("[",
"<!--", "{", "`", quotes, nesting...). Each is checked at n and at 2n
characters in the same run, in turn, best of three, and the ratio is compared; no
absolute time is asserted (the machine's speed is not the code's).
"""

from __future__ import annotations

import gc
import time

from conftest import real_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def timed(text: str) -> float:
    """One analysis of *text*, in seconds, garbage collection held off."""
    from pelican.plugins.bibcite.document import analyse

    raw = text.encode("utf-8")
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        analyse(raw, "content/pages/x.md", real_context())
        return time.perf_counter() - started
    finally:
        gc.enable()


def doubling(small_text: str, large_text: str) -> tuple[float, float, bool]:
    """The best of three times of each text, taken in turn (a slow spell of a shared machine then slows
    both), and whether the larger is within 3x the smaller (2 ms floor: the timer's resolution). A slow
    spell can still fall on the larger text's runs only: a pair over the bound is measured again, twice
    at most. A quadratic scanner gives 4x on every try."""
    for _ in range(3):
        small = large = float("inf")
        for _ in range(3):
            small = min(small, timed(small_text))
            large = min(large, timed(large_text))
        # 3x, not 2x: allocation and cache effects grow a little with size.
        if large <= 3 * small + 0.002:
            return small, large, True
    return small, large, False


def page(unit: str, size: int) -> str:
    return "Title: T\nDate: 2026-11-22\n\n" + unit * (size // len(unit))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join))
def test_doubling_a_pathological_page_at_most_roughly_doubles_the_time(unit: str) -> None:
    small, large, linear = doubling(page(unit, SIZE), page(unit, 2 * SIZE))
    assert linear, (repr(unit), small, large)


def test_the_paragraph_budget_keeps_markdown_linear() -> None:
    """Openers spread over paragraphs within the budget reach Python-Markdown, and still scale linearly."""
    for unit in ("[", "<span>", "[@a, \u201cx "):
        # 30 openers a paragraph, 10 or 20 paragraphs: within MAX_OPENERS, so Markdown converts them all.
        paragraph = unit * 30 + " word" * 150
        small, large, linear = doubling(*("Title: T\n\n" + "\n\n".join([paragraph] * n) for n in (10, 20)))
        assert linear, (unit, small, large)
