"""The incident graph's state: one pydantic model that round-trips through checkpoints."""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agents.models import (
    ApprovalDecision,
    DecisionRecord,
    Diagnosis,
    ExecutionRecord,
    LLMCall,
    Plan,
    RiskAssessment,
    TimelineEntry,
    Verification,
)
from agents.predictor import Prediction
from graphs.lifecycle import Status


class Trigger(BaseModel):
    """What opened the incident and which system it concerns."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["scenario", "alert", "manual", "proactive"] = "scenario"
    scenario: str | None = None
    seed: int | None = None
    target: dict[str, str] = Field(
        default_factory=dict, description="How to reach the system, e.g. {'kind': 'sandbox'}"
    )
    summary: str = ""
    prediction: Prediction | None = Field(
        default=None, description="Proactive incidents: what is predicted to break, and when"
    )


class IncidentState(BaseModel):
    """Everything the loop knows about one incident (one graph thread)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    status: Status = Status.INITIATED
    requester: str = Field(description="Who triggered it; may not approve it")
    trigger: Trigger
    created_at: int = 0
    history_start: int = 0
    history_end: int = Field(default=0, description="End of the baseline (the first window start)")
    diagnosis_rounds: int = Field(default=0, description="Detections so far (>1: re-diagnosed)")
    window_start: int = 0
    window_end: int = 0
    diagnosis: Diagnosis | None = None
    plan: Plan | None = None
    risk: RiskAssessment | None = None
    approval_deadline: int | None = None
    pending_decision: dict[str, Any] | None = None
    approval_outcome: Literal["none", "pending", "approved", "rejected", "expired"] = "none"
    approvals: list[ApprovalDecision] = Field(default_factory=list)
    executions: Annotated[list[ExecutionRecord], operator.add] = Field(default_factory=list)
    next_step: int = 0
    rollback_step: int = 0
    failed_runbooks: list[str] = Field(default_factory=list)
    verification: Verification | None = None
    escalation_reason: str = ""
    notifications: Annotated[list[str], operator.add] = Field(default_factory=list)
    timeline: Annotated[list[TimelineEntry], operator.add] = Field(default_factory=list)
    llm_calls: Annotated[list[LLMCall], operator.add] = Field(
        default_factory=list, description="Model calls: tokens, cost, prompt, outcome"
    )
    effect_seq: int = Field(default=0, description="Next recorded-effect number of the thread")
    provenance: Annotated[list[DecisionRecord], operator.add] = Field(default_factory=list)

    def approval_satisfied(self) -> bool:
        """Enough distinct approvers (or an admin override) for the current plan attempt."""
        attempt = self.plan.attempt if self.plan else 1
        overridden = any(
            d.decision == "override" and d.counted and d.attempt == attempt for d in self.approvals
        )
        required = self.risk.required_approvals if self.risk else 0
        return overridden or len(self.counted_approvers()) >= required

    def counted_approvers(self) -> set[str]:
        """Distinct approvers whose approval counts for the current plan attempt."""
        attempt = self.plan.attempt if self.plan else 1
        return {
            d.approver
            for d in self.approvals
            if d.decision == "approve" and d.counted and d.attempt == attempt
        }
