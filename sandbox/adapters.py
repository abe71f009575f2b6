"""The sandbox behind ADSH's interfaces: TelemetrySource, ActionAdapter and Clock."""

from __future__ import annotations

import time
from typing import Any

from sandbox.environment import SandboxEnvironment
from sandbox.remediation import HANDLERS
from sandbox.state import TICK_SECONDS
from sandbox.window import DEFAULT_DETAIL_SECONDS
from tools.actions import ActionOutcome
from tools.telemetry import ServiceGraph, TelemetryWindow


class SandboxTelemetrySource:
    """TelemetrySource over a sandbox environment.

    Metrics cover the whole requested window; logs and spans only its last
    `detail_seconds` (default 2 h), which is what baselines of logs and traces need. Each
    window or metrics read takes at least `latency_seconds` of wall time (default none):
    a remote backend's answer time, for demos and for tests that act while a run is on.
    """

    def __init__(
        self,
        env: SandboxEnvironment,
        detail_seconds: int = DEFAULT_DETAIL_SECONDS,
        latency_seconds: float = 0.0,
    ) -> None:
        if latency_seconds < 0:
            raise ValueError(f"latency_seconds must not be negative, got {latency_seconds}")
        self.env = env
        self.detail_seconds = detail_seconds
        self.latency_seconds = latency_seconds

    def topology(self) -> ServiceGraph:
        return self.env.graph()

    def now(self) -> int:
        return self.env.now()

    def step(self) -> int:
        return TICK_SECONDS

    def window(self, start: int, end: int, detail_from: int | None = None) -> TelemetryWindow:
        detail_seconds = self.detail_seconds
        if detail_from is not None:
            detail_seconds = min(detail_seconds, max(0, end - detail_from))
        return self._read(start, end, detail_seconds)

    def metrics(self, start: int, end: int) -> TelemetryWindow:
        _check_range(start, end)
        self._answer_time()
        return self.env.metrics(start, end)

    def _read(self, start: int, end: int, detail_seconds: int) -> TelemetryWindow:
        _check_range(start, end)
        self._answer_time()
        return self.env.telemetry(start, end, detail_seconds)

    def _answer_time(self) -> None:
        if self.latency_seconds:
            time.sleep(self.latency_seconds)


class SandboxActionAdapter:
    """ActionAdapter that performs actions on the sandbox and saves it after each one."""

    def __init__(self, env: SandboxEnvironment) -> None:
        self.env = env

    def supported_actions(self) -> list[str]:
        return list(HANDLERS)

    def perform(
        self, action: str, target: str, params: dict[str, Any], idempotency_key: str
    ) -> ActionOutcome:
        outcome = self.env.perform(action, target, params, idempotency_key)
        self.env.save()
        return outcome


class SandboxClock:
    """The sandbox's logical clock: sleeping advances it at once and saves the state."""

    def __init__(self, env: SandboxEnvironment) -> None:
        self.env = env

    def now(self) -> int:
        return self.env.now()

    def sleep(self, seconds: int) -> None:
        self.env.advance(seconds)
        self.env.save()


def _check_range(start: int, end: int) -> None:
    if end < start:
        raise ValueError(f"window end {end} is before its start {start}")
