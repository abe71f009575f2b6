"""What a bundle reads into: per-minute aggregates of metrics, logs and spans, and the window."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

MINUTE = 60

Minute = int  # epoch seconds, a multiple of 60
SeriesKey = tuple[str, str]  # service, metric name (standard Metric value or the source's)
Edge = tuple[str, str]  # caller, callee


class BundleError(ValueError):
    """A bundle file is missing or malformed; the message names the file, line and column."""

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None):
        where = path + (f":{line}" if line is not None else "")
        where += f":{column}" if column is not None else ""
        super().__init__(f"{where}: {message}")
        self.path, self.line, self.column = path, line, column


def minute_of(ts: float) -> Minute:
    return int(ts // MINUTE) * MINUTE


@dataclass
class MetricTable:
    """Mean value per (service, metric) and minute (replicas and sub-minute samples averaged)."""

    sums: dict[SeriesKey, dict[Minute, float]] = field(default_factory=lambda: defaultdict(dict))
    counts: dict[SeriesKey, Counter[Minute]] = field(default_factory=lambda: defaultdict(Counter))
    source_names: dict[SeriesKey, str] = field(default_factory=dict)

    def add(self, key: SeriesKey, minute: Minute, value: float) -> None:
        sums = self.sums[key]
        sums[minute] = sums.get(minute, 0.0) + value
        self.counts[key][minute] += 1

    def series(self, key: SeriesKey) -> dict[Minute, float]:
        counts = self.counts[key]
        return {m: total / counts[m] for m, total in sorted(self.sums[key].items())}

    def keys(self) -> list[SeriesKey]:
        return sorted(self.sums)


@dataclass
class LogTable:
    """Log lines per (service, level, template) and minute, with the template texts."""

    counts: dict[tuple[str, str, int], Counter[Minute]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    templates: dict[int, str] = field(default_factory=dict)
    lines: int = 0


@dataclass
class SpanTable:
    """Per-(service, minute) latency histograms and errors; per-minute call edges and gaps.

    `gap` is the time a caller's client span spends outside the callee's server span
    (network, queueing), per edge; `ends` counts traces by the service of their last-started
    span (where the request stopped) and the minute they began.
    """

    latency: dict[tuple[str, Minute], Counter[int]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    self_latency: dict[tuple[str, Minute], Counter[int]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    gap: dict[tuple[Edge, Minute], Counter[int]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    spans: Counter[tuple[str, Minute]] = field(default_factory=Counter)
    errors: Counter[tuple[str, Minute]] = field(default_factory=Counter)
    calls: Counter[tuple[Edge, Minute]] = field(default_factory=Counter)
    ends: Counter[tuple[str, Minute]] = field(default_factory=Counter)
    call_errors: Counter[tuple[Edge, Minute]] = field(default_factory=Counter)
    lines: int = 0


@dataclass
class Bundle:
    """A whole bundle, aggregated: what the analysis needs, nothing per line."""

    path: str
    start: float = field(metadata={"doc": "Epoch seconds the incident starts (the alert)"})
    end: float
    metrics: MetricTable
    logs: LogTable
    spans: SpanTable
    dependencies: list[Edge]

    @property
    def services(self) -> list[str]:
        """Every service that has telemetry of its own (metrics, logs or spans)."""
        found = {s for s, _ in self.metrics.sums}
        found |= {s for s, _, _ in self.logs.counts}
        found |= {s for s, _ in self.spans.spans}
        return sorted(found)
