"""Request and response bodies of the HTTP API (the OpenAPI document is built from these)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agents.llm.accounting import LLMUsage
from agents.models import LLMCall
from api.alert_models import AlertmanagerAlert
from sandbox.scenarios import SCENARIOS

ScenarioName = Literal[tuple(sorted(SCENARIOS))]  # type: ignore[valid-type]
Text = Annotated[str, Field(max_length=2000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScenarioTrigger(_In):
    """Inject a named fault into a fresh sandbox and investigate it."""

    kind: Literal["scenario"]
    scenario: ScenarioName = Field(description="A name from GET /v1/scenarios")  # type: ignore[valid-type]
    seed: int = Field(default=1, ge=0, le=2**31 - 1, description="Sandbox seed")


class AlertTrigger(_In):
    """Investigate one Alertmanager alert (deduplicated like the webhook's alerts)."""

    kind: Literal["alert"]
    alert: AlertmanagerAlert


ServiceName = Annotated[str, Field(min_length=1, max_length=63, pattern=r"^[A-Za-z0-9_.-]+$")]


class WindowTrigger(_In):
    """Investigate the telemetry window from `since` until now, on the live target."""

    kind: Literal["window"]
    since: int = Field(ge=0, le=2**40, description="Epoch seconds where the window begins")
    services: list[ServiceName] = Field(
        default_factory=list, max_length=50, description="Services to focus on (all if empty)"
    )
    summary: Text = ""


StartInvestigation = Annotated[
    ScenarioTrigger | AlertTrigger | WindowTrigger, Field(discriminator="kind")
]


class Decision(_In):
    decision: Literal["approve", "reject"]
    comment: Text = ""


class Override(_In):
    decision: Literal["approve", "reject"]
    reason: str = Field(min_length=10, max_length=2000, description="Why, for the audit log")


class Question(_In):
    text: str = Field(min_length=1, max_length=2000, description="The operator's question")


class ErrorBody(BaseModel):
    error: str = Field(description="Machine-readable code, e.g. not_found")
    message: str = Field(description="What went wrong and what to do")
    detail: list[dict[str, Any]] | None = None


class Accepted(BaseModel):
    id: str
    status: str
    attached: bool = Field(default=False, description="True when an open one was reused")
    links: dict[str, str]


class Summary(BaseModel):
    id: str
    status: str
    kind: str
    scenario: str | None
    summary: str
    requester: str
    risk: str | None
    top_cause: str | None
    created_at: int
    busy: bool


class Investigation(BaseModel):
    """The incident as the loop holds it, plus the API's alerts and pending request."""

    model_config = ConfigDict(extra="allow")

    id: str
    status: str
    requester: str
    trigger: dict[str, Any]
    busy: bool
    root_causes: list[dict[str, Any]] = Field(default_factory=list)
    timeline: list[dict[str, Any]] = Field(default_factory=list)
    approvals: list[dict[str, Any]] = Field(default_factory=list)
    executions: list[dict[str, Any]] = Field(default_factory=list)
    plan: dict[str, Any] | None = None
    risk: dict[str, Any] | None = None
    pending_approval: dict[str, Any] | None = None
    alerts: list[dict[str, Any]] = Field(default_factory=list)
    llm_calls: list[LLMCall] = Field(default_factory=list)
    llm_usage: LLMUsage = Field(default_factory=LLMUsage, description="Model tokens and cost")


class Checkpoint(BaseModel):
    checkpoint_id: str
    step: int
    node: str
    status: str
    next: list[str]
    created_at: str


class DecisionAccepted(BaseModel):
    id: str
    decision: str
    approver: str
    counts_as: int = 1
    status: Literal["queued"] = "queued"


class ChatMessage(BaseModel):
    id: int
    incident_id: str
    author: str
    question: str
    answer: str
    topic: str
    after_entry: int
    at: float


class Me(BaseModel):
    name: str
    roles: list[str]


class ScenarioRow(BaseModel):
    name: str
    fault_type: str
    service: str
    risk_level: str
    route: str
    required_approvals: int
    description: str


class ChartSeries(BaseModel):
    service: str
    metric: str
    start: int
    step: int
    values: list[float | None]


class IncidentMetrics(BaseModel):
    incident: str
    start: int
    end: int
    series: list[ChartSeries]
    marks: list[dict[str, Any]]


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the JSON error bodies a route can return."""
    return {code: {"model": ErrorBody, "description": _REASONS[code]} for code in codes}


_REASONS = {
    401: "Missing or invalid token",
    403: "The token lacks the role (or the duty)",
    404: "No such investigation",
    409: "Not in a state that allows this",
    413: "Body too large",
    422: "Invalid input",
    503: "Not ready",
}
AUTH_ERRORS = error_responses(401, 403, 413, 422)
