"""GET /v1/health (the predicted health of a sandbox system) and POST /v1/feedback."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, field_validator

from agents.health import HealthReport
from agents.predictor import check_signal
from api.deps import Operator, State, Viewer
from api.health_view import sandbox_health
from api.schemas import AUTH_ERRORS

router = APIRouter(prefix="/v1", tags=["health"], responses=AUTH_ERRORS)
EnvId = Query(default="health", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


class FeedbackIn(BaseModel):
    about: str = Field(min_length=1, max_length=128, description="Incident or prediction id")
    service: str = Field(min_length=1, max_length=128)
    signal: str = Field(min_length=1, max_length=64, description="e.g. memory_util")
    verdict: Literal["false_alarm", "miss"]

    @field_validator("signal")
    @classmethod
    def _known(cls, value: str) -> str:
        return check_signal(value)


class FeedbackOut(BaseModel):
    service: str
    signal: str
    sensitivity: float


@router.get("/health", response_model=HealthReport)
def get_health(state: State, caller: Viewer, env: str = EnvId, seed: int = 0) -> Any:
    """Anomalies, capacity and failure predictions, trends and recommended actions."""
    feedback = state.service.runner.stores.feedback
    return sandbox_health(state.settings.sandbox_dir, env, seed, feedback)


@router.post("/feedback", response_model=FeedbackOut)
def post_feedback(body: FeedbackIn, state: State, caller: Operator) -> Any:
    """Mark a detection or prediction as a false alarm or a miss; recorded in the audit trail."""
    store = state.service.runner.stores.feedback
    after = store.record(body.service, body.signal, body.verdict, body.about, actor=caller.name)
    return {"service": body.service, "signal": body.signal, "sensitivity": after}
