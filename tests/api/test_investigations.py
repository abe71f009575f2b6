"""Investigations end to end over HTTP: risk routes, separation of duties, distinct approvers."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.settings import ApiSettings
from tests.api.support import auth, start, wait_idle


def approve(client: TestClient, incident_id: str, name: str, decision: str = "approve") -> int:
    response = client.post(
        f"/v1/investigations/{incident_id}/approvals",
        json={"decision": decision, "comment": f"{name} checked"},
        headers=auth(name),
    )
    if response.status_code == 202:
        assert response.json()["approver"] == name
        wait_idle(client, incident_id)
    return response.status_code


def test_low_risk_completes_with_no_approval(client: TestClient) -> None:
    body = start(client, "memory-leak-catalog")
    assert body["status"] == "COMPLETED"
    assert body["risk"]["level"] == "LOW" and body["approvals"] == []
    assert body["executions"][0]["action"] == "restart_service"
    assert body["requester"] == "olga"
    assert {"root_causes", "timeline", "plan", "diagnosis"} <= set(body)


def test_post_returns_at_once_with_the_id(client: TestClient) -> None:
    response = client.post(
        "/v1/investigations",
        json={"kind": "scenario", "scenario": "memory-leak-catalog"},
        headers=auth("olga"),
    )
    assert response.status_code == 202
    accepted = response.json()
    assert accepted["status"] == "QUEUED" and accepted["id"].startswith("inc-")
    assert accepted["links"]["self"] == f"/v1/investigations/{accepted['id']}"
    assert wait_idle(client, accepted["id"])["status"] == "COMPLETED"


def test_high_needs_one_approver_and_requester_cannot_approve(client: TestClient) -> None:
    body = start(client, "certificate-expiry-auth", requester="pat")
    assert body["status"] == "AWAITING_APPROVAL"
    assert body["pending_approval"]["required_approvals"] == 1
    assert approve(client, body["id"], "pat") == 403  # pat triggered it, though an approver
    assert approve(client, body["id"], "ana") == 202
    done = wait_idle(client, body["id"])
    assert done["status"] == "COMPLETED"
    assert [a["approver"] for a in done["approvals"]] == ["ana"]


def test_critical_needs_three_distinct_approvers(client: TestClient) -> None:
    body = start(client, "network-delay-database")
    incident_id = body["id"]
    assert body["risk"]["level"] == "CRITICAL"
    assert body["pending_approval"]["required_approvals"] == 3
    assert approve(client, incident_id, "ana") == 202
    assert approve(client, incident_id, "ana") == 403  # the same approver counts once
    assert approve(client, incident_id, "bo") == 202
    waiting = wait_idle(client, incident_id)
    assert waiting["status"] == "AWAITING_APPROVAL"
    assert sorted(waiting["pending_approval"]["approved_by"]) == ["ana", "bo"]
    assert approve(client, incident_id, "cy") == 202
    assert wait_idle(client, incident_id)["status"] == "COMPLETED"


def test_reject_fails_with_nothing_executed(client: TestClient) -> None:
    body = start(client, "certificate-expiry-auth")
    assert approve(client, body["id"], "ana", "reject") == 202
    done = wait_idle(client, body["id"])
    assert done["status"] == "FAILED" and done["executions"] == []
    assert approve(client, body["id"], "bo") == 409


def test_decision_while_running_is_a_conflict(client: TestClient) -> None:
    body = start(client, "network-delay-database")
    first = client.post(
        f"/v1/investigations/{body['id']}/approvals",
        json={"decision": "approve"},
        headers=auth("ana"),
    )
    second = client.post(
        f"/v1/investigations/{body['id']}/approvals",
        json={"decision": "approve"},
        headers=auth("bo"),
    )
    assert first.status_code == 202
    assert second.status_code in (202, 409)  # 409 while ana's decision is being applied
    if second.status_code == 409:
        assert second.json()["error"] == "conflict"
    wait_idle(client, body["id"])


def test_admin_override_counts_for_every_missing_approval(
    client: TestClient, api_settings: ApiSettings
) -> None:
    body = start(client, "network-delay-database")
    url = f"/v1/investigations/{body['id']}/override"
    missing_reason = client.post(url, json={"decision": "approve"}, headers=auth("ada"))
    assert missing_reason.status_code == 422
    response = client.post(
        url,
        json={"decision": "approve", "reason": "database down, approvers unreachable"},
        headers=auth("ada"),
    )
    assert response.status_code == 202 and response.json()["counts_as"] == 3
    done = wait_idle(client, body["id"])
    assert done["status"] == "COMPLETED"
    [override] = done["approvals"]
    assert (override["approver"], override["decision"]) == ("ada", "override")
    assert "approvers unreachable" in override["comment"]
    logged = [json.loads(line) for line in api_settings.overrides_path.read_text().splitlines()]
    assert logged[0]["admin"] == "ada" and "unreachable" in logged[0]["reason"]


def test_override_never_bypasses_a_hard_constraint_block(client: TestClient) -> None:
    body = start(client, "disk-full-database")
    assert body["status"] == "ESCALATED" and body["risk"]["violations"]
    response = client.post(
        f"/v1/investigations/{body['id']}/override",
        json={"decision": "approve", "reason": "just do it, it is an emergency"},
        headers=auth("ada"),
    )
    assert response.status_code == 409
    assert "not waiting for approval" in response.json()["message"]


def test_admin_who_triggered_cannot_override(client: TestClient) -> None:
    body = start(client, "certificate-expiry-auth", requester="ada")
    response = client.post(
        f"/v1/investigations/{body['id']}/override",
        json={"decision": "approve", "reason": "I opened it and I approve it"},
        headers=auth("ada"),
    )
    assert response.status_code == 403


def test_list_filters_by_status_and_shows_checkpoints(client: TestClient) -> None:
    done = start(client, "memory-leak-catalog")
    waiting = start(client, "certificate-expiry-auth")
    assert done["id"] != waiting["id"]
    rows = client.get("/v1/investigations", headers=auth("vera")).json()
    assert [r["id"] for r in rows] == [waiting["id"], done["id"]]
    assert rows[0]["risk"] == "HIGH" and rows[0]["top_cause"] == "certificate_expiry@auth"
    only = client.get("/v1/investigations?status=COMPLETED", headers=auth("vera")).json()
    assert [r["id"] for r in only] == [done["id"]]
    history = client.get(f"/v1/investigations/{done['id']}/checkpoints", headers=auth("vera"))
    assert history.json()[-1]["status"] == "COMPLETED"


def test_metrics_series_around_the_incident(client: TestClient) -> None:
    body = start(client, "certificate-expiry-auth")
    data = client.get(f"/v1/investigations/{body['id']}/metrics", headers=auth("vera")).json()
    names = {(s["service"], s["metric"]) for s in data["series"]}
    assert ("auth", "throughput_rps") in names
    assert all(0 < len(s["values"]) <= 120 for s in data["series"])
    assert data["start"] < body["window_start"] < data["end"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/v1/investigations/inc-deadbeef", None, 404),
        ("GET", "/v1/investigations/inc-deadbeef/checkpoints", None, 404),
        ("POST", "/v1/investigations/inc-deadbeef/approvals", {"decision": "approve"}, 404),
        ("GET", "/v1/investigations/bad%20id", None, 422),
        ("POST", "/v1/investigations", {"kind": "scenario", "scenario": "nope"}, 422),
        (
            "POST",
            "/v1/investigations",
            {"kind": "scenario", "scenario": "cache-failure", "seed": -1},
            422,
        ),
        ("POST", "/v1/investigations", {"kind": "telepathy"}, 422),
        ("POST", "/v1/investigations", [], 422),
        ("GET", "/v1/investigations?limit=0", None, 422),
    ],
)
def test_bad_input_gets_a_json_error(
    client: TestClient, method: str, path: str, body: object, status: int
) -> None:
    response = client.request(method, path, json=body, headers=auth("pat"))
    assert response.status_code == status, response.text
    error = response.json()
    assert set(error) >= {"error", "message"} and error["message"]


def test_oversized_body_is_413(client: TestClient) -> None:
    big = {"kind": "scenario", "scenario": "cache-failure", "pad": "x" * 70_000}
    response = client.post("/v1/investigations", json=big, headers=auth("olga"))
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts what arrives
        for _ in range(80):
            yield b"x" * 1024

    streamed = client.post(
        "/v1/investigations",
        content=chunks(),
        headers={**auth("olga"), "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413


def test_malformed_json_is_422(client: TestClient) -> None:
    response = client.post(
        "/v1/investigations",
        content=b"{not json",
        headers={**auth("olga"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"


def test_a_telemetry_window_opens_an_investigation_on_the_live_target(client: TestClient) -> None:
    body = {"kind": "window", "since": 1767225600, "services": ["checkout"]}
    response = client.post("/v1/investigations", json=body, headers=auth("olga"))
    assert response.status_code == 202, response.text
    done = wait_idle(client, response.json()["id"])
    # Without ADSH_PROMETHEUS_URL the live target is the alert sandbox, healthy here: L0.
    assert done["status"] == "RESOLVED_NO_ACTION"
    assert done["trigger"]["summary"] == "telemetry window since 1767225600"
    bad = {"kind": "window", "since": -5, "services": ["no spaces allowed"]}
    assert client.post("/v1/investigations", json=bad, headers=auth("olga")).status_code == 422


def test_the_list_skips_an_incident_pruned_while_the_server_runs(
    client: TestClient, app: FastAPI
) -> None:
    kept = start(client, "memory-leak-catalog")["id"]
    pruned = start(client, "cpu-saturation-inventory")["id"]
    # what `adsh checkpoints prune` in another process does to a finished incident
    app.state.adsh.service.runner.saver.delete_thread(pruned)
    listed = client.get("/v1/investigations", headers=auth("vera"))
    assert listed.status_code == 200, listed.text
    assert [row["id"] for row in listed.json()] == [kept]
