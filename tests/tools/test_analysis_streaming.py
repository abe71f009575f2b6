"""Streaming detector: online (no peeking ahead), bounded scores, loud on breaks."""

import math
import statistics
from collections import deque
from datetime import datetime, timedelta

import numpy as np

from tools.analysis.streaming import _median, _median_of_few, _SlidingMax, stream_scores
from tools.analysis.tails import TailModel

START = datetime(2024, 1, 1)


def _times(n: int) -> list[datetime]:
    return [START + timedelta(minutes=5 * i) for i in range(n)]


def _daily(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    phase = np.arange(n) * 2 * np.pi / 288
    return 50 + 20 * np.sin(phase) + rng.normal(0, 1, n)


def test_a_rows_score_does_not_change_when_later_rows_change() -> None:
    values = _daily(900)
    changed = values.copy()
    changed[600:] = np.random.default_rng(9).normal(500, 50, 300)
    before, after = stream_scores(_times(900), values), stream_scores(_times(900), changed)
    np.testing.assert_array_equal(before[:600], after[:600])
    assert not np.array_equal(before[600:], after[600:])


def test_scores_lie_in_the_unit_interval_for_odd_series() -> None:
    series = [np.zeros(400), np.r_[np.zeros(300), np.full(100, 1e9)], _daily(400) * 1e-9]
    for values in series:
        scores = stream_scores(_times(len(values)), values)
        assert len(scores) == len(values)
        assert np.all((scores >= 0) & (scores <= 1))


def test_a_spike_scores_far_above_the_normal_rows() -> None:
    values = _daily(1500)
    values[1200] += 40
    scores = stream_scores(_times(1500), values)
    assert scores[1200] > 0.999
    assert np.max(scores[300:1200]) < scores[1200]


def test_a_level_shift_is_flagged_within_a_few_rows() -> None:
    values = _daily(1500, seed=3)
    values[1200:] += 15
    scores = stream_scores(_times(1500), values)
    assert np.max(scores[1200:1210]) > np.max(scores[300:1200])


def test_tail_probability_falls_with_rarity_and_starts_at_one() -> None:
    tail = TailModel()
    assert tail.survival(3.0) == 1.0
    for value in np.random.default_rng(1).exponential(1.0, 2000):
        tail.add(float(value))
    assert tail.survival(0.0) > 0.99
    assert 0.03 < tail.survival(3.0) < 0.07  # exp(-3) = 0.05
    assert tail.survival(10.0) < 1e-3


def test_the_fast_medians_give_numpys_and_the_standard_librarys_numbers() -> None:
    rng = np.random.default_rng(3)
    for size in (1, 2, 5, 6, 288, 289):
        for values in (rng.normal(0, 1, size), np.round(rng.normal(0, 1, size), 1)):  # ties
            assert _median(values) == np.median(values)
            assert _median_of_few(values.tolist()) == statistics.median(values.tolist())
    assert math.isnan(_median(np.array([1.0, math.nan, 3.0])))
    assert math.isnan(_median(np.array([])))  # numpy's answer for no values, not an error
    signed = rng.choice([0.0, -0.0, 1.0, -1.0, math.inf], size=(500, 7))
    for values in [*signed, *signed[:, :6]]:  # odd and even sizes, signed zeros, infinities
        got, want = _median(values), float(np.median(values))
        assert got == want and math.copysign(1, got) == math.copysign(1, want)


def test_the_sliding_maximum_is_the_largest_of_the_last_values() -> None:
    rng = np.random.default_rng(4)
    values = np.round(rng.random(2000), 2).tolist()  # many ties
    window, recent = _SlidingMax(150), deque(maxlen=150)
    for value in values:
        assert window.largest() == max(recent, default=0.0)
        window.add(value)
        recent.append(value)
