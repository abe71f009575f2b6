"""The sandbox server: exposition by service, control API, wall-clock logs; HTTP adapter."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from sandbox.remediation import HANDLERS
from sandbox.server import create_app, create_live
from tools.http_actions import SANDBOX_ACTIONS, HttpActionAdapter
from tools.http_telemetry import HttpDetailSource


def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(create_live(seed=1, speed=600, data_dir=tmp_path)))


def test_metrics_are_labelled_by_service_with_counters_and_quantiles(tmp_path: Path) -> None:
    with client(tmp_path) as http:
        text = http.get("/metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    latency = families["sandbox_request_duration_seconds"]
    assert latency.type == "summary"
    quantiles = {s.labels.get("quantile") for s in latency.samples if "quantile" in s.labels}
    assert quantiles == {"0.5", "0.99"}
    assert families["sandbox_requests"].type == "counter"
    for name in ("sandbox_request_errors", "sandbox_cpu_utilization_ratio",
                 "sandbox_memory_utilization_ratio", "sandbox_pool_utilization_ratio",
                 "sandbox_disk_utilization_ratio"):  # fmt: skip
        assert "inventory" in {s.labels["service"] for s in families[name].samples}, name


def test_a_fault_shows_in_metrics_and_an_action_heals_it_once(tmp_path: Path) -> None:
    with client(tmp_path) as http:
        assert (
            http.post("/v1/faults", json={"fault_type": "nope", "service": "x"}).status_code == 422
        )
        fault = {"fault_type": "cpu_saturation", "service": "inventory"}
        assert http.post("/v1/faults", json=fault).status_code == 201
        assert [f["fault_type"] for f in http.get("/v1/faults").json()] == ["cpu_saturation"]
        adapter = HttpActionAdapter("http://sandbox", http)
        first = adapter.perform("scale_out", "inventory", {"replicas": 6}, "inc-1/a1/execute/0")
        again = adapter.perform("scale_out", "inventory", {"replicas": 6}, "inc-1/a1/execute/0")
        assert (first.status, again.status) == ("succeeded", "duplicate")
        assert http.get("/v1/faults").json() == []


def test_detail_endpoints_speak_wall_clock_time(tmp_path: Path) -> None:
    with client(tmp_path) as http:
        clock = http.get("/v1/clock").json()
        detail = HttpDetailSource("http://sandbox", http)
        start = int(clock["wall"]) - 5
        window = detail.detail(start, int(clock["wall"]) + 1)
        assert window.logs and all(start - 1 <= r.ts <= clock["wall"] + 1 for r in window.logs)
        assert "inventory" in detail.topology().services


def test_the_http_adapter_reports_an_unreachable_control_api_as_failed() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    adapter = HttpActionAdapter(
        "http://127.0.0.1:9", httpx.Client(transport=httpx.MockTransport(down))
    )
    outcome = adapter.perform("restart_service", "api", {}, "key-1")
    assert outcome.status == "failed" and "unreachable" in outcome.detail


def test_the_adapter_knows_every_sandbox_action() -> None:
    assert set(SANDBOX_ACTIONS) == set(HANDLERS)
