"""Detector on synthetic series: seasonality, blips, persistence, direction, fallback."""

import numpy as np

from tools.analysis.anomaly import detect_anomalies
from tools.analysis.recovery import check_recovery
from tools.telemetry import Metric, MetricSeries, TelemetryWindow

STEP = 60
DAY = 1440
T0 = 1_767_225_600


def _daily(n: int, start: int, level: float, seed: int) -> np.ndarray:
    minutes = np.arange(start, start + n)
    rng = np.random.default_rng(seed)
    return level * (1 + 0.3 * np.sin(2 * np.pi * minutes / DAY)) * (1 + 0.02 * rng.normal(size=n))


def _window(metric: Metric, values: np.ndarray, offset: int) -> TelemetryWindow:
    start = T0 + offset * STEP
    series = MetricSeries(
        service="svc", metric=metric, start=start, step=STEP, values=values.tolist()
    )
    return TelemetryWindow(start=start, end=start + len(values) * STEP, step=STEP, metrics=[series])


def _split(values: np.ndarray, history: int) -> tuple[TelemetryWindow, TelemetryWindow]:
    metric = Metric.THROUGHPUT
    return _window(metric, values[history:], history), _window(metric, values[:history], 0)


def test_daily_shape_alone_is_not_an_anomaly() -> None:
    values = _daily(DAY + 150, 0, 100.0, seed=1)
    window, history = _split(values, DAY + 120)
    assert detect_anomalies(window, history) == []


def test_single_tick_blips_are_ignored_but_a_sustained_shift_is_found() -> None:
    values = _daily(DAY + 150, 0, 100.0, seed=2)
    values[DAY + 125] *= 3  # a blip
    values[DAY + 135 :] *= 2.0  # a surge that persists
    window, history = _split(values, DAY + 120)
    [anomaly] = detect_anomalies(window, history)
    assert anomaly.onset == T0 + (DAY + 135) * STEP
    assert anomaly.score > 4 and anomaly.observed > anomaly.baseline


def test_direction_matters() -> None:
    rng = np.random.default_rng(3)
    cpu = 0.4 + 0.01 * rng.normal(size=200)
    cpu[170:] -= 0.25  # idle CPU is good news
    window, history = _window(Metric.CPU, cpu[160:], 160), _window(Metric.CPU, cpu[:160], 0)
    assert detect_anomalies(window, history) == []
    assert check_recovery(window, history).recovered
    cpu[170:] += 0.5
    window = _window(Metric.CPU, cpu[160:], 160)
    assert [a.metric for a in detect_anomalies(window, history)] == [Metric.CPU]
    assert not check_recovery(window, history).recovered


def test_short_history_falls_back_to_a_rolling_baseline() -> None:
    rng = np.random.default_rng(4)
    errors = 0.01 + 0.002 * np.abs(rng.normal(size=120))
    errors[100:] = 0.2
    window = _window(Metric.ERROR_RATE, errors[90:], 90)
    history = _window(Metric.ERROR_RATE, errors[:90], 0)
    [anomaly] = detect_anomalies(window, history)
    assert anomaly.metric == Metric.ERROR_RATE and anomaly.onset == T0 + 100 * STEP


def test_slow_drift_is_absorbed_by_the_level_correction() -> None:
    minutes = np.arange(DAY + 150)
    disk = 0.5 + 0.05 * minutes / DAY + 0.001 * np.random.default_rng(5).normal(size=len(minutes))
    window = _window(Metric.DISK, disk[DAY + 120 :], DAY + 120)
    history = _window(Metric.DISK, disk[: DAY + 120], 0)
    assert detect_anomalies(window, history) == []
