"""Shared view of every incident's status and busyness, kept in Redis for all processes."""

from __future__ import annotations

import json
from typing import Any

import redis

from api.fleet.keys import FleetKeys, reply, text

QUEUED = "QUEUED"


class StatusBoard:
    """Incident -> status, busy counts and queued triggers: what API processes list and show."""

    def __init__(self, client: redis.Redis, keys: FleetKeys) -> None:
        self.client = client
        self.keys = keys

    def set_status(self, incident_id: str, status: str) -> None:
        self.client.hset(self.keys.status, incident_id, status)

    def seed(self, statuses: dict[str, str]) -> None:
        """Fill in incidents Redis does not know yet (e.g. a fresh Redis over an old database)."""
        pipe = self.client.pipeline(transaction=False)
        for incident_id, status in statuses.items():
            pipe.hsetnx(self.keys.status, incident_id, status)
        pipe.execute()

    def forget(self, incident_id: str) -> None:
        self.client.hdel(self.keys.status, incident_id)

    def statuses(self) -> dict[str, str]:
        raw = reply(self.client.hgetall(self.keys.status))
        return {text(k): text(v) for k, v in raw.items()}

    def status(self, incident_id: str) -> str | None:
        value = reply(self.client.hget(self.keys.status, incident_id))
        return None if value is None else text(value)

    def is_busy(self, incident_id: str) -> bool:
        value = reply(self.client.hget(self.keys.busy, incident_id))
        return value is not None and int(value) > 0

    def put_queued(self, incident_id: str, record: dict[str, Any]) -> None:
        self.client.hset(self.keys.queued, incident_id, json.dumps(record, sort_keys=True))

    def queued(self, incident_id: str) -> dict[str, Any] | None:
        value = reply(self.client.hget(self.keys.queued, incident_id))
        return None if value is None else dict(json.loads(value))

    def clear_queued(self, incident_id: str) -> None:
        self.client.hdel(self.keys.queued, incident_id)
