"""The loop on PostgreSQL: a HIGH-risk approval end to end, read back by a second runner;
collision-free ids across runners; checkpoint retention on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from api.targets import SandboxTargets
from graphs.checkpointer import thread_ids
from graphs.lifecycle import Status
from graphs.retention import prune_checkpoints
from graphs.runner import IncidentRunner
from graphs.settings import Settings
from graphs.state import Trigger
from graphs.stores import backend_health
from tests.graphs.conftest import make_runner, sandbox_of, start_incident

HIGH = "certificate-expiry-auth"


@pytest.fixture
def pg_settings(tmp_path: Path, pg_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "adsh", database_url=pg_url)


def _world(run: IncidentRunner, incident_id: str) -> tuple[int, int]:
    return len(run.log.for_incident(incident_id)), len(run.stores.audit.entries(incident_id))


def test_high_risk_approval_end_to_end_then_read_by_a_second_runner(
    pg_settings: Settings,
) -> None:
    targets = SandboxTargets(pg_settings.sandbox_dir)
    with make_runner(pg_settings, targets) as first:
        state = start_incident(first, targets, HIGH, 1)
        assert state.status is Status.AWAITING_APPROVAL
        done = first.decide(state.id, "ana", "approve", "cert checked")
        assert done.status is Status.COMPLETED
        history = first.history(state.id)
        world = _world(first, state.id)
    assert not (pg_settings.data_dir / "checkpoints.sqlite").exists()
    assert world[0] >= 1 and world[1] >= 1  # it acted and left an audit trail
    with make_runner(pg_settings, SandboxTargets(pg_settings.sandbox_dir)) as second:
        assert [s.id for s in second.list()] == [state.id]
        again = second.get(state.id)
        assert again.status is Status.COMPLETED
        assert [d.approver for d in again.approvals] == ["ana"]
        assert second.history(state.id) == history
        assert _world(second, state.id) == world
        assert second.stores.audit.verify().ok
    assert len(sandbox_of(pg_settings, done).state.actions) == world[0]


def test_two_runners_on_one_database_never_hand_out_the_same_id(pg_settings: Settings) -> None:
    targets = SandboxTargets(pg_settings.sandbox_dir)
    probe = Trigger(scenario="x", seed=1)
    with make_runner(pg_settings, targets) as one, make_runner(pg_settings, targets) as two:
        ids = [one.new_id(probe), two.new_id(probe), one.new_id(probe), two.new_id(probe)]
    assert len(set(ids)) == 4


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_retention_prunes_a_finished_incident_and_keeps_an_open_one(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    settings = (request.getfixturevalue("pg_settings") if backend == "postgresql"
                else Settings(data_dir=tmp_path / "adsh"))  # fmt: skip
    targets = SandboxTargets(settings.sandbox_dir)
    with make_runner(settings, targets) as run:
        finished = start_incident(run, targets, "memory-leak-catalog", 1)
        waiting = start_incident(run, targets, HIGH, 2)
        assert finished.status is Status.COMPLETED
        assert waiting.status is Status.AWAITING_APPROVAL
        assert run.stores.effects.count(finished.id) > 0
        audit_before = len(run.stores.audit.entries(finished.id))
        later = datetime.now(UTC) + timedelta(days=31)
        assert prune_checkpoints(run, timedelta(days=30)) == []  # finished just now
        listed = prune_checkpoints(run, timedelta(days=30), dry_run=True, now=later)
        assert [p.incident_id for p in listed] == [finished.id]
        assert thread_ids(run.saver) == [finished.id, waiting.id]  # a dry run keeps all
        pruned = prune_checkpoints(run, timedelta(days=30), now=later)
        assert [(p.incident_id, p.status) for p in pruned] == [(finished.id, "COMPLETED")]
        assert thread_ids(run.saver) == [waiting.id]
        assert run.stores.effects.count(finished.id) == 0
        assert run.stores.effects.count(waiting.id) > 0
        assert len(run.stores.audit.entries(finished.id)) == audit_before  # the record stays
        assert run.stores.audit.verify().ok
        assert run.decide(waiting.id, "ana", "approve").status is Status.COMPLETED
        assert run.claim_id([finished.id, "inc-other"]) == "inc-other"  # never reused


def test_backend_health_reports_each_backend(pg_settings: Settings, tmp_path: Path) -> None:
    assert backend_health(Settings(data_dir=tmp_path / "new"))["backend"] == "sqlite"
    health = backend_health(pg_settings)
    assert (health["backend"], health["ok"]) == ("postgresql", True)
    broken = Settings(data_dir=tmp_path, database_url="postgresql://u:pw@127.0.0.1:1/x")
    assert backend_health(broken)["ok"] is False
