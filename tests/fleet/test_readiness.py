"""Readiness in fleet mode reflects Redis (ping, event relay) and the database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.fleet.backends import RedisNotConfigured, database_problem, redis_client
from api.fleet.service import QueuedInvestigationService
from api.settings import ApiSettings
from tests.api.support import token_store


@pytest.fixture
def fleet_client(fleet_settings: ApiSettings, pg_url: str) -> Iterator[TestClient]:
    settings = ApiSettings.model_validate({**fleet_settings.model_dump(), "database_url": pg_url})
    with TestClient(create_app(settings, token_store())) as test_client:
        yield test_client


def test_ready_when_redis_and_postgresql_answer(fleet_client: TestClient) -> None:
    service = fleet_client.app.state.adsh.service  # type: ignore[attr-defined]
    assert isinstance(service, QueuedInvestigationService)
    response = fleet_client.get("/readyz")
    assert response.status_code == 200, response.text


def test_not_ready_when_redis_stops_answering(fleet_client: TestClient) -> None:
    service = fleet_client.app.state.adsh.service  # type: ignore[attr-defined]
    service.client = redis.Redis(port=1, socket_connect_timeout=0.5)  # nothing listens there
    response = fleet_client.get("/readyz")
    assert response.status_code == 503
    assert "Redis not reachable" in response.json()["message"]


def test_a_database_that_does_not_answer_is_named(fleet_settings: ApiSettings) -> None:
    settings = fleet_settings.model_copy(
        update={"database_url": SecretStr("postgresql://postgres@127.0.0.1:1/adsh")}
    )
    problem = database_problem(settings)
    assert problem is not None and "PostgreSQL" in problem and "not reachable" in problem


def test_fleet_commands_need_a_redis_url(fleet_settings: ApiSettings) -> None:
    with pytest.raises(RedisNotConfigured, match="ADSH_REDIS_URL is not set"):
        redis_client(fleet_settings.model_copy(update={"redis_url": None}))
    with pytest.raises(RedisNotConfigured, match="not reachable"):
        redis_client(fleet_settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"}))
