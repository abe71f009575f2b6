"""The feedback test: false alarms marked on one signal lower its alarm rate, faults still alarm."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from evals.proactive import new_alarms, run_burn
from memory.feedback import FeedbackStore
from sandbox.slow_burn import SlowBurn, Timeline, normal_timeline
from tools.analysis.forecast import DAY

SERVICE, SIGNAL = "cache", "memory_util"
WARMUP_TAU = 0.6 * DAY
WARMUP_RISE = 0.38
RESTART_EVERY = 2 * DAY
WEEK = 7.0


def warming_week(seed: int) -> Timeline:
    """A normal week where the cache's memory warms up after each restart and levels off
    below the out-of-memory threshold: early in each warm-up the trend looks like a leak."""
    base = normal_timeline(seed, WEEK + 1.0)
    age = (base.times - int(base.times[0])) % RESTART_EVERY
    warm = WARMUP_RISE * (1.0 - np.exp(-age / WARMUP_TAU))
    signal = base.signals[(SERVICE, SIGNAL)] + warm
    return replace(base, signals={**base.signals, (SERVICE, SIGNAL): signal})


def _alarms(timeline: Timeline, store: FeedbackStore) -> list[int]:
    start = int(timeline.times[0]) + DAY
    end = start + int(WEEK * DAY)
    opened = new_alarms(timeline, start, end, store.sensitivity)
    return [at for at, p in opened if (p.service, p.signal) == (SERVICE, SIGNAL)]


def feedback_test(seed: int, directory: Path | None = None) -> dict[str, Any]:
    """Week 1: every alarm on the signal is marked a false alarm. Week 2 (another seed): fewer
    alarms. Then a steady leak on the same signal must still alarm before it hits the threshold."""
    with tempfile.TemporaryDirectory() as scratch:
        store = FeedbackStore((directory or Path(scratch)) / "feedback.sqlite")
        try:
            before = _alarms(warming_week(seed), store)
            for at in before:
                store.record(SERVICE, SIGNAL, "false_alarm", about=f"alarm at {at}")
            after = _alarms(warming_week(seed + 1000), store)
            leak = SlowBurn("memory-leak-cache", SERVICE, SIGNAL, 0.1, 0.97, "restart_service", 0.3)
            fault = run_burn(leak, seed, store.sensitivity)
            sensitivity = store.sensitivity(SERVICE, SIGNAL)
        finally:
            store.close()
    return {
        "signal": f"{SERVICE}/{SIGNAL}",
        "false_alarms_before": len(before),
        "false_alarms_after": len(after),
        "sensitivity": sensitivity,
        "fault_detected": fault.alarmed and fault.prevented,
        "fault_lead_seconds": fault.lead_seconds,
        "passed": len(after) < len(before) and fault.alarmed and fault.prevented,
    }
