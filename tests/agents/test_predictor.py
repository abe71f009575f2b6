"""Predictions, alarms and the health report's recommendations."""

from __future__ import annotations

import numpy as np
import pytest

from agents.health import health_report
from agents.models import RiskLevel
from agents.predictor import Prediction, predict, required_streak, should_alarm
from agents.proactive import capacity_level
from sandbox.topology import get_topology
from tools.analysis.forecast import DAY
from tools.telemetry import Metric, MetricSeries, TelemetryWindow

START = 1_767_225_600


def _ramp(per_day: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    times = START + np.arange(0, 2 * DAY, 60)
    rng = np.random.default_rng(3)
    return times, level + per_day * (times - START) / DAY + 0.003 * rng.normal(size=len(times))


def test_a_leak_is_predicted_and_a_flat_signal_is_not() -> None:
    times, leak = _ramp(0.1, 0.5)
    _, flat = _ramp(0.0, 0.5)
    found = predict(times, {("catalog", "memory_util"): leak, ("auth", "memory_util"): flat})
    assert [(p.service, p.signal) for p in found] == [("catalog", "memory_util")]
    assert found[0].seconds_to_threshold == pytest.approx((0.97 - 0.7) / 0.1 * DAY, rel=0.05)
    assert found[0].remedy == "restart_service"


def _prediction(seconds: float, recent_per_day: float) -> Prediction:
    return Prediction(service="s", signal="memory_util", failure="oom", current=0.8,
                      threshold=0.97, slope_per_day=0.1, seconds_to_threshold=seconds,
                      interval_seconds=(seconds * 0.9, seconds * 1.1), confidence=0.9,
                      recent_slope_per_day=recent_per_day, remedy="restart_service",
                      at=0)  # fmt: skip


def test_lower_sensitivity_narrows_the_horizon_and_asks_the_recent_trend_to_agree() -> None:
    day_away = _prediction(DAY, 0.17)
    assert should_alarm(day_away)
    assert not should_alarm(day_away, 0.3)
    assert should_alarm(_prediction(3 * 3600, 0.5), 0.5)
    assert not should_alarm(_prediction(3 * 3600, 0.001), 0.5)
    assert required_streak(1.0) == 1 and required_streak(0.24) == 5
    with pytest.raises(ValueError, match="sensitivity"):
        should_alarm(day_away, 0.0)


def _disk_window(service: str) -> TelemetryWindow:
    times, disk = _ramp(0.15, 0.3)
    _, cpu = _ramp(0.0, 0.3)
    return TelemetryWindow(start=START, end=int(times[-1]) + 60, step=60, metrics=[
        MetricSeries(service=service, metric=Metric.DISK, start=START, step=60,
                     values=disk.tolist()),
        MetricSeries(service="catalog", metric=Metric.CPU, start=START, step=60,
                     values=cpu.tolist()),
    ])  # fmt: skip


@pytest.mark.parametrize(("service", "level"), [("queue", RiskLevel.MEDIUM),
                                                ("database", RiskLevel.CRITICAL)])  # fmt: skip
def test_a_near_disk_threshold_is_capacity_scaling_at_medium_unless_the_matrix_is_higher(
    service: str, level: RiskLevel
) -> None:
    report = health_report(_disk_window(service), get_topology("default").graph())
    [capacity] = report.capacity_predictions
    assert capacity.service == service and capacity.seconds_to_threshold < 7 * DAY
    [recommendation] = report.recommendations
    assert recommendation.type == "CAPACITY_SCALING"
    assert recommendation.risk_level is level  # a regulated datastore keeps its approvals
    assert recommendation.action.name == "rotate_logs" and recommendation.action.target == service
    with pytest.raises(ValueError, match="no metric series"):
        health_report(TelemetryWindow(start=0, end=1, step=60, metrics=[]),
                      get_topology("default").graph())  # fmt: skip


def test_capacity_scaling_raises_a_low_plan_to_medium_and_never_lowers_one() -> None:
    soon = _prediction(DAY, 0.1).model_copy(update={"signal": "disk_util"})
    later = soon.model_copy(update={"seconds_to_threshold": 8 * DAY})
    assert capacity_level(RiskLevel.LOW, soon) is RiskLevel.MEDIUM
    assert capacity_level(RiskLevel.HIGH, soon) is RiskLevel.HIGH
    assert capacity_level(RiskLevel.LOW, later) is RiskLevel.LOW
    assert capacity_level(RiskLevel.LOW, _prediction(DAY, 0.1)) is RiskLevel.LOW  # memory
