"""Approval nodes: request, the interrupt-only wait, and recording a human decision."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import interrupt
from pydantic import ValidationError

from agents.models import ApprovalDecision
from graphs.context import LoopContext
from graphs.lifecycle import Status
from graphs.state import IncidentState
from graphs.timeline import move, stay


def approval_request(state: IncidentState) -> dict[str, Any]:
    """What a human is asked to decide (the interrupt payload)."""
    assert state.plan is not None and state.risk is not None
    return {
        "incident_id": state.id,
        "plan": state.plan.summary,
        "risk_level": state.risk.level.value,
        "risk_score": state.risk.score,
        "required_approvals": state.risk.required_approvals,
        "approved_by": sorted(state.counted_approvers()),
        "deadline": state.approval_deadline,
        "requester": state.requester,
    }


def request_identity(request: dict[str, Any]) -> dict[str, Any]:
    """What tells one approval request of an incident from another (a later plan after a
    rollback gets its own): its plan and its deadline."""
    return {"plan": request.get("plan"), "deadline": request.get("deadline")}


def request_approval(state: IncidentState, runtime: Runtime[LoopContext]) -> dict[str, Any]:
    """Notify approvers that a plan waits for them."""
    ctx = runtime.context
    request = approval_request(state)
    receipt = ctx.notifier.notify({"event": "approval_requested", **request})
    message = (
        f"{request['risk_level']} plan needs {request['required_approvals']} approval(s)"
        f" before {_utc(request['deadline'])}; approvers notified"
    )
    return stay(state, ctx.clock.now(), "request_approval", message, notifications=[receipt])


def _utc(epoch: int | None) -> str:
    if epoch is None:
        return "no deadline"
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def await_approval(state: IncidentState) -> dict[str, Any]:
    """Holds only the interrupt: resumed with {'approver', 'decision', 'comment'}."""
    decision = interrupt(approval_request(state))
    return {"pending_decision": decision}


def record_decision(state: IncidentState, runtime: Runtime[LoopContext]) -> dict[str, Any]:
    """Validate and count the decision; decide whether the plan is approved, rejected or late."""
    now = runtime.context.clock.now()
    raw = state.pending_decision or {}
    if raw.get("decision") == "timeout" or _expired(state, now):
        return stay(
            state,
            now,
            "record_decision",
            "approval deadline passed",
            approval_outcome="expired",
            pending_decision=None,
        )
    try:
        decision = ApprovalDecision.model_validate({**raw, "at": now, "attempt": _attempt(state)})
    except ValidationError as exc:
        return stay(
            state,
            now,
            "record_decision",
            f"ignored malformed decision: {exc}",
            approval_outcome="pending",
            pending_decision=None,
        )
    decision = _with_eligibility(state, decision)
    approvals = [*state.approvals, decision]
    outcome = _outcome(state, decision, approvals)
    update = {"approvals": approvals, "approval_outcome": outcome, "pending_decision": None}
    message = _describe(decision, outcome)
    if outcome == "approved":
        return move(state, Status.EXECUTING, now, "record_decision", message, **update)
    return stay(state, now, "record_decision", message, **update)


def _attempt(state: IncidentState) -> int:
    return state.plan.attempt if state.plan else 1


def _expired(state: IncidentState, now: int) -> bool:
    return state.approval_deadline is not None and now > state.approval_deadline


def _with_eligibility(state: IncidentState, decision: ApprovalDecision) -> ApprovalDecision:
    if decision.decision == "reject":
        return decision
    if decision.decision == "override" and not decision.comment.strip():
        return decision.model_copy(update={"counted": False, "note": "an override needs a reason"})
    if decision.approver == state.requester:
        note = "the requester cannot approve their own incident"
        return decision.model_copy(update={"counted": False, "note": note})
    if decision.decision == "approve" and decision.approver in state.counted_approvers():
        note = "repeat approval by the same person counts once"
        return decision.model_copy(update={"counted": False, "note": note})
    return decision


def _outcome(
    state: IncidentState, decision: ApprovalDecision, approvals: list[ApprovalDecision]
) -> Literal["pending", "approved", "rejected"]:
    if decision.decision == "reject":
        return "rejected"
    updated = state.model_copy(update={"approvals": approvals})
    return "approved" if updated.approval_satisfied() else "pending"


def _describe(decision: ApprovalDecision, outcome: str) -> str:
    verb = {"approve": "approved", "reject": "rejected", "override": "overrode (emergency)"}[
        decision.decision
    ]
    extra = f" (not counted: {decision.note})" if not decision.counted else ""
    comment = f": {decision.comment}" if decision.comment else ""
    return f"{decision.approver} {verb}{comment}{extra}; plan {outcome}"


def route_decision(
    state: IncidentState,
) -> Literal["await_approval", "execute", "fail", "escalate"]:
    """Where the loop goes after a decision was recorded."""
    outcome = state.approval_outcome
    if outcome == "approved":
        return "execute"
    if outcome == "rejected":
        return "fail"
    if outcome == "expired":
        return "escalate"
    return "await_approval"
