"""Alerts with ADSH_PROMETHEUS_URL set: the trigger, the windows, and recorded failures."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from api.app import create_app
from api.prometheus_targets import PrometheusTargets
from api.settings import ApiSettings
from api.targets import SandboxTargets
from graphs.runner import open_runner
from tests.api.support import auth, token_store, wait_idle
from tests.api.test_alerts import alert, payload


def settings(tmp_path: Path, url: str) -> ApiSettings:
    return ApiSettings(
        data_dir=tmp_path / "adsh",
        prometheus_url=url,
        sandbox_url="http://127.0.0.1:9",
        prometheus_attempts=2,
        prometheus_timeout_seconds=1,
    )


def test_prometheus_down_fails_the_alerts_incident_with_the_reason(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path, "http://127.0.0.1:9"), token_store())
    with TestClient(app) as client:
        sent = client.post(
            "/v1/alerts/alertmanager", json=payload(alert("fp-9")), headers=auth("olga")
        )
        incident = sent.json()["results"][0]["incident"]
        body = wait_idle(client, incident)
    assert body["trigger"]["target"] == {
        "kind": "prometheus",
        "services": "auth",
        "starts_at": "1767322800",
    }
    assert body["status"] == "FAILED"
    last = body["timeline"][-1]["message"]
    assert last.startswith("telemetry unavailable: ") and "127.0.0.1:9" in last
    assert body["root_causes"] == []  # no guess from an empty window


def test_prometheus_errors_are_recorded_on_the_incident(tmp_path: Path) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/topology":  # the companion answers, Prometheus does not
            return httpx.Response(200, json={"services": ["api"], "calls": []})
        return httpx.Response(500, text="boom")

    config = settings(tmp_path, "http://prometheus.test")
    http = httpx.Client(transport=httpx.MockTransport(broken))
    targets = SandboxTargets(config.sandbox_dir, PrometheusTargets(config, 60, http))
    assert targets.prometheus is not None
    trigger = targets.prometheus.trigger("HighErrorRate on api", ["api"], 1_000)
    with open_runner(config, targets) as runner:
        state = runner.start(runner.new_id(trigger), trigger, "olga")
    assert state.status == "FAILED"
    assert "HTTP 500" in state.escalation_reason and "after 2 attempts" in state.escalation_reason


def test_the_window_reaches_back_to_the_alert_start(tmp_path: Path) -> None:
    config = settings(tmp_path, "http://prometheus.test").model_copy(
        update={"prometheus_lead_seconds": 300, "prometheus_min_window_seconds": 600}
    )
    targets = PrometheusTargets(config, 42)
    trigger = targets.trigger("x", ["api"], 10_000)
    assert targets.monitor_config(trigger, now=12_000).window_seconds == 2_300
    assert targets.monitor_config(trigger, now=10_100).window_seconds == 600
    assert targets.monitor_config(trigger, now=10_100).verify_seconds == 42


def test_prometheus_targets_exist_only_where_a_url_is_configured(tmp_path: Path) -> None:
    configured = PrometheusTargets.configured(settings(tmp_path, "http://prometheus.test"), 42)
    assert configured is not None and configured.verify_seconds == 42
    without = ApiSettings(data_dir=tmp_path / "adsh", prometheus_url=None)
    assert PrometheusTargets.configured(without, 42) is None
