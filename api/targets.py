"""Target factory: maps an incident's trigger to the system it concerns, by target kind."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from graphs.runner import Target
from graphs.settings import Settings
from graphs.state import Trigger
from sandbox.adapters import SandboxActionAdapter, SandboxClock, SandboxTelemetrySource
from sandbox.environment import SandboxEnvironment
from sandbox.scenarios import get_scenario

if TYPE_CHECKING:
    from api.prometheus_targets import PrometheusTargets


class SandboxTargets:
    """Each sandbox incident gets its own simulated system, persisted under the data dir.

    Triggers of kind "prometheus" go to `prometheus` (set when ADSH_PROMETHEUS_URL is).
    `latency_seconds`: wall time each telemetry read takes (ADSH_SANDBOX_LATENCY_MS).
    """

    def __init__(
        self,
        directory: Path,
        prometheus: PrometheusTargets | None = None,
        latency_seconds: float = 0.0,
    ) -> None:
        self.directory = directory
        self.prometheus = prometheus
        self.latency_seconds = latency_seconds

    @classmethod
    def from_settings(
        cls, settings: Settings, prometheus: PrometheusTargets | None = None
    ) -> SandboxTargets:
        """The sandbox targets a process's settings describe (ADSH_SANDBOX_LATENCY_MS)."""
        return cls(settings.sandbox_dir, prometheus, settings.sandbox_latency_ms / 1000)

    def __call__(self, incident_id: str, trigger: Trigger) -> Target:
        kind = trigger.target.get("kind")
        if kind == "prometheus" and self.prometheus is not None:
            return self.prometheus(incident_id, trigger)
        if kind != "sandbox":
            raise ValueError(f"incident {incident_id}: unsupported target kind {kind!r}")
        env = SandboxEnvironment.load(self.directory, trigger.target["env_id"])
        return Target(
            source=SandboxTelemetrySource(env, latency_seconds=self.latency_seconds),
            adapter=SandboxActionAdapter(env),
            clock=SandboxClock(env),
        )

    def ensure(self, env_id: str, seed: int = 0) -> None:
        """Create a healthy sandbox environment named env_id unless it exists."""
        if not SandboxEnvironment.path_for(self.directory, env_id).exists():
            SandboxEnvironment.create(self.directory, env_id, seed).save()

    def fork(self, trigger: Trigger, new_id: str, at: int, performed: set[str]) -> Trigger:
        """The same system as it was at `at` (only `performed` actions done), under a new id."""
        env = SandboxEnvironment.load(self.directory, trigger.target["env_id"])
        env.fork(new_id, at, performed)
        target = {**trigger.target, "env_id": new_id}
        return trigger.model_copy(update={"target": target})

    def prepare(self, env_id: str, scenario_name: str, seed: int) -> Trigger:
        """Create the sandbox, inject the scenario's fault, let symptoms develop."""
        scenario = get_scenario(scenario_name)
        env = SandboxEnvironment.create(self.directory, env_id, seed)
        env.inject(scenario.fault_type, scenario.service)
        env.advance(scenario.lead_seconds)
        env.save()
        return Trigger(
            kind="scenario",
            scenario=scenario.name,
            seed=seed,
            target={"kind": "sandbox", "env_id": env_id},
            summary=scenario.description,
        )
