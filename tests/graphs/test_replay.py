"""Replay: identical on recorded effects, never acts, and names the first divergence."""

import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter

import graphs.incident
from agents.planner import plan_remediation
from api.targets import SandboxTargets
from graphs.effect_session import EffectSession
from graphs.effects import EffectRecord, canonical, digest
from graphs.lifecycle import Status
from graphs.replay import CheckpointNotFound, original_history, replay
from graphs.runner import IncidentRunner
from graphs.settings import Settings
from memory.action_log import ActionLog
from memory.runbooks import load_catalog
from tests.graphs.conftest import WRONG_FIRST, Start, make_runner, sandbox_of, start_incident
from tools.telemetry import TelemetryWindow


def _world(settings: Settings, run: IncidentRunner, incident_id: str) -> tuple[int, int, int]:
    """What a replay must not move: sandbox actions, action log rows, audit entries."""
    state = run.get(incident_id)
    actions = len(sandbox_of(settings, state).state.actions)
    logged = len(ActionLog(settings.action_log_path).for_incident(incident_id))
    return actions, logged, len(run.stores.audit.entries())


def test_completed_incident_replays_identically_without_acting(
    start: Start, runner: IncidentRunner, settings: Settings
) -> None:
    state = start("memory-leak-catalog", 1)
    assert state.status is Status.COMPLETED
    before = _world(settings, runner, state.id)
    report = replay(runner, state.id, verify=True)
    assert report.identical, report.divergence
    assert report.final_status == "COMPLETED"
    assert report.checkpoints == len(original_history(runner, state.id)) - 1
    assert _world(settings, runner, state.id) == before
    assert before[0] == 1  # the original did act, once


def test_approved_incident_replays_with_the_recorded_decisions(
    start: Start, runner: IncidentRunner
) -> None:
    state = start("network-delay-database", 2)
    for name in ("ana", "bo", "cy"):
        state = runner.decide(state.id, name, "approve")
    assert state.status is Status.COMPLETED
    assert replay(runner, state.id, verify=True).identical


def test_replay_from_a_middle_checkpoint(start: Start, runner: IncidentRunner) -> None:
    state = start("certificate-expiry-auth", 1)
    state = runner.decide(state.id, "ana", "approve")
    history = original_history(runner, state.id)
    for snapshot in history[3:8]:
        checkpoint = snapshot.config["configurable"]["checkpoint_id"]
        report = replay(runner, state.id, from_checkpoint=checkpoint, verify=True)
        assert report.identical, (checkpoint, report.divergence)
    with pytest.raises(CheckpointNotFound, match="no checkpoint 'nope'"):
        replay(runner, state.id, from_checkpoint="nope")


def test_a_nondeterministic_node_is_caught_with_node_and_field(
    start: Start, runner: IncidentRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = start("bad-deploy-checkout", 1)
    calls = {"n": 0}

    def drifting_plan(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1  # state outside the effect mechanism: differs on every run
        proposal = plan_remediation(*args, **kwargs)
        return proposal.model_copy(update={"justification": f"call {calls['n']}"})

    monkeypatch.setattr(graphs.incident, "plan_remediation", drifting_plan)
    report = replay(runner, state.id, verify=True)
    assert not report.identical
    assert report.divergence is not None
    assert (report.divergence.node, report.divergence.path) == ("plan", "plan.justification")
    assert report.divergence.got == "call 1"


def test_a_node_asking_for_a_different_effect_is_caught(
    start: Start, runner: IncidentRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = start("memory-leak-catalog", 2)
    original_call = EffectSession.call

    def shifted(self, kind, request, fn, result_type):  # type: ignore[no-untyped-def]
        if kind == "telemetry.window" and self.node == "diagnose":
            request = {**request, "start": request["start"] - 60}
        return original_call(self, kind, request, fn, result_type)

    monkeypatch.setattr(EffectSession, "call", shifted)
    report = replay(runner, state.id, verify=True)
    assert report.divergence is not None
    assert report.divergence.node == "diagnose"
    assert report.divergence.path.startswith("effects[")


def test_rolled_back_and_crash_free_paths_replay(
    tmp_path: Path, settings: Settings, targets: SandboxTargets
) -> None:
    (tmp_path / "c.yaml").write_text(WRONG_FIRST)
    with make_runner(settings, targets, load_catalog(tmp_path / "c.yaml")) as run:
        state = start_incident(run, targets, "memory-leak-catalog", 4)
        assert [r.phase for r in state.executions] == ["execute", "rollback", "execute"]
        assert replay(run, state.id, verify=True).identical


def test_a_run_recorded_before_optional_reads_still_replays(
    start: Start, runner: IncidentRunner
) -> None:
    """Earlier versions read the baseline a period back with a plain metrics read."""
    state = start("memory-leak-catalog", 1)
    db = runner.stores.effects.db
    rows = db.fetchall(
        "SELECT seq, request FROM effects WHERE thread_id=? AND kind='telemetry.metrics_or_none'",
        (state.id,),
    )
    assert rows
    for seq, request in rows:
        body = {"kind": "telemetry.metrics", "request": json.loads(request)}
        db.execute(
            "UPDATE effects SET kind='telemetry.metrics', request_hash=?"
            " WHERE thread_id=? AND seq=?",
            (digest(canonical(body)), state.id, seq),
        )
    report = replay(runner, state.id)  # its checkpoints' provenance still names the new kind
    assert report.divergence is None, report.divergence
    assert report.final_status == "COMPLETED"


def test_a_run_recorded_before_detail_from_still_replays(
    start: Start, runner: IncidentRunner, settings: Settings
) -> None:
    """Earlier versions read the incident window's logs and spans from its start."""
    state = start("memory-leak-catalog", 1)
    store = runner.stores.effects
    rows = store.db.fetchall(
        "SELECT seq, request FROM effects WHERE thread_id=? AND kind='telemetry.window'",
        (state.id,),
    )
    narrowed = [(seq, json.loads(r)) for seq, r in rows if "detail_from" in json.loads(r)]
    assert len(narrowed) == 1  # diagnose's window; the baseline's detail window has none
    seq, request = narrowed[0]
    since = store.get(state.id, seq)
    del request["detail_from"]
    whole = sandbox_of(settings, state).telemetry(request["start"], request["end"])
    assert since is not None and len(whole.logs) > len(json.loads(since.result_json)["logs"])
    kind_and_request = {"kind": "telemetry.window", "request": request}
    store.db.execute("DELETE FROM effects WHERE thread_id=? AND seq=?", (state.id, seq))
    store.put(
        EffectRecord(state.id, seq, "diagnose", "telemetry.window", request,
                     digest(canonical(kind_and_request)),
                     TypeAdapter(TelemetryWindow).dump_json(whole))
    )  # fmt: skip
    report = replay(runner, state.id)  # its checkpoints' provenance still names the new form
    assert report.divergence is None, report.divergence
    assert report.final_status == "COMPLETED"
