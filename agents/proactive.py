"""Proactive incidents: a prediction as the diagnosis, its risk floor, and its verification."""

from __future__ import annotations

import numpy as np

from agents.models import Diagnosis, HealingLevel, RiskAssessment, RiskLevel, Verification
from agents.predictor import CAPACITY_HORIZON, RULES, Prediction
from tools.analysis.models import Evidence, Hypothesis, RecoveryReport
from tools.telemetry import TelemetrySource

CAPACITY_SIGNALS = frozenset({"disk_util", "pool_util", "cpu_util"})
FORECAST_RULES = "forecast/1 (harmonic trend, NOISE_Z 2, capacity floor MEDIUM)"
"""Version of the prediction-to-incident rules (recorded in provenance)."""
MIN_GAIN = 0.1
"""A fix must win back at least this share of the headroom the prediction left."""


def is_capacity_scaling(prediction: Prediction) -> bool:
    """A saturating resource under 7 days away: CAPACITY_SCALING, at MEDIUM risk at least."""
    soon = prediction.seconds_to_threshold < CAPACITY_HORIZON
    return soon and prediction.signal in CAPACITY_SIGNALS


def capacity_level(matrix_level: RiskLevel, prediction: Prediction) -> RiskLevel:
    """The design's MEDIUM for capacity scaling; the risk matrix's level when it is higher."""
    if not is_capacity_scaling(prediction) or matrix_level is not RiskLevel.LOW:
        return matrix_level
    return RiskLevel.MEDIUM


def diagnosis_from(prediction: Prediction, now: int) -> Diagnosis:
    """What a proactive incident knows before anything failed: the predicted fault, no anomaly."""
    hours = prediction.seconds_to_threshold / 3600
    low, high = prediction.interval_seconds
    summary = (
        f"{prediction.service} {prediction.signal} {prediction.current:.3f} → "
        f"{prediction.threshold} in ~{hours:.1f} h: {prediction.failure}"
    )
    evidence = Evidence(
        kind="metric",
        service=prediction.service,
        summary=summary,
        weight=prediction.confidence,
        detail={
            "signal": prediction.signal,
            "slope_per_day": prediction.slope_per_day,
            "interval_seconds": [low, high],
            "predicted_at": prediction.at,
        },
    )
    cause = Hypothesis(
        service=prediction.service,
        fault_type=RULES[prediction.signal].fault_type,
        score=prediction.confidence,
        evidence=[evidence],
    )
    return Diagnosis(window_start=prediction.at, window_end=now, root_causes=[cause],
                     summary=f"predicted: {summary}")  # fmt: skip


def proactive_risk(risk: RiskAssessment, prediction: Prediction) -> RiskAssessment:
    """Raise a LOW capacity plan to MEDIUM (notify, then act); never lowers a level."""
    if risk.route != "auto" or risk.violations:  # approvals and escalations stay as they are
        return risk
    level = capacity_level(risk.level, prediction)
    if level is risk.level:
        return risk
    return risk.model_copy(
        update={"level": level, "route": "notify", "healing_level": HealingLevel.L1}
    )


def verify_prediction(
    source: TelemetrySource, prediction: Prediction, acted_at: int, now: int, before: int
) -> Verification:
    """Recovered when the signal moved away from its threshold by a real share of its headroom.

    `before` seconds before the action are the level it started from; the second half of
    [acted_at, now) is where it went (the first half may still be settling).
    """
    start = acted_at - before
    window = source.metrics(start, now)
    wanted = (prediction.service, prediction.signal)
    series = [s for s in window.metrics if (s.service, str(s.metric)) == wanted]
    if not series:
        return _verdict(acted_at, now, False, f"no {prediction.signal} series to verify")
    times = np.asarray(series[0].timestamps())
    values = np.asarray(series[0].values, dtype=float)
    before_action = values[times < acted_at]
    after_action = values[times >= acted_at + (now - acted_at) // 2]
    if np.isnan(before_action).all() or np.isnan(after_action).all():
        return _verdict(acted_at, now, False, f"no {prediction.signal} data around the action")
    was, now_value = float(np.nanmedian(before_action)), float(np.nanmedian(after_action))
    sign = 1.0 if RULES[prediction.signal].direction == "up" else -1.0
    headroom_before = max(sign * (prediction.threshold - was), 0.0)
    gained = sign * (was - now_value)
    inside = sign * (prediction.threshold - now_value) > 0
    recovered = bool(inside and gained > 0 and gained >= MIN_GAIN * headroom_before)
    summary = (
        f"{prediction.service} {prediction.signal} {was:.3f} → {now_value:.3f} "
        f"(threshold {prediction.threshold}): "
        + ("moved away from the threshold" if recovered else "still heading to the threshold")
    )
    return _verdict(acted_at, now, recovered, summary)


def _verdict(acted_at: int, now: int, recovered: bool, summary: str) -> Verification:
    report = RecoveryReport(recovered=recovered, summary=summary)
    return Verification(at=now, window_start=acted_at, window_end=now, report=report)
