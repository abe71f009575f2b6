"""The measured learning effect: memory filled from earlier runs lifts ambiguous diagnoses."""

from pathlib import Path

import pytest

from evals.memory_effect import measure


@pytest.mark.slow
def test_filled_memory_beats_empty_memory_on_ambiguous_cases(tmp_path: Path) -> None:
    effect = measure(tmp_path, "ambiguous", seeds=2, fill=1)
    assert effect.empty.accuracy == 0.0  # the rules tie and pick bad_deploy
    assert effect.resolved_by_human == 1  # the earlier run escalated; a human confirmed it
    assert effect.filled.accuracy > effect.empty.accuracy
    assert effect.filled.completed == effect.filled.cases
