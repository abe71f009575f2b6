"""Bearer tokens: 401 without a valid one, 403 without the role, every endpoint and role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.auth import Role, TokenConfigError, dev_tokens, hash_token, load_tokens
from api.serve import server_tokens
from api.settings import ApiSettings
from tests.api.support import auth

MISSING = "inc-00000000"
SCENARIO = {"kind": "scenario", "scenario": "memory-leak-catalog"}
ALERTS = {
    "version": "4",
    "groupKey": "g",
    "status": "firing",
    "receiver": "adsh",
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "X"},
            "startsAt": "2026-01-01T00:00:00Z",
            "fingerprint": "f1",
        }
    ],
}
ALL = {"olga", "ana", "vera", "ada"}
# (method, path, body, accounts allowed): olga operator, ana approver, vera viewer, ada admin
MATRIX = [
    ("GET", "/v1/investigations", None, ALL),
    ("GET", f"/v1/investigations/{MISSING}", None, ALL),
    ("GET", f"/v1/investigations/{MISSING}/checkpoints", None, ALL),
    ("GET", f"/v1/investigations/{MISSING}/metrics", None, ALL),
    ("GET", f"/v1/investigations/{MISSING}/messages", None, ALL),
    ("GET", "/v1/me", None, ALL),
    ("GET", "/v1/scenarios", None, ALL),
    ("POST", "/v1/investigations", SCENARIO, {"olga", "ada"}),
    ("POST", f"/v1/investigations/{MISSING}/messages", {"text": "why?"}, {"olga", "ada"}),
    ("POST", "/v1/alerts/alertmanager", ALERTS, {"olga", "ada"}),
    ("POST", f"/v1/investigations/{MISSING}/approvals", {"decision": "approve"}, {"ana"}),
    (
        "POST",
        f"/v1/investigations/{MISSING}/override",
        {"decision": "approve", "reason": "pager storm, approvers asleep"},
        {"ada"},
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "allowed"), MATRIX)
def test_each_endpoint_refuses_without_token(
    client: TestClient, method: str, path: str, body: object, allowed: set[str]
) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eDp5"}):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (path, headers)
        assert response.json()["error"] == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path", "body", "allowed"), MATRIX)
def test_each_endpoint_by_role(
    client: TestClient, method: str, path: str, body: object, allowed: set[str]
) -> None:
    for name in sorted(ALL):
        response = client.request(method, path, json=body, headers=auth(name))
        if name in allowed:
            assert response.status_code not in (401, 403), (name, path, response.text)
        else:
            assert response.status_code == 403, (name, path, response.text)
            assert response.json() == {
                "error": "forbidden",
                "message": response.json()["message"],
            }
            assert name in response.json()["message"]


def test_public_endpoints_need_no_token(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    assert client.get("/metrics").status_code == 200
    assert "ADSH" in client.get("/").text


def test_tokens_are_configured_as_hashes(tmp_path: Path) -> None:
    config = {hash_token("s3cret"): {"name": "ana", "roles": ["approver"]}}
    store = load_tokens(json.dumps(config), None)
    principal = store.lookup("s3cret")
    assert principal is not None and principal.name == "ana"
    assert principal.roles == frozenset({Role.APPROVER})
    assert store.lookup(hash_token("s3cret")) is None  # the hash itself is not a token
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({hash_token("t2"): {"name": "bo", "roles": ["viewer"]}}))
    both = load_tokens(json.dumps(config), path)
    assert len(both) == 2


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ("{", "not valid JSON"),
        ("[]", "JSON object"),
        ('{"abc": {"name": "x", "roles": ["viewer"]}}', "SHA-256"),
        (json.dumps({"a" * 64: {"name": "x", "roles": ["root"]}}), "roles must be"),
        (json.dumps({"a" * 64: {"roles": ["viewer"]}}), "expected"),
        (json.dumps({"a" * 64: {"name": "bad name", "roles": ["viewer"]}}), "name must"),
    ],
)
def test_bad_token_config_names_the_problem(config: str, fragment: str) -> None:
    with pytest.raises(TokenConfigError, match=fragment):
        load_tokens(config, None)


def test_dev_mode_generates_one_token_per_account_and_prints_them(tmp_path: Path) -> None:
    lines: list[str] = []
    store = server_tokens(ApiSettings(data_dir=tmp_path), lines.append)
    assert "dev mode" in lines[0]
    tokens = [line.split()[-1] for line in lines[1:]]
    assert len(tokens) == len(store) == 6
    names = {store.lookup(t).name for t in tokens}  # type: ignore[union-attr]
    assert {"dev-operator", "dev-approver-1", "dev-approver-2", "dev-approver-3"} <= names
    assert all(t not in store.principals for t in tokens)  # only hashes are kept
    assert dev_tokens()[1] != dev_tokens()[1]  # fresh per start


def test_configured_tokens_disable_dev_mode(tmp_path: Path) -> None:
    config = json.dumps({hash_token("x"): {"name": "ana", "roles": ["approver"]}})
    lines: list[str] = []
    store = server_tokens(ApiSettings(data_dir=tmp_path, api_tokens=config), lines.append)
    assert len(store) == 1 and not lines
