"""Baselines read only what they use: same numbers as from the whole history, batch or not."""

import warnings
from pathlib import Path

import numpy as np
import pytest

from graphs.effect_session import EffectSession
from graphs.effects import EffectStore
from graphs.recording import RecordedSource
from tools.analysis.anomaly import detect_anomalies, deviation, deviations
from tools.analysis.baseline import seasonal_baseline
from tools.analysis.batch_baseline import nanmedian_last, seasonal_baselines
from tools.analysis.history import read_history, used_ranges, used_samples
from tools.telemetry import (
    Metric,
    MetricSeries,
    ServiceGraph,
    TelemetryUnavailable,
    TelemetryWindow,
)

STEP = 60
DAY = 1440
T0 = 1_767_225_600


class ArraySource:
    """A TelemetrySource over fixed arrays that counts the samples it hands out."""

    def __init__(self, values: dict[tuple[str, Metric], np.ndarray]) -> None:
        self.values, self.served = values, 0

    def topology(self) -> ServiceGraph:
        return ServiceGraph(services=sorted({s for s, _ in self.values}), calls=[])

    def now(self) -> int:
        return T0

    def step(self) -> int:
        return STEP

    def window(self, start: int, end: int, detail_from: int | None = None) -> TelemetryWindow:
        return self.metrics(start, end)

    def metrics(self, start: int, end: int) -> TelemetryWindow:
        first, last = (start - T0) // STEP, (end - T0) // STEP
        series = [
            MetricSeries(
                service=s,
                metric=m,
                start=T0 + first * STEP,
                step=STEP,
                values=v[first:last].tolist(),
            )
            for (s, m), v in self.values.items()
        ]
        self.served += sum(len(x.values) for x in series)
        return TelemetryWindow(start=start, end=end, step=STEP, metrics=series)


def _series(seed: int, n: int) -> dict[tuple[str, Metric], np.ndarray]:
    rng = np.random.default_rng(seed)
    minutes = np.arange(n)
    shape = 1 + 0.3 * np.sin(2 * np.pi * minutes / DAY)
    return {
        (f"svc{k}", metric): 50 * shape * (1 + 0.05 * rng.normal(size=n)) + 10 * k
        for k in range(3)
        for metric in (Metric.LATENCY_P50, Metric.CPU, Metric.THROUGHPUT)
    }


def test_a_day_and_two_hours_of_history_reads_its_two_ends_only() -> None:
    # 30 samples after 1560: the references (one day earlier, 2 neighbours either side) of
    # the last 120 (fitted) and of the window's 30, then the last 120 themselves
    assert used_samples(1560, 30, STEP) == [(0, 152), (1440, 1560)]
    assert used_samples(1400, 30, STEP) == [(1340, 1400)]  # no full day: the last hour
    assert used_samples(2880, 30, STEP) == [(0, 2880)]  # two days: the two ends overlap


def test_ranges_stay_inside_the_history_even_when_the_window_is_later() -> None:
    history = (T0, T0 + 1560 * STEP)
    window = (T0 + 1600 * STEP, T0 + 1610 * STEP)  # verification, after a gap
    ranges = used_ranges(history, window, STEP)
    assert ranges == [(T0, T0 + 172 * STEP), (T0 + 1440 * STEP, T0 + 1560 * STEP)]


@pytest.mark.parametrize("gap", [0, 40])
def test_reading_the_used_stretches_gives_the_same_deviations(gap: int) -> None:
    n_hist, n_win = 1560, 30
    data = _series(seed=gap, n=n_hist + gap + n_win)
    data[("svc1", Metric.CPU)][n_hist + gap + 10 :] *= 3  # an anomaly in the window
    source = ArraySource(data)
    history = (T0, T0 + n_hist * STEP)
    window = (T0 + (n_hist + gap) * STEP, T0 + (n_hist + gap + n_win) * STEP)
    current = source.metrics(*window)
    whole = source.metrics(*history)
    source.served = 0
    partial = read_history(source, history, window)
    assert source.served <= 0.2 * 9 * n_hist  # a fifth of it
    expected = [deviation(s, whole.series(s.service, s.metric)) for s in current.metrics]
    got = deviations(current, partial)
    for a, b in zip(expected, got, strict=True):
        assert np.array_equal(a.expected, b.expected, equal_nan=True)
        assert np.array_equal(a.z, b.z, equal_nan=True)
    assert detect_anomalies(current, partial) == detect_anomalies(current, whole)
    assert any(a.service == "svc1" for a in detect_anomalies(current, partial))


def test_batch_baselines_match_one_series_at_a_time_with_gaps_and_odd_values() -> None:
    rng = np.random.default_rng(7)
    n_hist, n_win = 1500, 20
    histories, windows = [], []
    for k, metric in enumerate(Metric):
        values = 10 + rng.normal(size=n_hist)
        values[rng.random(n_hist) < 0.2 * (k % 3)] = np.nan  # none, some, more missing
        if k == 4:
            values[:] = np.nan  # nothing at all
        if k == 5:
            values[100] = np.inf
        histories.append(MetricSeries(service="s", metric=metric, start=T0, step=STEP,
                                      values=values.tolist()))  # fmt: skip
        observed = 12 + rng.normal(size=n_win)
        windows.append(MetricSeries(service="s", metric=metric, start=T0 + n_hist * STEP,
                                    step=STEP, values=observed.tolist()))  # fmt: skip
    history = TelemetryWindow(start=T0, end=T0 + n_hist * STEP, step=STEP, metrics=histories)
    window = TelemetryWindow(
        start=T0 + n_hist * STEP, end=T0 + (n_hist + n_win) * STEP, step=STEP, metrics=windows
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN medians, as before
        one_by_one = [deviation(s, history.series(s.service, s.metric)) for s in windows]
    for a, b in zip(one_by_one, deviations(window, history), strict=True):
        for field in ("times", "observed", "expected", "z", "bad"):
            assert np.array_equal(getattr(a, field), getattr(b, field), equal_nan=True), field


def test_batch_baselines_of_complete_series_with_ties_match_one_at_a_time() -> None:
    rng = np.random.default_rng(5)
    history = np.round(rng.gamma(2.0, size=(6, 1560)))  # whole numbers: ties, zeros
    window = np.round(rng.gamma(2.0, size=(6, 30)))
    batch = seasonal_baselines(history, window, 60)
    for h, w, b in zip(history, window, batch, strict=True):
        one = seasonal_baseline(h, w, 60)
        assert b.seasonal and np.array_equal(one.expected, b.expected)
        assert one.scale == b.scale


def test_nanmedian_last_is_numpys_nanmedian() -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(size=(50, 7, 6))
    values[rng.random(values.shape) < 0.3] = np.nan
    values[0, 0, :] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert np.array_equal(nanmedian_last(values), np.nanmedian(values, axis=-1), equal_nan=True)


def test_the_same_numbers_get_the_kept_baselines_read_only() -> None:
    rng = np.random.default_rng(3)
    history, window = rng.normal(size=(4, 1560)), rng.normal(size=(4, 30))
    first = seasonal_baselines(history, window, 60)
    again = seasonal_baselines(history.copy(), window.copy(), 60)
    assert all(a is b for a, b in zip(first, again, strict=True))
    assert not first[0].expected.flags.writeable
    moved = window.copy()
    moved[0, -1] += 1.0
    other = seasonal_baselines(history, moved, 60)
    assert other[0] is not first[0]
    assert other[0].expected[-1] == first[0].expected[-1]  # the baseline does not follow it
    assert other[1].scale == first[1].scale


class YoungSource(ArraySource):
    """An ArraySource that keeps only its last `kept` seconds (a Prometheus set up today)."""

    def __init__(self, values: dict[tuple[str, Metric], np.ndarray], since: int) -> None:
        super().__init__(values)
        self.since = since

    def metrics(self, start: int, end: int) -> TelemetryWindow:
        if end <= self.since:
            raise TelemetryUnavailable(f"no data before {self.since}")
        return super().metrics(max(start, self.since), end)


def _young_case() -> tuple[YoungSource, tuple[int, int], tuple[int, int]]:
    n_hist, n_win = 1560, 30
    data = _series(seed=4, n=n_hist + n_win)
    data[("svc1", Metric.CPU)][n_hist + 10 :] *= 3  # an anomaly in the window
    since = T0 + (n_hist - 180) * STEP  # three hours kept, of a 26-hour history asked for
    history, window = (T0, T0 + n_hist * STEP), (T0 + n_hist * STEP, T0 + (n_hist + n_win) * STEP)
    return YoungSource(data, since), history, window


def test_history_no_baseline_reads_does_not_tell_kept_baselines_apart() -> None:
    rng = np.random.default_rng(4)
    history, window = rng.normal(size=(4, 1560)), rng.normal(size=(4, 30))
    first = seasonal_baselines(history, window, 60)
    unread = history.copy()
    unread[:, 500] = np.nan  # between the day before and the last hours
    again = seasonal_baselines(unread, window, 60)
    assert all(a is b for a, b in zip(first, again, strict=True))
    assert np.array_equal(seasonal_baseline(unread[0], window[0], 60).expected, again[0].expected)


def test_a_change_to_any_sample_a_baseline_reads_computes_it_again() -> None:
    rng = np.random.default_rng(5)
    history, window = rng.normal(size=(2, 1560)), rng.normal(size=(2, 30))
    first = seasonal_baselines(history, window, 60)
    for a, b in used_samples(1560, 30, 60):
        for index in (a, b - 1):
            changed = history.copy()
            changed[1, index] += 7.0
            again = seasonal_baselines(changed, window, 60)
            assert again[1] is not first[1]
            fresh = seasonal_baseline(changed[1], window[1], 60)
            assert np.array_equal(again[1].expected, fresh.expected)


def test_a_source_without_the_day_before_gives_a_rolling_baseline_not_an_error() -> None:
    source, history, window = _young_case()
    baseline = read_history(source, history, window)
    assert baseline.start > history[0]  # only the last hours
    current = source.metrics(*window)
    found = deviations(current, baseline)
    assert all(np.all(d.expected == d.expected[0]) for d in found)  # a level, no day shape
    assert all(np.isfinite(d.expected).all() for d in found)
    assert any(a.service == "svc1" for a in detect_anomalies(current, baseline))


def test_a_missing_day_before_is_recorded_and_replayed_as_missing(tmp_path: Path) -> None:
    source, history, window = _young_case()
    store = EffectStore(tmp_path / "effects.sqlite")
    live = EffectSession(store, "inc-1", "detect", 0, "live")
    first = read_history(RecordedSource(source, live), history, window)
    live.flush()
    replay = EffectSession(store, "inc-1", "detect", 0, "replay")
    again = read_history(RecordedSource(ArraySource({}), replay), history, window)
    assert again == first
