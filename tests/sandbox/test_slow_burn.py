"""Slow-burn faults: silent until their threshold, prevented by an early remedy."""

from __future__ import annotations

import pytest

from sandbox.slow_burn import (
    SLOW_BURNS,
    UnknownSlowBurnError,
    burn_timeline,
    first_crossing,
    get_slow_burn,
    normal_timeline,
)
from tools.analysis.forecast import DAY


@pytest.mark.parametrize("name", list(SLOW_BURNS))
def test_no_user_impact_until_the_threshold_then_a_spike(name: str) -> None:
    burn = get_slow_burn(name)
    timeline = burn_timeline(burn, seed=1, days=8)
    crossing = first_crossing(timeline, burn)
    assert crossing is not None and crossing > timeline.times[0] + 2 * DAY
    before = timeline.entry_errors[timeline.times < crossing]
    after = timeline.entry_errors[timeline.times >= crossing]
    assert before.max() < 0.1 <= after.max()
    fixed = burn_timeline(burn, seed=1, days=8, fixed_at=crossing - 6 * 3600)
    assert first_crossing(fixed, burn) is None and fixed.entry_errors.max() < 0.1


def test_normal_timeline_is_deterministic_and_seasonal() -> None:
    a, b = normal_timeline(3, 2), normal_timeline(3, 2)
    cpu = a.signals[("frontend", "cpu_util")]
    assert (cpu == b.signals[("frontend", "cpu_util")]).all()
    assert cpu.max() - cpu.min() > 0.1


def test_unknown_slow_burn_lists_the_valid_names() -> None:
    with pytest.raises(UnknownSlowBurnError, match="disk-filling-queue"):
        get_slow_burn("nope")
