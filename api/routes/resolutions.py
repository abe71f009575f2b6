"""Human resolution of an escalated investigation: confirmed cause and fix, runbook proposal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict

from api.auth import Principal, Role
from api.deps import IncidentId, State, require
from api.resolution import NotEscalated, Resolution, resolve
from api.schemas import error_responses

router = APIRouter(
    prefix="/v1/investigations",
    tags=["learning"],
    responses=error_responses(401, 403, 404, 409, 413, 422),
)

Resolver = Annotated[Principal, Depends(require(Role.APPROVER, Role.OPERATOR, Role.ADMIN))]


class ResolutionAccepted(BaseModel):
    """The resolution was remembered; the runbook it suggests waits for promotion."""

    model_config = ConfigDict(extra="forbid")

    id: str
    resolved_by: str
    proposed_runbook: str
    promote_with: str


@router.post("/{incident_id}/resolution", status_code=201, response_model=ResolutionAccepted)
def record_resolution(
    incident_id: IncidentId, body: Resolution, state: State, caller: Resolver
) -> ResolutionAccepted:
    """Record how a human resolved an ESCALATED investigation (409 for any other status).

    The resolver is the token's name. The confirmed root cause goes into incident memory and
    a runbook is proposed; a human promotes it with `adsh runbooks promote ID`.
    """
    if state.service.is_busy(incident_id):
        raise HTTPException(409, f"investigation {incident_id} is running")
    try:
        proposal = resolve(state.service.runner, incident_id, body, caller.name)
    except NotEscalated as exc:
        raise HTTPException(409, str(exc)) from None
    runbook_id = proposal.runbook.id
    return ResolutionAccepted(
        id=incident_id,
        resolved_by=caller.name,
        proposed_runbook=runbook_id,
        promote_with=f"adsh runbooks promote {runbook_id}",
    )
