"""Per-incident locks: exclusive, released only by their holder, fenced after expiry."""

from __future__ import annotations

import time

import redis

from api.fleet.keys import FleetKeys
from api.fleet.locks import IncidentLocks
from api.fleet.queue import Job, WorkQueue


def test_a_lock_is_exclusive_until_released(locks: IncidentLocks) -> None:
    first = locks.acquire("inc-1")
    assert first is not None
    assert locks.acquire("inc-1") is None
    assert locks.acquire("inc-2") is not None  # other incidents are independent
    assert locks.release(first)
    second = locks.acquire("inc-1")
    assert second is not None and second.fence > first.fence


def test_an_expired_holder_cannot_release_or_commit_over_the_new_holder(
    client: redis.Redis, keys: FleetKeys, queue: WorkQueue
) -> None:
    short = IncidentLocks(client, keys, ttl_ms=150)
    stale = short.acquire("inc-1")
    assert stale is not None
    time.sleep(0.3)  # the holder stalled past its expiry
    current = short.acquire("inc-1")
    assert current is not None and current.fence == stale.fence + 1
    assert not short.release(stale)
    assert not short.holds(stale) and stale.lost.is_set()
    assert not short.renew(stale)
    queue.enqueue(Job("resume", "inc-1"))
    job = queue.read("w1", block_ms=100)
    assert job is not None
    assert not queue.complete(job, stale.key, stale.value)  # fenced off: not acknowledged
    assert queue.pending_count() == 1
    assert queue.complete(job, current.key, current.value)


def test_keep_alive_renews_past_the_ttl(client: redis.Redis, keys: FleetKeys) -> None:
    short = IncidentLocks(client, keys, ttl_ms=300)
    lease = short.acquire("inc-1")
    assert lease is not None
    done = short.keep_alive(lease)
    time.sleep(0.8)
    assert short.holds(lease)
    done.set()
    assert short.release(lease)
    assert short.acquire("inc-1") is not None
