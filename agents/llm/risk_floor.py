"""A model-proposed plan is never below HIGH risk unless a runbook vouches for its actions."""

from __future__ import annotations

from agents.models import HealingLevel, Plan, RiskAssessment, RiskLevel
from agents.risk import REQUIRED_APPROVALS, ApprovalPolicy
from memory.runbooks import RunbookCatalog

_ORDER = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.CRITICAL]


def vouched(plan: Plan, catalog: RunbookCatalog) -> bool:
    """A runbook for the plan's fault type holds every action the plan uses."""
    wanted = {step.name for step in plan.steps}
    return any(
        rb.match.fault_type == plan.fault_type and wanted <= {s.action for s in rb.steps}
        for rb in catalog.runbooks
    )


def apply_model_floor(
    plan: Plan, risk: RiskAssessment, catalog: RunbookCatalog, policy: ApprovalPolicy
) -> RiskAssessment:
    """Raise an unvouched LLM plan to HIGH (a human approves); anything else unchanged."""
    if plan.source != "llm" or risk.route == "escalate" or vouched(plan, catalog):
        return risk
    if _ORDER.index(risk.level) >= _ORDER.index(RiskLevel.HIGH):
        return risk
    warning = "model-proposed plan: raised to HIGH risk (no runbook vouches for it)"
    return risk.model_copy(
        update={
            "level": RiskLevel.HIGH,
            "healing_level": HealingLevel.L2,
            "required_approvals": max(risk.required_approvals, REQUIRED_APPROVALS[RiskLevel.HIGH]),
            "route": "approval",
            "approval_timeout_seconds": policy.timeout_for(RiskLevel.HIGH),
            "warnings": [*risk.warnings, warning],
        }
    )
