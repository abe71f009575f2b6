"""PromQL built from a documented mapping: the service label and one query per Metric."""

from __future__ import annotations

import re
from string import Template

from pydantic import BaseModel, ConfigDict, Field

from tools.telemetry import Metric

# $sel: the label matchers (service filter + extra selector); $range: the rate() window;
# every query must aggregate `by ($service)` so each result series names one service.
DEFAULT_QUERIES: dict[Metric, str] = {
    Metric.LATENCY_P50: (
        '1000 * max by ($service) (sandbox_request_duration_seconds{quantile="0.5",$sel})'
    ),
    Metric.LATENCY_P99: (
        '1000 * max by ($service) (sandbox_request_duration_seconds{quantile="0.99",$sel})'
    ),
    Metric.ERROR_RATE: (
        "sum by ($service) (rate(sandbox_request_errors_total{$sel}[$range]))"
        " / sum by ($service) (rate(sandbox_requests_total{$sel}[$range]))"
    ),
    Metric.THROUGHPUT: "sum by ($service) (rate(sandbox_requests_total{$sel}[$range]))",
    Metric.CPU: "max by ($service) (sandbox_cpu_utilization_ratio{$sel})",
    Metric.MEMORY: "max by ($service) (sandbox_memory_utilization_ratio{$sel})",
    Metric.POOL: "max by ($service) (sandbox_pool_utilization_ratio{$sel})",
    Metric.DISK: "max by ($service) (sandbox_disk_utilization_ratio{$sel})",
}
_LABEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PromQLMapping(BaseModel):
    """How ADSH's per-service metrics are computed from a Prometheus's series."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    service_label: str = Field(default="service", description="Label naming the service")
    selector: str = Field(
        default="", description='Extra label matchers for every series, e.g. job="shop"'
    )
    queries: dict[Metric, str] = Field(
        default_factory=lambda: dict(DEFAULT_QUERIES),
        description="PromQL per Metric with $sel, $range and $service placeholders",
    )

    def model_post_init(self, _context: object) -> None:
        if not _LABEL.match(self.service_label):
            raise ValueError(f"service_label {self.service_label!r} is not a Prometheus label")

    def query(self, metric: Metric, services: list[str] | None, rate_seconds: int) -> str:
        """The PromQL for one metric of the given services (all services when None)."""
        matchers = [m for m in (self.selector.strip(), self._filter(services)) if m]
        template = Template(self.queries.get(metric, DEFAULT_QUERIES[metric]))
        return template.substitute(
            sel=",".join(matchers), range=f"{rate_seconds}s", service=self.service_label
        )

    def discovery(self) -> str:
        """A query whose result series name every service the mapping can see."""
        return f"count by ({self.service_label}) ({self.query(Metric.CPU, None, 60)})"

    def _filter(self, services: list[str] | None) -> str:
        if not services:
            return ""
        pattern = "|".join(re.escape(s).replace("\\", "\\\\") for s in sorted(services))
        return f'{self.service_label}=~"{pattern}"'
