"""What the benchmarks share for timing: the best of a few runs (the least disturbed one)."""
from __future__ import annotations

import math
import time


def best_of(repeats, work):
    """(seconds of the fastest of `repeats` runs of work(), the result of the last run)."""
    best, result = math.inf, None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result
