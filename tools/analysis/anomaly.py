"""Anomaly detection: robust seasonal baselines, direction-aware z-scores, persistence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.analysis.baseline import Baseline, seasonal_baseline
from tools.analysis.batch_baseline import seasonal_baselines
from tools.analysis.history import used_samples
from tools.analysis.models import Anomaly
from tools.kept import KeptByIdentity
from tools.telemetry import Metric, MetricSeries, TelemetryWindow

Z_THRESHOLD = 4.0
PERSISTENCE = 3  # consecutive bad samples before a deviation counts (blips do not)

# +1: only a rise is bad; 0: a change either way is bad (throughput).
DIRECTION: dict[Metric, int] = dict.fromkeys(Metric, 1) | {Metric.THROUGHPUT: 0}

# Practical significance: (absolute, relative) change a deviation must also exceed.
MIN_EFFECT: dict[Metric, tuple[float, float]] = {
    Metric.LATENCY_P50: (2.0, 0.25),
    Metric.LATENCY_P99: (5.0, 0.30),
    Metric.ERROR_RATE: (0.02, 0.0),
    Metric.THROUGHPUT: (1.0, 0.25),
    Metric.CPU: (0.10, 0.0),
    Metric.MEMORY: (0.06, 0.0),
    Metric.POOL: (0.10, 0.0),
    Metric.DISK: (0.05, 0.0),
}
# Smallest residual scale: keeps near-constant series from turning tiny wiggles into big z.
SCALE_FLOOR: dict[Metric, tuple[float, float]] = {
    Metric.ERROR_RATE: (0.002, 0.0),
    Metric.CPU: (0.01, 0.0),
    Metric.MEMORY: (0.005, 0.0),
    Metric.POOL: (0.01, 0.0),
    Metric.DISK: (0.003, 0.0),
}


@dataclass(frozen=True)
class Deviation:
    """A window series against its baseline, sample by sample."""

    service: str
    metric: Metric
    times: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    z: np.ndarray
    bad: np.ndarray


def _aligned(history: MetricSeries | None, window: MetricSeries) -> np.ndarray:
    """History values on the window's grid, ending right before the window starts.

    Only the samples the window's baseline reads are copied; the rest stay NaN.
    """
    if history is None or history.step != window.step:
        return np.array([])
    offset = max((window.start - history.start) // window.step, 0)
    values = np.full(offset, np.nan)
    count = min(len(history.values), offset)
    for a, b in used_samples(offset, len(window.values), window.step):
        if a < count:
            values[a : min(b, count)] = history.values[a : min(b, count)]
    return values


def _scale(metric: Metric, raw: float, expected: np.ndarray) -> np.ndarray:
    absolute, relative = SCALE_FLOOR.get(metric, (0.0, 0.02))
    floor = np.maximum(absolute, relative * np.abs(expected))
    return np.maximum(np.maximum(raw, floor), 1e-9)


def _bad(metric: Metric, observed: np.ndarray, expected: np.ndarray, z: np.ndarray) -> np.ndarray:
    absolute, relative = MIN_EFFECT[metric]
    change = observed - expected
    effect = np.abs(change) >= np.maximum(absolute, relative * np.abs(expected))
    direction = DIRECTION[metric]
    signed = z if direction == 1 else np.abs(z)
    return (signed >= Z_THRESHOLD) & effect & np.isfinite(z)


def _deviation(series: MetricSeries, observed: np.ndarray, base: Baseline) -> Deviation:
    scale = _scale(series.metric, base.scale, base.expected)
    z = (observed - base.expected) / scale
    return Deviation(
        series.service,
        series.metric,
        series.start + series.step * np.arange(len(observed)),
        observed,
        base.expected,
        z,
        _bad(series.metric, observed, base.expected, z),
    )


def deviation(series: MetricSeries, history: MetricSeries | None) -> Deviation:
    observed = np.asarray(series.values, dtype=float)
    return _deviation(
        series, observed, seasonal_baseline(_aligned(history, series), observed, series.step)
    )


_DEVIATIONS: KeptByIdentity[list[Deviation]] = KeptByIdentity(4)


def deviations(window: TelemetryWindow, history: TelemetryWindow) -> list[Deviation]:
    """Every window series compared with its baseline from `history`.

    Series of the same shape (all of them, usually) are compared in one batch: their
    histories aligned into one matrix, their baselines, z-scores and bad samples computed
    over rows. The numbers are those of `deviation`, series by series. A function of the
    two windows' series alone: diagnosis gets detection's again (read-only).
    """
    pair = (window.metrics, history.metrics)
    return list(_DEVIATIONS.get(pair, (), lambda: _read_only(_deviations(window, history))))


def _read_only(found: list[Deviation]) -> list[Deviation]:
    for dev in found:
        for array in (dev.times, dev.observed, dev.expected, dev.z, dev.bad):
            array.flags.writeable = False
    return found


def _deviations(window: TelemetryWindow, history: TelemetryWindow) -> list[Deviation]:
    past = {(s.service, s.metric): s for s in history.metrics}
    pasts = [past.get((s.service, s.metric)) for s in window.metrics]
    groups: dict[tuple[int, int, int], list[int]] = {}
    for i, series in enumerate(window.metrics):
        shape = (series.step, _history_samples(pasts[i], series), len(series.values))
        groups.setdefault(shape, []).append(i)
    found: dict[int, Deviation] = {}
    for (step, samples, _), members in groups.items():
        rows = [window.metrics[i] for i in members]
        observed = np.array([s.values for s in rows], dtype=float)
        aligned = _aligned_rows([pasts[i] for i in members], rows, samples)
        bases = seasonal_baselines(aligned, observed, step)
        found.update(zip(members, _deviation_rows(rows, observed, bases), strict=True))
    return [found[i] for i in range(len(window.metrics))]


def _history_samples(history: MetricSeries | None, window: MetricSeries) -> int:
    """How many samples `_aligned` gives the window's history."""
    if history is None or history.step != window.step:
        return 0
    return max((window.start - history.start) // window.step, 0)


def _aligned_rows(
    histories: list[MetricSeries | None], windows: list[MetricSeries], samples: int
) -> np.ndarray:
    """`_aligned` of each pair as the rows of one matrix (all give `samples` samples).

    Histories with as many samples to copy (all of them, or equally short ones, as when
    the window starts later than the history ends) are copied a used range at a time.
    """
    matrix = np.full((len(windows), samples), np.nan)
    if samples == 0:
        return matrix
    used = used_samples(samples, len(windows[0].values), windows[0].step)
    by_count: dict[int, list[int]] = {}
    for r, series in enumerate(histories):
        if series is not None:
            by_count.setdefault(min(len(series.values), samples), []).append(r)
    for count, rows in by_count.items():
        for a, b in used:
            end = min(b, count)
            if a < end:
                matrix[rows, a:end] = [histories[r].values[a:end] for r in rows]  # type: ignore[union-attr]
    return matrix


def _deviation_rows(
    rows: list[MetricSeries], observed: np.ndarray, bases: list[Baseline]
) -> list[Deviation]:
    """`_deviation` of every row at once: the same elementwise numbers, over matrices."""
    metrics = [s.metric for s in rows]
    expected = np.array([b.expected for b in bases], dtype=float).reshape(observed.shape)
    raw = np.array([b.scale for b in bases], dtype=float)[:, None]
    floors = np.array([SCALE_FLOOR.get(m, (0.0, 0.02)) for m in metrics]).reshape(-1, 2)
    floor = np.maximum(floors[:, :1], floors[:, 1:] * np.abs(expected))
    z = (observed - expected) / np.maximum(np.maximum(raw, floor), 1e-9)
    effects = np.array([MIN_EFFECT[m] for m in metrics]).reshape(-1, 2)
    effect = np.abs(observed - expected) >= np.maximum(
        effects[:, :1], effects[:, 1:] * np.abs(expected)
    )
    both_ways = np.array([DIRECTION[m] != 1 for m in metrics])[:, None]
    bad = (np.where(both_ways, np.abs(z), z) >= Z_THRESHOLD) & effect & np.isfinite(z)
    ticks = np.arange(observed.shape[1])
    return [
        Deviation(
            s.service, s.metric, s.start + s.step * ticks, observed[r], expected[r], z[r], bad[r]
        )
        for r, s in enumerate(rows)
    ]


def persistent_runs(mask: np.ndarray, length: int = PERSISTENCE) -> list[tuple[int, int]]:
    """[start, end) index ranges where mask holds for at least `length` samples."""
    runs, start = [], None
    for i, flag in enumerate([*mask.tolist(), False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= length:
                runs.append((start, i))
            start = None
    return runs


def to_anomaly(dev: Deviation, run: tuple[int, int]) -> Anomaly:
    start = run[0]
    rest = np.where(dev.bad[start:], np.abs(dev.z[start:]), -np.inf)
    peak = start + int(np.argmax(rest))
    return Anomaly(
        service=dev.service,
        metric=dev.metric,
        onset=int(dev.times[start]),
        score=round(float(dev.z[peak]), 3),
        baseline=round(float(dev.expected[peak]), 6),
        observed=round(float(dev.observed[peak]), 6),
    )


def detect_anomalies(window: TelemetryWindow, history: TelemetryWindow) -> list[Anomaly]:
    """Persistent bad-direction deviations of each series, earliest onset first."""
    found = []
    for dev in deviations(window, history):
        runs = persistent_runs(dev.bad)
        if runs:
            found.append(to_anomaly(dev, runs[0]))
    return sorted(found, key=lambda a: (a.onset, -abs(a.score)))
