"""Every check is linear in its input: doubling a pathological page at most roughly doubles the time.

Hypothesis builds pages from the openers that made scanners quadratic ("[",
"<!--", "{", "`", quotes, nesting...). Each is checked at n and at 2n
characters in the same run, best of three, and the ratio is compared; no
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
    from pelican.plugins.bibcite.document import analyse

    best = float("inf")
    raw = text.encode("utf-8")
    for _ in range(3):
        gc.collect()
        gc.disable()
        started = time.perf_counter()
        analyse(raw, "content/pages/x.md", real_context())
        best = min(best, time.perf_counter() - started)
        gc.enable()
    return best


def page(unit: str, size: int) -> str:
    return "Title: T\nDate: 2026-11-22\n\n" + unit * (size // len(unit))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join))
def test_doubling_a_pathological_page_at_most_roughly_doubles_the_time(unit: str) -> None:
    small, large = timed(page(unit, SIZE)), timed(page(unit, 2 * SIZE))
    # 3x, not 2x: allocation and cache effects grow a little with size; a quadratic scanner gives 4x.
    # The 2 ms floor keeps the timer's resolution out of the ratio of two tiny times.
    assert large <= 3 * small + 0.002, (repr(unit), small, large)


def test_the_paragraph_budget_keeps_markdown_linear() -> None:
    """Openers spread over paragraphs within the budget reach Python-Markdown, and still scale linearly."""
    for unit in ("[", "<span>", "[@a, \u201cx "):
        # 30 openers a paragraph, 10 or 20 paragraphs: within MAX_OPENERS, so Markdown converts them all.
        paragraph = unit * 30 + " word" * 150
        small = timed("Title: T\n\n" + "\n\n".join([paragraph] * 10))
        large = timed("Title: T\n\n" + "\n\n".join([paragraph] * 20))
        assert large <= 3 * small + 0.002, (unit, small, large)
