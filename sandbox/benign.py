"""Benign background activity: routine deploys, config reloads, renewals, restarts and blips."""

from __future__ import annotations

import numpy as np

from sandbox import noise
from sandbox.state import TICK_SECONDS, EnvState
from sandbox.topology import Topology
from tools.telemetry import ChangeEvent, ChangeKind

# Probability per tick (over the whole system) of each routine change.
_RATES: dict[ChangeKind, float] = {
    "deploy": 1 / 90,
    "config": 1 / 140,
    "certificate": 1 / 1500,
    "restart": 1 / 1200,
}
BLIP_PROBABILITY = 0.004
LOOKBACK_TICKS = 7 * 1440


def version_label(seed: int, tick: int) -> str:
    """A plausible semantic version, derived from the tick so it is reproducible."""
    ticks = np.array([tick])
    minor = int(noise.integer(seed, "version-minor", ticks, 40)[0])
    patch = int(noise.integer(seed, "version-patch", ticks, 10)[0])
    return f"v2.{minor}.{patch}"


def revision_label(seed: int, tick: int) -> str:
    return f"r{1000 + int(noise.integer(seed, 'revision', np.array([tick]), 9000)[0])}"


def _detail(kind: ChangeKind, seed: int, tick: int) -> str:
    if kind == "deploy":
        return f"version {version_label(seed, tick)}"
    if kind == "config":
        return f"revision {revision_label(seed, tick)}"
    if kind == "certificate":
        return "certificate renewed"
    return "container restarted (exit code 143)"


def _occurrences(
    state: EnvState, topology: Topology, kind: ChangeKind, ticks: np.ndarray
) -> list[tuple[int, str]]:
    hits = noise.uniform(state.seed, f"benign:{kind}", ticks) < _RATES[kind]
    chosen = noise.integer(state.seed, f"benign:{kind}:svc", ticks, len(topology.services))
    found: list[tuple[int, str]] = []
    for tick, index in zip(ticks[hits], chosen[hits], strict=True):
        service = topology.services[int(index)]
        frozen = state.first_fault_start(service)
        # A service under an injected fault gets no routine changes (a change freeze).
        if frozen is None or tick * TICK_SECONDS < frozen:
            found.append((int(tick), service))
    return found


def benign_events(state: EnvState, topology: Topology, ticks: np.ndarray) -> list[ChangeEvent]:
    """Routine change events in the given ticks."""
    events = [
        ChangeEvent(
            ts=tick * TICK_SECONDS,
            service=service,
            kind=kind,
            detail=_detail(kind, state.seed, tick),
        )
        for kind in _RATES
        for tick, service in _occurrences(state, topology, kind, ticks)
    ]
    return sorted(events, key=lambda e: (e.ts, e.service))


def last_benign(
    state: EnvState, topology: Topology, service: str, kind: ChangeKind, before: int
) -> list[tuple[int, str]]:
    """(ts, label) of routine deploys/reloads of a service in the week before `before`."""
    last_tick = (before - 1) // TICK_SECONDS
    ticks = np.arange(last_tick - LOOKBACK_TICKS, last_tick + 1)
    label = version_label if kind == "deploy" else revision_label
    return [
        (tick * TICK_SECONDS, label(state.seed, tick))
        for tick, name in _occurrences(state, topology, kind, ticks)
        if name == service
    ]


def blips(seed: int, service: str, ticks: np.ndarray) -> np.ndarray:
    """Ticks with a one-tick latency/error blip (a slow GC, a noisy neighbour)."""
    return noise.uniform(seed, f"blip:{service}", ticks) < BLIP_PROBABILITY
