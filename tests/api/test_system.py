"""Health, readiness, Prometheus metrics, identity, scenarios and the console's assets."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.support import auth, start


def test_metrics_count_investigations_and_pending_approvals(client: TestClient) -> None:
    start(client, "memory-leak-catalog")
    start(client, "certificate-expiry-auth")
    text = client.get("/metrics").text
    assert 'adsh_investigations{status="COMPLETED"} 1.0' in text
    assert 'adsh_investigations{status="AWAITING_APPROVAL"} 1.0' in text
    assert "adsh_approvals_pending 1.0" in text
    assert 'adsh_step_latency_seconds_count{node="detect"}' in text


def test_me_and_scenarios(client: TestClient) -> None:
    assert client.get("/v1/me", headers=auth("pat")).json() == {
        "name": "pat",
        "roles": ["approver", "operator"],
    }
    rows = client.get("/v1/scenarios", headers=auth("vera")).json()
    levels = {r["name"]: r["risk_level"] for r in rows}
    assert levels["network-delay-database"] == "CRITICAL"
    assert levels["certificate-expiry-auth"] == "HIGH"


def test_console_and_its_modules_are_served_locally(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "/console/app.js" in page.text
    for asset in ("app.js", "api.js", "charts.js", "transcript.js", "style.css"):
        response = client.get(f"/console/{asset}")
        assert response.status_code == 200, asset
        assert "https://" not in response.text  # no CDN at run time


def test_openapi_document_lists_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/v1/investigations",
        "/v1/investigations/{incident_id}/approvals",
        "/v1/alerts/alertmanager",
        "/v1/events",
        "/metrics",
        "/healthz",
    ):
        assert path in paths


def test_unknown_route_and_method_are_json(client: TestClient) -> None:
    assert client.get("/v1/nothing").json()["error"] == "not_found"
    response = client.delete("/v1/investigations", headers=auth("ada"))
    assert response.status_code == 405 and response.json()["error"] == "method_not_allowed"
