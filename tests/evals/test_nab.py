"""NAB scorer on hand-made windows: rewards, costs, probation, threshold and normalisation."""

from datetime import datetime, timedelta

import numpy as np
import pytest

from evals.nab import PROFILES, best_threshold, evaluate, prepare, probation, score_file

START = datetime(2015, 1, 1)
ROWS = 1000
TIMES = [START + timedelta(minutes=5 * i) for i in range(ROWS)]
WINDOW = [(TIMES[500], TIMES[599])]  # 100 rows
STANDARD = PROFILES["standard"]


def _score(*detections: int, windows: list | None = None) -> float:
    scores = np.zeros(ROWS)
    scores[list(detections)] = 1.0
    file = prepare("cat/f.csv", TIMES, scores, WINDOW if windows is None else windows)
    return score_file(file, STANDARD, threshold=0.5).score


def test_probation_is_fifteen_percent_capped_at_750_rows() -> None:
    assert probation(1000) == 150
    assert probation(10_000) == 750


def test_a_detection_at_the_window_start_earns_the_full_tp_weight() -> None:
    assert _score(500) == pytest.approx(1.0)


def test_later_detections_earn_less_and_only_the_first_counts() -> None:
    assert _score(550) == pytest.approx(0.860, abs=1e-3)  # (2 sigmoid(2.5) - 1) / max, half-way
    assert _score(599) == pytest.approx(0.025, abs=1e-3)  # the window's last row
    assert _score(500, 550, 590) == pytest.approx(1.0)


def test_a_missed_window_costs_the_fn_weight() -> None:
    assert _score() == pytest.approx(-1.0)


def test_false_positives_cost_the_fp_weight_less_right_after_a_window() -> None:
    assert _score(300, windows=[]) == pytest.approx(-0.11)
    assert _score(500, 300) == pytest.approx(1.0 - 0.11)
    assert _score(500, 999) == pytest.approx(1.0 - 0.11)  # > 3 window widths past it
    assert 1.0 - 0.11 < _score(500, 601) < 1.0  # just past the window: cheap


def test_rows_in_the_probation_period_are_not_scored() -> None:
    assert _score(100, windows=[]) == 0.0


def test_the_threshold_sweep_keeps_the_true_detection_and_drops_noise() -> None:
    scores = np.full(ROWS, 0.2)
    scores[500] = 0.9
    scores[[200, 300, 700]] = 0.6
    threshold, raw = best_threshold([prepare("c/f.csv", TIMES, scores, WINDOW)], STANDARD)
    assert threshold == 0.9
    assert raw == pytest.approx(1.0)


def _report(scores: np.ndarray) -> float | None:
    files = [
        prepare("withAnomaly/a.csv", TIMES, scores, WINDOW),
        prepare("noAnomaly/b.csv", TIMES, np.zeros(ROWS), []),
    ]
    return evaluate(files, "standard").overall.normalised


def test_normalised_score_is_0_for_the_null_detector_and_100_for_a_perfect_one() -> None:
    assert _report(np.full(ROWS, 0.5)) == pytest.approx(0.0)
    perfect = np.zeros(ROWS)
    perfect[500] = 1.0
    assert _report(perfect) == pytest.approx(100.0)


def test_a_category_without_windows_has_no_normalised_score() -> None:
    files = [prepare("noAnomaly/b.csv", TIMES, np.zeros(ROWS), [])]
    report = evaluate(files, "standard")
    assert report.categories[0].normalised is None
    assert report.categories[0].false_positives == 0
