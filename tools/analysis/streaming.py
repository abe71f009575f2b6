"""Online univariate anomaly scores: robust seasonal forecast, spike and shift tails, refractory."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

import numpy as np

from tools.analysis.tails import TailModel

DAY_SECONDS = 86_400


@dataclass(frozen=True)
class StreamConfig:
    """Knobs of the streaming detector (one setting for every series)."""

    warmup: int = 150  # rows before any score (the scale needs history)
    recent: int = 5  # rows in the robust recent level (non-seasonal forecast)
    shift: int = 6  # rows in the level-shift statistic's recent median
    reference: int = 288  # rows before those that the shift is measured against
    seasonal_acf: float = 0.6  # autocorrelation at one period that makes a series seasonal
    recheck: int = 72  # rows between seasonality checks
    refractory: int = 150  # rows a score must beat to count (one alarm per episode)
    mute: float = 0.5  # factor applied to scores that do not beat them


def _median(values: np.ndarray) -> float:
    """np.median of a 1-D float array, to the bit (signed zeros, NaN, empty), without its
    per-call overhead: the same partition, then the mean of the middle value(s) as numpy's
    sum computes it (from 0.0)."""
    size = len(values)
    if size == 0:
        return math.nan
    half = size // 2
    part = np.partition(values, [half - 1, half, -1] if size % 2 == 0 else [half, -1])
    if np.isnan(part[-1]):  # NaN sorts last
        return math.nan
    if size % 2:
        return 0.0 + float(part[half])
    return (0.0 + float(part[half - 1]) + float(part[half])) / 2


def _median_of_few(values: list[float]) -> float:
    """statistics.median of a short list (the same number), without its checks."""
    ordered = sorted(values)
    half = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[half]
    return (ordered[half - 1] + ordered[half]) / 2


class _SlidingMax:
    """The largest of the last `size` values added (0.0 before any), in constant time:
    a queue of the values that may still become the largest, newest last."""

    def __init__(self, size: int) -> None:
        self.size, self._added = size, 0
        self._candidates: deque[tuple[int, float]] = deque()  # (index, value), values falling

    def largest(self) -> float:
        return self._candidates[0][1] if self._candidates else 0.0

    def add(self, value: float) -> None:
        while self._candidates and self._candidates[-1][1] <= value:
            self._candidates.pop()
        self._candidates.append((self._added, value))
        self._added += 1
        if self._candidates[0][0] <= self._added - 1 - self.size:
            self._candidates.popleft()


def _acf(values: np.ndarray, lag: int) -> float:
    if lag <= 0 or len(values) < 2 * lag:
        return 0.0
    centred = values - values.mean()
    denominator = float(np.dot(centred, centred))
    if denominator == 0.0:
        return 0.0
    return float(np.dot(centred[lag:], centred[:-lag]) / denominator)


class StreamingDetector:
    """Feed rows in time order with `update`; each returns that row's score in [0, 1]."""

    def __init__(self, config: StreamConfig | None = None) -> None:
        self.config = config or StreamConfig()
        self._values: list[float] = []
        self._last_time: datetime | None = None
        self._steps: list[float] = []
        self._period = 0
        self._residuals: deque[float] = deque(maxlen=self.config.reference + self.config.shift)
        self._spikes = TailModel()
        self._shifts = TailModel()
        self._scale = 0.0
        self._recent = _SlidingMax(self.config.refractory)
        self._reference: tuple[float, float] | None = None

    def _step_period(self) -> int:
        """Rows per day, from the median sampling interval seen so far."""
        if not self._steps:
            return 0
        step = float(np.median(self._steps[-50:]))
        return round(DAY_SECONDS / step) if step > 0 else 0

    def _check_season(self) -> None:
        n = len(self._values)
        if n % self.config.recheck:
            return
        lag = self._step_period()
        history = np.asarray(self._values[-8 * lag :] if lag else [])
        seasonal = lag > 0 and _acf(history, lag) >= self.config.seasonal_acf
        self._period = lag if seasonal else 0

    def _forecast(self) -> float:
        values, period = self._values, self._period
        if period and len(values) > period + 2:
            at = len(values) - period
            reference = _median_of_few(values[at - 2 : at + 3])
            level = _median_of_few(
                [
                    values[-k] - _median_of_few(values[-k - period - 2 : -k - period + 3])
                    for k in (1, 2, 3)
                ]
            )
            return reference + level
        return _median_of_few(values[-self.config.recent :])

    def update(self, time: datetime, value: float) -> float:
        """Score the new row against everything before it, then learn from it."""
        if self._last_time is not None:
            self._steps.append((time - self._last_time).total_seconds())
        self._last_time = time
        score = self._score(value) if len(self._values) >= self.config.recent else 0.0
        self._values.append(value)
        self._check_season()
        return score

    def _score(self, value: float) -> float:
        residual = value - self._forecast()
        spike = abs(residual) / self._scale if self._scale > 0 else 0.0
        shift = self._shift_statistic(residual)
        ready = len(self._values) >= self.config.warmup
        p_spike = self._spikes.survival(spike) if ready else 1.0
        p_shift = self._shifts.survival(shift) if ready else 1.0
        probability = min(1.0, 2 * min(p_spike, p_shift))
        self._learn(residual, spike, shift)
        return self._refractory(1.0 - probability)

    def _shift_statistic(self, residual: float) -> float:
        """How far the last rows' median residual sits from the reference rows', in MADs."""
        cfg = self.config
        if len(self._residuals) < cfg.shift * 3:
            return 0.0
        if len(self._values) % cfg.shift == 0 or self._reference is None:
            residuals = np.fromiter(self._residuals, dtype=float, count=len(self._residuals))
            reference = residuals[: -cfg.shift + 1]
            centre = _median(reference)
            mad = 1.4826 * _median(np.abs(reference - centre))
            self._reference = (centre, max(mad, self._scale * 0.1, 1e-12))
        centre, spread = self._reference
        recent = _median_of_few([*islice(reversed(self._residuals), cfg.shift - 1), residual])
        return abs(recent - centre) / spread

    def _learn(self, residual: float, spike: float, shift: float) -> None:
        """Update the residual scale (winsorised, so one outlier barely moves it) and the tails."""
        self._residuals.append(residual)
        n = len(self._values)
        alpha = max(1.0 / (n + 1), 0.002)
        bounded = min(abs(residual), 5 * self._scale) if self._scale > 0 else abs(residual)
        self._scale += alpha * (1.2533 * bounded - self._scale)
        if n >= self.config.warmup // 2:
            self._spikes.add(spike)
            self._shifts.add(shift)

    def _refractory(self, score: float) -> float:
        """One alarm per episode: a score counts only if it beats every score of the last rows."""
        recent = self._recent.largest()
        self._recent.add(score)
        return score if score > recent else score * self.config.mute


def stream_scores(
    times: Sequence[datetime],
    values: Sequence[float] | np.ndarray,
    config: StreamConfig | None = None,
) -> np.ndarray:
    """Score every row of one series online (row i's score depends on rows 0..i only)."""
    detector = StreamingDetector(config)
    return np.array([detector.update(t, float(v)) for t, v in zip(times, values, strict=True)])
