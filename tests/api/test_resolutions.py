"""Resolving an escalated investigation over HTTP: roles, 404, 409 unless ESCALATED."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.support import auth, start

FIX = {"root_cause": "database:disk_full", "fix": ["rotate_logs"], "notes": "freed space"}


def _url(incident_id: str) -> str:
    return f"/v1/investigations/{incident_id}/resolution"


def test_resolution_of_an_escalated_investigation_proposes_a_runbook(client: TestClient) -> None:
    body = start(client, "disk-full-database")
    assert body["status"] == "ESCALATED", body["status"]
    assert client.post(_url(body["id"]), json=FIX, headers=auth("vera")).status_code == 403
    assert client.post(_url(body["id"]), json=FIX, headers=auth("oscar")).status_code == 201
    response = client.post(_url(body["id"]), json=FIX, headers=auth("ana"))
    assert response.status_code == 201, response.text
    accepted = response.json()
    assert accepted["resolved_by"] == "ana"
    assert accepted["proposed_runbook"] == "rb-learned-disk-full-rotate-logs"
    assert accepted["promote_with"] == "adsh runbooks promote rb-learned-disk-full-rotate-logs"


def test_resolution_refusals(client: TestClient) -> None:
    done = start(client, "memory-leak-catalog")
    assert done["status"] == "COMPLETED"
    conflict = client.post(_url(done["id"]), json=FIX, headers=auth("ada"))
    assert conflict.status_code == 409 and "ESCALATED" in conflict.json()["message"]
    missing = client.post(_url("inc-00000000"), json=FIX, headers=auth("ada"))
    assert missing.status_code == 404
    bad = {"root_cause": "no colon", "fix": ["rotate_logs"]}
    assert client.post(_url(done["id"]), json=bad, headers=auth("ada")).status_code == 422
    unknown_action = {"root_cause": "catalog:memory_leak", "fix": ["reboot_universe"]}
    assert (
        client.post(_url(done["id"]), json=unknown_action, headers=auth("ada")).status_code == 422
    )
