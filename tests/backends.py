"""Throwaway PostgreSQL databases and Redis key prefixes on the machine's real servers.

Each test run gets its own database and key prefix and drops them afterwards, since the
servers are shared by parallel sessions and CI runs. Tests that need them skip with the
reason when a server is not reachable (a developer laptop without them).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import redis

PG_ADMIN_URL = os.environ.get("ADSH_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("ADSH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def postgres_reason() -> str | None:
    """None when the test PostgreSQL answers, else why not."""
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at {PG_ADMIN_URL} not reachable: {exc}"
    return None


def redis_reason() -> str | None:
    """None when the test Redis answers, else why not."""
    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis at {REDIS_TEST_URL} not reachable: {exc}"
    return None


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


@contextmanager
def temporary_database() -> Iterator[str]:
    """A fresh, empty database; its URL. Dropped (connections terminated) on exit."""
    name = f"adsh_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(PG_ADMIN_URL, name)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


@contextmanager
def temporary_redis_prefix() -> Iterator[str]:
    """A unique key prefix on the test Redis; every key under it is deleted on exit."""
    prefix = f"adsh-test-{uuid.uuid4().hex[:12]}"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(REDIS_TEST_URL)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        client.close()
