"""Replay (with verification) and fork (what-if branches) of an investigation."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from api import views
from api.auth import Role
from api.deps import IncidentId, Operator, State
from api.schemas import error_responses
from graphs.fork import ForkError, prepare_fork, run_fork
from graphs.replay import CheckpointNotFound, replay

router = APIRouter(
    prefix="/v1/investigations",
    tags=["history"],
    responses=error_responses(401, 403, 404, 409, 413, 422),
)


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_checkpoint: str | None = Field(default=None, max_length=64)
    verify: bool = True


class Divergence(BaseModel):
    checkpoint_id: str
    node: str
    path: str
    expected: Any
    got: Any


class ReplayVerdict(BaseModel):
    incident_id: str
    from_checkpoint: str
    checkpoints: int
    identical: bool
    verified: bool
    final_status: str
    divergence: Divergence | None
    actions_executed: Literal[0] = 0


class ForkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: str = Field(min_length=1, max_length=64, description="Checkpoint id to branch from")
    set: dict[str, Any] = Field(default_factory=dict, description="Dotted path -> new value")
    decision: Literal["approve", "reject"] | None = Field(
        default=None, description="Decide the pending approval on the branch, as the caller"
    )


class ForkAccepted(BaseModel):
    id: str
    forked_from: str
    at: str
    status: Literal["queued"] = "queued"


@router.post("/{incident_id}/replay", response_model=ReplayVerdict)
def replay_investigation(
    incident_id: IncidentId, body: ReplayRequest, state: State, _: Operator
) -> ReplayVerdict:
    """Re-run on recorded effects (no action, no telemetry read) and compare every state."""
    views.loaded(state, incident_id)
    if state.service.is_busy(incident_id):
        raise HTTPException(409, f"incident {incident_id} is running; replay it when it waits")
    try:
        report = replay(state.service.runner, incident_id, body.from_checkpoint, body.verify)
    except CheckpointNotFound as exc:
        raise HTTPException(404, exc.args[0]) from None
    divergence = Divergence(**report.divergence.__dict__) if report.divergence else None
    return ReplayVerdict(
        incident_id=report.incident_id,
        from_checkpoint=report.from_checkpoint,
        checkpoints=report.checkpoints,
        identical=report.identical,
        verified=report.verified,
        final_status=report.final_status,
        divergence=divergence,
    )


@router.post("/{incident_id}/fork", status_code=202, response_model=ForkAccepted)
def fork_investigation(
    incident_id: IncidentId, body: ForkRequest, state: State, caller: Operator
) -> ForkAccepted:
    """Branch a new investigation from an earlier checkpoint; the original stays intact."""
    views.loaded(state, incident_id)
    if body.decision and not caller.has(Role.APPROVER):
        raise HTTPException(403, f"{caller.name} lacks the approver role to decide on a fork")
    decision = {"approver": caller.name, "decision": body.decision} if body.decision else None
    service = state.service
    try:
        prepared = prepare_fork(service.runner, service.targets, incident_id, body.at,
                                body.set, decision)  # fmt: skip
    except CheckpointNotFound as exc:
        raise HTTPException(404, exc.args[0]) from None
    except ForkError as exc:
        raise HTTPException(422, str(exc)) from None
    service.adopt(prepared.id, lambda observer: run_fork(service.runner, prepared, observer))
    return ForkAccepted(id=prepared.id, forked_from=incident_id, at=body.at)
