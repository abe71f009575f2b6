"""SandboxEnvironment: the simulated system's persistent state and its operations."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sandbox import benign
from sandbox.effects import SLOW_FAULTS, SLOW_RATE
from sandbox.faults import check_target
from sandbox.remediation import ActionContext, apply_action
from sandbox.settings import current_label
from sandbox.state import (
    TICK_SECONDS,
    ActionRecord,
    EnvState,
    InjectedFault,
    SettingChange,
    past_of,
)
from sandbox.topology import Topology, get_topology
from sandbox.window import DEFAULT_DETAIL_SECONDS, build_window, metrics_window
from tools.actions import ActionOutcome
from tools.files import write_atomically
from tools.telemetry import ChangeEvent, ServiceGraph, TelemetryWindow

_ENV_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


class SandboxEnvironment:
    """A seeded simulated system whose state lives in one JSON file under `directory`."""

    def __init__(self, state: EnvState, directory: Path) -> None:
        self.state = state
        self.directory = Path(directory)
        self.topology: Topology = get_topology(state.topology)

    @staticmethod
    def path_for(directory: Path | str, env_id: str) -> Path:
        if not _ENV_ID.match(env_id):
            raise ValueError(f"env_id {env_id!r} must match {_ENV_ID.pattern}")
        return Path(directory) / f"{env_id}.json"

    @classmethod
    def create(
        cls, directory: Path | str, env_id: str, seed: int, topology: str = "default"
    ) -> SandboxEnvironment:
        """A fresh environment, saved at once to `<directory>/<env_id>.json`."""
        cls.path_for(directory, env_id)
        get_topology(topology)
        env = cls(EnvState(env_id=env_id, seed=seed, topology=topology), Path(directory))
        env.save()
        return env

    @classmethod
    def load(cls, directory: Path | str, env_id: str) -> SandboxEnvironment:
        path = cls.path_for(directory, env_id)
        if not path.exists():
            raise FileNotFoundError(f"no sandbox environment {env_id!r} at {path}; create it first")
        return cls(EnvState.model_validate_json(path.read_text()), Path(directory))

    def fork(self, env_id: str, at: int, performed: set[str] | None = None) -> SandboxEnvironment:
        """A copy of this system as it was at time `at` (what-if branches), saved at once.

        `performed`, when given, names the idempotency keys of the actions that had happened
        by then (several can share one logical second); the others are undone in the copy.
        """
        if at > self.state.clock:
            raise ValueError(f"cannot fork at {at}: the environment's clock is {self.state.clock}")
        state = past_of(self.state, at).model_copy(deep=True)
        state.env_id, state.clock = env_id, at
        if performed is not None:
            _undo_unperformed(state, performed)
        forked = SandboxEnvironment(state, self.directory)
        forked.save()
        return forked

    @property
    def path(self) -> Path:
        return self.path_for(self.directory, self.state.env_id)

    def save(self) -> None:
        """Write the state atomically (temp file, then rename)."""
        write_atomically(self.path, self.state.model_dump_json(indent=1))

    def graph(self) -> ServiceGraph:
        return self.topology.graph()

    def now(self) -> int:
        return self.state.clock

    def advance(self, seconds: int) -> None:
        if seconds < 0:
            raise ValueError(f"cannot advance the clock by a negative {seconds}s")
        self.state.clock += int(seconds)

    def inject(
        self, fault_type: str, service: str, rate_per_day: float | None = None
    ) -> InjectedFault:
        """Start a fault on a service at the current clock.

        With `rate_per_day`, a slow burn: disk, memory or CPU ramps by that much per day and
        nothing is user-visible until it saturates (disk_full, memory_leak, cpu_saturation).
        """
        check_target(fault_type, service, self.topology)
        now, tick = self.state.clock, self.state.clock // TICK_SECONDS
        fault = InjectedFault(fault_type=fault_type, service=service, start=now)
        if rate_per_day is not None:
            fault.detail[SLOW_RATE] = repr(_slow_rate(fault_type, rate_per_day))
        if fault_type == "bad_deploy":
            self._relabel(fault, "version", benign.version_label(self.state.seed, tick + 7919))
        elif fault_type == "config_error":
            self._relabel(fault, "revision", benign.revision_label(self.state.seed, tick + 7919))
        self.state.faults.append(fault)
        return fault

    def deploy(self, service: str) -> str:
        """A routine deploy of a good new version now (a red herring for diagnosis)."""
        if service not in self.topology.services:
            raise ValueError(
                f"unknown service {service!r}; services: {', '.join(self.topology.services)}"
            )
        now, tick = self.state.clock, self.state.clock // TICK_SECONDS
        label = benign.version_label(self.state.seed, tick + 104729)
        self.state.changes.append(
            SettingChange(ts=now, service=service, setting="version", value=label)
        )
        self.state.events.append(
            ChangeEvent(ts=now, service=service, kind="deploy", detail=f"version {label}")
        )
        return label

    def _relabel(self, fault: InjectedFault, setting: str, label: str) -> None:
        current = current_label(self.state, self.topology, fault.service, setting, fault.start)  # type: ignore[arg-type]
        if label == current:
            label += "-1"
        fault.detail[f"bad_{setting}"] = label
        self.state.changes.append(
            SettingChange(ts=fault.start, service=fault.service, setting=setting, value=label)
        )
        kind = "deploy" if setting == "version" else "config"
        self.state.events.append(
            ChangeEvent(
                ts=fault.start, service=fault.service, kind=kind, detail=f"{setting} {label}"
            )
        )

    def active_faults(self) -> list[InjectedFault]:
        return [f for f in self.state.faults if f.active_at(self.state.clock)]

    def is_healthy(self) -> bool:
        """Ground truth (tests and evals only): no injected fault is still active."""
        return not self.active_faults()

    def telemetry(
        self, start: int, end: int, detail_seconds: int = DEFAULT_DETAIL_SECONDS
    ) -> TelemetryWindow:
        return build_window(self.state, self.topology, start, end, detail_seconds)

    def metrics(self, start: int, end: int) -> TelemetryWindow:
        """The metrics in [start, end) alone, as a metrics backend answers."""
        return metrics_window(self.state, self.topology, start, end, events=False)

    def perform(
        self, action: str, target: str, params: dict[str, Any], idempotency_key: str
    ) -> ActionOutcome:
        """Perform an action once per idempotency key (a repeat returns 'duplicate')."""
        recorded = self.state.action(idempotency_key)
        if recorded is not None:
            return recorded.outcome.model_copy(update={"status": "duplicate"})
        ctx = ActionContext(
            self.state, self.topology, action, target, dict(params), self.state.clock
        )
        outcome = apply_action(ctx)
        self.state.actions.append(
            ActionRecord(
                idempotency_key=idempotency_key,
                action=action,
                target=target,
                params=dict(params),
                ts=self.state.clock,
                outcome=outcome,
            )
        )
        return outcome


def _slow_rate(fault_type: str, rate_per_day: float) -> float:
    if fault_type not in SLOW_FAULTS:
        raise ValueError(
            f"fault {fault_type!r} has no slow-burn form; slow burns: {', '.join(SLOW_FAULTS)}"
        )
    if not 0 < rate_per_day <= 10:
        raise ValueError(f"rate_per_day must be in (0, 10], got {rate_per_day}")
    return float(rate_per_day)


def _undo_unperformed(state: EnvState, performed: set[str]) -> None:
    """Drops the actions not performed by then, and what they caused (ends, changes, events)."""
    dropped = {(a.ts, a.target) for a in state.actions if a.idempotency_key not in performed}
    state.actions = [a for a in state.actions if a.idempotency_key in performed]
    state.faults = [
        f.model_copy(update={"end": None}) if (f.end, f.service) in dropped else f
        for f in state.faults
    ]
    state.changes = [c for c in state.changes if (c.ts, c.service) not in dropped]
    state.events = [e for e in state.events if (e.ts, e.service) not in dropped]
