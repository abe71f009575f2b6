"""The proactive suite: slow-burn lead time and accuracy, prevention, false alarms, feedback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from agents.predictor import FIT_WINDOW, Prediction, predict, required_streak, should_alarm
from sandbox.slow_burn import (
    SlowBurn,
    Timeline,
    burn_timeline,
    first_crossing,
    normal_timeline,
)
from tools.analysis.forecast import DAY

STEP = 3600
REACTION_SECONDS = 600
SPIKE_ERROR_RATE = 0.1
RUN_DAYS = 8.0
Sensitivity = Callable[[str, str], float]


@dataclass(frozen=True)
class BurnResult:
    """One slow burn on one seed."""

    scenario: str
    seed: int
    alarmed: bool
    lead_seconds: float | None
    predicted_seconds: float | None
    relative_error: float | None
    prevented: bool
    impact_without_action: bool
    other_alarms: int

    @property
    def passed(self) -> bool:
        return bool(
            self.alarmed and self.relative_error is not None and self.relative_error <= 0.2
            and self.prevented and self.impact_without_action
        )  # fmt: skip


def walk(
    timeline: Timeline, start: int, end: int, sensitivity: Sensitivity = lambda s, g: 1.0
) -> Iterator[tuple[int, list[Prediction]]]:
    """Every STEP seconds in [start, end): the alarming predictions on the last FIT_WINDOW."""
    times = timeline.times
    for now in range(start, end, STEP):
        lo, hi = np.searchsorted(times, [now - FIT_WINDOW, now])
        if hi - lo < 64:
            continue
        window = {key: values[lo:hi] for key, values in timeline.signals.items()}
        found = predict(times[lo:hi], window, horizon=4 * DAY)
        yield now, [p for p in found if should_alarm(p, sensitivity(p.service, p.signal))]


def new_alarms(
    timeline: Timeline, start: int, end: int, sensitivity: Sensitivity
) -> list[tuple[int, Prediction]]:
    """Alarms as `adsh watch` opens them: after `required_streak` alarming checks in a row, and
    a key alarms again only after it went quiet."""
    opened: list[tuple[int, Prediction]] = []
    streaks: dict[tuple[str, str], int] = {}
    for now, alarms in walk(timeline, start, end, sensitivity):
        current = {(p.service, p.signal): p for p in alarms}
        streaks = {key: streaks.get(key, 0) + 1 for key in current}
        for key, prediction in current.items():
            if streaks[key] == required_streak(sensitivity(*key)):
                opened.append((now, prediction))
    return opened


def run_burn(burn: SlowBurn, seed: int, sensitivity: Sensitivity = lambda s, g: 1.0) -> BurnResult:
    """Predict the burn, act REACTION_SECONDS after the first alarm, check the impact."""
    unfixed = burn_timeline(burn, seed, RUN_DAYS)
    crossing = first_crossing(unfixed, burn)
    start = int(unfixed.times[0]) + DAY
    end = crossing or int(unfixed.times[-1])
    alarms = new_alarms(unfixed, start, end, sensitivity)
    mine = [(t, p) for t, p in alarms if (p.service, p.signal) == (burn.service, burn.signal)]
    others = len(alarms) - len(mine)
    impact_without = bool(unfixed.entry_errors.max() >= SPIKE_ERROR_RATE)
    if not mine or crossing is None:
        return BurnResult(burn.name, seed, False, None, None, None, False, impact_without, others)
    at, prediction = mine[0]
    lead = float(crossing - at)
    fixed = burn_timeline(burn, seed, RUN_DAYS, fixed_at=at + REACTION_SECONDS)
    prevented = bool(fixed.entry_errors.max() < SPIKE_ERROR_RATE)
    error = abs(prediction.seconds_to_threshold - lead) / lead
    return BurnResult(
        burn.name, seed, True, lead, prediction.seconds_to_threshold, error, prevented,
        impact_without, others,
    )  # fmt: skip


def false_alarms_per_day(seed: int, days: float = 7.0) -> tuple[float, list[str]]:
    """Proactive alarms per simulated day over `days` of normal operation (after day 1)."""
    timeline = normal_timeline(seed, days + 1.0)
    start = int(timeline.times[0]) + DAY
    alarms = new_alarms(timeline, start, start + int(days * DAY), lambda s, g: 1.0)
    return len(alarms) / days, [f"{p.service}/{p.signal}" for _, p in alarms]
