"""Slow-burn faults over the sandbox's normal telemetry: steady ramps that alert only at the end.

A slow burn adds a steady ramp (disk filling, a memory leak, a certificate counting down,
traffic growing toward CPU capacity) on top of one service's simulated series, which keeps
its daily seasonality and noise. Nothing is user-visible until the ramp reaches its
threshold; from then on the service's impact adds to the entry's error rate. A remedy at
time T stops the ramp and resets the signal, so acting before the threshold prevents impact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.environment import SandboxEnvironment
from sandbox.model import simulate
from sandbox.state import ORIGIN_EPOCH, TICK_SECONDS, EnvState, InjectedFault
from sandbox.topology import get_topology
from tools.telemetry import Metric

DAY = 86_400
CERT_SIGNAL = "cert_days_left"
NORMAL_SIGNALS = (Metric.CPU, Metric.MEMORY, Metric.POOL, Metric.DISK)


@dataclass(frozen=True)
class SlowBurn:
    """One slow-burn fault: which signal ramps, how fast, where it hurts, what fixes it."""

    name: str
    service: str
    signal: str
    rate_per_day: float
    threshold: float
    remedy: str
    impact_error: float
    start_offset: int = DAY

    @property
    def direction(self) -> str:
        return "up" if self.rate_per_day > 0 else "down"


SLOW_BURNS: dict[str, SlowBurn] = {
    burn.name: burn
    for burn in (
        SlowBurn("disk-filling-queue", "queue", Metric.DISK, 0.12, 0.985, "rotate_logs", 0.35),
        SlowBurn(
            "memory-leak-slow-catalog", "catalog", Metric.MEMORY, 0.1, 0.97, "restart_service", 0.3
        ),
        SlowBurn(
            "certificate-nearing-expiry-auth",
            "auth",
            CERT_SIGNAL,
            -1.0,
            0.0,
            "renew_certificate",
            0.95,
        ),
        SlowBurn("traffic-growth-frontend", "frontend", Metric.CPU, 0.11, 0.95, "scale_out", 0.25),
    )
}
CERT_INITIAL_DAYS = 5.5


class UnknownSlowBurnError(KeyError):
    """Raised for a slow-burn name that does not exist."""


def get_slow_burn(name: str) -> SlowBurn:
    """The named slow burn; UnknownSlowBurnError lists the valid names."""
    if name not in SLOW_BURNS:
        raise UnknownSlowBurnError(
            f"unknown slow burn {name!r}; expected one of: {', '.join(SLOW_BURNS)}"
        )
    return SLOW_BURNS[name]


ENV_FAULTS = {Metric.DISK: "disk_full", Metric.MEMORY: "memory_leak", Metric.CPU: "cpu_saturation"}
"""The sandbox fault whose slow-burn form each overlay signal corresponds to."""


def start_in(env: SandboxEnvironment, burn: SlowBurn) -> InjectedFault:
    """Start `burn` in a sandbox environment at its clock; its remedy then really ends it."""
    fault_type = ENV_FAULTS.get(burn.signal)  # type: ignore[call-overload]
    if fault_type is None:
        runnable = [b.name for b in SLOW_BURNS.values() if b.signal in ENV_FAULTS]
        raise ValueError(
            f"slow burn {burn.name!r} exists only in the proactive eval's overlay; "
            f"in a sandbox environment: {', '.join(runnable)}"
        )
    return env.inject(fault_type, burn.service, burn.rate_per_day)


@dataclass(frozen=True)
class Timeline:
    """Per-tick signals of one run: every (service, signal) series and the entry error rate."""

    times: np.ndarray
    signals: dict[tuple[str, str], np.ndarray]
    entry_errors: np.ndarray


def normal_timeline(seed: int, days: float, topology: str = "default") -> Timeline:
    """`days` of normal operation from the telemetry origin: seasonality, noise, no faults."""
    state = EnvState(env_id=f"normal-{seed}", seed=seed, topology=topology)
    topo = get_topology(topology)
    times = ORIGIN_EPOCH + np.arange(0, int(days * DAY), TICK_SECONDS, dtype=np.int64)
    frame = simulate(state, topo, times)
    signals = {
        (service, str(metric)): frame.services[service].metrics[metric]
        for service in topo.services
        for metric in NORMAL_SIGNALS
    }
    return Timeline(times, signals, frame.services[topo.entry].metrics[Metric.ERROR_RATE])


def burn_timeline(burn: SlowBurn, seed: int, days: float, fixed_at: int | None = None) -> Timeline:
    """Normal operation plus `burn` starting a day in; `fixed_at` applies its remedy then."""
    base = normal_timeline(seed, days)
    times = base.times
    start = int(times[0]) + burn.start_offset
    age_days = np.maximum(0, times - start) / DAY
    if fixed_at is not None:
        age_days = np.where(times >= fixed_at, 0.0, age_days)
    key = (burn.service, burn.signal)
    signal = _ramped(burn, base.signals.get(key), age_days, times, fixed_at)
    signals = {**base.signals, key: signal}
    crossed = signal >= burn.threshold if burn.direction == "up" else signal <= burn.threshold
    errors = np.clip(base.entry_errors + burn.impact_error * crossed, 0.0, 1.0)
    return Timeline(times, signals, errors)


def _ramped(
    burn: SlowBurn,
    normal: np.ndarray | None,
    age_days: np.ndarray,
    times: np.ndarray,
    fixed_at: int | None,
) -> np.ndarray:
    if burn.signal == CERT_SIGNAL:
        left = CERT_INITIAL_DAYS + burn.start_offset / DAY - (times - int(times[0])) / DAY
        renewed = 90.0 - (times - (fixed_at or 0)) / DAY
        return np.where((fixed_at is not None) & (times >= (fixed_at or 0)), renewed, left)
    assert normal is not None
    ramp = normal + burn.rate_per_day * age_days
    if burn.remedy == "scale_out" and fixed_at is not None:
        ramp = np.where(times >= fixed_at, normal / 2.0, ramp)
    return np.clip(ramp, 0.0, 1.0)


def first_crossing(timeline: Timeline, burn: SlowBurn) -> int | None:
    """Epoch seconds at which the burn's signal first reaches its threshold (ground truth)."""
    signal = timeline.signals[(burn.service, burn.signal)]
    crossed = signal >= burn.threshold if burn.direction == "up" else signal <= burn.threshold
    hits = np.nonzero(crossed)[0]
    return int(timeline.times[hits[0]]) if len(hits) else None
