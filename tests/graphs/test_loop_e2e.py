"""End to end: every fault type, five seeds, the loop diagnoses, heals and verifies."""

import pytest

from graphs.lifecycle import Status
from graphs.runner import IncidentRunner
from graphs.settings import Settings
from sandbox.scenarios import SCENARIOS
from tests.graphs.conftest import Start, sandbox_of

HEALABLE = sorted(name for name, s in SCENARIOS.items() if name != "disk-full-database")
APPROVERS = ["ana", "bo", "cy"]


def test_every_fault_type_has_a_healable_scenario() -> None:
    fault_types = {SCENARIOS[name].fault_type for name in HEALABLE}
    assert len(fault_types) >= 10


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("scenario_name", HEALABLE)
def test_loop_diagnoses_heals_and_verifies(
    scenario_name: str, seed: int, start: Start, runner: IncidentRunner, settings: Settings
) -> None:
    scenario = SCENARIOS[scenario_name]
    state = start(scenario_name, seed)
    assert state.diagnosis is not None
    top = state.diagnosis.root_causes[0]
    assert (top.service, top.fault_type) == (scenario.service, scenario.fault_type)
    assert top.evidence, "a hypothesis must carry evidence"
    approvers = iter(APPROVERS)
    while state.status is Status.AWAITING_APPROVAL:
        assert state.executions == []  # nothing runs before the approvals are in
        state = runner.decide(state.id, next(approvers), "approve")
    assert state.status is Status.COMPLETED, state.timeline[-1].message
    assert state.verification is not None and state.verification.report.recovered
    assert [r.action for r in state.executions] == [scenario.remedy]
    assert sandbox_of(settings, state).is_healthy()
