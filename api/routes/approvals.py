"""Approve or reject a waiting plan (approvers), or override it in an emergency (admins)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Admin, Approver, IncidentId, State
from api.schemas import Decision, DecisionAccepted, Override, error_responses

router = APIRouter(
    prefix="/v1/investigations",
    tags=["approvals"],
    responses=error_responses(401, 403, 404, 409, 413, 422),
)


@router.post("/{incident_id}/approvals", status_code=202, response_model=DecisionAccepted)
def decide(
    incident_id: IncidentId, body: Decision, state: State, caller: Approver
) -> DecisionAccepted:
    """Record the caller's decision; the approver is the token's name, never a body field.

    403 when the caller requested the investigation or already approved it; 409 when it
    is not waiting for a decision (or a run for it is in progress).
    """
    state.service.decide(incident_id, caller.name, body.decision, body.comment)
    return DecisionAccepted(id=incident_id, decision=body.decision, approver=caller.name)


@router.post("/{incident_id}/override", status_code=202, response_model=DecisionAccepted)
def override(
    incident_id: IncidentId, body: Override, state: State, caller: Admin
) -> DecisionAccepted:
    """Emergency override: the admin's decision stands for every missing approval.

    The reason is mandatory and logged (overrides.jsonl, the adsh.audit logger, the
    approvals' comments). Blocked plans never wait for approval, so they cannot be
    overridden.
    """
    count = state.service.override(incident_id, caller.name, body.decision, body.reason)
    return DecisionAccepted(
        id=incident_id, decision=body.decision, approver=caller.name, counts_as=count
    )
