"""Investigations: trigger (background), list, show, checkpoints, metric series."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from api import views
from api.deps import IncidentId, Operator, State, Viewer
from api.schemas import (
    Accepted,
    AlertTrigger,
    Checkpoint,
    IncidentMetrics,
    Investigation,
    StartInvestigation,
    Summary,
    WindowTrigger,
    error_responses,
)
from api.telemetry_view import incident_metrics
from graphs.errors import IncidentNotFound

router = APIRouter(
    prefix="/v1/investigations",
    tags=["investigations"],
    responses=error_responses(401, 403, 404, 409, 413, 422),
)


@router.post("", status_code=202, response_model=Accepted)
def start(body: StartInvestigation, state: State, caller: Operator) -> Accepted:
    """Start an investigation in the background; returns its id at once."""
    if isinstance(body, AlertTrigger):
        if body.alert.status != "firing":
            raise HTTPException(422, "alert.status: only a firing alert opens an investigation")
        result = state.alerts.receive([body.alert], caller.name)[0]
        incident_id, attached = str(result.incident), result.action == "attached"
    elif isinstance(body, WindowTrigger):
        summary = body.summary or f"telemetry window since {body.since}"
        incident_id = state.service.trigger_alert(summary, caller.name, body.services, body.since)
        attached = False
    else:
        incident_id = state.service.trigger_scenario(body.scenario, body.seed, caller.name)
        attached = False
    status = "QUEUED" if not attached else state.service.get(incident_id).status.value
    return Accepted(id=incident_id, status=status, attached=attached, links=_links(incident_id))


def _links(incident_id: str) -> dict[str, str]:
    return {
        "self": f"/v1/investigations/{incident_id}",
        "events": f"/v1/events?incident={incident_id}",
    }


@router.get("", response_model=list[Summary])
def list_investigations(
    state: State,
    _: Viewer,
    status: Annotated[str | None, Query(max_length=32, description="e.g. COMPLETED")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[Summary]:
    """Newest first, optionally only those with one status."""
    rows = []
    for incident_id in reversed(state.service.known_ids(status)):
        run = state.service.queued(incident_id)
        if run is not None:
            rows.append(views.queued_summary(run))
        else:
            try:
                found = state.service.get(incident_id)
            except IncidentNotFound:  # pruned since this process (or the board) saw it
                continue
            rows.append(views.summary(found, state.service.is_busy(incident_id)))
        if len(rows) >= limit:
            break
    return rows


@router.get("/{incident_id}", response_model=Investigation)
def show(incident_id: IncidentId, state: State, _: Viewer) -> Investigation:
    """State, timeline, evidence, plan, risk, approvals, executions, alerts."""
    return views.investigation(state, incident_id)


@router.get("/{incident_id}/checkpoints", response_model=list[Checkpoint])
def checkpoints(incident_id: IncidentId, state: State, _: Viewer) -> list[Checkpoint]:
    """The run's checkpoints, oldest first."""
    views.loaded(state, incident_id)
    return [
        Checkpoint(**{**item.__dict__, "next": list(item.next)})
        for item in state.service.history(incident_id)
    ]


@router.get("/{incident_id}/metrics", response_model=IncidentMetrics)
def metrics(incident_id: IncidentId, state: State, _: Viewer) -> IncidentMetrics:
    """The key metric series around the incident, for charts."""
    incident = views.loaded(state, incident_id)
    try:
        data = incident_metrics(incident, state.service.targets)
    except (ValueError, FileNotFoundError) as exc:
        raise HTTPException(409, f"no telemetry for {incident_id}: {exc}") from None
    return IncidentMetrics.model_validate(data)
