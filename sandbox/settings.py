"""Service settings over time: versions, revisions, replicas, pool sizes, rate limits."""

from __future__ import annotations

import numpy as np

from sandbox import benign, noise
from sandbox.state import EnvState, Setting
from sandbox.topology import Topology
from tools.telemetry import ChangeKind


def numeric_series(
    state: EnvState, service: str, setting: Setting, times: np.ndarray, initial: float
) -> np.ndarray:
    """The numeric setting's value at each timestamp (changes apply from their ts on)."""
    changes = sorted(state.changes_of(service, setting), key=lambda c: c.ts)
    values = np.full(times.shape, initial, dtype=np.float64)
    for change in changes:
        values[times >= change.ts] = float(change.value)
    return values


def numeric_at(state: EnvState, service: str, setting: Setting, ts: int, initial: float) -> float:
    return float(numeric_series(state, service, setting, np.array([ts]), initial)[0])


def initial_label(seed: int, service: str, setting: Setting) -> str:
    draw = int(noise.integer(seed, f"initial:{service}:{setting}", np.array([0]), 30)[0])
    return f"v1.{draw}.0" if setting == "version" else f"r{100 + draw}"


def label_history(
    state: EnvState, topology: Topology, service: str, setting: Setting, before: int
) -> list[tuple[int, str]]:
    """(ts, label) of a service's versions or revisions up to `before`, oldest first."""
    kind: ChangeKind = "deploy" if setting == "version" else "config"
    routine = benign.last_benign(state, topology, service, kind, before)
    recorded = [(c.ts, str(c.value)) for c in state.changes_of(service, setting) if c.ts < before]
    history = sorted(routine + recorded, key=lambda item: item[0])
    return [(0, initial_label(state.seed, service, setting)), *history]


def current_label(
    state: EnvState, topology: Topology, service: str, setting: Setting, at: int
) -> str:
    return label_history(state, topology, service, setting, at + 1)[-1][1]
