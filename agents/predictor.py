"""The Predictor: capacity and failure predictions from telemetry trends, and when to alarm."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from tools.analysis.forecast import DAY, bucket, fit_trend, time_to_threshold
from tools.telemetry import Metric


@dataclass(frozen=True)
class SignalRule:
    """Where a signal saturates, which way it moves, what it predicts and what prevents it."""

    threshold: float
    direction: str
    failure: str
    remedy: str
    fault_type: str
    """The fault the signal foretells: a proactive incident plans that fault's runbook."""
    params: tuple[tuple[str, float], ...] = ()


RULES: dict[str, SignalRule] = {
    "disk_util": SignalRule(0.985, "up", "disk full: writes fail", "rotate_logs", "disk_full"),
    "memory_util": SignalRule(
        0.97, "up", "memory leak: out-of-memory kill", "restart_service", "memory_leak"
    ),
    "pool_util": SignalRule(
        0.95, "up", "connection pool exhausted", "set_pool_size", "db_pool_exhaustion"
    ),
    "cpu_util": SignalRule(
        0.95, "up", "CPU saturation: queueing latency", "scale_out", "cpu_saturation"
    ),
    "cert_days_left": SignalRule(
        0.0, "down", "certificate expires", "renew_certificate", "certificate_expiry"
    ),
}
KNOWN_SIGNALS = frozenset(RULES) | frozenset(str(m) for m in Metric)
"""What feedback can be about: a predicted signal or a detected metric."""
ALARM_HORIZON = 2 * DAY
MIN_CONFIDENCE = 0.5
FIT_WINDOW = 2 * DAY
RECENT_WINDOW = 6 * 3600
CAPACITY_HORIZON = 7 * DAY


class Prediction(BaseModel):
    """One signal expected to reach its threshold."""

    model_config = ConfigDict(frozen=True)

    service: str
    signal: str = Field(description="Metric or gauge name, e.g. disk_util")
    failure: str = Field(description="What happens at the threshold")
    current: float = Field(description="De-seasonalised current value")
    threshold: float
    slope_per_day: float
    seconds_to_threshold: float = Field(description="Predicted seconds until the threshold")
    interval_seconds: tuple[float, float | None] = Field(
        description="95% interval (earliest, latest; latest None when open)"
    )
    confidence: float = Field(ge=0.0, le=1.0)
    recent_slope_per_day: float = Field(description="Slope over the last RECENT_WINDOW alone")
    remedy: str = Field(description="Adapter action that prevents the failure")
    at: int = Field(description="Epoch seconds of the last sample the prediction used")


def predict(
    times: np.ndarray,
    signals: Mapping[tuple[str, str], np.ndarray],
    horizon: float = 30 * DAY,
) -> list[Prediction]:
    """Every known signal whose trend reaches its threshold within `horizon`, soonest first."""
    keys = [key for key in signals if key[1] in RULES]
    if not keys:
        return []
    buckets, values = bucket(times, np.column_stack([signals[key] for key in keys]))
    fit = fit_trend(buckets, values)
    recent = buckets >= buckets[-1] - RECENT_WINDOW
    recent_slopes = fit_trend(buckets[recent], values[recent], seasonal=False).slope * DAY
    predictions = []
    for column, (service, signal) in enumerate(keys):
        rule = RULES[signal]
        if _moving_away(float(fit.slope[column]), rule.direction):
            continue
        forecast = time_to_threshold(fit, column, rule.threshold, rule.direction, horizon)  # type: ignore[arg-type]
        if forecast.seconds is None or forecast.seconds_low is None:
            continue
        predictions.append(
            Prediction(
                service=service,
                signal=signal,
                failure=rule.failure,
                current=forecast.current,
                threshold=rule.threshold,
                slope_per_day=forecast.slope_per_day,
                seconds_to_threshold=forecast.seconds,
                interval_seconds=(forecast.seconds_low, forecast.seconds_high),
                confidence=forecast.confidence,
                recent_slope_per_day=float(recent_slopes[column]),
                remedy=rule.remedy,
                at=int(times[-1]),
            )
        )
    return sorted(predictions, key=lambda p: p.seconds_to_threshold)


def _moving_away(slope: float, direction: str) -> bool:
    return slope <= 0 if direction == "up" else slope >= 0


def should_alarm(prediction: Prediction, sensitivity: float = 1.0) -> bool:
    """Open a proactive incident? Sensitivity < 1 (after false alarms) narrows the horizon."""
    if sensitivity <= 0:
        raise ValueError(f"sensitivity must be > 0, got {sensitivity}")
    horizon = ALARM_HORIZON * min(sensitivity, 2.0)
    needed = min(0.95, MIN_CONFIDENCE / min(sensitivity, 1.0) ** 0.5)
    if prediction.seconds_to_threshold > horizon or prediction.confidence < needed:
        return False
    return sensitivity >= 1.0 or _recent_agrees(prediction, horizon)


def _recent_agrees(prediction: Prediction, horizon: float) -> bool:
    """After false alarms, the last hours alone must also reach the threshold in time: a
    levelling-off curve (a cache warming up) no longer alarms, a steady leak still does."""
    gap = prediction.threshold - prediction.current
    slope = prediction.recent_slope_per_day / DAY
    if slope == 0 or gap * slope < 0:
        return gap == 0
    return gap / slope <= horizon


def check_signal(signal: str) -> str:
    """`signal` if feedback can be about it; else a ValueError listing the known ones."""
    if signal not in KNOWN_SIGNALS:
        raise ValueError(
            f"unknown signal {signal!r}; expected one of: {', '.join(sorted(KNOWN_SIGNALS))}"
        )
    return signal


def required_streak(sensitivity: float) -> int:
    """Consecutive alarming checks before an alarm opens: 1 normally, more after false alarms."""
    return max(1, int(np.ceil(1.0 / sensitivity - 1e-9)))
