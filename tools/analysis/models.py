"""Result types of the analysis code: anomalies, evidence, hypotheses, recovery reports."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.telemetry import Metric

UNKNOWN_FAULT = "unknown"

FAULT_TYPES: tuple[str, ...] = (
    "bad_deploy",
    "memory_leak",
    "cpu_saturation",
    "db_pool_exhaustion",
    "disk_full",
    "cache_failure",
    "network_delay",
    "certificate_expiry",
    "config_error",
    "traffic_surge",
)
"""Fault types the signature classifier can name; anything else is UNKNOWN_FAULT."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Anomaly(_Model):
    """A metric of a service that left its baseline."""

    service: str
    metric: Metric
    onset: int = Field(description="Epoch seconds of the first anomalous sample of the run")
    score: float = Field(description="Robust z-score at the peak (signed: + above baseline)")
    baseline: float = Field(description="Expected value at the peak")
    observed: float = Field(description="Observed value at the peak")


class Evidence(_Model):
    """One observation supporting a hypothesis."""

    kind: Literal["metric", "log", "trace", "event", "topology", "memory"]
    service: str
    summary: str = Field(description="One human-readable sentence")
    weight: float = Field(default=1.0, description="Contribution to the hypothesis score")
    detail: dict[str, Any] = Field(default_factory=dict)


class Hypothesis(_Model):
    """A candidate root cause: a service and a fault type, with the evidence for it."""

    service: str
    fault_type: str = Field(description="One of FAULT_TYPES or 'unknown'")
    score: float = Field(ge=0, le=1, description="Normalised confidence, ranked descending")
    evidence: list[Evidence] = Field(default_factory=list)


class RecoveryReport(_Model):
    """Whether every service is back within its baseline over the verification window."""

    recovered: bool
    still_anomalous: list[Anomaly] = Field(default_factory=list)
    summary: str = ""
