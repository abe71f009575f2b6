"""Units of latency metrics, read from their names (Prometheus, OpenTelemetry, "Name(s)")."""

from __future__ import annotations

from tools.telemetry import Metric

LATENCY_MS = (Metric.LATENCY_P50, Metric.LATENCY_P99)  # latencies in known units (ms)
# Unit suffixes of latency metric names -> ms per unit.
UNIT_SUFFIXES = (("(ms)", 1.0), ("_ms", 1.0), ("milliseconds", 1.0), ("(s)", 1000.0),
                 ("_seconds", 1000.0), ("(us)", 0.001), ("_us", 0.001),
                 ("microseconds", 0.001))  # fmt: skip


def to_ms(metric: str) -> float | None:
    """Milliseconds per unit of a latency metric, from its name; None when it names none."""
    if metric in LATENCY_MS:
        return 1.0
    name = metric.lower().replace(" ", "")
    return next((f for ends, f in UNIT_SUFFIXES if name.endswith(ends)), None)
