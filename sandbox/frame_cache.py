"""Recent simulations, handed out whole or as a run of their ticks.

The model is pointwise in time (every tick's values depend on its timestamp and the state
alone) and causal (on nothing that begins after the tick), so the ticks of a shorter window
inside a simulated one are a slice of it, also for a state that has moved on since (an
action taken later, the clock advanced), as long as its past up to the last simulated
tick is the same.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

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


_EFFECT_ARRAYS = tuple(f.name for f in fields(Effects) if f.name != "size")
_SERVICE_FIELDS = tuple(f.name for f in fields(ServiceFrame))


def _sliced_effects(fx: Effects, part: slice) -> Effects:
    # not Effects(size=...): that fills every array only to replace it
    cut = Effects.__new__(Effects)
    arrays = {name: getattr(fx, name)[part] for name in _EFFECT_ARRAYS}
    cut.__dict__.update(arrays, size=len(arrays["oom"]))
    return cut


def _cut(value: Any, part: slice) -> Any:
    """A field of a ServiceFrame, cut to a run of ticks (arrays, arrays by name, effects)."""
    if isinstance(value, dict):
        return {name: array[part] for name, array in value.items()}
    if isinstance(value, Effects):
        return _sliced_effects(value, part)
    return None if value is None else value[part]


def _sliced(frame: Frame, part: slice) -> Frame:
    """A run of the frame's ticks: views of its (read-only) arrays, nothing copied."""

    def service(own: ServiceFrame) -> ServiceFrame:
        return ServiceFrame(**{name: _cut(getattr(own, name), part) for name in _SERVICE_FIELDS})

    return Frame(frame.times[part], {s: service(own) for s, own in frame.services.items()})


def _read_only(frame: Frame) -> Frame:
    """Kept frames are shared by every window cut from them: writing to one is a bug."""
    arrays = [frame.times]
    for own in frame.services.values():
        arrays += [*own.metrics.values(), own.own_err, own.gc_ms, own.pool_wait_ms, own.self_ms]
        arrays += [*own.call_rps.values(), *own.timeouts.values()]
        if own.effects is not None:
            arrays += [getattr(own.effects, name) for name in _EFFECT_ARRAYS]
    for array in arrays:
        array.flags.writeable = False
    return frame


def frame_at(state: EnvState, topology: Topology, times: np.ndarray) -> Frame:
    """The simulation at these (consecutive, tick-aligned) times.

    A miss simulates on for as many ticks again, up to the state's clock: the window right
    after a baseline (detection reads both) is then a slice as well, and so is a later,
    longer read of the same stretch (verification's baseline a period back). A miss far
    before the clock also simulates as many ticks up to the clock, in the same batch: a
    stretch of history (a day ago) is read to compare the recent past with it.
    """
    if len(times) == 0:
        return simulate(state, topology, times)
    first, last = int(times[0]), int(times[-1])
    kept = _find(state, topology, first, last)
    if kept is not None:
        offset = (first - kept.first) // TICK_SECONDS
        return _sliced(kept.frame, slice(offset, offset + len(times)))
    simulated = _extended(times, state.clock)
    recent = _recent(state, topology, int(simulated[-1]), len(times))
    frame = _read_only(simulate(state, topology, np.concatenate([simulated, recent])))
    if len(recent) and int(recent[0]) != int(simulated[-1]) + TICK_SECONDS:  # a gap: two runs
        _keep(state, topology, _sliced(frame, slice(len(simulated), None)))
        frame = _sliced(frame, slice(0, len(simulated)))
    _keep(state, topology, frame)
    return frame if len(frame.times) == len(times) else _sliced(frame, slice(0, len(times)))


def _find(state: EnvState, topology: Topology, first: int, last: int) -> _Kept | None:
    """A kept simulation of the ticks first..last from the same past, if any."""
    pasts: dict[int, str] = {}
    for kept in reversed(_frames):
        if kept.first <= first and last <= kept.last and kept.topology == topology.key:
            past = pasts.setdefault(kept.last, past_key(state, kept.last))
            if past == kept.past:
                return kept
    return None


def _keep(state: EnvState, topology: Topology, frame: Frame) -> None:
    first, last = int(frame.times[0]), int(frame.times[-1])
    _frames.append(_Kept(first, last, topology.key, past_key(state, last), frame))
    del _frames[:-_SIZE]


def _extended(times: np.ndarray, clock: int) -> np.ndarray:
    """The times, then as many ticks again after them that are before the clock."""
    last = int(times[-1])
    end = min(clock, last + (len(times) + 1) * TICK_SECONDS)
    later = np.arange(last + TICK_SECONDS, end, TICK_SECONDS, dtype=times.dtype)
    return np.concatenate([times, later]) if len(later) else times.copy()  # kept read-only


def _recent(state: EnvState, topology: Topology, after: int, count: int) -> np.ndarray:
    """The ticks from `count` ticks before the clock up to it that come after `after`
    (none if those are kept already)."""
    clock = state.clock
    since = clock - count * TICK_SECONDS
    first = max(after + TICK_SECONDS, since - since % TICK_SECONDS)
    ticks = np.arange(first, clock, TICK_SECONDS, dtype=np.int64)
    if len(ticks) == 0 or _find(state, topology, int(ticks[0]), int(ticks[-1])) is not None:
        return ticks[:0]
    return ticks
