"""A seeded run of 100 incidents replays identically, and replay executes no action."""

from pathlib import Path

import pytest

from api.targets import SandboxTargets
from graphs.lifecycle import Status
from graphs.replay import replay
from graphs.runner import IncidentRunner
from graphs.settings import Settings
from memory.runbooks import load_catalog
from sandbox.scenarios import SCENARIOS
from tests.graphs.conftest import WRONG_FIRST, make_runner, sandbox_of, start_incident

APPROVERS = ("ana", "bo", "cy")


def _drive(run: IncidentRunner, targets: SandboxTargets, scenario: str, seed: int,
           reject: bool) -> str:  # fmt: skip
    state = start_incident(run, targets, scenario, seed)
    approvers = iter(APPROVERS)
    while state.status is Status.AWAITING_APPROVAL:
        decision = "reject" if reject else "approve"
        state = run.decide(state.id, next(approvers), decision)
    return state.id


def _action_count(settings: Settings, run: IncidentRunner, ids: list[str]) -> int:
    return sum(len(sandbox_of(settings, run.get(i)).state.actions) for i in ids)


@pytest.mark.slow
def test_hundred_incidents_replay_identically(
    tmp_path: Path, settings: Settings, targets: SandboxTargets
) -> None:
    (tmp_path / "wrong_first.yaml").write_text(WRONG_FIRST)
    groups: list[tuple[object, list[str]]] = []
    with make_runner(settings, targets) as run:
        ids = [
            _drive(run, targets, name, seed, reject=seed == 9)
            for seed in range(1, 10)
            for name in sorted(SCENARIOS)
        ]  # 11 scenarios x 9 seeds = 99
    groups.append((None, ids))
    rollback_catalog = load_catalog(tmp_path / "wrong_first.yaml")
    with make_runner(settings, targets, rollback_catalog) as run:
        rolled = _drive(run, targets, "memory-leak-catalog", 11, False)
        assert "rollback" in [r.phase for r in run.get(rolled).executions]
        groups.append((rollback_catalog, [rolled]))

    statuses: set[str] = set()
    for catalog, incident_ids in groups:
        with make_runner(settings, targets, catalog) as run:  # type: ignore[arg-type]
            before = _action_count(settings, run, incident_ids)
            for incident_id in incident_ids:
                report = replay(run, incident_id, verify=True)
                assert report.identical, (incident_id, report.divergence)
                statuses.add(report.final_status)
            assert _action_count(settings, run, incident_ids) == before
    assert sum(len(ids) for _, ids in groups) == 100
    assert {"COMPLETED", "FAILED", "ESCALATED"} <= statuses
