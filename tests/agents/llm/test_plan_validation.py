"""A model plan is accepted only with catalog actions, known targets and valid parameters."""

import json
from typing import Any

import pytest

from agents.llm.models import LLMReply
from agents.llm.planning import PlanRejected, to_plan
from agents.llm.risk_floor import apply_model_floor
from agents.models import RiskLevel
from agents.risk import ApprovalPolicy
from agents.safeguard import review
from memory.runbooks import RunbookCatalog, load_catalog
from tools.telemetry import ServiceGraph


def _reply(*steps: dict[str, Any], fault: str = "odd_latency") -> LLMReply:
    content = json.dumps({"fault_type": fault, "steps": list(steps), "rationale": "evidence"})
    return LLMReply(model="m", content=content)


@pytest.mark.parametrize(
    ("step", "reason"),
    [
        ({"action": "reboot_world", "target": "api"}, "step 1: unknown action 'reboot_world'"),
        ({"action": "restart_service", "target": "nope"}, "unknown target service 'nope'"),
        (
            {"action": "scale_out", "target": "api", "params": {"replicas": -2}},
            "parameter 'replicas' must be a positive integer",
        ),
        (
            {"action": "restart_service", "target": "api", "params": {"force": True}},
            "unknown parameter 'force' (accepted: none)",
        ),
        ({"action": "deploy_version", "target": "api"}, "missing required parameter 'version'"),
    ],
)
def test_invalid_steps_are_rejected_with_the_reason(
    topology: ServiceGraph, step: dict[str, Any], reason: str
) -> None:
    with pytest.raises(PlanRejected, match=reason.replace("(", r"\(").replace(")", r"\)")):
        to_plan(_reply(step), topology, attempt=1)


def test_an_empty_plan_or_an_error_is_rejected(topology: ServiceGraph) -> None:
    with pytest.raises(PlanRejected, match="no catalog action"):
        to_plan(_reply(), topology, attempt=1)
    with pytest.raises(PlanRejected, match="circuit open"):
        to_plan(LLMReply(model="m", error="circuit open"), topology, attempt=1)


def test_a_low_risk_model_plan_is_raised_to_high_unless_a_runbook_vouches(
    topology: ServiceGraph,
) -> None:
    plan = to_plan(_reply({"action": "restart_service", "target": "api"}), topology, attempt=1)
    policy = ApprovalPolicy()
    assessed = review(plan, policy)
    assert assessed.level in {RiskLevel.LOW, RiskLevel.MEDIUM}  # the matrix alone is lenient
    raised = apply_model_floor(plan, assessed, RunbookCatalog(runbooks=()), policy)
    assert (raised.level, raised.route, raised.required_approvals) == (
        RiskLevel.HIGH,
        "approval",
        1,
    )
    vouched_plan = plan.model_copy(update={"fault_type": "memory_leak"})
    kept = apply_model_floor(vouched_plan, assessed, load_catalog(), policy)
    assert kept == assessed  # the catalog's memory-leak runbook restarts the service
