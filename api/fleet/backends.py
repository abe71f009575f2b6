"""Connections to the fleet's backends from settings, and their readiness checks."""

from __future__ import annotations

import redis

from graphs.settings import Settings
from graphs.stores import backend_health


class RedisNotConfigured(RuntimeError):
    """A fleet command ran without ADSH_REDIS_URL."""


def redis_client(settings: Settings) -> redis.Redis:
    """A client for ADSH_REDIS_URL; a clear error when it is unset or unreachable."""
    if not settings.redis_url:
        raise RedisNotConfigured(
            "ADSH_REDIS_URL is not set: workers take their jobs from Redis;"
            " set it, e.g. ADSH_REDIS_URL=redis://127.0.0.1:6379/0"
        )
    client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise RedisNotConfigured(f"Redis at ADSH_REDIS_URL is not reachable: {exc}") from exc
    return client


def database_problem(settings: Settings) -> str | None:
    """None when the durable state's backend answers (PostgreSQL ping), else why not."""
    health = backend_health(settings)
    if health["ok"]:
        return None
    if health["backend"] == "sqlite":
        return f"data dir {health['data_dir']} is not writable"
    return f"PostgreSQL at {health['server']} not reachable: {health['error']}"
