"""The scenario list as users see it: each sandbox scenario with the risk its fix carries."""

from __future__ import annotations

from typing import Any

from agents.models import Diagnosis
from agents.planner import plan_remediation
from agents.safeguard import review
from memory.runbooks import load_catalog
from sandbox.scenarios import SCENARIOS
from sandbox.topology import get_topology
from tools.analysis.models import Hypothesis


def scenario_rows() -> list[dict[str, Any]]:
    """name, fault_type, service, risk_level (of the runbook fix), route, description."""
    topology = get_topology("default").graph()
    catalog = load_catalog()
    rows = []
    for scenario in SCENARIOS.values():
        cause = Hypothesis(service=scenario.service, fault_type=scenario.fault_type, score=1.0)
        diagnosis = Diagnosis(window_start=0, window_end=0, root_causes=[cause])
        risk = review(plan_remediation(diagnosis, topology, catalog))
        rows.append(
            {
                "name": scenario.name,
                "fault_type": scenario.fault_type,
                "service": scenario.service,
                "risk_level": risk.level.value if risk.route != "escalate" else "BLOCKED",
                "route": risk.route,
                "required_approvals": risk.required_approvals,
                "description": scenario.description,
            }
        )
    return rows
