"""Telemetry contracts: the shapes every metrics/logs/traces source hands to the Monitor."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field


class Metric(StrEnum):
    """Per-service metric names every telemetry source maps its own series onto."""

    LATENCY_P50 = "latency_p50_ms"
    LATENCY_P99 = "latency_p99_ms"
    ERROR_RATE = "error_rate"
    THROUGHPUT = "throughput_rps"
    CPU = "cpu_util"
    MEMORY = "memory_util"
    POOL = "pool_util"
    DISK = "disk_util"


LogLevel = Literal["DEBUG", "INFO", "WARN", "ERROR"]
ChangeKind = Literal["deploy", "config", "scale", "restart", "failover", "certificate", "other"]


class TelemetryUnavailable(RuntimeError):
    """A source could not deliver the telemetry asked for (down, timing out, erroring).

    Raised instead of returning an empty or partial window, so the loop records why it
    cannot see the system rather than diagnosing silence.
    """


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MetricSeries(_Frozen):
    """A regularly sampled series of one metric of one service."""

    service: str = Field(description="Service the series belongs to")
    metric: Metric = Field(description="Which metric")
    start: int = Field(description="Epoch seconds of the first sample")
    step: int = Field(gt=0, description="Seconds between samples")
    values: list[float] = Field(description="Samples; NaN marks a missing point")

    def timestamps(self) -> list[int]:
        return [self.start + i * self.step for i in range(len(self.values))]


class LogRecord(_Frozen):
    """One log line as a service wrote it."""

    ts: int = Field(description="Epoch seconds")
    service: str
    level: LogLevel
    message: str


class Span(_Frozen):
    """One span of a distributed trace."""

    trace_id: str
    span_id: str
    parent_id: str | None = Field(default=None, description="Parent span; None for a root")
    service: str = Field(description="Service that executed the span")
    operation: str
    start_ms: int = Field(description="Epoch milliseconds")
    duration_ms: float = Field(ge=0)
    error: bool = False
    status_message: str = Field(default="", description="Error detail when error is true")


class ChangeEvent(_Frozen):
    """A change recorded by the platform (deploy, config reload, scaling, restart...)."""

    ts: int
    service: str
    kind: ChangeKind
    detail: str = ""


class ServiceGraph(_Frozen):
    """Services and who calls whom (caller -> callee)."""

    services: list[str]
    calls: list[tuple[str, str]] = Field(description="Edges (caller, callee)")
    attributes: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description=(
            "Catalog facts per service: data_classification (public|internal|confidential|"
            "restricted), compliance (none|audit_logged|regulated|critical_compliance), "
            "kind (web|api|datastore|cache|queue), backup_verified (true|false)"
        ),
    )

    def callees(self, service: str) -> list[str]:
        return [callee for caller, callee in self.calls if caller == service]

    def callers(self, service: str) -> list[str]:
        return [caller for caller, callee in self.calls if callee == service]

    def dependents(self, service: str) -> set[str]:
        """Every service that calls this one directly or transitively."""
        return _reachable(service, self.callers)

    def dependencies(self, service: str) -> set[str]:
        """Every service this one calls directly or transitively."""
        return _reachable(service, self.callees)

    def attribute(self, service: str, name: str, default: str) -> str:
        return self.attributes.get(service, {}).get(name, default)


def _reachable(service: str, neighbours: Callable[[str], list[str]]) -> set[str]:
    """Services reachable from `service` by repeatedly following `neighbours`."""
    found: set[str] = set()
    frontier = [service]
    while frontier:
        for neighbour in neighbours(frontier.pop()):
            if neighbour not in found:
                found.add(neighbour)
                frontier.append(neighbour)
    return found


class TelemetryWindow(_Frozen):
    """Everything a source observed between start (inclusive) and end (exclusive)."""

    start: int
    end: int
    step: int
    metrics: list[MetricSeries]
    logs: list[LogRecord] = Field(default_factory=list)
    spans: list[Span] = Field(default_factory=list)
    events: list[ChangeEvent] = Field(default_factory=list)

    def series(self, service: str, metric: Metric) -> MetricSeries | None:
        for item in self.metrics:
            if item.service == service and item.metric == metric:
                return item
        return None


def logs_and_spans_since(window: TelemetryWindow, since: int) -> tuple[list[LogRecord], list[Span]]:
    """The window's log lines and spans from `since` (epoch seconds) on."""
    logs = [r for r in window.logs if r.ts >= since]
    return logs, [s for s in window.spans if s.start_ms >= since * 1000]


class TelemetrySource(Protocol):
    """Read-only access to a system's telemetry: the only way the Monitor sees a system."""

    def topology(self) -> ServiceGraph:
        """The services and their call edges."""
        ...

    def now(self) -> int:
        """The source's current time, epoch seconds."""
        ...

    def step(self) -> int:
        """The metric resolution in seconds."""
        ...

    def window(self, start: int, end: int, detail_from: int | None = None) -> TelemetryWindow:
        """Metrics and change events in [start, end); logs and spans in [detail_from, end)
        (None: from start; a tick-aligned time, as anomaly onsets are), so a reader that
        looks at the end alone fetches no more. A source may keep logs and spans for less
        (the sandbox: the last 2 hours of a longer window)."""
        ...

    def metrics(self, start: int, end: int) -> TelemetryWindow:
        """The metrics of [start, end) alone (no logs, spans or events): what detection and
        recovery checks read, and far cheaper to produce and record than a whole window."""
        ...


@runtime_checkable
class OptionalMetrics(Protocol):
    """A source that decides (and records) itself what `metrics_or_none` gives."""

    def metrics_or_none(self, start: int, end: int) -> TelemetryWindow | None: ...


def metrics_or_none(source: TelemetrySource, start: int, end: int) -> TelemetryWindow | None:
    """The metrics of [start, end), or None where the source cannot deliver them: a stretch
    of history older than it keeps (a Prometheus installed today has no yesterday)."""
    if isinstance(source, OptionalMetrics):
        return source.metrics_or_none(start, end)
    try:
        return source.metrics(start, end)
    except TelemetryUnavailable:
        return None
