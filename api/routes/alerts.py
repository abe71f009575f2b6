"""The Alertmanager webhook receiver (payload version 4)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from api.alert_models import AlertmanagerPayload
from api.deps import Operator, State
from api.schemas import AUTH_ERRORS

router = APIRouter(prefix="/v1/alerts", tags=["alerts"], responses=AUTH_ERRORS)


class AlertOutcome(BaseModel):
    fingerprint: str
    status: str
    action: str
    incident: str | None


class AlertsAccepted(BaseModel):
    received: int
    results: list[AlertOutcome]


@router.post("/alertmanager", status_code=202, response_model=AlertsAccepted)
def alertmanager(payload: AlertmanagerPayload, state: State, caller: Operator) -> Any:
    """Dedupe by fingerprint: an alert attached to an open investigation attaches again;
    new firing alerts of one call share one new investigation; resolved ones are recorded."""
    results = state.alerts.receive(payload.alerts, caller.name)
    return {"received": len(results), "results": [r.json() for r in results]}
