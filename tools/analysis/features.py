"""Per-service features an incident window offers: deviations, changes, logs and traces."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from tools.analysis.anomaly import Deviation, deviations
from tools.analysis.logs import LogShift, log_shifts
from tools.analysis.models import Anomaly
from tools.analysis.traces import TraceSummary, summarise
from tools.telemetry import (
    ChangeEvent,
    Metric,
    ServiceGraph,
    TelemetryWindow,
    logs_and_spans_since,
)

RECENT = 5  # samples that describe "now"
CHANGE_LEAD_SECONDS = 15 * 60  # a change this long before an onset may have caused it


@dataclass
class ServiceFeatures:
    """Everything the classifier and the ranker know about one service."""

    service: str
    anomalies: dict[Metric, Anomaly] = field(default_factory=dict)
    level: dict[Metric, float] = field(default_factory=dict)
    delta: dict[Metric, float] = field(default_factory=dict)
    peak_delta: dict[Metric, float] = field(default_factory=dict)
    ratio: dict[Metric, float] = field(default_factory=dict)
    expected: dict[Metric, float] = field(default_factory=dict)
    changes: list[ChangeEvent] = field(default_factory=list)
    shifts: list[LogShift] = field(default_factory=list)
    blamed_by: set[str] = field(default_factory=set)
    blames: set[str] = field(default_factory=set)
    self_time: tuple[float, float] | None = None
    error_origins: int = 0

    @property
    def onset(self) -> int | None:
        return min((a.onset for a in self.anomalies.values()), default=None)

    def has(self, metric: Metric, direction: int = 1) -> bool:
        anomaly = self.anomalies.get(metric)
        return anomaly is not None and anomaly.score * direction > 0


@dataclass
class IncidentFeatures:
    """Features of every service, plus the topology they sit in."""

    topology: ServiceGraph
    services: dict[str, ServiceFeatures]
    window_start: int


def _nanmean(values: np.ndarray) -> float:
    """The mean of the values that are not NaN (NaN when none is), without numpy's overhead
    for a handful of samples."""
    kept = [v for v in values.tolist() if not math.isnan(v)]
    return sum(kept) / len(kept) if kept else math.nan


def _describe(features: ServiceFeatures, dev: Deviation) -> None:
    recent = slice(-RECENT, None)
    level, base = _nanmean(dev.observed[recent]), _nanmean(dev.expected[recent])
    features.level[dev.metric] = level
    features.expected[dev.metric] = base
    features.delta[dev.metric] = level - base
    features.peak_delta[dev.metric] = float(np.fmax.reduce(dev.observed - dev.expected))
    features.ratio[dev.metric] = level / base if base > 1e-9 else 1.0


def _attach_logs(services: dict[str, ServiceFeatures], shifts: list[LogShift]) -> None:
    for shift in shifts:
        if shift.service not in services:
            continue
        services[shift.service].shifts.append(shift)
        for named, count in shift.mentions.items():
            if count < 3 or named not in services:
                continue
            services[shift.service].blames.add(named)
            services[named].blamed_by.add(shift.service)


def _attach_traces(
    services: dict[str, ServiceFeatures], now: TraceSummary, base: TraceSummary
) -> None:
    for service, features in services.items():
        if service in now.self_time_ms and service in base.self_time_ms:
            features.self_time = (base.self_time_ms[service], now.self_time_ms[service])
        features.error_origins = now.error_origins[service]
    for (caller, callee), count in now.error_edges.items():
        if count >= 3 and caller in services and callee in services:
            services[caller].blames.add(callee)
            services[callee].blamed_by.add(caller)


def extract_features(
    window: TelemetryWindow,
    history: TelemetryWindow,
    topology: ServiceGraph,
    anomalies: list[Anomaly],
) -> IncidentFeatures:
    """Collect per-service features for ranking and classification."""
    services = {s: ServiceFeatures(s) for s in topology.services}
    for dev in deviations(window, history):
        if dev.service in services and len(dev.observed):
            _describe(services[dev.service], dev)
    for anomaly in anomalies:
        if anomaly.service in services:
            services[anomaly.service].anomalies.setdefault(anomaly.metric, anomaly)
    for event in window.events:
        if event.service in services:
            services[event.service].changes.append(event)
    names = list(topology.services)
    logs, spans = logs_and_spans_since(window, detail_since(anomalies, window.start))
    _attach_logs(services, log_shifts(logs, history.logs, names))
    _attach_traces(services, summarise(spans, names), summarise(history.spans, names))
    return IncidentFeatures(topology, services, window.start)


def detail_since(anomalies: list[Anomaly], start: int) -> int:
    """Where logs and spans are compared from: the first onset, where the incident lives
    (the window's start when nothing is anomalous)."""
    return min((a.onset for a in anomalies), default=start)


def changes_before(features: ServiceFeatures, kind: str) -> list[ChangeEvent]:
    """Changes of a kind to the service shortly before (or at) its anomaly onset."""
    onset = features.onset
    if onset is None:
        return []
    return [
        e
        for e in features.changes
        if e.kind == kind and onset - CHANGE_LEAD_SECONDS <= e.ts <= onset + 60
    ]
