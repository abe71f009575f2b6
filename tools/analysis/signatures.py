"""Fault-type classifier: explicit rules over a service's features and its neighbours'."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from tools.analysis.features import IncidentFeatures, ServiceFeatures, changes_before
from tools.analysis.models import UNKNOWN_FAULT, Evidence
from tools.telemetry import Metric

EvidenceKind = Literal["metric", "log", "trace", "event", "topology", "memory"]

MIN_CONFIDENCE = 0.5


@dataclass
class Match:
    """A fault type a rule recognised, how sure it is, and why."""

    fault_type: str
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)


Rule = Callable[[ServiceFeatures, IncidentFeatures], Match | None]


def _ev(kind: EvidenceKind, service: str, summary: str, weight: float = 1.0) -> Evidence:
    return Evidence(kind=kind, service=service, summary=summary, weight=weight)


def _shift(f: ServiceFeatures, word: str) -> Evidence | None:
    for shift in f.shifts:
        if word in shift.template:
            summary = (
                f"{shift.window_count} '{shift.template}' {shift.level} lines in the window "
                f"({shift.window_per_min:.2f}/min vs {shift.baseline_per_min:.2f}/min before)"
            )
            return _ev("log", f.service, summary, 0.5)
    return None


def _metric(f: ServiceFeatures, metric: Metric, fmt: str = ".2f") -> Evidence:
    before, now = f.expected.get(metric, 0.0), f.level.get(metric, 0.0)
    return _ev(
        "metric", f.service, f"{metric.value} at {now:{fmt}} against {before:{fmt}} expected"
    )


def _with(match: Match, *extra: Evidence | None) -> Match:
    match.evidence.extend(e for e in extra if e is not None)
    return match


def disk_full(f: ServiceFeatures, ctx: IncidentFeatures) -> Match | None:
    if f.level.get(Metric.DISK, 0) >= 0.9 and f.peak_delta.get(Metric.DISK, 0) >= 0.1:
        return _with(Match("disk_full", 0.95, [_metric(f, Metric.DISK)]), _shift(f, "disk usage"))
    return None


def memory_leak(f: ServiceFeatures, ctx: IncidentFeatures) -> Match | None:
    if f.has(Metric.MEMORY) and f.peak_delta.get(Metric.MEMORY, 0) >= 0.15:
        restarts = [e for e in f.changes if e.kind == "restart"]
        extra = (
            _ev("event", f.service, f"{len(restarts)} restart(s) in the window")
            if restarts
            else None
        )
        return _with(
            Match("memory_leak", 0.9, [_metric(f, Metric.MEMORY)]), _shift(f, "GC pause"), extra
        )
    return None


def cpu_saturation(f: ServiceFeatures, ctx: IncidentFeatures) -> Match | None:
    cpu_high = f.level.get(Metric.CPU, 0) >= 0.85 and f.delta.get(Metric.CPU, 0) >= 0.25
    if cpu_high and f.ratio.get(Metric.THROUGHPUT, 1) < 1.4:
        note = _ev("metric", f.service, "throughput did not rise: the extra CPU is not load", 0.3)
        return Match("cpu_saturation", 0.9, [_metric(f, Metric.CPU), note])
    return None


def pool_exhaustion(f: ServiceFeatures, ctx: IncidentFeatures) -> Match | None:
    saturated = f.level.get(Metric.POOL, 0) >= 0.9 and f.delta.get(Metric.POOL, 0) >= 0.3
    slow_callee = any(
        ctx.services[c].has(Metric.LATENCY_P50) for c in ctx.topology.callees(f.service)
    )
    if saturated and not slow_callee and f.ratio.get(Metric.THROUGHPUT, 1) < 1.4:
        return _with(
            Match("db_pool_exhaustion", 0.9, [_metric(f, Metric.POOL)]),
            _shift(f, "connection pool"),
        )
    return None


def traffic_surge(f: ServiceFeatures, ctx: IncidentFeatures) -> Match | None:
    # Traffic enters at the edge; more calls to an inner service are a caller's load shift.
    entry = not ctx.topology.callers(f.service)
    if f.ratio.get(Metric.THROUGHPUT, 1) >= 1.6 and entry:
        return Match("traffic_surge", 0.9, [_metric(f, Metric.THROUGHPUT, ".1f")])
    return None


def certificate_expiry(f: ServiceFeatures, ctx: IncidentFeatures) -> Match | None:
    callers = ctx.topology.callers(f.service)
    failing = [c for c in callers if ctx.services[c].has(Metric.ERROR_RATE) and c in f.blamed_by]
    quiet = f.delta.get(Metric.ERROR_RATE, 0) < 0.02
    if f.ratio.get(Metric.THROUGHPUT, 1) <= 0.5 and quiet and failing:
        shifts = [_shift(ctx.services[c], "TLS handshake") for c in failing]
        note = _ev("topology", f.service, f"callers failing towards it: {', '.join(failing)}", 0.5)
        return _with(
            Match("certificate_expiry", 0.9, [_metric(f, Metric.THROUGHPUT, ".1f"), note]), *shifts
        )
    return None


def cache_failure(f: ServiceFeatures, ctx: IncidentFeatures) -> Match | None:
    if f.delta.get(Metric.ERROR_RATE, 0) < 0.1:
        return None
    siblings = {s for c in ctx.topology.callers(f.service) for s in ctx.topology.callees(c)}
    shifted = [
        s
        for s in siblings - {f.service}
        if ctx.topology.attribute(s, "kind", "") == "datastore"
        and ctx.services[s].ratio.get(Metric.THROUGHPUT, 1) >= 1.5
    ]
    storm = _shift(f, "evicted")
    if shifted or storm:
        notes = [
            _ev("topology", s, f"{s} throughput rose: its callers miss this service", 0.5)
            for s in shifted
        ]
        return _with(Match("cache_failure", 0.9, [_metric(f, Metric.ERROR_RATE), *notes]), storm)
    return None


def _change_rule(kind: str, fault_type: str) -> Rule:
    def rule(f: ServiceFeatures, ctx: IncidentFeatures) -> Match | None:
        changes = changes_before(f, kind)
        symptoms = f.has(Metric.ERROR_RATE) or f.has(Metric.LATENCY_P50)
        if changes and symptoms:
            change = changes[-1]
            lead = max(0, (f.onset or 0) - change.ts) // 60
            summary = f"{kind} ({change.detail}) {lead} min before the onset"
            return Match(fault_type, 0.85, [_ev("event", f.service, summary)])
        return None

    return rule


def network_delay(f: ServiceFeatures, ctx: IncidentFeatures) -> Match | None:
    slow = f.has(Metric.LATENCY_P50) and f.delta.get(Metric.LATENCY_P50, 0) >= 100
    own_time = f.self_time is not None and f.self_time[1] >= 3 * max(f.self_time[0], 1.0)
    calm = f.delta.get(Metric.CPU, 0) < 0.15 and f.delta.get(Metric.ERROR_RATE, 0) < 0.05
    if slow and own_time and calm:
        assert f.self_time is not None
        before, now = f.self_time
        note = _ev(
            "trace", f.service, f"span self time {now:.0f}ms against {before:.0f}ms before", 0.7
        )
        calm_note = _ev("metric", f.service, "own CPU and error rate stay normal", 0.3)
        return Match("network_delay", 0.8, [_metric(f, Metric.LATENCY_P50, ".0f"), note, calm_note])
    return None


RULES: tuple[Rule, ...] = (
    disk_full,
    memory_leak,
    cpu_saturation,
    pool_exhaustion,
    traffic_surge,
    certificate_expiry,
    cache_failure,
    _change_rule("deploy", "bad_deploy"),
    _change_rule("config", "config_error"),
    network_delay,
)


def classify(service: str, ctx: IncidentFeatures) -> Match:
    """The best-fitting fault type of a service, or UNKNOWN_FAULT when nothing fits."""
    features = ctx.services[service]
    matches = [m for rule in RULES if (m := rule(features, ctx)) is not None]
    best = max(matches, key=lambda m: m.confidence, default=None)
    if best is None or best.confidence < MIN_CONFIDENCE:
        return Match(UNKNOWN_FAULT, 0.0, [])
    return best
