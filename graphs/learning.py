"""What the loop remembers of a finished incident: its memory record and runbook outcomes."""

from __future__ import annotations

from agents.monitor import recall_query
from graphs.lifecycle import Status
from graphs.state import IncidentState
from memory.loop_memory import RunbookOutcome
from memory.models import IncidentRecord


def incident_record(state: IncidentState, outcome: Status, ended_at: int) -> IncidentRecord:
    """Summary document (symptoms, evidence, root cause, actions, outcome, TTR) + metadata."""
    top = (
        state.diagnosis.root_causes[0] if state.diagnosis and state.diagnosis.root_causes else None
    )
    healed = outcome is Status.COMPLETED and state.plan is not None
    actions = [f"{e.action}({e.target})" for e in state.executions if e.phase == "execute"]
    service, fault = (
        (state.plan.target, state.plan.fault_type)
        if healed and state.plan
        else ((top.service, top.fault_type) if top else ("", ""))
    )
    evidence = [e.summary for e in (top.evidence if top else []) if e.kind != "memory"][:4]
    lines = [
        recall_query(state.diagnosis.anomalies if state.diagnosis else []),
        f"Evidence: {'; '.join(evidence) or 'none'}",
        f"Root cause: {fault or 'unknown'} at {service or 'unknown'}"
        + (" (confirmed by recovery)" if healed else " (suspected)"),
        f"Actions: {', '.join(actions) or 'none'}",
        f"Outcome: {outcome.value}"
        + (f"; time to recover {ended_at - state.created_at} s" if healed else ""),
    ]
    if state.escalation_reason:
        lines.append(f"Escalated: {state.escalation_reason}")
    return IncidentRecord(
        id=state.id,
        title=f"{outcome.value}: {fault or 'unknown'} at {service or 'unknown'}",
        summary="\n".join(lines),
        service=service,
        fault_type=fault,
        outcome=outcome.value,
        confirmed=healed,
        runbook_id=state.plan.runbook_id or "" if healed and state.plan else "",
        actions=actions,
        failed_runbooks=list(state.failed_runbooks),
        started_at=state.created_at,
        ended_at=ended_at,
        source="loop",
        tags=[t for t in (state.trigger.scenario,) if t],
    )


def runbook_outcomes(state: IncidentState, outcome: Status) -> list[RunbookOutcome]:
    """The runbook that healed (when it did) and every one that was rolled back."""
    failed = [RunbookOutcome(runbook_id=r, healed=False) for r in state.failed_runbooks]
    if outcome is Status.COMPLETED and state.plan and state.plan.runbook_id:
        return [*failed, RunbookOutcome(runbook_id=state.plan.runbook_id, healed=True)]
    return failed
