"""Approvals: HIGH waits for one, CRITICAL for three distinct, reject fails, late escalates."""

import pytest
from langgraph.types import Command

from graphs.lifecycle import Status
from graphs.runner import ApprovalRefused, IncidentRunner, NotAwaitingApproval
from graphs.settings import Settings
from graphs.state import Trigger
from memory.action_log import ActionLog
from tests.graphs.conftest import REQUESTER, Start, sandbox_of

HIGH = "certificate-expiry-auth"
CRITICAL = "network-delay-database"


def test_high_waits_for_one_approval(start: Start, runner: IncidentRunner) -> None:
    state = start(HIGH, 1)
    assert state.status is Status.AWAITING_APPROVAL
    assert state.risk is not None and state.risk.level.value == "HIGH"
    request = runner.pending_request(state.id)
    assert request is not None and request["required_approvals"] == 1
    assert state.executions == []
    done = runner.decide(state.id, "ana", "approve", "cert checked")
    assert done.status is Status.COMPLETED
    assert [d.approver for d in done.approvals] == ["ana"]


def test_critical_needs_three_distinct_approvers(start: Start, runner: IncidentRunner) -> None:
    state = start(CRITICAL, 1)
    assert state.risk is not None and state.risk.required_approvals == 3
    state = runner.decide(state.id, "ana", "approve")
    assert state.status is Status.AWAITING_APPROVAL
    with pytest.raises(ApprovalRefused, match="already approved"):
        runner.decide(state.id, "ana", "approve")
    # Past the CLI's check, the node itself still counts a repeat (and the requester) once.
    for name in ("ana", REQUESTER):
        payload = {"approver": name, "decision": "approve"}
        state = runner._run(state.id, Command(resume=payload), state.trigger)
        assert state.status is Status.AWAITING_APPROVAL
        assert not state.approvals[-1].counted
    assert state.executions == []
    state = runner.decide(state.id, "bo", "approve")
    assert state.status is Status.AWAITING_APPROVAL
    state = runner.decide(state.id, "cy", "approve")
    assert state.status is Status.COMPLETED
    assert state.counted_approvers() == {"ana", "bo", "cy"}


def test_requester_cannot_approve(start: Start, runner: IncidentRunner) -> None:
    state = start(HIGH, 2)
    with pytest.raises(ApprovalRefused, match="cannot approve"):
        runner.decide(state.id, REQUESTER, "approve")


def test_reject_fails_with_nothing_executed(
    start: Start, runner: IncidentRunner, settings: Settings
) -> None:
    state = start(HIGH, 1)
    state = runner.decide(state.id, "ana", "reject", "not during the sale")
    assert state.status is Status.FAILED
    assert state.executions == []
    assert ActionLog(settings.action_log_path).for_incident(state.id) == []
    assert sandbox_of(settings, state).state.actions == []
    with pytest.raises(NotAwaitingApproval):
        runner.decide(state.id, "bo", "approve")


def test_late_approval_escalates(start: Start, runner: IncidentRunner, settings: Settings) -> None:
    state = start(HIGH, 1)
    assert state.approval_deadline is not None
    env = sandbox_of(settings, state)
    env.advance(state.approval_deadline - env.now() + 60)
    env.save()
    state = runner.decide(state.id, "ana", "approve")
    assert state.status is Status.ESCALATED
    assert "deadline" in state.escalation_reason
    assert state.executions == []


def test_expire_escalates_a_waiting_incident(start: Start, runner: IncidentRunner) -> None:
    state = start(CRITICAL, 2)
    state = runner.expire(state.id)
    assert state.status is Status.ESCALATED


def test_admin_override_stands_for_every_approval_with_a_reason(
    start: Start, runner: IncidentRunner
) -> None:
    state = start(CRITICAL, 3)
    with pytest.raises(ApprovalRefused, match="needs a reason"):
        runner.override(state.id, "ada", "  ")
    with pytest.raises(ApprovalRefused, match="cannot override"):
        runner.override(state.id, REQUESTER, "urgent")
    done = runner.override(state.id, "ada", "primary down, approvers unreachable")
    assert done.status is Status.COMPLETED
    assert [(d.approver, d.decision) for d in done.approvals] == [("ada", "override")]
    # Past the runner's checks, an override without a reason is recorded but not counted.
    other = start(CRITICAL, 4)
    payload = {"approver": "ada", "decision": "override", "comment": ""}
    other = runner._run(other.id, Command(resume=payload), other.trigger)
    assert other.status is Status.AWAITING_APPROVAL and not other.approvals[-1].counted


def test_ids_are_reserved_before_their_first_checkpoint(runner: IncidentRunner) -> None:
    probe = Trigger(scenario="x", seed=1)
    assert runner.new_id(probe) != runner.new_id(probe)


def test_ids_claimed_without_threads_never_exhaust_allocation(runner: IncidentRunner) -> None:
    # queued, failed or pruned incidents keep their claims but have no checkpoints now;
    # alert-opened incidents all share one probe
    probe = Trigger(kind="alert", scenario="alert:prometheus")
    ids = {runner.new_id(probe) for _ in range(1001)}
    assert len(ids) == 1001
