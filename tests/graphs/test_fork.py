"""Fork: a what-if branch from an earlier checkpoint; the original history stays intact."""

import pytest

from api.targets import SandboxTargets
from graphs.fork import ForkError, fork, parse_assignments
from graphs.lifecycle import Status
from graphs.replay import original_history, replay
from graphs.runner import IncidentRunner
from graphs.settings import Settings
from tests.graphs.conftest import Start, sandbox_of


def _checkpoint(runner: IncidentRunner, incident_id: str, waiting_for: str) -> str:
    for snapshot in original_history(runner, incident_id):
        if waiting_for in snapshot.next:
            return str(snapshot.config["configurable"]["checkpoint_id"])
    raise AssertionError(f"no checkpoint before {waiting_for}")


def test_reject_on_a_fork_fails_while_the_original_stays_completed(
    start: Start, runner: IncidentRunner, targets: SandboxTargets, settings: Settings
) -> None:
    state = start("certificate-expiry-auth", 1)
    state = runner.decide(state.id, "ana", "approve")
    assert state.status is Status.COMPLETED
    before = [s.config["configurable"]["checkpoint_id"] for s in original_history(runner, state.id)]
    at = _checkpoint(runner, state.id, "await_approval")
    branch = fork(runner, targets, state.id, at, decision={"approver": "bo", "decision": "reject"})
    assert branch.status is Status.FAILED
    assert branch.executions == []
    assert runner.get(state.id).status is Status.COMPLETED
    after = [s.config["configurable"]["checkpoint_id"] for s in original_history(runner, state.id)]
    assert after == before
    # The branch acted on its own copy of the system, as it was at the fork point.
    assert sandbox_of(settings, branch).state.actions == []
    assert len(sandbox_of(settings, state).state.actions) == 1
    assert replay(runner, branch.id, verify=True).identical


def test_fork_with_a_changed_input_runs_on(
    start: Start, runner: IncidentRunner, targets: SandboxTargets
) -> None:
    state = start("certificate-expiry-auth", 2)
    at = _checkpoint(runner, state.id, "detect")
    branch = fork(runner, targets, state.id, at, parse_assignments(["requester=zoe"]))
    assert branch.requester == "zoe"
    assert branch.status is Status.AWAITING_APPROVAL
    done = runner.decide(branch.id, "requester", "approve")  # the original's requester may now
    assert done.status is Status.COMPLETED


def test_fork_refuses_bad_requests(
    start: Start, runner: IncidentRunner, targets: SandboxTargets
) -> None:
    state = start("memory-leak-catalog", 1)
    at = _checkpoint(runner, state.id, "plan")
    with pytest.raises(ForkError, match="executions cannot be changed"):
        fork(runner, targets, state.id, at, {"executions": []})
    with pytest.raises(ForkError, match="no such field"):
        fork(runner, targets, state.id, at, {"nope": 1})
    with pytest.raises(ForkError, match="invalid incident"):
        fork(runner, targets, state.id, at, {"status": "SOMETHING"})
    with pytest.raises(ForkError, match="waiting for approval"):
        fork(runner, targets, state.id, at, decision={"approver": "a", "decision": "reject"})
    with pytest.raises(ForkError, match="KEY=VALUE"):
        parse_assignments(["novalue"])
    assert [s.id for s in runner.list()] == [state.id]  # nothing half-made
