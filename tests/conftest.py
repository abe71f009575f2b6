"""Fixtures shared by every test package: the real PostgreSQL and Redis of the machine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.backends import (
    REDIS_TEST_URL,
    postgres_reason,
    redis_reason,
    temporary_database,
    temporary_redis_prefix,
)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a new, empty PostgreSQL database, dropped after the test."""
    reason = postgres_reason()
    if reason:
        pytest.skip(reason)
    with temporary_database() as url:
        yield url


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A unique Redis key prefix on REDIS_TEST_URL, its keys deleted after the test."""
    reason = redis_reason()
    if reason:
        pytest.skip(reason)
    with temporary_redis_prefix() as prefix:
        yield prefix


@pytest.fixture
def redis_url() -> str:
    return REDIS_TEST_URL
