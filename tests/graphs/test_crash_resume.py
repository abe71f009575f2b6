"""Killing the process between or inside execution steps, then resuming, runs no step twice."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from api.targets import SandboxTargets
from graphs.lifecycle import Status
from graphs.settings import Settings
from memory.action_log import ActionLog
from memory.runbooks import load_catalog
from tests.graphs.conftest import make_runner, sandbox_of

TWO_STEPS = """
- id: rb-two-steps
  match: {fault_type: memory_leak}
  description: Scale out, then restart.
  justification: Test catalog with two steps.
  steps: [{action: scale_out}, {action: restart_service}]
"""

# Runs the loop in a child process whose adapter dies (os._exit, like kill -9) at a chosen
# moment of the second perform call or after the first.
CHILD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from api.targets import SandboxTargets
    from graphs.runner import Target, open_runner
    from graphs.settings import Settings
    from graphs.state import Trigger
    from memory.runbooks import load_catalog
    data_dir, catalog_path, when = sys.argv[1], sys.argv[2], sys.argv[3]
    settings = Settings(data_dir=Path(data_dir))
    sandbox = SandboxTargets(settings.sandbox_dir)
    calls = {"n": 0}

    def targets(incident_id, trigger):
        target = sandbox(incident_id, trigger)
        perform = target.adapter.perform

        def dying_perform(action, service, params, key):
            calls["n"] += 1
            if when == "before-second" and calls["n"] == 2:
                os._exit(17)
            outcome = perform(action, service, params, key)
            if when == "inside-first" and calls["n"] == 1:
                os._exit(17)  # the target acted; the action log never heard back
            return outcome

        target.adapter.perform = dying_perform
        return target

    with open_runner(settings, targets, catalog=load_catalog(Path(catalog_path))) as run:
        incident_id = run.new_id(Trigger(scenario="memory-leak-catalog", seed=3))
        print(incident_id, flush=True)
        trigger = sandbox.prepare(incident_id, "memory-leak-catalog", 3)
        run.start(incident_id, trigger, "requester")
    """
)


@pytest.mark.parametrize("when", ["before-second", "inside-first"])
def test_resume_after_kill_executes_each_step_once(
    when: str, tmp_path: Path, settings: Settings, targets: SandboxTargets
) -> None:
    catalog_path = tmp_path / "catalog.yaml"
    catalog_path.write_text(TWO_STEPS)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(settings.data_dir), str(catalog_path), when],
        capture_output=True,
        check=False,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert child.returncode == 17, child.stderr
    incident_id = child.stdout.split()[0]
    with make_runner(settings, targets, load_catalog(catalog_path)) as run:
        assert run.get(incident_id).status is Status.EXECUTING
        state = run.resume(incident_id)
    assert state.status is Status.COMPLETED, state.timeline[-1].message
    assert [r.action for r in state.executions] == ["scale_out", "restart_service"]
    keys = [r.idempotency_key for r in state.executions]
    assert len(set(keys)) == 2
    logged = ActionLog(settings.action_log_path).for_incident(incident_id)
    assert sorted(e.idempotency_key for e in logged) == sorted(keys)
    assert all(e.status == "succeeded" for e in logged)
    applied = [a.idempotency_key for a in sandbox_of(settings, state).state.actions]
    assert sorted(applied) == sorted(keys)  # the sandbox applied each step exactly once
