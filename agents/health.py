"""The system health report: anomalies, capacity and failure predictions, trends, actions."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from agents.action_catalog import build_action
from agents.models import Action, RiskLevel
from agents.predictor import CAPACITY_HORIZON, RULES, Prediction, predict, should_alarm
from agents.proactive import CAPACITY_SIGNALS, capacity_level, is_capacity_scaling
from agents.risk import level_for_score, risk_score
from tools.analysis.forecast import DAY, bucket, fit_trend
from tools.telemetry import Metric, ServiceGraph, TelemetryWindow

TREND_METRICS = (Metric.LATENCY_P99, Metric.ERROR_RATE)
Urgency = Literal["immediate", "soon", "planned"]


class Trend(BaseModel):
    """Latency or error trend of one service over the report window."""

    service: str
    metric: str
    slope_per_day: float = Field(description="Change per day, in the metric's unit")
    relative_per_day: float = Field(description="Slope over the mean level")


class Recommendation(BaseModel):
    """What to do about a prediction, with the typed action and its risk level."""

    type: str = Field(description="CAPACITY_SCALING or PREVENTIVE_MAINTENANCE")
    description: str
    action: Action
    confidence: float
    urgency: Urgency
    risk_level: RiskLevel


class HealthReport(BaseModel):
    """The system's health now and what is expected to break next."""

    at: int
    anomalies: list[str] = Field(description="Signals already past their threshold")
    capacity_predictions: list[Prediction]
    failure_predictions: list[Prediction]
    trends: list[Trend]
    recommendations: list[Recommendation]


def signals_of(window: TelemetryWindow) -> tuple[np.ndarray, dict[tuple[str, str], np.ndarray]]:
    """Tick times and every (service, metric) series of a window as arrays."""
    first = window.metrics[0]
    times = np.asarray(first.timestamps(), dtype=np.int64)
    series = {(s.service, str(s.metric)): np.asarray(s.values, dtype=float)
              for s in window.metrics if len(s.values) == len(times)}  # fmt: skip
    return times, series


def health_report(
    window: TelemetryWindow, graph: ServiceGraph, sensitivity: Any = lambda s, g: 1.0
) -> HealthReport:
    """Build the report from one telemetry window (at least a few hours, ideally two days)."""
    if not window.metrics:
        raise ValueError("the telemetry window has no metric series; widen it or check the source")
    times, series = signals_of(window)
    predictions = [p for p in predict(times, series) if p.seconds_to_threshold > 0]
    anomalies = [f"{s}/{g}" for (s, g), v in series.items() if g in RULES and _past(v[-5:], g)]
    capacity = [p for p in predictions if p.signal in CAPACITY_SIGNALS]
    failures = [p for p in predictions if p.signal not in CAPACITY_SIGNALS]
    return HealthReport(
        at=int(times[-1]),
        anomalies=anomalies,
        capacity_predictions=capacity,
        failure_predictions=failures,
        trends=_trends(times, series),
        recommendations=[_recommend(p, graph, sensitivity) for p in predictions],
    )


def _past(recent: np.ndarray, signal: str) -> bool:
    rule = RULES[signal]
    value = float(np.nanmedian(recent))
    return value >= rule.threshold if rule.direction == "up" else value <= rule.threshold


def _trends(times: np.ndarray, series: dict[tuple[str, str], np.ndarray]) -> list[Trend]:
    keys = [k for k in series if k[1] in {str(m) for m in TREND_METRICS}]
    if not keys or len(times) < 16:
        return []
    buckets, values = bucket(times, np.column_stack([series[k] for k in keys]))
    slopes = fit_trend(buckets, values).slope * DAY
    means = np.maximum(np.abs(np.nanmean(values, axis=0)), 1e-9)
    return [Trend(service=s, metric=m, slope_per_day=float(slopes[i]),
                  relative_per_day=float(slopes[i] / means[i]))
            for i, (s, m) in enumerate(keys)]  # fmt: skip


def _recommend(prediction: Prediction, graph: ServiceGraph, sensitivity: Any) -> Recommendation:
    rule = RULES[prediction.signal]
    action = build_action(rule.remedy, prediction.service, dict(rule.params), graph,
                          from_runbook=True)  # fmt: skip
    capacity = is_capacity_scaling(prediction)
    level = capacity_level(level_for_score(risk_score(action.risk)), prediction)
    hours = prediction.seconds_to_threshold / 3600
    return Recommendation(
        type="CAPACITY_SCALING" if capacity else "PREVENTIVE_MAINTENANCE",
        description=f"{prediction.service}: {prediction.failure} in ~{hours:.0f} h "
        f"({prediction.signal} {prediction.current:.2f} → {prediction.threshold}); {rule.remedy}",
        action=action,
        confidence=prediction.confidence,
        urgency=_urgency(prediction, sensitivity),
        risk_level=level,
    )


def _urgency(prediction: Prediction, sensitivity: Any) -> Urgency:
    if should_alarm(prediction, sensitivity(prediction.service, prediction.signal)):
        return "immediate"
    return "soon" if prediction.seconds_to_threshold < CAPACITY_HORIZON else "planned"
