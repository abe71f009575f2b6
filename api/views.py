"""Maps loop state to the API's response bodies."""

from __future__ import annotations

from typing import Any

from api.deps import AppState
from api.investigations import QUEUED, IncidentBusy, QueuedRun
from api.render import incident_json
from api.schemas import Investigation, Summary
from graphs.state import IncidentState


def summary(state: IncidentState, busy: bool) -> Summary:
    causes = state.diagnosis.root_causes if state.diagnosis else []
    return Summary(
        id=state.id,
        status=state.status.value,
        kind=state.trigger.kind,
        scenario=state.trigger.scenario,
        summary=state.trigger.summary,
        requester=state.requester,
        risk=state.risk.level.value if state.risk else None,
        top_cause=f"{causes[0].fault_type}@{causes[0].service}" if causes else None,
        created_at=state.created_at,
        busy=busy,
    )


def queued_summary(run: QueuedRun) -> Summary:
    trigger = run.trigger
    return Summary(
        id=run.id,
        status=QUEUED,
        kind=trigger.kind,
        scenario=trigger.scenario,
        summary=trigger.summary,
        requester=run.requester,
        risk=None,
        top_cause=None,
        created_at=0,
        busy=True,
    )


def investigation(app: AppState, incident_id: str) -> Investigation:
    service = app.service
    run = service.queued(incident_id)
    alerts = app.alerts.store.for_incident(incident_id)
    if run is not None:
        return Investigation(
            id=run.id,
            status=QUEUED,
            requester=run.requester,
            busy=True,
            trigger=run.trigger.model_dump(mode="json"),
            alerts=alerts,
        )
    chat_calls = app.messages.llm_calls_for(incident_id)
    data: dict[str, Any] = incident_json(service.get(incident_id), chat_calls)
    data["busy"] = service.is_busy(incident_id)
    data["pending_approval"] = service.pending_request(incident_id)
    data["alerts"] = alerts
    return Investigation.model_validate(data)


def loaded(app: AppState, incident_id: str) -> IncidentState:
    """The checkpointed state; 409 while the investigation is only queued."""
    if app.service.queued(incident_id) is not None:
        raise IncidentBusy(f"incident {incident_id} is queued and has no state yet; retry")
    return app.service.get(incident_id)
