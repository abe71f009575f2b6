"""Planner: runbook for a known pattern, escalation for unknown or exhausted ones."""

from agents.models import Diagnosis
from agents.planner import plan_remediation
from memory.runbooks import load_catalog
from tools.analysis.models import Hypothesis
from tools.telemetry import ServiceGraph


def _diagnosis(service: str, fault: str, score: float = 0.9) -> Diagnosis:
    cause = Hypothesis(service=service, fault_type=fault, score=score)
    return Diagnosis(window_start=0, window_end=60, root_causes=[cause])


def test_known_pattern_gets_its_runbook(topology: ServiceGraph) -> None:
    plan = plan_remediation(_diagnosis("api", "memory_leak"), topology, load_catalog())
    assert (plan.source, plan.runbook_id) == ("runbook", "rb-memory-leak-restart")
    assert [(s.name, s.target) for s in plan.steps] == [("restart_service", "api")]
    assert plan.justification


def test_unknown_pattern_is_escalated_without_actions(topology: ServiceGraph) -> None:
    plan = plan_remediation(_diagnosis("api", "unknown"), topology, load_catalog())
    assert plan.source == "escalation" and not plan.steps
    assert "unknown pattern at api" in plan.summary


def test_low_confidence_is_treated_as_unknown(topology: ServiceGraph) -> None:
    plan = plan_remediation(_diagnosis("api", "memory_leak", 0.05), topology, load_catalog())
    assert plan.source == "escalation"


def test_tried_runbooks_are_excluded(topology: ServiceGraph) -> None:
    plan = plan_remediation(
        _diagnosis("api", "memory_leak"),
        topology,
        load_catalog(),
        attempt=2,
        exclude=frozenset({"rb-memory-leak-restart"}),
    )
    assert plan.source == "escalation"
    assert "already tried" in plan.summary
