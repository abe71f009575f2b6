"""The Redis work queue: round trip, due jobs, reclaim from a dead consumer, dead letters."""

from __future__ import annotations

import time

import redis

from api.fleet.keys import FleetKeys, reply
from api.fleet.locks import IncidentLocks
from api.fleet.queue import Job, WorkQueue


def test_a_job_round_trips_and_is_acknowledged_under_its_lock(
    queue: WorkQueue, locks: IncidentLocks, client: redis.Redis, keys: FleetKeys
) -> None:
    queue.enqueue(Job("decide", "inc-1", {"approver": "ana", "decision": "approve"}))
    assert client.hget(keys.busy, "inc-1") == b"1"
    job = queue.read("w1", block_ms=100)
    assert job is not None and job.kind == "decide" and job.body["approver"] == "ana"
    assert queue.pending_count() == 1 and queue.read("w2", block_ms=10) is None
    lease = locks.acquire("inc-1")
    assert lease is not None
    assert queue.complete(job, lease.key, lease.value)
    assert queue.pending_count() == 0
    assert client.hget(keys.busy, "inc-1") is None


def test_scheduled_jobs_enter_the_stream_only_when_due(queue: WorkQueue) -> None:
    now = time.time()
    queue.schedule(Job("expire", "inc-due", {"deadline": 1}, busy=False), now - 1)
    queue.schedule(Job("expire", "inc-later", {"deadline": 2}, busy=False), now + 3600)
    queue.schedule(Job("expire", "inc-due", {"deadline": 1}, busy=False), now - 1)  # same job
    assert queue.promote_due(now) == 1
    job = queue.read("w1", block_ms=100)
    assert job is not None and job.incident == "inc-due" and not job.busy
    assert queue.read("w1", block_ms=10) is None
    assert queue.waiting_count() == 1  # inc-later still scheduled


def test_a_job_left_by_a_dead_consumer_is_reclaimed(queue: WorkQueue) -> None:
    queue.enqueue(Job("start", "inc-2", {"requester": "olga"}))
    taken = queue.read("dead-worker", block_ms=100)
    assert taken is not None
    assert queue.reclaim("w2", min_idle_ms=60_000) is None  # not idle long enough yet
    time.sleep(0.05)
    reclaimed = queue.reclaim("w2", min_idle_ms=20)
    assert reclaimed is not None and reclaimed.id == taken.id
    assert queue.deliveries(reclaimed) == 2


def test_a_handed_back_job_is_reclaimable_at_once(queue: WorkQueue) -> None:
    queue.enqueue(Job("resume", "inc-3"))
    taken = queue.read("stopping", block_ms=100)
    assert taken is not None
    queue.hand_back(taken, "stopping", min_idle_ms=60_000)
    reclaimed = queue.reclaim("w2", min_idle_ms=60_000)
    assert reclaimed is not None and reclaimed.id == taken.id


def test_a_hand_back_is_not_counted_as_a_failed_delivery(queue: WorkQueue) -> None:
    queue.enqueue(Job("resume", "inc-4"))
    taken = queue.read("stopping", block_ms=100)
    assert taken is not None
    for _ in range(3):  # three graceful restarts
        queue.hand_back(taken, "stopping", min_idle_ms=60_000)
    assert queue.deliveries(taken) == 1


def test_a_touched_job_is_not_reclaimed_while_its_worker_lives(queue: WorkQueue) -> None:
    queue.enqueue(Job("resume", "inc-5"))
    taken = queue.read("busy-worker", block_ms=100)
    assert taken is not None
    time.sleep(0.06)
    queue.touch(taken, "busy-worker")  # the worker's touch thread, still on the job
    assert queue.reclaim("w2", min_idle_ms=50) is None
    time.sleep(0.06)  # the worker died: no more touches
    reclaimed = queue.reclaim("w2", min_idle_ms=50)
    assert reclaimed is not None and reclaimed.id == taken.id
    assert queue.deliveries(reclaimed) == 2


def test_deferred_jobs_come_back_later(queue: WorkQueue) -> None:
    queue.enqueue(Job("resume", "inc-4"))
    taken = queue.read("w1", block_ms=100)
    assert taken is not None
    queue.defer(taken, delay=0.2)
    assert queue.pending_count() == 0
    assert queue.promote_due() == 0
    time.sleep(0.25)
    assert queue.promote_due() == 1
    again = queue.read("w1", block_ms=100)
    assert again is not None and again.incident == "inc-4" and again.id != taken.id


def test_a_malformed_entry_goes_to_the_dead_stream(
    queue: WorkQueue, client: redis.Redis, keys: FleetKeys
) -> None:
    client.xadd(keys.jobs, {"kind": "explode", "incident": "inc-5"})
    assert queue.read("w1", block_ms=100) is None
    assert queue.pending_count() == 0
    dead = reply(client.xrange(keys.dead))
    assert dead and b"explode" in dead[0][1][b"reason"]


def test_trimming_keeps_what_is_unread_or_unacknowledged(
    queue: WorkQueue, locks: IncidentLocks, client: redis.Redis, keys: FleetKeys
) -> None:
    for n in range(5):
        queue.enqueue(Job("resume", f"inc-t{n}"))
    done = [queue.read("w1", block_ms=100) for _ in range(3)]  # 0-2 read, 3-4 not yet
    for job in done[1:]:  # 1 and 2 acknowledged; 0 still pending (its worker may be dead)
        assert job is not None
        lease = locks.acquire(job.incident)
        assert lease is not None and queue.complete(job, lease.key, lease.value)
    assert queue.trim() == 0  # the oldest entry is unacknowledged: nothing before it
    assert done[0] is not None
    lease = locks.acquire(done[0].incident)
    assert lease is not None and queue.complete(done[0], lease.key, lease.value)
    assert queue.trim() == 2  # 0 and 1; 2 is the group's last delivered, 3-4 unread
    left = [Job.from_entry(i.decode(), {k.decode(): v.decode() for k, v in f.items()}).incident
            for i, f in client.xrange(keys.jobs)]  # fmt: skip
    assert left == ["inc-t2", "inc-t3", "inc-t4"]
    assert [queue.read("w2", block_ms=100).incident for _ in range(2)] == ["inc-t3", "inc-t4"]  # type: ignore[union-attr]
    assert queue.waiting_count() == 0
