"""PrometheusSource: a TelemetrySource over Prometheus's HTTP API (metrics) + a companion."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, Protocol

from tools.prometheus_api import PrometheusClient
from tools.promql import PromQLMapping
from tools.telemetry import (
    Metric,
    MetricSeries,
    ServiceGraph,
    TelemetryUnavailable,
    TelemetryWindow,
    logs_and_spans_since,
)

MAX_POINTS = 11_000  # Prometheus refuses a range query with more points per series


class DetailSource(Protocol):
    """Where logs, spans, change events and the call graph come from (not Prometheus)."""

    def topology(self) -> ServiceGraph: ...

    def detail(self, start: int, end: int, detail_from: int | None = None) -> TelemetryWindow:
        """Change events in [start, end); logs and spans in [detail_from or start, end)."""
        ...


class PrometheusSource:
    """Metrics from Prometheus (one range query per Metric, grouped by the service label).

    Missing samples become NaN. A window with no series at all, or with examined services
    that have no series at all, raises TelemetryUnavailable naming them: the loop never
    diagnoses an empty window as "healthy".
    """

    def __init__(
        self,
        client: PrometheusClient,
        mapping: PromQLMapping | None = None,
        step: int = 60,
        focus: list[str] | None = None,
        detail: DetailSource | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if step <= 0:
            raise ValueError(f"step must be positive, got {step}")
        self.client, self.mapping = client, mapping or PromQLMapping()
        self._step, self.focus, self.detail = step, focus, detail
        self._wall = wall
        self._examined: list[str] | None = None

    @property
    def services(self) -> list[str] | None:
        """The services examined: the focus (an alert's) and all they call; None: all."""
        if self.focus and self._examined is None:
            graph = self.topology()
            found = set(self.focus)
            for service in self.focus:
                found |= graph.dependencies(service)
            self._examined = sorted(found)
        return self._examined

    def now(self) -> int:
        return int(self._wall())

    def step(self) -> int:
        return self._step

    def topology(self) -> ServiceGraph:
        """The companion's call graph, else the services Prometheus knows (no edges)."""
        if self.detail is not None:
            return self.detail.topology()
        label = self.mapping.service_label
        found = self.client.query(self.mapping.discovery())
        services = sorted({str(r["metric"][label]) for r in found if label in r["metric"]})
        if not services:
            raise TelemetryUnavailable(
                f"Prometheus at {self.client.url} has no series with a {label!r} label for"
                f" {self.mapping.discovery()!r}; check the metric mapping (docs/prometheus.md)"
            )
        return ServiceGraph(services=services, calls=[])

    def window(self, start: int, end: int, detail_from: int | None = None) -> TelemetryWindow:
        metrics = self.metrics(start, end)
        if self.detail is None:
            return metrics
        extra = self.detail.detail(start, end, detail_from)
        logs, spans = logs_and_spans_since(extra, start if detail_from is None else detail_from)
        return metrics.model_copy(update={"logs": logs, "spans": spans, "events": extra.events})

    def metrics(self, start: int, end: int) -> TelemetryWindow:
        if end < start:
            raise ValueError(f"window end {end} is before its start {start}")
        first = -(-start // self._step) * self._step
        count = len(range(first, end, self._step))
        if count > MAX_POINTS:
            raise ValueError(
                f"window [{start}, {end}) at step {self._step}s has {count} points; Prometheus"
                f" allows {MAX_POINTS}: raise ADSH_PROMETHEUS_STEP_SECONDS"
            )
        metrics = self._metrics(first, count) if count else []
        return TelemetryWindow(start=start, end=end, step=self._step, metrics=metrics)

    def _metrics(self, first: int, count: int) -> list[MetricSeries]:
        last = first + (count - 1) * self._step
        found: list[MetricSeries] = []
        services = self.services
        for metric in Metric:
            promql = self.mapping.query(metric, services, self._rate_seconds())
            result = self.client.query_range(promql, first, last, self._step)
            found += [self._series(metric, item, first, count) for item in result]
        self._check_coverage(found, services, first, last)
        return sorted(found, key=lambda s: (s.service, s.metric.value))

    def _rate_seconds(self) -> int:
        return max(4 * self._step, 4)

    def _series(self, metric: Metric, item: dict[str, Any], first: int, count: int) -> MetricSeries:
        service = str(item.get("metric", {}).get(self.mapping.service_label, ""))
        values = [math.nan] * count
        for ts, raw in item.get("values", []):
            index = round((float(ts) - first) / self._step)
            if 0 <= index < count:
                values[index] = float(raw)
        values = [v if math.isfinite(v) else math.nan for v in values]
        return MetricSeries(
            service=service, metric=metric, start=first, step=self._step, values=values
        )

    def _check_coverage(
        self, found: list[MetricSeries], services: list[str] | None, first: int, last: int
    ) -> None:
        seen = {s.service for s in found if any(math.isfinite(v) for v in s.values)}
        expected = set(services or [])
        missing = sorted(expected - seen) if expected else ([] if seen else ["any service"])
        if missing:
            raise TelemetryUnavailable(
                f"Prometheus at {self.client.url} has no data for {', '.join(missing)} in"
                f" [{first}, {last}] (partial data); check the scrape targets, the"
                f" {self.mapping.service_label!r} label mapping and how much history it keeps"
            )
