"""Log-bucketed latency histograms: bounded memory, quantiles within about 5 %."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

BUCKETS_PER_DOUBLING = 8
_FLOOR_MS = 0.001


def bucket(ms: float) -> int:
    return round(math.log2(max(ms, _FLOOR_MS)) * BUCKETS_PER_DOUBLING)


def bucket_value(index: int) -> float:
    return float(2 ** (index / BUCKETS_PER_DOUBLING))


def merge(histograms: Iterable[Counter[int]]) -> Counter[int]:
    total: Counter[int] = Counter()
    for item in histograms:
        total.update(item)
    return total


def quantile(histogram: Counter[int], q: float) -> float:
    """The q-quantile (0..1) of the values counted; NaN when empty."""
    count = sum(histogram.values())
    if count == 0:
        return math.nan
    rank, seen = q * (count - 1), 0
    for index in sorted(histogram):
        seen += histogram[index]
        if seen > rank:
            return bucket_value(index)
    return bucket_value(max(histogram))
