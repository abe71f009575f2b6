"""Pod/instance names map to services by the documented rule; metric names to Metric."""

import pytest

from tools.bundle.naming import service_of, standard_metric
from tools.telemetry import Metric


@pytest.mark.parametrize(
    ("name", "service"),
    [
        ("checkoutservice-5d8f7c9b6-x2x7k", "checkoutservice"),  # Deployment pod
        ("cart-service-7b9c5d4f8c-zq2wt", "cart-service"),
        ("fluentd-x7k2p", "fluentd"),  # DaemonSet pod: generated id with a digit
        ("redis-cart-0", "redis-cart"),  # StatefulSet ordinal
        ("kafka-12", "kafka"),
        ("10.0.0.7:9090", "10.0.0.7"),
        ("frontend:8080", "frontend"),
        ("Frontend", "frontend"),
        ("frontend", "frontend"),
        ("email-sender", "email-sender"),  # no digit: a name, not a generated id
        ("payment-v2", "payment-v2"),
    ],
)
def test_pod_names_map_to_services(name: str, service: str) -> None:
    assert service_of(name) == service


def test_known_metric_names_map_onto_standard_metrics() -> None:
    cpu = standard_metric("CpuUsageRate(%)")
    success = standard_metric("PodSuccessRate(%)")
    assert cpu is not None and cpu.metric == Metric.CPU and cpu.convert(50) == 0.5
    assert success is not None and success.metric == Metric.ERROR_RATE
    assert success.convert(97.0) == pytest.approx(0.03)
    assert standard_metric("latency_p99_ms") is not None
    assert standard_metric("SyscallRead") is None  # kept under its own name
