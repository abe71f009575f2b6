"""Results kept by the identity of their inputs: detection's deviations and merged baseline
handed to diagnosis again, and nothing handed out for objects that only look the same."""

from __future__ import annotations

import numpy as np
import pytest

import tools.analysis.anomaly
from tools.analysis.anomaly import deviations
from tools.analysis.history import merged
from tools.kept import KeptByIdentity
from tools.telemetry import Metric, MetricSeries, TelemetryWindow

STEP = 60
T0 = 1_767_225_600


def _window(start: int, n: int, seed: int) -> TelemetryWindow:
    rng = np.random.default_rng(seed)
    series = [
        MetricSeries(service=f"svc{k}", metric=m, start=start, step=STEP,
                     values=(40 + 5 * rng.normal(size=n)).tolist())
        for k in range(2) for m in (Metric.LATENCY_P50, Metric.CPU)
    ]  # fmt: skip
    return TelemetryWindow(start=start, end=start + n * STEP, step=STEP, metrics=series)


def test_a_result_is_kept_for_the_same_objects_only() -> None:
    kept: KeptByIdentity[list[int]] = KeptByIdentity(2)
    a, b, calls = [1], [1], []

    def make(value: int) -> list[int]:
        calls.append(value)
        return [value]

    first = kept.get((a,), ("x",), lambda: make(1))
    assert kept.get((a,), ("x",), lambda: make(2)) is first
    assert kept.get((b,), ("x",), lambda: make(3)) == [3]  # equal, not the same object
    assert kept.get((a,), ("y",), lambda: make(4)) == [4]  # other plain values
    assert calls == [1, 3, 4]
    assert kept.get((a,), ("x",), lambda: make(5)) == [5]  # the oldest of 3 is gone


def test_the_same_windows_get_the_kept_deviations_read_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    history, window = _window(T0, 1560, 1), _window(T0 + 1560 * STEP, 30, 2)
    computed: list[int] = []
    compute = tools.analysis.anomaly._deviations

    def counted(w: TelemetryWindow, h: TelemetryWindow) -> list[tools.analysis.anomaly.Deviation]:
        computed.append(1)
        return compute(w, h)

    monkeypatch.setattr(tools.analysis.anomaly, "_deviations", counted)
    first = deviations(window, history)
    # diagnosis's window: a copy with logs and spans that shares the series list
    again = deviations(window.model_copy(update={"logs": []}), history)
    assert len(computed) == 1 and again == first and again is not first
    assert not first[0].z.flags.writeable and not first[0].bad.flags.writeable
    fresh = deviations(window.model_copy(deep=True), history.model_copy(deep=True))
    assert len(computed) == 2
    for a, b in zip(fresh, first, strict=True):
        assert np.array_equal(a.z, b.z) and np.array_equal(a.bad, b.bad)


def test_the_same_parts_merge_into_the_same_window() -> None:
    earlier, recent = _window(T0, 150, 3), _window(T0 + 1440 * STEP, 120, 4)
    history = (T0, T0 + 1560 * STEP)
    whole = merged(history, STEP, [earlier, recent])
    assert merged(history, STEP, [earlier, recent]) is whole
    other = merged(history, STEP, [earlier.model_copy(deep=True), recent])
    assert other is not whole and other == whole
    assert merged((T0, T0 + 1500 * STEP), STEP, [earlier, recent]) is not whole
