"""Assembles a TelemetryWindow (metrics, logs, spans, change events) from the simulation."""

from __future__ import annotations

import numpy as np

from sandbox import benign
from sandbox.effects import fault_effects
from sandbox.logs import generate_logs
from sandbox.model import Frame, simulate
from sandbox.state import TICK_SECONDS, EnvState
from sandbox.topology import Topology
from sandbox.traces import generate_spans
from tools.telemetry import ChangeEvent, MetricSeries, TelemetryWindow

DEFAULT_DETAIL_SECONDS = 2 * 3600


def tick_times(start: int, end: int) -> np.ndarray:
    """Tick-aligned sample timestamps in [start, end)."""
    first = -(-start // TICK_SECONDS) * TICK_SECONDS
    return np.arange(first, end, TICK_SECONDS, dtype=np.int64)


def change_events(state: EnvState, topology: Topology, times: np.ndarray) -> list[ChangeEvent]:
    """Routine, recorded and OOM-restart change events at the given ticks."""
    if len(times) == 0:
        return []
    start, end = int(times[0]), int(times[-1]) + TICK_SECONDS
    events = benign.benign_events(state, topology, times // TICK_SECONDS)
    events += [e for e in state.events if start <= e.ts < end]
    for service, fx in fault_effects(state, topology, times).items():
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
    return [
        MetricSeries(
            service=service,
            metric=metric,
            start=start,
            step=TICK_SECONDS,
            values=np.round(values, 6).tolist(),
        )
        for service, own in frame.services.items()
        for metric, values in sorted(own.metrics.items())
    ]


def build_window(
    state: EnvState,
    topology: Topology,
    start: int,
    end: int,
    detail_seconds: int = DEFAULT_DETAIL_SECONDS,
) -> TelemetryWindow:
    """Telemetry in [start, end); logs and spans only for its last `detail_seconds`."""
    times = tick_times(start, end)
    frame = simulate(state, topology, times)
    events = change_events(state, topology, times)
    detail = times >= end - detail_seconds
    logs, spans = [], []
    if detail.any():
        recent = simulate(state, topology, times[detail])
        logs = generate_logs(state.seed, topology, recent, events)
        spans = generate_spans(state.seed, topology, recent)
    first = int(times[0]) if len(times) else start
    return TelemetryWindow(
        start=start,
        end=end,
        step=TICK_SECONDS,
        metrics=_series(frame, first),
        logs=logs,
        spans=spans,
        events=events,
    )
