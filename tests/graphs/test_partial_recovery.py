"""Two simultaneous faults: a fix that healed its target is kept and the loop diagnoses again."""

from graphs.lifecycle import Status
from graphs.replay import replay
from graphs.runner import IncidentRunner
from graphs.settings import Settings
from graphs.state import Trigger
from sandbox.environment import SandboxEnvironment
from tests.graphs.conftest import REQUESTER, sandbox_of


def _two_faults(run: IncidentRunner, settings: Settings, seed: int) -> str:
    incident_id = run.new_id(Trigger(scenario="two-faults", seed=seed))
    env = SandboxEnvironment.create(settings.sandbox_dir, incident_id, seed)
    env.inject("memory_leak", "catalog")
    env.inject("bad_deploy", "checkout")
    env.advance(600)
    env.save()
    trigger = Trigger(scenario="two-faults", seed=seed,
                      target={"kind": "sandbox", "env_id": incident_id})  # fmt: skip
    return run.start(incident_id, trigger, REQUESTER).id


def test_second_fault_is_diagnosed_and_fixed_after_the_first(
    runner: IncidentRunner, settings: Settings
) -> None:
    state = runner.get(_two_faults(runner, settings, 1))
    assert state.status is Status.COMPLETED, state.timeline[-1].message
    assert [(r.phase, r.action, r.target) for r in state.executions] == [
        ("execute", "rollback_deploy", "checkout"),
        ("execute", "restart_service", "catalog"),
    ]
    assert state.diagnosis_rounds == 2
    messages = [entry.message for entry in state.timeline]
    assert any(m.startswith("partially recovered (checkout is back)") for m in messages)
    assert any(m.startswith("diagnosing again after a partial recovery") for m in messages)
    assert sandbox_of(settings, state).is_healthy()
    assert replay(runner, state.id, verify=True).identical
