"""A model plan is accepted only with catalog actions, known targets and valid parameters."""

import json
from typing import Any

import pytest

from agents.llm.models import LLMReply
from agents.llm.planning import PlanRejected, to_plan
from agents.llm.risk_floor import apply_model_floor, vouched
from agents.models import Diagnosis, Plan, RiskLevel
from agents.risk import ApprovalPolicy
from agents.safeguard import review
from memory.runbooks import load_catalog
from tools.analysis.models import Hypothesis
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


def _diagnosis(fault_type: str, service: str = "api", score: float = 0.9) -> Diagnosis:
    top = Hypothesis(service=service, fault_type=fault_type, score=score)
    return Diagnosis(window_start=0, window_end=60, root_causes=[top])


def _floor(plan: Plan, topology: ServiceGraph, diagnosis: Diagnosis | None, **kw: Any) -> Any:
    policy = ApprovalPolicy()
    assessed = review(plan, policy)
    assert assessed.level in {RiskLevel.LOW, RiskLevel.MEDIUM}  # the matrix alone is lenient
    vouched_for = vouched(plan, diagnosis, topology, load_catalog(), **kw)
    return assessed, apply_model_floor(plan, assessed, policy, vouched_for)


def test_a_low_risk_model_plan_is_raised_to_high_unless_a_runbook_vouches(
    topology: ServiceGraph,
) -> None:
    plan = to_plan(_reply({"action": "restart_service", "target": "api"}), topology, attempt=1)
    _, raised = _floor(plan, topology, _diagnosis("unknown"))
    assert (raised.level, raised.route, raised.required_approvals) == (
        RiskLevel.HIGH,
        "approval",
        1,
    )
    # the rules diagnose a memory leak on api: the catalog's runbook restarts it, as proposed
    assessed, kept = _floor(plan, topology, _diagnosis("memory_leak"))
    assert kept == assessed


def test_the_models_own_label_never_vouches(topology: ServiceGraph) -> None:
    # the model (or text injected into its evidence) names a pattern the rules did not find
    labelled = _reply({"action": "restart_service", "target": "api"}, fault="memory_leak")
    plan = to_plan(labelled, topology, attempt=1)
    for diagnosis in (None, _diagnosis("unknown"), _diagnosis("memory_leak", score=0.1)):
        assert _floor(plan, topology, diagnosis)[1].level is RiskLevel.HIGH


def test_a_failed_runbook_other_params_or_targets_do_not_vouch(topology: ServiceGraph) -> None:
    restart = to_plan(_reply({"action": "restart_service", "target": "api"}), topology, 1)
    failed = _floor(restart, topology, _diagnosis("memory_leak"), failed=["rb-memory-leak-restart"])
    assert failed[1].level is RiskLevel.HIGH
    elsewhere = to_plan(_reply({"action": "restart_service", "target": "web"}), topology, 1)
    assert _floor(elsewhere, topology, _diagnosis("memory_leak"))[1].level is RiskLevel.HIGH
    huge = {"action": "scale_out", "target": "api", "params": {"replicas": 100000}}
    scaled = to_plan(_reply(huge), topology, 1)
    assert _floor(scaled, topology, _diagnosis("cpu_saturation"))[1].level is RiskLevel.HIGH
