"""A model-proposed plan is never below HIGH risk unless a runbook vouches for its actions."""

from __future__ import annotations

import json
from collections.abc import Iterable

from agents.models import Action, Diagnosis, HealingLevel, Plan, RiskAssessment, RiskLevel
from agents.planner import MIN_CONFIDENCE, runbook_actions
from agents.risk import REQUIRED_APPROVALS, ApprovalPolicy
from memory.runbooks import RunbookCatalog
from tools.analysis.models import UNKNOWN_FAULT
from tools.telemetry import ServiceGraph

_ORDER = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.CRITICAL]


def vouched(
    plan: Plan,
    diagnosis: Diagnosis | None,
    topology: ServiceGraph,
    catalog: RunbookCatalog,
    failed: Iterable[str] = (),
) -> bool:
    """A runbook vouches when the rules' own diagnosis selects it and it holds every step of
    the plan as proposed (action, target and parameters).

    The model's own fault-type label never counts (a model, or text injected into the
    evidence it reads, could name any pattern), nor a runbook that already failed on this
    incident, nor a diagnosis the rules find too uncertain to act on.
    """
    top = diagnosis.root_causes[0] if diagnosis and diagnosis.root_causes else None
    if top is None or top.fault_type == UNKNOWN_FAULT or top.score < MIN_CONFIDENCE:
        return False
    kind = topology.attribute(top.service, "kind", "api")
    wanted, tried = {_step_key(step) for step in plan.steps}, set(failed)
    for runbook in catalog.candidates(top.fault_type, kind):
        if runbook.id in tried:
            continue
        offered = {_step_key(a) for a in runbook_actions(runbook, top.service, topology)}
        if wanted <= offered:
            return True
    return False


def _step_key(action: Action) -> tuple[str, str, str]:
    return action.name, action.target, json.dumps(action.params, sort_keys=True, default=str)


def apply_model_floor(
    plan: Plan, risk: RiskAssessment, policy: ApprovalPolicy, vouched_for: bool
) -> RiskAssessment:
    """Raise an unvouched LLM plan to HIGH (a human approves); anything else unchanged."""
    if plan.source != "llm" or risk.route == "escalate" or vouched_for:
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
