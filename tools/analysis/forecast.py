"""Trend forecasts: seasonal-aware linear trends and time to threshold with an interval."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

DAY = 86_400
BUCKET_SECONDS = 300
NOISE_Z = 2.0
"""The path counts as crossed within this many residual sigmas of the threshold: the observed
5-minute medians scatter around it, so a daily peak that grazes the threshold does cross."""
Direction = Literal["up", "down"]


@dataclass(frozen=True)
class TrendFit:
    """A fitted level + slope + daily harmonics for one or many series on shared times."""

    times: np.ndarray
    coef: np.ndarray
    slope_stderr: np.ndarray
    resid_sigma: np.ndarray
    dof: int
    seasonal: bool

    @property
    def slope(self) -> np.ndarray:
        """Trend per second, one per series."""
        return self.coef[1]

    def predict(self, times: np.ndarray, slope: np.ndarray | None = None) -> np.ndarray:
        """Expected values at `times` (rows) for every series (columns)."""
        design = _design(np.asarray(times, dtype=float), self.seasonal, float(self.times[-1]))
        coef = self.coef.copy()
        if slope is not None:
            coef[1] = slope  # pivot on the last sample: the level there stays
        return design @ coef


@dataclass(frozen=True)
class ThresholdForecast:
    """When one series is expected to cross its threshold, with a confidence interval."""

    current: float
    threshold: float
    slope_per_day: float
    seconds: float | None
    seconds_low: float | None
    seconds_high: float | None
    confidence: float


def bucket(
    times: np.ndarray, values: np.ndarray, seconds: int = BUCKET_SECONDS
) -> tuple[np.ndarray, np.ndarray]:
    """Median per `seconds` bucket (rows) for each column: one-tick blips do not bend trends."""
    times = np.asarray(times, dtype=np.int64)
    values = np.asarray(values, dtype=float).reshape(len(times), -1)
    per = max(1, seconds // _step(times))
    usable = (len(times) // per) * per
    if usable == 0:
        return times.astype(float), values
    shaped = values[len(times) - usable :].reshape(usable // per, per, values.shape[1])
    starts = times[len(times) - usable :: per].astype(float)
    return starts + (per - 1) * _step(times) / 2, np.nanmedian(shaped, axis=1)


def _step(times: np.ndarray) -> int:
    return int(times[1] - times[0]) if len(times) > 1 else BUCKET_SECONDS


def _design(times: np.ndarray, seasonal: bool, origin: float) -> np.ndarray:
    """Level, slope (per second from `origin`, which keeps the solve well conditioned), cycle."""
    columns = [np.ones_like(times), times - origin]
    if seasonal:
        phase = 2.0 * np.pi * (times % DAY) / DAY
        columns += [np.sin(phase), np.cos(phase), np.sin(2 * phase), np.cos(2 * phase)]
    return np.column_stack(columns)


def fit_trend(times: np.ndarray, values: np.ndarray, seasonal: bool | None = None) -> TrendFit:
    """Least-squares level, slope and (with a day or more of data) two daily harmonics.

    `values` is (n,) or (n, k): k series on the same timestamps are fitted in one solve.
    """
    times = np.asarray(times, dtype=float)
    values = np.asarray(values, dtype=float).reshape(len(times), -1)
    if len(times) < 8:
        raise ValueError(f"fit_trend needs at least 8 samples, got {len(times)}")
    if not np.all(np.isfinite(values)):
        values = np.where(np.isfinite(values), values, np.nanmean(values, axis=0))
    span = times[-1] - times[0]
    use_seasonal = span >= DAY if seasonal is None else seasonal
    design = _design(times, use_seasonal, float(times[-1]))
    coef, *_ = np.linalg.lstsq(design, values, rcond=None)
    resid = values - design @ coef
    dof = max(1, len(times) - design.shape[1])
    sigma = np.sqrt(np.sum(resid**2, axis=0) / dof)
    unscaled = np.linalg.pinv(design.T @ design)[1, 1]
    return TrendFit(times, coef, sigma * np.sqrt(unscaled), sigma, dof, use_seasonal)


def time_to_threshold(
    fit: TrendFit,
    column: int,
    threshold: float,
    direction: Direction = "up",
    horizon: float = 30 * DAY,
    level: float = 0.95,
) -> ThresholdForecast:
    """First time the fitted trend (with its daily cycle) reaches `threshold`, with an interval.

    Reaching means coming within NOISE_Z residual sigmas of it (where observed medians cross),
    and never closer than half the gap the current level leaves.

    The interval comes from the slope's `level` confidence bounds (Student t on the fit's
    degrees of freedom); `seconds` is None when no crossing is expected within `horizon`.
    """
    now = float(fit.times[-1])
    t_quantile = float(stats.t.ppf(0.5 + level / 2, fit.dof))
    slope, err = float(fit.slope[column]), float(fit.slope_stderr[column])
    sign = 1.0 if direction == "up" else -1.0
    future = now + np.arange(1, int(horizon // BUCKET_SECONDS) + 1) * BUCKET_SECONDS
    slopes = np.array([slope + sign * t_quantile * err, slope, slope - sign * t_quantile * err])
    current = float(fit.predict(np.array([now]))[0, column])
    # never more than half the gap left: a noisy signal near its threshold is not "crossed now"
    gap = max(0.0, sign * (threshold - current))
    reach = threshold - sign * min(NOISE_Z * float(fit.resid_sigma[column]), 0.5 * gap)
    crossings = [_first_crossing(fit, column, future, s, reach, sign) for s in slopes]
    early, mid, late = (None if c is None else c - now for c in crossings)
    return ThresholdForecast(
        current=current,
        threshold=threshold,
        slope_per_day=slope * DAY,
        seconds=mid,
        seconds_low=early,
        seconds_high=late,
        confidence=_confidence(mid, early, late),
    )


def _first_crossing(
    fit: TrendFit, column: int, future: np.ndarray, slope: float, threshold: float, sign: float
) -> float | None:
    slopes = fit.slope.copy()
    slopes[column] = slope
    path = fit.predict(future, slopes)[:, column]
    crossed = np.nonzero(sign * (path - threshold) >= 0)[0]
    return float(future[crossed[0]]) if len(crossed) else None


def _confidence(mid: float | None, early: float | None, late: float | None) -> float:
    """1 when the interval is tight around the estimate, toward 0 as it widens or is open."""
    if mid is None or early is None or mid <= 0:
        return 0.0
    if late is None:
        return 0.3
    return float(np.clip(1.0 - (late - early) / (2.0 * mid), 0.0, 1.0))


def burn_rate(error_rate: np.ndarray, slo_error_rate: float) -> float:
    """Error-budget burn rate: observed error ratio over the SLO's allowed ratio."""
    if slo_error_rate <= 0:
        raise ValueError(f"slo_error_rate must be > 0, got {slo_error_rate}")
    return float(np.nanmean(np.asarray(error_rate, dtype=float)) / slo_error_rate)
