"""Fixtures for fleet tests: settings over the test Redis prefix, the queue, locks, a runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from api.fleet.keys import FleetKeys
from api.fleet.locks import IncidentLocks
from api.fleet.queue import WorkQueue
from api.settings import ApiSettings
from api.targets import SandboxTargets
from graphs.runner import IncidentRunner, open_runner


@pytest.fixture
def fleet_settings(tmp_path: Path, redis_url: str, redis_prefix: str) -> ApiSettings:
    return ApiSettings(
        data_dir=tmp_path / "adsh",
        memory=False,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        worker_lock_ttl_seconds=2.0,
        worker_reclaim_idle_seconds=2.0,
    )


@pytest.fixture
def client(redis_url: str, redis_prefix: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


@pytest.fixture
def keys(redis_prefix: str) -> FleetKeys:
    return FleetKeys(redis_prefix)


@pytest.fixture
def queue(client: redis.Redis, keys: FleetKeys) -> WorkQueue:
    return WorkQueue(client, keys)


@pytest.fixture
def locks(client: redis.Redis, keys: FleetKeys) -> IncidentLocks:
    return IncidentLocks(client, keys, ttl_ms=2000)


@pytest.fixture
def targets(fleet_settings: ApiSettings) -> SandboxTargets:
    return SandboxTargets(fleet_settings.sandbox_dir)


@pytest.fixture
def runner(fleet_settings: ApiSettings, targets: SandboxTargets) -> Iterator[IncidentRunner]:
    with open_runner(fleet_settings, targets) as incident_runner:
        yield incident_runner
