"""Planner: turns a diagnosis into a plan of typed actions from the runbook catalog and memory."""

from __future__ import annotations

from collections.abc import Mapping

from agents.action_catalog import build_action
from agents.models import Action, Diagnosis, Plan
from memory.runbook_stats import RunbookStats
from memory.runbooks import Runbook, RunbookCatalog
from tools.analysis.models import UNKNOWN_FAULT, Hypothesis
from tools.telemetry import ServiceGraph

MIN_CONFIDENCE = 0.2
"""Below this top-hypothesis score the pattern counts as unknown (L4) and is escalated."""


def plan_remediation(
    diagnosis: Diagnosis,
    topology: ServiceGraph,
    catalog: RunbookCatalog,
    *,
    attempt: int = 1,
    exclude: frozenset[str] = frozenset(),
    stats: Mapping[str, RunbookStats] | None = None,
) -> Plan:
    """A runbook plan for the top hypothesis, or an escalation plan when none fits."""
    if not diagnosis.root_causes:
        return _escalation("no root-cause hypothesis", diagnosis, attempt)
    top = diagnosis.root_causes[0]
    if top.fault_type == UNKNOWN_FAULT or top.score < MIN_CONFIDENCE:
        reason = f"unknown pattern at {top.service} (confidence {top.score:.2f})"
        return _escalation(reason, diagnosis, attempt, top)
    kind = topology.attribute(top.service, "kind", "api")
    runbooks = [rb for rb in catalog.candidates(top.fault_type, kind) if rb.id not in exclude]
    if not runbooks:
        tried = f" (already tried: {', '.join(sorted(exclude))})" if exclude else ""
        reason = f"no runbook left for {top.fault_type} on {top.service}{tried}"
        return _escalation(reason, diagnosis, attempt, top)
    return _from_runbook(rank_runbooks(runbooks, top, stats or {})[0], top, topology, attempt)


def rank_runbooks(
    runbooks: list[Runbook], top: Hypothesis, stats: Mapping[str, RunbookStats]
) -> list[Runbook]:
    """Catalog order, except what memory knows: runbooks that healed similar incidents first,
    ones that failed on them last, then by success rate (Laplace-smoothed, 0.5 untried)."""
    healed, failed = _similar_outcomes(top)

    def key(indexed: tuple[int, Runbook]) -> tuple[int, float, int]:
        index, runbook = indexed
        similar = healed.get(runbook.id, 0) - failed.get(runbook.id, 0)
        rate = stats[runbook.id].success_rate if runbook.id in stats else 0.5
        return (-similar, -round(rate, 6), index)

    return [rb for _, rb in sorted(enumerate(runbooks), key=key)]


def _similar_outcomes(top: Hypothesis) -> tuple[dict[str, int], dict[str, int]]:
    """Runbooks that healed / failed in the similar past incidents cited for this cause."""
    healed: dict[str, int] = {}
    failed: dict[str, int] = {}
    for evidence in top.evidence:
        detail = evidence.detail
        if evidence.kind != "memory" or detail.get("fault_type") != top.fault_type:
            continue
        if detail.get("confirmed") and detail.get("runbook_id"):
            healed[detail["runbook_id"]] = healed.get(detail["runbook_id"], 0) + 1
        for runbook_id in detail.get("failed_runbooks", []):
            failed[runbook_id] = failed.get(runbook_id, 0) + 1
    return healed, failed


def runbook_actions(runbook: Runbook, service: str, topology: ServiceGraph) -> list[Action]:
    """The runbook's steps as typed actions for the diagnosed service."""
    return [
        build_action(
            step.action,
            step.target.format(service=service),
            dict(step.params),
            topology,
            from_runbook=True,
        )
        for step in runbook.steps
    ]


def _from_runbook(runbook: Runbook, top: Hypothesis, topology: ServiceGraph, attempt: int) -> Plan:
    steps = runbook_actions(runbook, top.service, topology)
    names = ", ".join(f"{s.name}({s.target})" for s in steps)
    return Plan(
        source="runbook",
        fault_type=top.fault_type,
        target=top.service,
        steps=steps,
        runbook_id=runbook.id,
        attempt=attempt,
        justification=runbook.justification,
        summary=f"{runbook.id}: {names} for {top.fault_type} at {top.service}",
    )


def _escalation(
    reason: str, diagnosis: Diagnosis, attempt: int, top: Hypothesis | None = None
) -> Plan:
    return Plan(
        source="escalation",
        fault_type=top.fault_type if top else UNKNOWN_FAULT,
        target=top.service if top else "",
        attempt=attempt,
        summary=f"escalate to humans: {reason}. {diagnosis.summary}".strip(),
    )
