"""Proactive incidents: risk floor, verification direction, and no instant alarms from noise."""

from __future__ import annotations

import numpy as np

from agents.models import HealingLevel, RiskAssessment, RiskLevel
from agents.predictor import Prediction, predict, should_alarm
from agents.proactive import proactive_risk, verify_prediction
from tools.analysis.forecast import DAY
from tools.telemetry import Metric, MetricSeries, TelemetryWindow

START = 1_767_225_600


def _prediction(signal: str = "disk_util", threshold: float = 0.985, current: float = 0.9):
    return Prediction(service="queue", signal=signal, failure="f", current=current,
                      threshold=threshold, slope_per_day=0.1, seconds_to_threshold=DAY,
                      interval_seconds=(0.9 * DAY, 1.1 * DAY), confidence=0.9,
                      recent_slope_per_day=0.1, remedy="rotate_logs", at=START)  # fmt: skip


def _risk(route: str, approvals: int = 0) -> RiskAssessment:
    return RiskAssessment(score=1, level=RiskLevel.LOW, healing_level=HealingLevel.L1,
                          required_approvals=approvals, route=route)  # type: ignore[arg-type]  # fmt: skip


def test_capacity_raises_an_auto_plan_to_notify_and_leaves_an_approval_route_alone() -> None:
    raised = proactive_risk(_risk("auto"), _prediction())
    assert (raised.level, raised.route) == (RiskLevel.MEDIUM, "notify")
    kept = proactive_risk(_risk("approval", approvals=1), _prediction())
    assert (kept.route, kept.required_approvals) == ("approval", 1)


class _Source:
    def __init__(self, metric: Metric, values: list[float]) -> None:
        self.series = MetricSeries(service="queue", metric=metric, start=START, step=60,
                                   values=values)  # fmt: skip

    def metrics(self, start: int, end: int) -> TelemetryWindow:
        return TelemetryWindow(start=start, end=end, step=60, metrics=[self.series])


def test_verification_follows_the_signals_direction_and_the_threshold() -> None:
    acted = START + 600

    def verdict(before: float, after: float) -> bool:
        source = _Source(Metric.DISK, [before] * 10 + [after] * 10)
        result = verify_prediction(source, _prediction(), acted, START + 1200, 600)  # type: ignore[arg-type]
        return result.report.recovered

    assert verdict(0.9, 0.5)  # rotated: far from the threshold
    assert not verdict(0.9, 0.95)  # still climbing
    assert not verdict(0.99, 0.989)  # past the threshold and still past it
    assert verdict(0.99, 0.3)  # a fix from past the threshold counts
    empty = _Source(Metric.DISK, [float("nan")] * 20)
    nothing = verify_prediction(empty, _prediction(), acted, START + 1200, 600)  # type: ignore[arg-type]
    assert not nothing.report.recovered and "no disk_util data" in nothing.report.summary


def test_a_noisy_signal_just_below_its_threshold_is_not_predicted_to_cross_at_once() -> None:
    times = START + np.arange(0, 2 * DAY, 60)
    rng = np.random.default_rng(5)
    cpu = 0.90 + 0.0012 * (times - START) / DAY + 0.05 * rng.normal(size=len(times))
    found = predict(times, {("frontend", "cpu_util"): cpu})
    assert not any(should_alarm(p) for p in found), found
