"""The key metric series around an incident, downsampled for the console's charts."""

from __future__ import annotations

import math
from typing import Any

from graphs.runner import TargetFactory
from graphs.state import IncidentState
from tools.telemetry import Metric, MetricSeries

MAX_SERIES = 6
MAX_POINTS = 120


def key_series(state: IncidentState) -> list[tuple[str, Metric]]:
    """Anomalous (service, metric) pairs, the strongest first, then the top cause's latency."""
    pairs: list[tuple[str, Metric]] = []
    anomalies = state.diagnosis.anomalies if state.diagnosis else []
    for anomaly in sorted(anomalies, key=lambda a: -abs(a.score)):
        pairs.append((anomaly.service, anomaly.metric))
    if state.diagnosis and state.diagnosis.root_causes:
        top = state.diagnosis.root_causes[0].service
        pairs += [(top, Metric.ERROR_RATE), (top, Metric.LATENCY_P99)]
    return list(dict.fromkeys(pairs))[:MAX_SERIES]


def incident_metrics(state: IncidentState, targets: TargetFactory) -> dict[str, Any]:
    """Series from the incident's telemetry source, from before its window to now."""
    source = targets(state.id, state.trigger).source
    end = source.now() + source.step()
    span = max(state.window_end - state.window_start, 3600)
    start = max(state.window_start - span, end - 6 * span) if state.window_start else end - span
    window = source.window(start, end)
    series = []
    for service, metric in key_series(state):
        found = window.series(service, metric)
        if found is not None:
            series.append(_chart(found))
    return {
        "incident": state.id,
        "start": start,
        "end": end,
        "series": series,
        "marks": _marks(state),
    }


def _chart(series: MetricSeries) -> dict[str, Any]:
    every = max(1, math.ceil(len(series.values) / MAX_POINTS))
    values = series.values[::every]
    return {
        "service": series.service,
        "metric": series.metric.value,
        "start": series.start,
        "step": series.step * every,
        "values": [None if not math.isfinite(v) else round(v, 6) for v in values],
    }


def _marks(state: IncidentState) -> list[dict[str, Any]]:
    marks = [{"at": state.window_start, "label": "detection window"}] if state.window_start else []
    marks += [{"at": r.at, "label": f"{r.phase} {r.action}"} for r in state.executions if r.at]
    return marks
