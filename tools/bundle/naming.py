"""Names in a bundle: pod/instance -> service, metric names -> tools.telemetry.Metric."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.telemetry import Metric

# Kubernetes generates suffixes from this alphabet (no vowels, no 0, 1, 3).
_SAFE = "[bcdfghjklmnpqrstvwxz2456789]"
_DEPLOYMENT_POD = re.compile(rf"^(?P<name>.+)-{_SAFE}{{6,10}}-{_SAFE}{{5}}$")
_GENERATED_POD = re.compile(rf"^(?P<name>.+)-(?=[a-z2-9]*[2-9]){_SAFE}{{5}}$")
_STATEFUL_POD = re.compile(r"^(?P<name>.+)-\d+$")
_PORT = re.compile(r"^(?P<name>.+):\d+$")


def service_of(pod: str) -> str:
    """The service a pod or instance name belongs to (see docs/telemetry-bundle.md).

    Lower-cases, drops a `:port`, then strips the first suffix that matches:
    a Deployment pod's `-<replica-set hash>-<pod id>`, a generated `-<pod id>` that
    contains a digit (DaemonSet, bare ReplicaSet, Job), or a StatefulSet `-<ordinal>`.
    """
    name = pod.strip().lower()
    if port := _PORT.match(name):
        name = port["name"]
    for pattern in (_DEPLOYMENT_POD, _GENERATED_POD, _STATEFUL_POD):
        if found := pattern.match(name):
            return found["name"]
    return name


@dataclass(frozen=True)
class MetricMapping:
    """How a source metric maps onto a standard Metric: value * scale (+ 1 - x for success)."""

    metric: Metric
    scale: float = 1.0
    complement: bool = False  # success ratio -> error ratio

    def convert(self, value: float) -> float:
        value *= self.scale
        return 1.0 - value if self.complement else value


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9%]", "", name.lower())


_PERCENT = 0.01
_ALIASES: dict[str, MetricMapping] = {
    **{_key(m.value): MetricMapping(m) for m in Metric},
    "cpuusagerate%": MetricMapping(Metric.CPU, _PERCENT),
    "cpuutilization": MetricMapping(Metric.CPU),
    "memoryusagerate%": MetricMapping(Metric.MEMORY, _PERCENT),
    "memoryutilization": MetricMapping(Metric.MEMORY),
    "latencyp50ms": MetricMapping(Metric.LATENCY_P50),
    "latencyp99ms": MetricMapping(Metric.LATENCY_P99),
    "podserverlatencyp99s": MetricMapping(Metric.LATENCY_P99, 1000.0),
    "podsuccessrate%": MetricMapping(Metric.ERROR_RATE, _PERCENT, complement=True),
    "errorratio": MetricMapping(Metric.ERROR_RATE),
    "requestspersecond": MetricMapping(Metric.THROUGHPUT),
    "rps": MetricMapping(Metric.THROUGHPUT),
    "poolutilization": MetricMapping(Metric.POOL),
    "diskusagerate%": MetricMapping(Metric.DISK, _PERCENT),
    "diskutilization": MetricMapping(Metric.DISK),
}


def standard_metric(name: str) -> MetricMapping | None:
    """The standard Metric a source metric name maps onto, or None (kept under its own name)."""
    return _ALIASES.get(_key(name))
