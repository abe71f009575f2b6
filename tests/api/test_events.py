"""Server-sent events over a real server: timeline lines and approval requests arrive live."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx

from tests.api.support import LiveServer, auth


def read_events(url: str, until: str, found: list[dict[str, Any]], headers: dict[str, str]) -> None:
    with (
        httpx.Client(timeout=60) as http,
        http.stream("GET", url + "/v1/events", headers=headers) as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        event: dict[str, Any] = {}
        for line in response.iter_lines():
            if line.startswith("id: "):
                event = {"id": int(line[4:])}
            elif line.startswith("event: "):
                event["type"] = line[7:]
            elif line.startswith("data: "):
                event["data"] = json.loads(line[6:])
                found.append(event)
                if event["type"] == until:
                    return


def test_sse_delivers_timeline_and_approval_request(live_server: LiveServer) -> None:
    found: list[dict[str, Any]] = []
    reader = threading.Thread(
        target=read_events,
        args=(live_server.url, "approval_requested", found, auth("vera")),
        daemon=True,
    )
    reader.start()
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        while live_server.app.state.adsh.service.hub.subscriber_count == 0:
            reader.join(0.05)
        accepted = http.post(
            "/v1/investigations",
            json={"kind": "scenario", "scenario": "certificate-expiry-auth"},
            headers=auth("olga"),
        ).json()
    reader.join(60)
    assert not reader.is_alive(), f"no approval_requested event; got {found}"
    types = [e["type"] for e in found]
    assert types[0] == "accepted" and "timeline" in types and "status" in types
    nodes = [e["data"]["node"] for e in found if e["type"] == "timeline"]
    assert nodes[:3] == ["detect", "diagnose", "plan"]
    request = found[-1]["data"]
    assert request["incident"] == accepted["id"] and request["level"] == "HIGH"
    assert [e["id"] for e in found] == sorted(e["id"] for e in found)


def test_reconnect_with_last_event_id_replays_missed_events(live_server: LiveServer) -> None:
    hub = live_server.app.state.adsh.service.hub
    first = hub.publish("status", "inc-1", status="ANALYZING")
    hub.publish("status", "inc-1", status="PLANNING")
    found: list[dict[str, Any]] = []
    headers = {**auth("vera"), "Last-Event-ID": str(first.id)}
    reader = threading.Thread(
        target=read_events, args=(live_server.url, "status", found, headers), daemon=True
    )
    reader.start()
    reader.join(30)
    assert found[0]["data"]["status"] == "PLANNING"


def test_events_need_a_token(live_server: LiveServer) -> None:
    response = httpx.get(live_server.url + "/v1/events", timeout=10)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
