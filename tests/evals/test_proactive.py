"""The proactive suite: prediction before the threshold, false alarms, feedback."""

from __future__ import annotations

from pathlib import Path

from evals.proactive import false_alarms_per_day, run_burn
from evals.proactive_feedback import feedback_test
from evals.proactive_report import is_proactive, render_markdown
from sandbox.slow_burn import SLOW_BURNS


def test_disk_filling_is_predicted_early_accurately_and_prevented() -> None:
    result = run_burn(SLOW_BURNS["disk-filling-queue"], seed=4)
    assert result.alarmed and result.lead_seconds is not None and result.lead_seconds > 6 * 3600
    assert result.relative_error is not None and result.relative_error <= 0.2
    assert result.prevented and result.impact_without_action and result.passed


def test_a_normal_stretch_raises_at_most_one_alarm_a_day() -> None:
    per_day, _ = false_alarms_per_day(seed=5, days=2.0)
    assert per_day <= 1.0


def test_feedback_lowers_false_alarms_and_the_fault_still_alarms(tmp_path: Path) -> None:
    result = feedback_test(seed=3, directory=tmp_path)
    assert result["false_alarms_after"] < result["false_alarms_before"]
    assert result["sensitivity"] < 1.0 and result["fault_detected"]


def test_the_suite_is_routed_to_the_proactive_runner() -> None:
    assert is_proactive("proactive") and not is_proactive("smoke")
    report = {"suite": "proactive", "command": "adsh eval run --suite proactive", "burns": [],
              "weeks": [{"seed": 1, "per_day": 0.0, "alarms": []}],
              "feedback": {"signal": "cache/memory_util", "false_alarms_before": 4,
                           "false_alarms_after": 1, "sensitivity": 0.24, "fault_detected": True,
                           "fault_lead_seconds": 3600.0},
              "metrics": {"prevented": 1.0}}  # fmt: skip
    text = render_markdown(report, [])
    assert "false alarms 4 → 1" in text and "Gates: all passed" in text
