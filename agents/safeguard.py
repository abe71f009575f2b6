"""Safeguard: guardrails and risk classification of a plan; decides the approval route."""

from __future__ import annotations

from agents.guardrails import hard_violations, soft_warnings
from agents.models import Action, HealingLevel, Plan, RiskAssessment, RiskLevel
from agents.risk import REQUIRED_APPROVALS, ApprovalPolicy, factor_points, level_for_score

RISK_POLICY = "risk-matrix/1"
"""Version of the risk matrix and guardrails (recorded in provenance)."""

HEALING_BY_LEVEL = {
    RiskLevel.LOW: HealingLevel.L1,
    RiskLevel.MEDIUM: HealingLevel.L1,
    RiskLevel.HIGH: HealingLevel.L2,
    RiskLevel.CRITICAL: HealingLevel.L3,
}


def riskiest_action(actions: list[Action]) -> tuple[Action, dict[str, int]]:
    """The action with the highest score, and its factor points."""
    scored = [(action, factor_points(action.risk)) for action in actions]
    return max(scored, key=lambda pair: sum(pair[1].values()))


def review(plan: Plan, policy: ApprovalPolicy | None = None) -> RiskAssessment:
    """Check the plan's actions against the guardrails and classify its risk."""
    policy = policy or ApprovalPolicy()
    if not plan.steps:
        return _escalation(plan.summary or "no remediation is known for this pattern")
    _, factors = riskiest_action(plan.steps)
    score = sum(factors.values())
    level = level_for_score(score)
    violations = hard_violations(plan.steps)
    warnings = soft_warnings(plan.steps)
    required = _required_approvals(plan.steps, level)
    assessment = RiskAssessment(
        score=score,
        level=level,
        factors=factors,
        healing_level=HEALING_BY_LEVEL[level],
        required_approvals=required,
        route=_route(level, required),
        warnings=warnings,
        violations=violations,
        approval_timeout_seconds=policy.timeout_for(level) if required else 0,
    )
    if violations:
        return assessment.model_copy(update={"route": "escalate"})
    if warnings and not plan.justification.strip():
        blocked = [*violations, "soft constraints raised without a justification in the plan"]
        return assessment.model_copy(update={"route": "escalate", "violations": blocked})
    return assessment


def _required_approvals(actions: list[Action], level: RiskLevel) -> int:
    required = REQUIRED_APPROVALS[level]
    if any(action.guardrails.modifies_compliance_critical for action in actions):
        return max(required, 1)
    return required


def _route(level: RiskLevel, required: int) -> str:
    if required:
        return "approval"
    return "notify" if level is RiskLevel.MEDIUM else "auto"


def _escalation(reason: str) -> RiskAssessment:
    return RiskAssessment(
        score=0,
        level=RiskLevel.LOW,
        healing_level=HealingLevel.L4,
        required_approvals=0,
        route="escalate",
        violations=[reason],
    )
