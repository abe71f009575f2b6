"""Fixtures for loop tests: a runner over a temporary data dir with the sandbox as target."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from api.targets import SandboxTargets
from graphs.runner import IncidentRunner, open_runner
from graphs.settings import Settings
from graphs.state import IncidentState, Trigger
from memory.runbooks import RunbookCatalog
from sandbox.environment import SandboxEnvironment

REQUESTER = "requester"

WRONG_FIRST = """
- id: rb-wrong-scale-out
  match: {fault_type: memory_leak}
  description: Scale out (does not fix a leak).
  justification: Test catalog.
  steps: [{action: scale_out}]
- id: rb-right-restart
  match: {fault_type: memory_leak}
  description: Restart.
  justification: Test catalog.
  steps: [{action: restart_service}]
"""
"""A memory-leak catalog whose first runbook is wrong (scale out), then the right one."""

Start = Callable[[str, int], IncidentState]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "adsh")


@pytest.fixture
def targets(settings: Settings) -> SandboxTargets:
    return SandboxTargets(settings.sandbox_dir)


def make_runner(settings: Settings, targets: SandboxTargets, catalog: RunbookCatalog | None = None):  # type: ignore[no-untyped-def]
    return open_runner(settings, targets, catalog=catalog)


@pytest.fixture
def runner(settings: Settings, targets: SandboxTargets) -> Iterator[IncidentRunner]:
    with make_runner(settings, targets) as run:
        yield run


def start_incident(
    run: IncidentRunner, targets: SandboxTargets, scenario: str, seed: int
) -> IncidentState:
    incident_id = run.new_id(Trigger(scenario=scenario, seed=seed))
    trigger = targets.prepare(incident_id, scenario, seed)
    return run.start(incident_id, trigger, REQUESTER)


@pytest.fixture
def start(runner: IncidentRunner, targets: SandboxTargets) -> Start:
    return lambda scenario, seed: start_incident(runner, targets, scenario, seed)


def sandbox_of(settings: Settings, state: IncidentState) -> SandboxEnvironment:
    """Ground truth, for assertions only: the loop never sees this."""
    return SandboxEnvironment.load(settings.sandbox_dir, state.trigger.target["env_id"])
