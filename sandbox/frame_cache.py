"""Recent simulations, handed out whole or as a run of their ticks.

The model is pointwise in time (every tick's values depend on its timestamp and the state
alone) and causal (on nothing that begins after the tick), so the ticks of a shorter window
inside a simulated one are a slice of it, also for a state that has moved on since (an
action taken later, the clock advanced), as long as its past up to the last simulated
tick is the same.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from sandbox.effects import Effects
from sandbox.model import Frame, ServiceFrame, simulate
from sandbox.state import TICK_SECONDS, EnvState, past_key
from sandbox.topology import Topology

_SIZE = 12


@dataclass(frozen=True)
class _Kept:
    first: int
    last: int
    topology: str
    past: str  # past_key of the state at `last`
    frame: Frame


_frames: list[_Kept] = []  # most recent last


def _sliced_effects(fx: Effects, index: np.ndarray) -> Effects:
    part = Effects(size=len(index))
    for item in fields(Effects):
        if item.name != "size":
            setattr(part, item.name, getattr(fx, item.name)[index])
    return part


def _sliced(frame: Frame, index: np.ndarray) -> Frame:
    def service(own: ServiceFrame) -> ServiceFrame:
        return replace(
            own,
            metrics={m: v[index] for m, v in own.metrics.items()},
            own_err=own.own_err[index],
            gc_ms=own.gc_ms[index],
            pool_wait_ms=own.pool_wait_ms[index],
            self_ms=own.self_ms[index],
            call_rps={c: v[index] for c, v in own.call_rps.items()},
            timeouts={c: v[index] for c, v in own.timeouts.items()},
            effects=None if own.effects is None else _sliced_effects(own.effects, index),
        )

    return Frame(frame.times[index], {s: service(own) for s, own in frame.services.items()})


def frame_at(state: EnvState, topology: Topology, times: np.ndarray) -> Frame:
    """The simulation at these (consecutive, tick-aligned) times.

    A miss simulates on for as many ticks again, up to the state's clock: the window right
    after a baseline (detection reads both) is then a slice as well, and so is a later,
    longer read of the same stretch (verification's baseline a period back).
    """
    if len(times) == 0:
        return simulate(state, topology, times)
    first, last, shape = int(times[0]), int(times[-1]), repr(topology)
    pasts: dict[int, str] = {}
    for kept in reversed(_frames):
        if kept.first <= first and last <= kept.last and kept.topology == shape:
            past = pasts.setdefault(kept.last, past_key(state, kept.last))
            if past == kept.past:
                return _sliced(kept.frame, (times - kept.first) // TICK_SECONDS)
    simulated = _extended(times, state.clock)
    frame = simulate(state, topology, simulated)
    end = int(simulated[-1])
    _frames.append(_Kept(first, end, shape, past_key(state, end), frame))
    del _frames[:-_SIZE]
    return frame if len(simulated) == len(times) else _sliced(frame, np.arange(len(times)))


def _extended(times: np.ndarray, clock: int) -> np.ndarray:
    """The times, then as many ticks again after them that are before the clock."""
    last = int(times[-1])
    end = min(clock, last + (len(times) + 1) * TICK_SECONDS)
    later = np.arange(last + TICK_SECONDS, end, TICK_SECONDS, dtype=times.dtype)
    return np.concatenate([times, later]) if len(later) else times
