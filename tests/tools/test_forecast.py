"""Trend fits and time to threshold: seasonality, intervals, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from tools.analysis.forecast import (
    DAY,
    NOISE_Z,
    bucket,
    burn_rate,
    fit_trend,
    time_to_threshold,
)


def _series(slope_per_day: float, amplitude: float, noise: float, days: float = 2.0) -> tuple:
    rng = np.random.default_rng(7)
    times = 1_767_225_600 + np.arange(0, int(days * DAY), 60)
    phase = 2 * np.pi * (times % DAY) / DAY
    values = 0.5 + slope_per_day * (times - times[0]) / DAY + amplitude * np.sin(phase)
    return times, values + noise * rng.normal(size=len(times))


def test_linear_trend_crossing_is_predicted_with_an_interval_that_holds_it() -> None:
    times, values = _series(0.1, 0.0, 0.005)
    fit = fit_trend(*bucket(times, values))
    forecast = time_to_threshold(fit, 0, 0.9)
    line = (0.9 - 0.7) / 0.1 * DAY
    # the observed 5-minute medians reach 0.9 once the line is within NOISE_Z sigmas of it
    truth = (0.9 - NOISE_Z * float(fit.resid_sigma[0]) - 0.7) / 0.1 * DAY
    assert 0 < line - truth < 0.05 * line
    assert forecast.seconds is not None and abs(forecast.seconds - truth) / truth < 0.05
    assert forecast.seconds_low is not None and forecast.seconds_high is not None
    assert forecast.seconds_low <= truth + 600 and forecast.seconds_high >= truth - 600
    assert forecast.confidence > 0.8


def test_daily_cycle_makes_the_crossing_come_at_a_peak_before_the_trend_line() -> None:
    times, values = _series(0.05, 0.1, 0.002)
    fit = fit_trend(*bucket(times, values))
    assert fit.seasonal
    forecast = time_to_threshold(fit, 0, 0.9)
    trend_only = (0.9 - 0.6) / 0.05 * DAY
    assert forecast.seconds is not None and forecast.seconds < trend_only
    future = times[-1] + np.arange(0, 10 * DAY, 60)
    phase = 2 * np.pi * (future % DAY) / DAY
    truth_path = 0.5 + 0.05 * (future - times[0]) / DAY + 0.1 * np.sin(phase)
    truth = future[np.argmax(truth_path >= 0.9)] - times[-1]
    assert abs(forecast.seconds - truth) / truth < 0.1


def test_a_flat_or_falling_series_never_crosses() -> None:
    times, values = _series(-0.02, 0.0, 0.003)
    fit = fit_trend(*bucket(times, values))
    forecast = time_to_threshold(fit, 0, 0.9)
    assert forecast.seconds is None and forecast.confidence == 0.0


def test_many_series_are_fitted_in_one_solve() -> None:
    times, up = _series(0.1, 0.0, 0.001)
    _, flat = _series(0.0, 0.0, 0.001)
    fit = fit_trend(*bucket(times, np.column_stack([up, flat])))
    assert fit.slope[0] * DAY == pytest.approx(0.1, rel=0.02)
    assert abs(fit.slope[1] * DAY) < 0.005


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match="at least 8 samples"):
        fit_trend(np.arange(3), np.arange(3))
    with pytest.raises(ValueError, match="slo_error_rate"):
        burn_rate(np.array([0.01]), 0.0)
    assert burn_rate(np.array([0.002, 0.004]), 0.001) == pytest.approx(3.0)
