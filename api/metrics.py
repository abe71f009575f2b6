"""Prometheus metrics of the API process: investigations by status, step latency, approvals."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from graphs.lifecycle import Status

StatusCounts = Callable[[], dict[str, int]]


class _StatusCollector(Collector):
    """Reads the current counts at scrape time, so the gauges never drift."""

    def __init__(self, counts: StatusCounts) -> None:
        self.counts = counts

    def collect(self) -> Iterable[Metric]:
        counts = self.counts()
        by_status = GaugeMetricFamily(
            "adsh_investigations", "Investigations by lifecycle status", labels=["status"]
        )
        for status in [*Status, "QUEUED"]:
            by_status.add_metric([str(status)], counts.get(str(status), 0))
        yield by_status
        yield GaugeMetricFamily(
            "adsh_approvals_pending",
            "Investigations waiting for an approval decision",
            value=counts.get(Status.AWAITING_APPROVAL.value, 0),
        )


class ApiMetrics:
    """One registry per app, so several apps (tests) never share or clash."""

    def __init__(self, counts: StatusCounts) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(_StatusCollector(counts))
        self.step_latency = Histogram(
            "adsh_step_latency_seconds",
            "Wall-clock seconds of one graph step, by node",
            ["node"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )

    def observe_step(self, node: str, seconds: float) -> None:
        self.step_latency.labels(node=node).observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
