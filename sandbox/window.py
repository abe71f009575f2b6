"""Assembles a TelemetryWindow (metrics, logs, spans, change events) from the simulation."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from sandbox import benign
from sandbox.frame_cache import frame_at
from sandbox.logs import generate_logs
from sandbox.model import Frame
from sandbox.state import TICK_SECONDS, EnvState, past_key
from sandbox.topology import Topology
from sandbox.traces import generate_spans
from tools.telemetry import ChangeEvent, MetricSeries, TelemetryWindow

DEFAULT_DETAIL_SECONDS = 2 * 3600
_CACHE_SIZE = 12
# (state's past up to the end, topology repr, start, end, with events) -> metrics window;
# windows are frozen, so sharing one is safe. detect and diagnose ask for the same
# baseline stretches, and so does verify after the action, which changed nothing before it.
_windows: OrderedDict[tuple[str, str, int, int, bool], TelemetryWindow] = OrderedDict()


def tick_times(start: int, end: int) -> np.ndarray:
    """Tick-aligned sample timestamps in [start, end)."""
    first = -(-start // TICK_SECONDS) * TICK_SECONDS
    return np.arange(first, end, TICK_SECONDS, dtype=np.int64)


def change_events(state: EnvState, topology: Topology, frame: Frame) -> list[ChangeEvent]:
    """Routine, recorded and OOM-restart change events at the ticks of the frame."""
    times = frame.times
    if len(times) == 0:
        return []
    start, end = int(times[0]), int(times[-1]) + TICK_SECONDS
    events = benign.benign_events(state, topology, times // TICK_SECONDS)
    events += [e for e in state.events if start <= e.ts < end]
    for service, own in frame.services.items():
        fx = own.effects
        if fx is None:
            continue
        events += [
            ChangeEvent(
                ts=int(ts),
                service=service,
                kind="restart",
                detail="container restarted (exit code 137)",
            )
            for ts in times[fx.oom]
        ]
    return sorted(events, key=lambda e: (e.ts, e.service, e.kind))


def _series(frame: Frame, start: int) -> list[MetricSeries]:
    """Every service's metrics, rounded to 6 decimals in one batch."""
    keys = [
        (service, metric, values)
        for service, own in frame.services.items()
        for metric, values in sorted(own.metrics.items())
    ]
    if not keys:
        return []
    rows = np.round(np.array([values for _, _, values in keys], dtype=float), 6).tolist()
    return [  # the model's own floats: nothing to validate
        MetricSeries.model_construct(
            service=service, metric=metric, start=start, step=TICK_SECONDS, values=row
        )
        for (service, metric, _), row in zip(keys, rows, strict=True)
    ]


def build_window(
    state: EnvState,
    topology: Topology,
    start: int,
    end: int,
    detail_seconds: int = DEFAULT_DETAIL_SECONDS,
) -> TelemetryWindow:
    """Telemetry in [start, end); logs and spans only for its last `detail_seconds`.

    The metrics and change events are those of the metrics-only window (kept, see
    `metrics_window`); logs and spans are added to a copy of it. Windows with logs and
    spans are read once and not kept: thousands of objects that outlive a read are what
    makes Python's collector walk the whole heap.
    """
    window = metrics_window(state, topology, start, end)
    times = tick_times(start, end)
    detail = times[times >= end - detail_seconds]
    if len(detail) == 0:
        return window
    recent = frame_at(state, topology, detail)
    logs = generate_logs(state.seed, topology, recent, window.events)
    spans = generate_spans(state.seed, topology, recent)
    return window.model_copy(update={"logs": logs, "spans": spans})


def metrics_window(
    state: EnvState, topology: Topology, start: int, end: int, events: bool = True
) -> TelemetryWindow:
    """Metrics in [start, end), with the change events unless `events` is false (what a
    metrics backend returns), no logs or spans.

    Deterministic in the state's past up to `end` (sandbox.state.past_of), so the last few
    are kept and handed out again; one with events shares the metrics of one without.
    """
    past = (past_key(state, end - 1), topology.key, start, end)
    cached = _kept(past, events)
    if cached is not None:
        return cached
    times = tick_times(start, end)
    frame = frame_at(state, topology, times)
    metrics = _kept(past, False)
    if metrics is None:
        first = int(times[0]) if len(times) else start
        series = _series(frame, first)
        metrics = _keep(past, False, TelemetryWindow(start=start, end=end, step=TICK_SECONDS,
                                                     metrics=series))  # fmt: skip
    if not events:
        return metrics
    with_events = metrics.model_copy(update={"events": change_events(state, topology, frame)})
    return _keep(past, True, with_events)


def _kept(past: tuple[str, str, int, int], events: bool) -> TelemetryWindow | None:
    key = (*past, events)
    cached = _windows.get(key)
    if cached is not None:
        _windows.move_to_end(key)
    return cached


def _keep(
    past: tuple[str, str, int, int], events: bool, window: TelemetryWindow
) -> TelemetryWindow:
    _windows[(*past, events)] = window
    if len(_windows) > _CACHE_SIZE:
        _windows.popitem(last=False)
    return window
