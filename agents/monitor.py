"""Monitor: observes telemetry, detects anomalies, diagnoses root causes, verifies recovery."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from agents.models import Diagnosis, Verification
from tools.analysis.anomaly import detect_anomalies
from tools.analysis.models import Anomaly
from tools.analysis.rca import rank_root_causes
from tools.analysis.recovery import check_recovery
from tools.telemetry import TelemetrySource, TelemetryWindow

ANALYSIS_RULES = "analysis-rules/1"
"""Version of the detection, RCA and signature rules (recorded in provenance)."""


class MonitorConfig(BaseModel):
    """How much telemetry the Monitor looks at, in seconds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    window_seconds: int = Field(default=1800, gt=0, description="Incident window")
    history_seconds: int = Field(default=26 * 3600, gt=0, description="Baseline before it")
    verify_seconds: int = Field(default=600, gt=0, description="Wait after the last action")
    settle_seconds: int = Field(default=120, ge=0, description="Ignored right after acting")


def windows(now: int, config: MonitorConfig, step: int) -> tuple[int, int, int]:
    """(history_start, window_start, window_end) aligned to the metric step."""
    end = now - now % step
    start = end - config.window_seconds
    return start - config.history_seconds, start, end


def detect(source: TelemetrySource, history_start: int, start: int, end: int) -> list[Anomaly]:
    """Anomalies in [start, end) against the baseline [history_start, start)."""
    return detect_anomalies(source.window(start, end), source.window(history_start, start))


def diagnose(
    source: TelemetrySource, history_start: int, start: int, end: int, anomalies: list[Anomaly]
) -> Diagnosis:
    """Ranked root-cause hypotheses with evidence."""
    window = source.window(start, end)
    history = source.window(history_start, start)
    causes = rank_root_causes(window, history, source.topology(), anomalies)
    return Diagnosis(
        window_start=start,
        window_end=end,
        anomalies=anomalies,
        root_causes=causes,
        summary=_summary(anomalies, causes[0].service if causes else None, window),
    )


def verify(
    source: TelemetrySource,
    history_start: int,
    history_end: int,
    acted_at: int,
    now: int,
    config: MonitorConfig,
) -> Verification:
    """Post-condition: every service back within its baseline since the action settled."""
    step = source.step()
    start = acted_at + config.settle_seconds
    start -= start % step
    end = now - now % step
    report = check_recovery(source.window(start, end), source.window(history_start, history_end))
    return Verification(at=now, window_start=start, window_end=end, report=report)


def _summary(anomalies: list[Anomaly], top: str | None, window: TelemetryWindow) -> str:
    services = sorted({a.service for a in anomalies})
    if not anomalies:
        return "no anomaly in the window"
    lead = f"; most likely origin {top}" if top else ""
    return f"{len(anomalies)} anomalous signals on {', '.join(services)}{lead}"
