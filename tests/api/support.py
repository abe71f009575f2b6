"""Helpers for API tests: named tokens, waiting for runs, a live uvicorn server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from agents.predictor import Prediction
from api.auth import Principal, Role, TokenStore, hash_token

ACCOUNTS: dict[str, tuple[Role, ...]] = {
    "olga": (Role.OPERATOR,),
    "oscar": (Role.OPERATOR,),
    "pat": (Role.OPERATOR, Role.APPROVER),
    "ana": (Role.APPROVER,),
    "bo": (Role.APPROVER,),
    "cy": (Role.APPROVER,),
    "vera": (Role.VIEWER,),
    "ada": (Role.ADMIN,),
}


class Recorder:
    """A notifier that keeps what it was sent."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def notify(self, event: dict[str, Any]) -> str:
        self.events.append(event)
        return "ok"


def disk_prediction(service: str, hours: float) -> Prediction:
    """A confident prediction that `service`'s disk fills in `hours`."""
    return Prediction(service=service, signal="disk_util", failure="disk full", current=0.9,
                      threshold=0.985, slope_per_day=0.1, seconds_to_threshold=hours * 3600,
                      interval_seconds=(hours * 3000, hours * 4000), confidence=0.9,
                      recent_slope_per_day=0.1, remedy="rotate_logs", at=0)  # fmt: skip


def token_of(name: str) -> str:
    return f"test-token-{name}"


def auth(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_of(name)}"}


def token_store() -> TokenStore:
    store = TokenStore()
    for name, roles in ACCOUNTS.items():
        store.add(hash_token(token_of(name)), Principal(name, frozenset(roles)))
    return store


def wait_idle(client: TestClient, incident_id: str, timeout: float = 60.0) -> dict[str, Any]:
    """Poll until the investigation's run has finished; returns its body."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/v1/investigations/{incident_id}", headers=auth("vera")).json()
        if not body["busy"]:
            return body
        time.sleep(0.05)
    raise AssertionError(f"{incident_id} still busy after {timeout}s")


def start(client: TestClient, scenario: str, requester: str = "olga") -> dict[str, Any]:
    """Trigger a scenario as `requester` and wait for the run to stop."""
    response = client.post(
        "/v1/investigations",
        json={"kind": "scenario", "scenario": scenario, "seed": 1},
        headers=auth(requester),
    )
    assert response.status_code == 202, response.text
    return wait_idle(client, response.json()["id"])


@dataclass
class LiveServer:
    url: str
    app: FastAPI


@contextmanager
def serving(app: FastAPI) -> Iterator[LiveServer]:
    """uvicorn on a free loopback port, in a thread, stopped on exit."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
