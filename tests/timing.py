"""Timing a scanner on an input and on one twice as long, for the linearity tests: the ratio of the two
is compared, never an absolute time (the machine's speed is not the code's)."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: The clock of every linearity timing: this process's CPU time (see best_in_turn).
clock = time.process_time


def best_in_turn(run: Callable[[T], object], inputs: tuple[T, T], repeats: int = 1) -> tuple[float, float]:
    """The best of three timings of *repeats* runs on each input, taken in turn (small, large, small, ...), so
    that a slow spell of a shared machine falls on both rather than on one alone. Timed in this process's CPU
    time, not the wall clock's: while the other processes of `make test` (and their browsers) hold the cores,
    the time this one waits for a core is not the scanner's (a linear case measured 3.4x, then 4.4x, by the
    wall clock in a run of four test processes on two cores)."""
    best = [float("inf"), float("inf")]
    # A collection landing in one run and not the other would be noise, not a trend.
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            for which, value in enumerate(inputs):
                began = clock()
                for _ in range(repeats):
                    run(value)
                best[which] = min(best[which], clock() - began)
    finally:
        gc.enable()
    return best[0], best[1]


def doubles_linearly(
    run: Callable[[T], object], small: T, large: T, *, repeats: int = 1, floor: float = 0.0, tries: int = 2
) -> tuple[bool, list[tuple[float, float]]]:
    """Whether the run on *large* (twice *small*) takes under 3x the run on *small*, plus *floor* seconds (the
    timer's grain, for runs of a few milliseconds), and the timings. 3x, not 2x: allocation and cache effects
    grow a little with size; a quadratic scanner gives 4x. Measured again when over, *tries* times in all: a
    quadratic scanner is over every time, a slow spell of the machine falling on the larger input only is not."""
    timings = []
    for _ in range(tries):
        timings.append(best_in_turn(run, (small, large), repeats))
        small_time, large_time = timings[-1]
        if large_time < 3 * small_time + floor:
            return True, timings
    return False, timings
