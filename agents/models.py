"""Domain model of an incident: diagnosis, typed actions, plans, risk, approvals, executions."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.analysis.models import Anomaly, Hypothesis, RecoveryReport


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataSensitivity(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"


class Reversibility(StrEnum):
    FULLY_REVERSIBLE = "fully_reversible"
    PARTIALLY_REVERSIBLE = "partially_reversible"
    IRREVERSIBLE = "irreversible"


class BlastRadius(StrEnum):
    SINGLE_USER = "single_user"
    TEAM = "team"
    DEPARTMENT = "department"
    ORGANIZATION = "organization"
    EXTERNAL = "external"


class ComplianceImpact(StrEnum):
    NONE = "none"
    AUDIT_LOGGED = "audit_logged"
    REGULATED = "regulated"
    CRITICAL_COMPLIANCE = "critical_compliance"


class RiskLevel(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class HealingLevel(StrEnum):
    L0 = "L0"  # metric anomaly: alert only
    L1 = "L1"  # known pattern: auto-remediate, notify after
    L2 = "L2"  # complex: propose, a human approves
    L3 = "L3"  # critical system: safeguards and multi-party approval
    L4 = "L4"  # unknown pattern: escalate, learn and propose


class RiskFacts(_Model):
    """The four factors of the risk matrix, as the action declares them for its target."""

    data_sensitivity: DataSensitivity
    reversibility: Reversibility
    blast_radius: BlastRadius
    compliance_impact: ComplianceImpact


class GuardrailFacts(_Model):
    """What the hard and soft constraints need to know about an action."""

    deletes_production_data: bool = False
    backup_verified: bool = False
    bypasses_auth: bool = False
    exposes_credentials: bool = False
    modifies_compliance_critical: bool = False
    exceeds_resource_quota: bool = False
    quota_authorized: bool = False
    gradual_rollout: bool = True
    notifies_before: bool = False
    from_runbook: bool = True


class ActionRef(_Model):
    """A named adapter action with its parameters (used for rollbacks)."""

    name: str
    target: str
    params: dict[str, Any] = Field(default_factory=dict)


class Action(_Model):
    """One typed remediation step with the facts the Safeguard checks."""

    name: str = Field(description="Adapter action name, e.g. restart_service")
    target: str = Field(description="Service the action changes")
    params: dict[str, Any] = Field(default_factory=dict)
    description: str = ""
    risk: RiskFacts
    guardrails: GuardrailFacts = Field(default_factory=GuardrailFacts)
    preconditions: list[str] = Field(default_factory=list)
    verification: str = Field(default="", description="Post-condition checked after the plan")
    rollback: str | None = Field(
        default=None, description="Adapter action that undoes this one; None if nothing to undo"
    )


class Plan(_Model):
    """What the Planner proposes for a diagnosis."""

    source: Literal["runbook", "memory", "llm", "escalation"]
    fault_type: str
    target: str
    steps: list[Action] = Field(default_factory=list)
    runbook_id: str | None = None
    attempt: int = Field(default=1, ge=1, description="1 for the first plan, 2 after a re-plan")
    justification: str = ""
    summary: str = ""


class RiskAssessment(_Model):
    """The Safeguard's verdict on a plan."""

    score: int = Field(ge=0)
    level: RiskLevel
    factors: dict[str, int] = Field(default_factory=dict, description="Points per factor")
    healing_level: HealingLevel
    required_approvals: int = Field(ge=0)
    route: Literal["auto", "notify", "approval", "escalate"]
    violations: list[str] = Field(default_factory=list, description="Hard constraints broken")
    warnings: list[str] = Field(default_factory=list, description="Soft constraints raised")
    approval_timeout_seconds: int = 0


class ApprovalDecision(_Model):
    """A human decision on a pending plan."""

    approver: str = Field(min_length=1)
    decision: Literal["approve", "reject", "override"] = Field(
        description="override: an admin's emergency decision standing for every approval"
    )
    comment: str = Field(default="", description="Why; mandatory for an override")
    at: int = Field(default=0, description="Epoch seconds on the loop clock")
    attempt: int = Field(default=1, ge=1, description="Plan attempt the decision was about")
    counted: bool = Field(default=True, description="False when refused or a repeat")
    note: str = ""


class ExecutionRecord(_Model):
    """One performed (or skipped) step, as the action log recorded it."""

    step: int
    phase: Literal["execute", "rollback"] = "execute"
    action: str
    target: str
    params: dict[str, Any] = Field(default_factory=dict)
    idempotency_key: str
    status: Literal["succeeded", "failed", "duplicate", "skipped"]
    detail: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    at: int = 0


class Diagnosis(_Model):
    """The Monitor's findings: what is anomalous and the ranked root causes."""

    window_start: int
    window_end: int
    anomalies: list[Anomaly] = Field(default_factory=list)
    root_causes: list[Hypothesis] = Field(default_factory=list)
    summary: str = ""


class Verification(_Model):
    """The post-condition check after executing a plan."""

    at: int
    window_start: int
    window_end: int
    report: RecoveryReport


class TimelineEntry(_Model):
    """One line of the incident's story."""

    at: int
    node: str
    status: str
    message: str


class LLMCall(_Model):
    """Accounting and provenance of one model call on an incident."""

    purpose: str = Field(description="plan, answer, ...")
    model: str
    template: str = Field(description="Prompt template name@version")
    prompt_hash: str = Field(description="sha256 of the rendered prompt")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    outcome: str = Field(description="accepted, or the reason the rule engine decided")


class DecisionRecord(_Model):
    """Provenance of one step: which agent decided, on what inputs, by which rule or human."""

    node: str
    agent: Literal["monitor", "planner", "safeguard", "executor", "approval", "loop"]
    status: str = Field(description="Lifecycle status after the step")
    inputs_hash: str = Field(description="sha256 of the state before and the effects consumed")
    outputs_hash: str = Field(description="sha256 of the step's update")
    rule: str = Field(description="Rule set, runbook or prompt version that decided")
    model: str | None = Field(default=None, description="LLM model, when one was used")
    human: str | None = Field(default=None, description="Approver, for human decisions")
    audit_seq: int = Field(default=0, description="Position of the audit entry in the chain")
