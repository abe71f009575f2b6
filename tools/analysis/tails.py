"""Streaming tail probabilities: empirical body, peaks-over-threshold exponential tail."""

from __future__ import annotations

import bisect
import math

TAIL_QUANTILE = 0.98  # exceedances above this quantile of the history fit the tail
MIN_EXCEEDANCES = 8


class TailModel:
    """P(statistic >= s) under the statistic's own history (values seen so far).

    Below the tail threshold the empirical frequency answers; above it, an exponential
    (GPD with shape 0) fitted to the exceedances extrapolates, as in SPOT (Siffer et al.,
    KDD 2017). So one cut-off means the same rarity on a calm series and on a spiky one.
    """

    def __init__(self) -> None:
        self._sorted: list[float] = []

    def __len__(self) -> int:
        return len(self._sorted)

    def add(self, value: float) -> None:
        bisect.insort(self._sorted, value)

    def survival(self, value: float) -> float:
        """Probability that a past-like value reaches `value` (1.0 with no history)."""
        n = len(self._sorted)
        if n == 0:
            return 1.0
        cut = int(TAIL_QUANTILE * n)
        exceedances = n - cut  # the values from index `cut` on
        threshold = self._sorted[cut - 1] if cut > 0 else self._sorted[0]
        if value <= threshold or exceedances < MIN_EXCEEDANCES:
            above = n - bisect.bisect_left(self._sorted, value)
            return max(above, 0.5) / (n + 1)
        # Median excess / ln 2 estimates the exponential's scale, robust to a few huge past values.
        median_exceedance = self._sorted[cut + exceedances // 2]
        scale = max((median_exceedance - threshold) / math.log(2), 1e-9)
        return exceedances / (n + 1) * math.exp(-(value - threshold) / scale)
