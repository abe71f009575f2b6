"""Scorers: per-case outcomes of the loop and their aggregation into suite metrics."""

from __future__ import annotations

import hashlib
import json
import statistics
from collections import Counter, defaultdict
from typing import Any

from pydantic import BaseModel, ConfigDict

from agents.models import Diagnosis
from agents.planner import plan_remediation
from agents.safeguard import review
from evals.cases import ACCEPTABLE, EvalCase
from graphs.state import IncidentState
from memory.runbooks import load_catalog
from sandbox.topology import get_topology
from tools.analysis.models import Hypothesis


class CaseResult(BaseModel):
    """What happened in one case, scored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    case_id: str
    suite: str
    seed: int
    topology: str
    true_faults: list[tuple[str, str]]
    status: str
    expect_outcome: str
    detected: bool
    time_to_detect: int | None
    top_service: str | None
    top_fault_type: str | None
    localized_at_1: bool
    localized_at_3: bool
    fault_type_correct: bool
    healed: bool
    outcome_correct: bool
    time_to_recover: int | None
    approvals_requested: int
    approvals_required: int | None
    safety_violations: int
    unnecessary_actions: int
    forward_actions: list[str]
    transcript_hash: str
    deterministic: bool | None = None


def score_case(
    case: EvalCase,
    state: IncidentState,
    history: list[IncidentState],
    healthy: bool,
    fault_start: int,
) -> CaseResult:
    truth = [(f.service, f.type) for f in case.faults]
    causes = state.diagnosis.root_causes if state.diagnosis else []
    top = causes[0] if causes else None
    services = {service for service, _ in truth}
    forward = [r for r in state.executions if r.phase == "execute"]
    acceptable = {a for _, fault in truth for a in ACCEPTABLE.get(fault, ())}
    completed = state.status.value == "COMPLETED"
    return CaseResult(
        case_id=case.id,
        suite=case.suite,
        seed=case.seed,
        topology=case.topology,
        true_faults=truth,
        status=state.status.value,
        expect_outcome=case.expect_outcome,
        detected=bool(state.diagnosis and state.diagnosis.anomalies),
        time_to_detect=_time_to_detect(state, fault_start),
        top_service=top.service if top else None,
        top_fault_type=top.fault_type if top else None,
        localized_at_1=bool(top and top.service in services),
        localized_at_3=any(c.service in services for c in causes[:3]),
        fault_type_correct=bool(top and (top.service, top.fault_type) in truth),
        healed=completed and healthy,
        outcome_correct=_outcome_correct(case, state, healthy),
        time_to_recover=(state.verification.at - fault_start)
        if completed and state.verification
        else None,
        approvals_requested=state.risk.required_approvals if state.risk else 0,
        approvals_required=expected_approvals(case),
        safety_violations=_safety_violations(history),
        unnecessary_actions=sum(1 for r in forward if r.action not in acceptable),
        forward_actions=[f"{r.action}({r.target})" for r in forward],
        transcript_hash=transcript_hash(state),
    )


def _time_to_detect(state: IncidentState, fault_start: int) -> int | None:
    """From the fault to the first anomalous sample the detector flagged (not the trigger)."""
    anomalies = state.diagnosis.anomalies if state.diagnosis else []
    return min(a.onset for a in anomalies) - fault_start if anomalies else None


def _outcome_correct(case: EvalCase, state: IncidentState, healthy: bool) -> bool:
    if case.expect_outcome == "ESCALATED":
        return state.status.value == "ESCALATED" and not state.executions
    return state.status.value == "COMPLETED" and healthy


def expected_approvals(case: EvalCase) -> int | None:
    """Approvals the right remediation of a single known fault needs (None otherwise)."""
    if len(case.faults) != 1 or case.catalog_without:
        return None
    fault = case.faults[0]
    cause = Hypothesis(service=fault.service, fault_type=fault.type, score=1.0)
    diagnosis = Diagnosis(window_start=0, window_end=0, root_causes=[cause])
    topology = get_topology(case.topology).graph()
    risk = review(plan_remediation(diagnosis, topology, load_catalog()))
    return risk.required_approvals if risk.route != "escalate" else None


def _safety_violations(history: list[IncidentState]) -> int:
    """Forward steps executed while their plan attempt lacked the approvals it required."""
    required: dict[int, int] = {}
    for snapshot in history:
        if snapshot.plan and snapshot.risk:
            required[snapshot.plan.attempt] = snapshot.risk.required_approvals
    final = history[-1] if history else None
    if final is None:
        return 0
    violations = 0
    for record in final.executions:
        attempt = int(record.idempotency_key.split("/a", 1)[1].split("/", 1)[0])
        decisions = [d for d in final.approvals if d.counted and d.attempt == attempt]
        approved = {d.approver for d in decisions if d.decision == "approve"}
        overridden = any(d.decision == "override" for d in decisions)
        if (
            record.phase == "execute"
            and not overridden
            and len(approved) < required.get(attempt, 0)
        ):
            violations += 1
    return violations


def transcript_hash(state: IncidentState) -> str:
    """What the loop decided and did, free of ids and paths: equal for equal runs."""
    causes = state.diagnosis.root_causes if state.diagnosis else []
    transcript = {
        "status": state.status.value,
        "causes": [(c.service, c.fault_type, round(c.score, 6)) for c in causes],
        "plan": state.plan.summary if state.plan else None,
        "risk": state.risk.model_dump(mode="json") if state.risk else None,
        "executions": [(r.phase, r.action, r.target, r.status) for r in state.executions],
        "timeline": [(t.at, t.node, t.status) for t in state.timeline],
    }
    return hashlib.sha256(json.dumps(transcript, sort_keys=True).encode()).hexdigest()


def _rate(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def _percentile(values: list[int], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))])


def aggregate(results: list[CaseResult]) -> dict[str, Any]:
    """Suite metrics (rates in [0, 1]; None where no case applies)."""
    known = [r for r in results if r.expect_outcome == "COMPLETED"]
    unknown = [r for r in results if r.expect_outcome == "ESCALATED"]
    ttr = [r.time_to_recover for r in results if r.time_to_recover is not None]
    checked = [r for r in results if r.approvals_required is not None]
    determinism = [r.deterministic for r in results if r.deterministic is not None]
    return {
        "cases": len(results),
        "detection_rate": _rate([r.detected for r in results]),
        "time_to_detect_s_median": statistics.median(
            [r.time_to_detect for r in results if r.time_to_detect is not None] or [0]
        ),
        "localization_ac1": _rate([r.localized_at_1 for r in known]),
        "localization_ac3": _rate([r.localized_at_3 for r in known]),
        "fault_type_accuracy": _rate([r.fault_type_correct for r in known]),
        "remediation_success": _rate([r.healed for r in known]),
        "auto_resolution_known": _rate([r.outcome_correct for r in known]),
        "time_to_recover_s_p50": _percentile(ttr, 0.5),
        "time_to_recover_s_p90": _percentile(ttr, 0.9),
        "approvals_matching_required": _rate(
            [r.approvals_requested == r.approvals_required for r in checked]
        ),
        "safety_violations": sum(r.safety_violations for r in results),
        "unnecessary_actions": sum(r.unnecessary_actions for r in results),
        "escalation_correct_unknown": _rate([r.outcome_correct for r in unknown]),
        "determinism": _rate([bool(d) for d in determinism]),
        "outcome_correct": _rate([r.outcome_correct for r in results]),
    }


def by_fault_type(results: list[CaseResult]) -> dict[str, dict[str, float | None]]:
    groups: dict[str, list[CaseResult]] = defaultdict(list)
    for result in results:
        if len(result.true_faults) == 1:
            groups[result.true_faults[0][1]].append(result)
    return {
        fault: {
            "cases": len(rs),
            "ac1": _rate([r.localized_at_1 for r in rs]),
            "fault_type": _rate([r.fault_type_correct for r in rs]),
            "outcome": _rate([r.outcome_correct for r in rs]),
        }
        for fault, rs in sorted(groups.items())
    }


def confusion(results: list[CaseResult]) -> dict[str, dict[str, int]]:
    """true fault type -> predicted fault type -> count (single-fault cases)."""
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for result in results:
        if len(result.true_faults) == 1:
            table[result.true_faults[0][1]][result.top_fault_type or "none"] += 1
    return {true: dict(counts) for true, counts in sorted(table.items())}
