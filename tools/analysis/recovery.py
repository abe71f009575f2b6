"""Recovery check: no service deviates persistently in a bad direction any more."""

from __future__ import annotations

from tools.analysis.anomaly import deviations, persistent_runs, to_anomaly
from tools.analysis.models import Anomaly, RecoveryReport
from tools.telemetry import Metric, TelemetryWindow

# Throughput is demand, not health: a rate limit or a lost caller changes it legitimately,
# and real harm from a drop shows up as errors or latency at the callers.
HEALTH_METRICS = tuple(m for m in Metric if m != Metric.THROUGHPUT)


def check_recovery(window: TelemetryWindow, history: TelemetryWindow) -> RecoveryReport:
    """Recovered when, in the window's second half, nothing deviates for long in a bad way."""
    still: list[Anomaly] = []
    for dev in deviations(window, history):
        if dev.metric not in HEALTH_METRICS or len(dev.bad) == 0:
            continue
        half = len(dev.bad) // 2
        runs = [r for r in persistent_runs(dev.bad) if r[1] > half]
        if runs:
            still.append(to_anomaly(dev, runs[-1]))
    if not still:
        return RecoveryReport(recovered=True, summary="every service is back within its baseline")
    names = ", ".join(sorted({f"{a.service} {a.metric.value}" for a in still}))
    return RecoveryReport(
        recovered=False, still_anomalous=still, summary=f"still deviating: {names}"
    )
