"""End to end over the sandbox: detection, root cause, remediation and recovery per fault."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox.adapters import SandboxTelemetrySource
from sandbox.environment import SandboxEnvironment
from sandbox.scenarios import SCENARIOS, Scenario
from tools.analysis.anomaly import detect_anomalies
from tools.analysis.models import FAULT_TYPES
from tools.analysis.rca import rank_root_causes
from tools.analysis.recovery import check_recovery
from tools.telemetry import TelemetryWindow

SEEDS = [1, 2, 3, 4, 5]
WINDOW = 30 * 60
HISTORY = 26 * 3600
VERIFY = 10 * 60


@dataclass
class Incident:
    env: SandboxEnvironment
    window: TelemetryWindow
    history: TelemetryWindow


def _start(tmp_path: Path, scenario: Scenario, seed: int) -> Incident:
    env = SandboxEnvironment.create(tmp_path, f"{scenario.name}-{seed}", seed)
    env.inject(scenario.fault_type, scenario.service)
    env.advance(scenario.lead_seconds)
    source, now = SandboxTelemetrySource(env), env.now()
    return Incident(
        env, source.window(now - WINDOW, now), source.window(now - WINDOW - HISTORY, now - WINDOW)
    )


def _verify(incident: Incident) -> bool:
    env = incident.env
    env.advance(VERIFY)
    recent = env.telemetry(env.now() - VERIFY, env.now(), detail_seconds=0)
    return check_recovery(recent, incident.history).recovered


def test_every_fault_type_has_a_scenario() -> None:
    assert {s.fault_type for s in SCENARIOS.values()} == set(FAULT_TYPES)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_diagnose_remedy_recover(tmp_path: Path, name: str, seed: int) -> None:
    scenario = SCENARIOS[name]
    incident = _start(tmp_path, scenario, seed)
    anomalies = detect_anomalies(incident.window, incident.history)
    ranked = rank_root_causes(incident.window, incident.history, incident.env.graph(), anomalies)
    top = ranked[0]
    assert (top.service, top.fault_type) == (scenario.service, scenario.fault_type), ranked[:3]
    assert top.score == 1.0 and all(0 <= h.score <= 1 for h in ranked)
    assert {e.kind for e in top.evidence} & {"metric", "log", "trace", "event"}
    assert not incident.env.is_healthy()
    outcome = incident.env.perform(scenario.remedy, scenario.service, scenario.remedy_params, "fix")
    assert outcome.status == "succeeded", outcome.detail
    assert _verify(incident)
    assert incident.env.is_healthy()


WRONG = [
    "memory-leak-catalog",
    "bad-deploy-checkout",
    "pool-exhaustion-inventory",
    "traffic-surge-frontend",
    "cache-failure",
]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("name", WRONG)
def test_wrong_remedy_leaves_it_broken(tmp_path: Path, name: str, seed: int) -> None:
    scenario = SCENARIOS[name]
    incident = _start(tmp_path, scenario, seed)
    target = "cache" if scenario.wrong_remedy == "flush_cache" else scenario.service
    if scenario.fault_type == "cache_failure":
        target = scenario.service
        scenario = Scenario(**{**scenario.__dict__, "wrong_remedy": "restart_service"})
    outcome = incident.env.perform(scenario.wrong_remedy, target, scenario.wrong_params, "wrong")
    assert outcome.status == "succeeded", outcome.detail
    assert not _verify(incident)
    assert not incident.env.is_healthy()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("hours_later", [0, 9, 17])
def test_healthy_system_raises_no_incident(tmp_path: Path, seed: int, hours_later: int) -> None:
    env = SandboxEnvironment.create(tmp_path, "healthy", seed)
    env.advance(hours_later * 3600)
    source, now = SandboxTelemetrySource(env, detail_seconds=0), env.now()
    window = source.window(now - WINDOW, now)
    history = source.window(now - WINDOW - HISTORY, now - WINDOW)
    assert detect_anomalies(window, history) == []
    assert check_recovery(window, history).recovered
