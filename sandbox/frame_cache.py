"""Recent simulations, kept per state and handed out whole or as a run of their ticks.

The model is pointwise in time (every tick's values depend on its timestamp and the state
alone), so the ticks of a shorter window inside a simulated one are a slice of it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import fields, replace

import numpy as np

from sandbox.effects import Effects
from sandbox.model import Frame, ServiceFrame, simulate
from sandbox.state import TICK_SECONDS, EnvState
from sandbox.topology import Topology

_SIZE = 6
# (state JSON, topology repr) -> [(first tick, last tick, frame)], most recent last
_frames: OrderedDict[tuple[str, str], list[tuple[int, int, Frame]]] = OrderedDict()


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


def frame_at(state: EnvState, topology: Topology, times: np.ndarray, key: str) -> Frame:
    """The simulation at these (consecutive, tick-aligned) times; `key` names the state."""
    if len(times) == 0:
        return simulate(state, topology, times)
    first, last = int(times[0]), int(times[-1])
    kept = _frames.setdefault((key, repr(topology)), [])
    _frames.move_to_end((key, repr(topology)))
    for a, b, frame in reversed(kept):
        if a <= first and last <= b:
            return _sliced(frame, (times - a) // TICK_SECONDS)
    frame = simulate(state, topology, times)
    kept.append((first, last, frame))
    del kept[:-_SIZE]
    while len(_frames) > _SIZE:
        _frames.popitem(last=False)
    return frame
