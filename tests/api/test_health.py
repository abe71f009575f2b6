"""GET /v1/health and POST /v1/feedback: roles, shapes, the audit trail."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.settings import ApiSettings
from memory.audit import AuditTrail
from tests.api.support import auth


def test_health_report_for_a_viewer_and_not_anonymously(client: TestClient) -> None:
    assert client.get("/v1/health").status_code == 401
    body = client.get("/v1/health?seed=2", headers=auth("vera")).json()
    assert set(body) >= {"anomalies", "capacity_predictions", "failure_predictions", "trends",
                         "recommendations"}  # fmt: skip
    disks = [p for p in body["capacity_predictions"] if p["signal"] == "disk_util"]
    assert disks and all(p["seconds_to_threshold"] > 7 * 86_400 for p in disks)
    assert all(r["type"] == "PREVENTIVE_MAINTENANCE" for r in body["recommendations"])


def test_feedback_needs_an_operator_and_is_audited(
    client: TestClient, api_settings: ApiSettings
) -> None:
    payload = {"about": "inc-1", "service": "cache", "signal": "memory_util",
               "verdict": "false_alarm"}  # fmt: skip
    assert client.post("/v1/feedback", json=payload, headers=auth("vera")).status_code == 403
    response = client.post("/v1/feedback", json=payload, headers=auth("olga"))
    assert response.status_code == 200, response.text
    assert response.json()["sensitivity"] < 1.0
    bad = client.post("/v1/feedback", json={**payload, "verdict": "meh"}, headers=auth("olga"))
    assert bad.status_code == 422
    unknown = client.post("/v1/feedback", json={**payload, "signal": "memroy_util"},
                          headers=auth("olga"))  # fmt: skip
    assert unknown.status_code == 422 and "memory_util" in unknown.text  # lists the known ones
    entries = AuditTrail(api_settings.audit_path).entries("inc-1")  # found by what it is about
    assert [(e.body["kind"], e.body["actor"]) for e in entries] == [("feedback", "olga")]
    assert entries[0].body["after"] < 1.0
