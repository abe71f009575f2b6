"""The Alertmanager webhook: validation, dedupe by fingerprint, resolve notices."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.settings import ApiSettings
from api.targets import SandboxTargets
from tests.api.support import auth, wait_idle

URL = "/v1/alerts/alertmanager"


def alert(
    fingerprint: str, status: str = "firing", name: str = "AuthDown", service: str = "auth"
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "status": status,
        "labels": {"alertname": name, "service": service, "severity": "page"},
        "annotations": {"summary": "auth refuses TLS handshakes"},
        "startsAt": "2026-01-02T03:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.example/graph",
        "fingerprint": fingerprint,
    }
    if status == "resolved":
        item["endsAt"] = "2026-01-02T03:30:00Z"
    return item


def payload(*alerts: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "4",
        "groupKey": '{}:{alertname="AuthDown"}',
        "truncatedAlerts": 0,
        "status": alerts[0]["status"],
        "receiver": "adsh",
        "groupLabels": {"alertname": "AuthDown"},
        "commonLabels": {"alertname": "AuthDown"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example",
        "alerts": list(alerts),
    }


def send(client: TestClient, *alerts: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post(URL, json=payload(*alerts), headers=auth("olga"))
    assert response.status_code == 202, response.text
    return response.json()["results"]


@pytest.fixture
def faulty_alert_target(api_settings: ApiSettings) -> None:
    """The sandbox that alert-opened investigations run against, with a HIGH-risk fault."""
    SandboxTargets(api_settings.sandbox_dir).prepare(
        api_settings.alert_sandbox_env, "certificate-expiry-auth", 1
    )


@pytest.mark.usefixtures("faulty_alert_target")
def test_firing_opens_then_the_same_fingerprint_attaches(client: TestClient) -> None:
    first = send(client, alert("fp-1"), alert("fp-2"))
    assert [r["action"] for r in first] == ["opened", "attached"]
    incident_id = first[0]["incident"]
    assert first[1]["incident"] == incident_id  # one investigation per webhook group
    body = wait_idle(client, incident_id)
    assert body["status"] == "AWAITING_APPROVAL"
    assert body["trigger"]["kind"] == "alert" and "AuthDown" in body["trigger"]["summary"]
    assert body["requester"] == "olga"

    again = send(client, alert("fp-1"))
    assert again == [
        {"fingerprint": "fp-1", "status": "firing", "action": "attached", "incident": incident_id}
    ]
    resolved = send(client, alert("fp-1", "resolved"))
    assert resolved[0]["action"] == "resolved" and resolved[0]["incident"] == incident_id
    records = client.get(f"/v1/investigations/{incident_id}", headers=auth("vera")).json()
    by_fp = {a["fingerprint"]: a for a in records["alerts"]}
    assert by_fp["fp-1"]["status"] == "resolved" and by_fp["fp-1"]["times_seen"] == 3
    assert by_fp["fp-1"]["ends_at"].startswith("2026-01-02T03:30")
    assert by_fp["fp-2"]["status"] == "firing"
    listed = client.get("/v1/investigations", headers=auth("vera")).json()
    assert len(listed) == 1


@pytest.mark.usefixtures("faulty_alert_target")
def test_a_closed_investigation_is_not_reused(client: TestClient) -> None:
    incident_id = send(client, alert("fp-9"))[0]["incident"]
    wait_idle(client, incident_id)
    client.post(
        f"/v1/investigations/{incident_id}/approvals",
        json={"decision": "reject"},
        headers=auth("ana"),
    )
    assert wait_idle(client, incident_id)["status"] == "FAILED"
    again = send(client, alert("fp-9"))
    assert again[0]["action"] == "opened" and again[0]["incident"] != incident_id


@pytest.mark.usefixtures("faulty_alert_target")
def test_later_symptoms_of_the_same_service_join_its_open_investigation(
    client: TestClient,
) -> None:
    incident_id = send(client, alert("fp-cert"))[0]["incident"]
    assert wait_idle(client, incident_id)["status"] == "AWAITING_APPROVAL"
    # A later call: auth's error alert (new fingerprint) and, grouped with it, a caller's.
    later = send(
        client,
        alert("fp-errors", name="HighErrorRate"),
        alert("fp-cart", name="HighErrorRate", service="cart"),
    )
    assert [(r["action"], r["incident"]) for r in later] == [("attached", incident_id)] * 2
    elsewhere = send(client, alert("fp-pay", name="HighErrorRate", service="payment"))
    assert elsewhere[0]["action"] == "opened" and elsewhere[0]["incident"] != incident_id
    wait_idle(client, elsewhere[0]["incident"])
    names = {
        (a["alertname"], a["labels"]["service"]) for a in wait_idle(client, incident_id)["alerts"]
    }
    assert names == {("AuthDown", "auth"), ("HighErrorRate", "auth"), ("HighErrorRate", "cart")}


def test_resolved_without_investigation_is_ignored(client: TestClient) -> None:
    assert send(client, alert("fp-x", "resolved"))[0]["action"] == "ignored"
    assert client.get("/v1/investigations", headers=auth("vera")).json() == []


def test_healthy_alert_target_resolves_without_action(client: TestClient) -> None:
    incident_id = send(client, alert("fp-h"))[0]["incident"]
    assert wait_idle(client, incident_id)["status"] == "RESOLVED_NO_ACTION"


@pytest.mark.usefixtures("faulty_alert_target")
def test_alert_as_investigation_trigger_dedupes_too(client: TestClient) -> None:
    body = {"kind": "alert", "alert": alert("fp-t")}
    first = client.post("/v1/investigations", json=body, headers=auth("olga")).json()
    second = client.post("/v1/investigations", json=body, headers=auth("oscar")).json()
    assert second["id"] == first["id"] and second["attached"] and not first["attached"]
    resolved = {"kind": "alert", "alert": alert("fp-t", "resolved")}
    refused = client.post("/v1/investigations", json=resolved, headers=auth("olga"))
    assert refused.status_code == 422
    wait_idle(client, first["id"])


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p.update(version="3"),
        lambda p: p.update(alerts=[]),
        lambda p: p["alerts"][0]["labels"].pop("alertname"),
        lambda p: p["alerts"][0].update(fingerprint=""),
        lambda p: p["alerts"][0].update(startsAt="yesterday"),
        lambda p: p["alerts"][0].update(status="pending"),
        lambda p: p.pop("receiver"),
    ],
)
def test_invalid_payloads_are_422(client: TestClient, mutate: Any) -> None:
    body = payload(alert("fp-1"))
    mutate(body)
    response = client.post(URL, json=body, headers=auth("olga"))
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"


def test_an_investigation_another_process_claimed_counts_as_open(client: TestClient) -> None:
    """Another API process on the same store allocated it and has not run it yet."""
    service = client.app.state.adsh.service  # type: ignore[attr-defined]
    ids = service.runner.stores.ids
    assert ids.claim("inc-elsewhere")
    assert service.is_open("inc-elsewhere")
    ids.db.execute("INSERT INTO incident_ids (id, claimed_at) VALUES ('inc-old', 1.0)")
    assert not service.is_open("inc-old")  # claimed long ago, never run: not open
    assert not service.is_open("inc-never")
