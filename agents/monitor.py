"""Monitor: observes telemetry, detects anomalies, diagnoses root causes, verifies recovery."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field

from agents.models import Diagnosis, Verification
from memory.models import MemoryMatch
from tools.analysis.anomaly import detect_anomalies
from tools.analysis.features import detail_since, extract_features
from tools.analysis.history import read_history
from tools.analysis.models import UNKNOWN_FAULT, Anomaly, Evidence, Hypothesis
from tools.analysis.rca import rank_root_causes
from tools.analysis.recovery import check_recovery
from tools.analysis.signatures import RULES, Match
from tools.telemetry import TelemetrySource, TelemetryWindow

ANALYSIS_RULES = "analysis-rules/1"
"""Version of the detection, RCA and signature rules (recorded in provenance)."""

RECALL_K = 5
"""How many similar past incidents the diagnosis recalls."""
MIN_SIMILARITY = 0.6
"""Past incidents less similar than this (cosine) are neither cited nor used as a prior."""
PRIOR_WEIGHT = 0.1
"""At most this much is added to a hypothesis' score for a confirmed similar past cause."""
TIE_MARGIN = 0.01
"""Signature matches this close to the best one count as a tie the prior may break."""
DETAIL_SECONDS = 1800
"""The window's logs and spans are compared with those of this many seconds before it."""


class MonitorConfig(BaseModel):
    """How much telemetry the Monitor looks at, in seconds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    window_seconds: int = Field(default=1800, gt=0, description="Incident window")
    history_seconds: int = Field(default=26 * 3600, gt=0, description="Baseline before it")
    verify_seconds: int = Field(default=600, gt=0, description="Wait after the last action")
    settle_seconds: int = Field(default=120, ge=0, description="Ignored right after acting")


def windows(now: int, config: MonitorConfig, step: int) -> tuple[int, int, int]:
    """(history_start, window_start, window_end) aligned to the metric step."""
    end = now - now % step
    start = end - config.window_seconds
    return start - config.history_seconds, start, end


def detect(
    source: TelemetrySource,
    history_start: int,
    start: int,
    end: int,
    history_end: int | None = None,
) -> list[Anomaly]:
    """Anomalies in [start, end) against the baseline [history_start, history_end or start)."""
    baseline = read_history(source, (history_start, history_end or start), (start, end))
    return detect_anomalies(source.metrics(start, end), baseline)


Recall = Callable[[str, int, str], list[MemoryMatch]]
"""(query text, k, incident id to leave out) -> similar past incidents."""
Alternatives = Callable[[str], list[Match]]


def diagnose(
    source: TelemetrySource,
    history_start: int,
    start: int,
    end: int,
    anomalies: list[Anomaly],
    recall: Recall | None = None,
    incident_id: str = "",
    history_end: int | None = None,
) -> Diagnosis:
    """Ranked root-cause hypotheses with evidence; similar past incidents when recall is given."""
    # no logs or spans before the first onset: extract_features does not look at them
    window = source.window(start, end, detail_from=detail_since(anomalies, start))
    history = _history_with_detail(source, (history_start, history_end or start), (start, end))
    topology = source.topology()
    causes = rank_root_causes(window, history, topology, anomalies)
    if recall is not None and causes:
        matches = recall(recall_query(anomalies), RECALL_K, incident_id)

        def alternatives(service: str) -> list[Match]:
            features = extract_features(window, history, topology, anomalies)
            found = [rule(features.services[service], features) for rule in RULES]
            return [m for m in found if m is not None]

        causes = apply_memory(causes, matches, alternatives)
    return Diagnosis(
        window_start=start,
        window_end=end,
        anomalies=anomalies,
        root_causes=causes,
        summary=_summary(anomalies, causes[0].service if causes else None, window),
    )


def _history_with_detail(
    source: TelemetrySource, history: tuple[int, int], window: tuple[int, int]
) -> TelemetryWindow:
    """The baseline's metrics, with the logs and spans of its last DETAIL_SECONDS."""
    metrics = read_history(source, history, window)
    detail = source.window(max(history[0], history[1] - DETAIL_SECONDS), history[1])
    return metrics.model_copy(update={"logs": detail.logs, "spans": detail.spans})


def verify(
    source: TelemetrySource,
    history_start: int,
    history_end: int,
    acted_at: int,
    now: int,
    config: MonitorConfig,
) -> Verification:
    """Post-condition: every service back within its baseline since the action settled."""
    step = source.step()
    start = acted_at + config.settle_seconds
    start -= start % step
    end = now - now % step
    history = read_history(source, (history_start, history_end), (start, end))
    report = check_recovery(source.metrics(start, end), history)
    return Verification(at=now, window_start=start, window_end=end, report=report)


def _summary(anomalies: list[Anomaly], top: str | None, window: TelemetryWindow) -> str:
    services = sorted({a.service for a in anomalies})
    if not anomalies:
        return "no anomaly in the window"
    lead = f"; most likely origin {top}" if top else ""
    return f"{len(anomalies)} anomalous signals on {', '.join(services)}{lead}"


def recall_query(anomalies: list[Anomaly]) -> str:
    """The symptoms as text: what a similar past incident's summary also says."""
    rows = sorted(
        {(a.service, a.metric.value, "rose" if a.score > 0 else "fell") for a in anomalies}
    )
    return "Symptoms: " + "; ".join(f"{s} {m} {d}" for s, m, d in rows)


def apply_memory(
    causes: list[Hypothesis], matches: list[MemoryMatch], alternatives: Alternatives
) -> list[Hypothesis]:
    """Cite similar past incidents as evidence; their confirmed root causes nudge the ranking.

    The nudge is a prior, bounded by PRIOR_WEIGHT (a tenth of the top score): it can only
    reorder hypotheses the telemetry finds nearly equally likely, never override a clear one.
    A remembered cause that the signature rules match as well as the chosen fault type (a
    tie, e.g. a deploy and a config change both before the errors) enters as a hypothesis
    of equal score, placed after the chosen one, so only the prior can lift it.
    """
    relevant = [m for m in matches if m.similarity >= MIN_SIMILARITY]
    if not relevant:
        return causes
    causes = _with_ties(causes, relevant, alternatives)
    causes = [_with_prior(h, relevant) for h in causes]
    top = max(h.score for h in causes) or 1.0
    ranked = sorted(
        (h.model_copy(update={"score": round(h.score / top, 4)}) for h in causes),
        key=lambda h: (-h.score, h.service),
    )
    cited = {e.detail.get("incident_id") for h in ranked for e in h.evidence if e.kind == "memory"}
    others = [_memory_evidence(m, 0.0) for m in relevant if m.record.id not in cited]
    first = ranked[0].model_copy(update={"evidence": [*ranked[0].evidence, *others]})
    return [first, *ranked[1:]]


def _with_ties(
    causes: list[Hypothesis], matches: list[MemoryMatch], alternatives: Alternatives
) -> list[Hypothesis]:
    known = {(h.service, h.fault_type) for h in causes}
    wanted = {
        (m.record.service, m.record.fault_type)
        for m in matches
        if m.record.confirmed and (m.record.service, m.record.fault_type) not in known
    }
    result: list[Hypothesis] = []
    for hypothesis in causes:
        result.append(hypothesis)
        services = {s for s, _ in wanted if s == hypothesis.service}
        if not services or hypothesis.fault_type == UNKNOWN_FAULT:
            continue
        matched = alternatives(hypothesis.service)
        best = max((m.confidence for m in matched), default=0.0)
        result.extend(
            hypothesis.model_copy(update={"fault_type": m.fault_type, "evidence": m.evidence})
            for m in matched
            if (hypothesis.service, m.fault_type) in wanted and m.confidence >= best - TIE_MARGIN
        )
    return result


def _with_prior(hypothesis: Hypothesis, matches: list[MemoryMatch]) -> Hypothesis:
    same = [
        m
        for m in matches
        if m.record.confirmed
        and m.record.service == hypothesis.service
        and m.record.fault_type == hypothesis.fault_type
    ]
    if not same:
        return hypothesis
    boost = PRIOR_WEIGHT * max(m.similarity for m in same)
    evidence = [*hypothesis.evidence, *(_memory_evidence(m, boost) for m in same)]
    score = hypothesis.score + boost
    return hypothesis.model_copy(update={"score": score, "evidence": evidence})


def _memory_evidence(match: MemoryMatch, weight: float) -> Evidence:
    record = match.record
    cause = f"{record.fault_type} at {record.service}" if record.fault_type else "cause unknown"
    healed = f", healed by {record.runbook_id}" if record.runbook_id and record.confirmed else ""
    return Evidence(
        kind="memory",
        service=record.service or "?",
        summary=f"similar past incident {record.id} ({match.similarity:.2f}): {cause}, "
        f"{record.outcome.lower() or 'outcome unknown'}{healed}",
        weight=round(weight, 4),
        detail={
            "incident_id": record.id,
            "similarity": match.similarity,
            "fault_type": record.fault_type,
            "confirmed": record.confirmed,
            "outcome": record.outcome,
            "runbook_id": record.runbook_id,
            "failed_runbooks": list(record.failed_runbooks),
        },
    )
