"""Feedback sensitivities: concurrent verdicts are all kept, stored values stay in bounds."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from memory.feedback import FALSE_ALARM_FACTOR, SENSITIVITY_BOUNDS, FeedbackStore


def test_concurrent_verdicts_are_all_applied(tmp_path: Path) -> None:
    stores = [FeedbackStore(tmp_path) for _ in range(4)]  # as four API requests would
    together = threading.Barrier(len(stores))

    def mark(store: FeedbackStore) -> None:
        together.wait()
        store.record("cache", "memory_util", "false_alarm")

    threads = [threading.Thread(target=mark, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = FALSE_ALARM_FACTOR**4
    assert FeedbackStore(tmp_path).sensitivity("cache", "memory_util") == pytest.approx(expected)


def test_a_hand_edited_value_is_kept_within_bounds(tmp_path: Path) -> None:
    (tmp_path / "feedback.json").write_text(json.dumps({"cache/memory_util": 0, "a/b": 50}))
    store = FeedbackStore(tmp_path)
    assert store.sensitivity("cache", "memory_util") == SENSITIVITY_BOUNDS[0]
    assert store.sensitivity("a", "b") == SENSITIVITY_BOUNDS[1]
