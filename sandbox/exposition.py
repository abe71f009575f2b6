"""Prometheus exposition of a LiveSandbox: per-service metrics labelled by service."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from sandbox.live import LiveSandbox, Sample
from tools.telemetry import Metric as Name

PREFIX = "sandbox"
GAUGES: dict[Name, tuple[str, str]] = {
    Name.CPU: ("cpu_utilization_ratio", "CPU use over capacity (0-1)"),
    Name.MEMORY: ("memory_utilization_ratio", "Memory use over limit (0-1)"),
    Name.POOL: ("pool_utilization_ratio", "Connection pool use over its size (0-1)"),
    Name.DISK: ("disk_utilization_ratio", "Disk use over capacity (0-1)"),
}
QUANTILES: dict[str, Name] = {"0.5": Name.LATENCY_P50, "0.99": Name.LATENCY_P99}


class SandboxCollector(Collector):
    """Computes the metrics at scrape time from the simulation's latest tick."""

    def __init__(self, live: LiveSandbox) -> None:
        self.live = live

    def collect(self) -> Iterator[Metric]:
        sample = self.live.sample()
        yield _latency(sample)
        yield _counter(sample.requests, "requests", "Requests served")
        yield _counter(sample.errors, "request_errors", "Requests that failed")
        for name, (suffix, doc) in GAUGES.items():
            gauge = GaugeMetricFamily(f"{PREFIX}_{suffix}", doc, labels=["service"])
            for service, values in sorted(sample.metrics.items()):
                gauge.add_metric([service], values.get(name, float("nan")))
            yield gauge
        clock = GaugeMetricFamily(f"{PREFIX}_clock_seconds", "The simulated clock (epoch s)")
        clock.add_metric([], float(sample.sim_time))
        yield clock


def _latency(sample: Sample) -> Metric:
    """A summary with the p50 and p99 quantiles the simulation computes (seconds)."""
    summary = Metric(f"{PREFIX}_request_duration_seconds", "Request latency", "summary")
    for service, values in sorted(sample.metrics.items()):
        for quantile, name in QUANTILES.items():
            labels = {"service": service, "quantile": quantile}
            summary.add_sample(summary.name, labels, values.get(name, float("nan")) / 1000)
        summary.add_sample(f"{summary.name}_count", {"service": service}, sample.requests[service])
        mean = values.get(Name.LATENCY_P50, 0.0) / 1000 * sample.requests[service]
        summary.add_sample(f"{summary.name}_sum", {"service": service}, mean)
    return summary


def _counter(values: dict[str, float], name: str, doc: str) -> Metric:
    counter = CounterMetricFamily(f"{PREFIX}_{name}", doc, labels=["service"])
    for service, value in sorted(values.items()):
        counter.add_metric([service], value)
    return counter


def registry_for(live: LiveSandbox) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SandboxCollector(live))
    return registry
