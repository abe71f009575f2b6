"""Blocked plans escalate; a wrong remediation fails verification, is rolled back, re-planned."""

from pathlib import Path

from api.targets import SandboxTargets
from graphs.lifecycle import Status
from graphs.settings import Settings
from memory.runbooks import load_catalog
from tests.graphs.conftest import WRONG_FIRST, make_runner, sandbox_of, start_incident


def _catalog(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "catalog.yaml"
    path.write_text(text)
    return load_catalog(path)


def test_hard_constraint_blocks_and_escalates(start, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    state = start("disk-full-database", 1)
    assert state.status is Status.ESCALATED
    assert state.risk is not None
    assert any("verified backup" in v for v in state.risk.violations)
    assert state.executions == []
    assert sandbox_of(settings, state).state.actions == []


def test_wrong_remediation_is_rolled_back_then_replanned(
    tmp_path: Path, settings: Settings, targets: SandboxTargets
) -> None:
    with make_runner(settings, targets, _catalog(tmp_path, WRONG_FIRST)) as run:
        state = start_incident(run, targets, "memory-leak-catalog", 1)
    assert state.status is Status.COMPLETED
    steps = [(r.phase, r.action) for r in state.executions]
    assert steps == [
        ("execute", "scale_out"),
        ("rollback", "scale_in"),
        ("execute", "restart_service"),
    ]
    assert state.failed_runbooks == ["rb-wrong-scale-out"]
    assert "ROLLED_BACK" in [entry.status for entry in state.timeline]
    rollback = state.executions[1]
    assert rollback.params["replicas"] == state.executions[0].data["previous_replicas"]


def test_second_failure_escalates(
    tmp_path: Path, settings: Settings, targets: SandboxTargets
) -> None:
    only_wrong = WRONG_FIRST.split("- id: rb-right-restart", maxsplit=1)[0]
    with make_runner(settings, targets, _catalog(tmp_path, only_wrong)) as run:
        state = start_incident(run, targets, "memory-leak-catalog", 2)
    assert state.status is Status.ESCALATED
    assert [(r.phase, r.action) for r in state.executions] == [
        ("execute", "scale_out"),
        ("rollback", "scale_in"),
    ]
    assert "no runbook left" in state.escalation_reason or "rolled back" in state.escalation_reason
