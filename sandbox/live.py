"""LiveSandbox: a sandbox whose simulated clock follows the wall clock, optionally sped up."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.environment import SandboxEnvironment
from sandbox.state import TICK_SECONDS, InjectedFault
from sandbox.window import DEFAULT_DETAIL_SECONDS
from tools.actions import ActionOutcome
from tools.telemetry import Metric, TelemetryWindow


@dataclass(frozen=True)
class Sample:
    """Every service's metrics at the latest simulated tick, plus cumulative counters."""

    sim_time: int
    metrics: dict[str, dict[Metric, float]]
    requests: dict[str, float]
    errors: dict[str, float]


class LiveSandbox:
    """Maps wall time to simulated time: sim = sim0 + (wall - wall0) * speed.

    Everything it serves is stamped in wall-clock seconds, as a real system's telemetry
    is; the simulation underneath runs in its own (faster) time.
    """

    def __init__(
        self, env: SandboxEnvironment, speed: float, wall: Callable[[], float] = time.time
    ) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        self.env, self.speed, self._wall = env, float(speed), wall
        self.wall0, self.sim0 = wall(), env.now()
        self._lock = threading.RLock()
        self._last = self.wall0
        self._requests: dict[str, float] = dict.fromkeys(env.topology.services, 0.0)
        self._errors: dict[str, float] = dict.fromkeys(env.topology.services, 0.0)

    def to_sim(self, wall: float) -> int:
        return self.sim0 + int((wall - self.wall0) * self.speed)

    def to_wall(self, sim: float) -> float:
        return self.wall0 + (sim - self.sim0) / self.speed

    def sync(self) -> int:
        """Advance the simulated clock to the present; returns it."""
        with self._lock:
            target = self.to_sim(self._wall())
            if target > self.env.now():
                self.env.advance(target - self.env.now())
            return self.env.now()

    def clock(self) -> dict[str, Any]:
        with self._lock:
            sim = self.sync()
            return {"wall": self._wall(), "sim": sim, "speed": self.speed, "tick": TICK_SECONDS}

    def sample(self) -> Sample:
        """The latest tick's metrics; counters grow by rate x wall seconds since last time."""
        with self._lock:
            now = self.sync()
            tick = now - now % TICK_SECONDS
            window = self.env.telemetry(tick, tick + TICK_SECONDS, detail_seconds=0)
            metrics: dict[str, dict[Metric, float]] = {}
            for series in window.metrics:
                metrics.setdefault(series.service, {})[series.metric] = series.values[0]
            self._accumulate(metrics)
            return Sample(now, metrics, dict(self._requests), dict(self._errors))

    def _accumulate(self, metrics: dict[str, dict[Metric, float]]) -> None:
        wall = self._wall()
        elapsed, self._last = max(wall - self._last, 0.0), wall
        for service, values in metrics.items():
            served = values.get(Metric.THROUGHPUT, 0.0) * elapsed
            self._requests[service] += served
            self._errors[service] += served * values.get(Metric.ERROR_RATE, 0.0)

    def detail(self, start: float, end: float) -> TelemetryWindow:
        """Logs, spans and events in wall-clock [start, end), stamped in wall time."""
        with self._lock:
            now = self.sync()
            sim_start, sim_end = self.to_sim(start), min(self.to_sim(end), now + 1)
            if sim_end <= sim_start:
                return TelemetryWindow(start=int(start), end=int(end), step=1, metrics=[])
            window = self.env.telemetry(sim_start, sim_end, DEFAULT_DETAIL_SECONDS)
        return TelemetryWindow(
            start=int(start),
            end=int(end),
            step=1,
            metrics=[],
            logs=[r.model_copy(update={"ts": int(self.to_wall(r.ts))}) for r in window.logs],
            spans=[
                s.model_copy(update={"start_ms": int(self.to_wall(s.start_ms / 1000) * 1000)})
                for s in window.spans
            ],
            events=[e.model_copy(update={"ts": int(self.to_wall(e.ts))}) for e in window.events],
        )

    def inject(self, fault_type: str, service: str) -> InjectedFault:
        with self._lock:
            self.sync()
            fault = self.env.inject(fault_type, service)
            self.env.save()
            return fault

    def perform(
        self, action: str, target: str, params: dict[str, Any], idempotency_key: str
    ) -> ActionOutcome:
        """Perform once per idempotency key (a repeat answers 'duplicate')."""
        with self._lock:
            self.sync()
            outcome = self.env.perform(action, target, params, idempotency_key)
            self.env.save()
            return outcome

    def active_faults(self) -> list[InjectedFault]:
        with self._lock:
            self.sync()
            return self.env.active_faults()
