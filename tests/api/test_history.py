"""Replay and fork over HTTP: verdicts, what-if branches, roles and refusals."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.support import auth, start, wait_idle


def _approved_high(client: TestClient) -> str:
    body = start(client, "certificate-expiry-auth")
    response = client.post(f"/v1/investigations/{body['id']}/approvals",
                           json={"decision": "approve"}, headers=auth("ana"))  # fmt: skip
    assert response.status_code == 202
    assert wait_idle(client, body["id"])["status"] == "COMPLETED"
    return str(body["id"])


def _waiting_checkpoint(client: TestClient, incident_id: str) -> str:
    history = client.get(f"/v1/investigations/{incident_id}/checkpoints", headers=auth("vera"))
    assert history.status_code == 200
    return next(c["checkpoint_id"] for c in history.json() if "await_approval" in c["next"])


def test_replay_returns_an_identical_verdict(client: TestClient) -> None:
    incident_id = _approved_high(client)
    url = f"/v1/investigations/{incident_id}/replay"
    verdict = client.post(url, json={"verify": True}, headers=auth("olga"))
    assert verdict.status_code == 200
    body = verdict.json()
    assert (body["identical"], body["divergence"], body["actions_executed"]) == (True, None, 0)
    assert body["final_status"] == "COMPLETED"
    assert client.post(url, json={}, headers=auth("vera")).status_code == 403
    missing = client.post(url, json={"from_checkpoint": "nope"}, headers=auth("olga"))
    assert missing.status_code == 404 and "nope" in missing.json()["message"]
    unknown = client.post("/v1/investigations/inc-00000000/replay", json={}, headers=auth("olga"))
    assert unknown.status_code == 404


def test_fork_with_reject_fails_on_the_branch_only(client: TestClient) -> None:
    incident_id = _approved_high(client)
    at = _waiting_checkpoint(client, incident_id)
    url = f"/v1/investigations/{incident_id}/fork"
    accepted = client.post(url, json={"at": at, "decision": "reject"}, headers=auth("pat"))
    assert accepted.status_code == 202, accepted.text
    branch = wait_idle(client, accepted.json()["id"])
    assert branch["status"] == "FAILED" and branch["executions"] == []
    original = client.get(f"/v1/investigations/{incident_id}", headers=auth("vera")).json()
    assert original["status"] == "COMPLETED"


def test_fork_refusals(client: TestClient) -> None:
    incident_id = _approved_high(client)
    at = _waiting_checkpoint(client, incident_id)
    url = f"/v1/investigations/{incident_id}/fork"
    no_role = client.post(url, json={"at": at, "decision": "reject"}, headers=auth("oscar"))
    assert no_role.status_code == 403
    assert client.post(url, json={"at": at}, headers=auth("vera")).status_code == 403
    assert client.post(url, json={"at": "nope"}, headers=auth("olga")).status_code == 404
    bad = client.post(url, json={"at": at, "set": {"executions": []}}, headers=auth("olga"))
    assert bad.status_code == 422 and "cannot be changed" in bad.json()["message"]
    extra = client.post(url, json={"at": at, "surprise": 1}, headers=auth("olga"))
    assert extra.status_code == 422
