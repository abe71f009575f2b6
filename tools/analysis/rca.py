"""Root-cause ranking: services whose anomalies their dependencies do not explain rank first."""

from __future__ import annotations

from datetime import UTC, datetime

from tools.analysis.features import IncidentFeatures, ServiceFeatures, extract_features
from tools.analysis.models import Anomaly, Evidence, Hypothesis
from tools.analysis.signatures import classify
from tools.telemetry import Metric, ServiceGraph, TelemetryWindow

WEIGHTS: dict[Metric, float] = {
    Metric.ERROR_RATE: 1.0,
    Metric.LATENCY_P50: 0.8,
    Metric.LATENCY_P99: 0.6,
    Metric.THROUGHPUT: 0.8,
    Metric.CPU: 0.7,
    Metric.MEMORY: 1.0,
    Metric.POOL: 0.8,
    Metric.DISK: 1.0,
}
EXPLAINED_FACTOR = 0.2  # an explained anomaly still counts a little
Z_CAP = 30.0
SLACK_SECONDS = 60


def _clock(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%H:%M")


def _before(a: Anomaly, b: Anomaly | None) -> bool:
    return b is not None and b.onset <= a.onset + SLACK_SECONDS


def _load_explained(f: ServiceFeatures, ctx: IncidentFeatures, a: Anomaly) -> bool:
    """More load arrives when a caller changed behaviour first (surge, retries, misses)."""
    load = f.anomalies.get(Metric.THROUGHPUT)
    if load is None or load.score <= 0 or not _before(load, a):
        return False
    return _explained(f, ctx, load)


def _explained(f: ServiceFeatures, ctx: IncidentFeatures, a: Anomaly) -> bool:
    """Whether a neighbour's earlier anomaly accounts for this one."""
    callers = [ctx.services[c] for c in ctx.topology.callers(f.service)]
    callees = [ctx.services[c] for c in ctx.topology.callees(f.service)]
    if a.metric == Metric.THROUGHPUT:
        if a.score > 0:
            return any(_before(a, x) for c in callers for x in c.anomalies.values())
        return any(_before(a, c.anomalies.get(Metric.THROUGHPUT)) for c in callers)
    if a.metric in (Metric.MEMORY, Metric.DISK):
        return False
    if a.metric in (Metric.CPU, Metric.POOL) and _load_explained(f, ctx, a):
        return True
    slow = (Metric.LATENCY_P50, Metric.LATENCY_P99, Metric.ERROR_RATE)
    if a.metric == Metric.POOL:
        return any(_before(a, c.anomalies.get(m)) for c in callees for m in slow[:2])
    if a.metric == Metric.CPU:
        return False
    blamed = any(c.service in f.blames for c in callees)
    upstream = any(
        _before(a, c.anomalies.get(m)) for c in callees for m in (*slow, Metric.THROUGHPUT)
    )
    return blamed or upstream or _load_explained(f, ctx, a)


def _metric_evidence(f: ServiceFeatures, ctx: IncidentFeatures, a: Anomaly) -> Evidence:
    explained = _explained(f, ctx, a)
    verb = "rose" if a.score > 0 else "fell"
    summary = (
        f"{a.metric.value} {verb} from {a.baseline:.3g} to {a.observed:.3g} since {_clock(a.onset)}"
        + (" (explained by a neighbour)" if explained else "")
    )
    weight = WEIGHTS[a.metric] * min(abs(a.score), Z_CAP) / Z_CAP
    weight *= EXPLAINED_FACTOR if explained else 1.0
    return Evidence(
        kind="metric",
        service=f.service,
        summary=summary,
        weight=round(weight, 4),
        detail={"metric": a.metric.value, "z": a.score, "explained": explained},
    )


def _graph_evidence(f: ServiceFeatures, ctx: IncidentFeatures, first_onset: int) -> list[Evidence]:
    found = [_metric_evidence(f, ctx, a) for a in f.anomalies.values()]
    if f.blamed_by:
        names = ", ".join(sorted(f.blamed_by))
        found.append(
            Evidence(
                kind="topology",
                service=f.service,
                weight=0.6,
                summary=f"callers' failing calls name it: {names}",
            )
        )
    if f.error_origins >= 3:
        found.append(
            Evidence(
                kind="trace",
                service=f.service,
                weight=0.4,
                summary=f"{f.error_origins} failing spans originate here",
            )
        )
    if f.onset is not None and f.onset <= first_onset:
        found.append(
            Evidence(
                kind="topology",
                service=f.service,
                weight=0.2,
                summary=f"among the earliest onsets ({_clock(f.onset)})",
            )
        )
    return found


def _hypothesis(service: str, ctx: IncidentFeatures, first_onset: int) -> tuple[Hypothesis, float]:
    f = ctx.services[service]
    graph = _graph_evidence(f, ctx, first_onset)
    match = classify(service, ctx)
    raw = sum(e.weight for e in graph)
    evidence = sorted(graph + match.evidence, key=lambda e: -e.weight)
    hypothesis = Hypothesis(
        service=service, fault_type=match.fault_type, score=0.0, evidence=evidence
    )
    return hypothesis, raw * (0.5 + match.confidence)


def rank_root_causes(
    window: TelemetryWindow,
    history: TelemetryWindow,
    topology: ServiceGraph,
    anomalies: list[Anomaly],
) -> list[Hypothesis]:
    """Candidate root causes, most likely first, scores normalised to [0, 1]."""
    if not anomalies:
        return []
    ctx = extract_features(window, history, topology, anomalies)
    first_onset = min(a.onset for a in anomalies)
    candidates = [s for s, f in ctx.services.items() if f.anomalies or f.blamed_by]
    scored = [_hypothesis(s, ctx, first_onset) for s in candidates]
    top = max((raw for _, raw in scored), default=0.0) or 1.0
    ranked = [h.model_copy(update={"score": round(raw / top, 4)}) for h, raw in scored]
    return sorted(ranked, key=lambda h: (-h.score, h.service))
