"""Operator questions answered from the incident's state, directly and over HTTP."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi.testclient import TestClient

from api.chat import HELP, answer
from graphs.state import IncidentState
from tests.agents.llm.conftest import gateway
from tests.api.support import auth, start


@pytest.fixture
def incident(client: TestClient) -> IncidentState:
    body = start(client, "network-delay-database")
    return client.app.state.adsh.service.get(body["id"])  # type: ignore[attr-defined]


def test_why_the_database_cites_its_evidence(incident: IncidentState) -> None:
    reply = answer(incident, "Why the database?")
    assert reply.topic == "why"
    assert "network_delay at database" in reply.text
    top = incident.diagnosis.root_causes[0]  # type: ignore[union-attr]
    assert top.evidence[0].summary in reply.text


def test_why_a_service_that_is_no_hypothesis(incident: IncidentState) -> None:
    reply = answer(incident, "why cache?", services=["cache", "database"])
    assert "cache is not among the hypotheses" in reply.text


def test_rollback_lists_each_steps_undo(incident: IncidentState) -> None:
    reply = answer(incident, "What will the rollback do?")
    assert reply.topic == "rollback"
    step = incident.plan.steps[0]  # type: ignore[union-attr]
    assert f"{step.name}({step.target})" in reply.text
    assert (step.rollback or "nothing to undo") in reply.text


def test_errors_for_a_service(incident: IncidentState) -> None:
    services = {a.service for a in incident.diagnosis.anomalies}  # type: ignore[union-attr]
    name = sorted(services)[0]
    reply = answer(incident, f"show the errors for {name}")
    assert reply.topic == "errors" and f"for {name}:" in reply.text
    quiet = answer(incident, "show the errors for queue", services=["queue"])
    assert "No anomalies or error evidence for queue" in quiet.text


def test_plan_risk_status_and_help(incident: IncidentState) -> None:
    assert "failover_database" in answer(incident, "what is the plan?").text
    assert "Risk CRITICAL" in answer(incident, "what is the risk?").text
    assert "AWAITING_APPROVAL" in answer(incident, "status?").text
    unknown = answer(incident, "sing me a song")
    assert unknown.topic == "help" and unknown.text == HELP


def test_chat_over_http_is_kept_in_order(client: TestClient, incident: IncidentState) -> None:
    url = f"/v1/investigations/{incident.id}/messages"
    posted = client.post(url, json={"text": "why the database?"}, headers=auth("olga"))
    assert posted.status_code == 201
    assert posted.json()["author"] == "olga" and posted.json()["topic"] == "why"
    assert posted.json()["after_entry"] == len(incident.timeline)
    client.post(url, json={"text": "what will the rollback do?"}, headers=auth("ada"))
    transcript = client.get(url, headers=auth("vera")).json()
    assert [m["topic"] for m in transcript] == ["why", "rollback"]
    assert client.post(url, json={"text": ""}, headers=auth("olga")).status_code == 422
    missing = client.post(
        "/v1/investigations/inc-0/messages", json={"text": "hi"}, headers=auth("olga")
    )
    assert missing.status_code == 404


def test_a_model_answer_counts_in_the_incidents_llm_usage(client: TestClient) -> None:
    def completion(request: httpx.Request) -> httpx.Response:
        body = {
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1764000000,
            "model": "gpt-4o-mini",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {
                "role": "assistant", "content": json.dumps({"answer": "the pool is full"})}}],
            "usage": {"prompt_tokens": 300, "completion_tokens": 20, "total_tokens": 320},
        }  # fmt: skip
        return httpx.Response(200, json=body)

    incident_id = start(client, "memory-leak-catalog")["id"]
    runner = client.app.state.adsh.service.runner  # type: ignore[attr-defined]
    runner.llm = gateway(httpx.Client(transport=httpx.MockTransport(completion)))
    for _ in range(2):
        asked = client.post(f"/v1/investigations/{incident_id}/messages",
                            json={"text": "why?"}, headers=auth("olga"))  # fmt: skip
        assert asked.status_code == 201 and asked.json()["answer"] == "the pool is full"
    usage = client.get(f"/v1/investigations/{incident_id}", headers=auth("vera")).json()
    assert usage["llm_usage"]["calls"] == 2
    assert usage["llm_usage"]["prompt_tokens"] == 600
    assert usage["llm_usage"]["cost_usd"] == round(2 * (300 * 0.15 + 20 * 0.6) / 1e6, 6)
