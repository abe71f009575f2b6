"""Fleet workers over the queue: runs, approvals through the queue, hand-back, timeouts."""

from __future__ import annotations

import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from api.fleet.keys import FleetKeys
from api.fleet.locks import IncidentLocks
from api.fleet.pubsub import RedisEventHub
from api.fleet.queue import Job, WorkQueue
from api.fleet.service import QueuedInvestigationService
from api.fleet.worker import FleetWorker, WorkerConfig
from api.settings import ApiSettings
from api.targets import SandboxTargets
from graphs.runner import IncidentRunner
from tests.fleet.support import ADSH, fleet_env, spawn_worker, stop, wait_for

LOW = "memory-leak-catalog"
HIGH = "certificate-expiry-auth"


@pytest.fixture
def service(
    runner: IncidentRunner, targets: SandboxTargets, fleet_settings: ApiSettings,
    client: redis.Redis,
) -> Iterator[QueuedInvestigationService]:  # fmt: skip
    api = QueuedInvestigationService(runner, targets, fleet_settings, client)
    api.start()
    yield api
    api.stop()


def make_worker(
    runner: IncidentRunner, queue: WorkQueue, locks: IncidentLocks, keys: FleetKeys,
    stop_event: threading.Event | None = None, hub: RedisEventHub | None = None,
) -> FleetWorker:  # fmt: skip
    config = WorkerConfig(reclaim_idle_ms=60_000, block_ms=100)
    events = hub or RedisEventHub(queue.client, keys.events)
    return FleetWorker(runner, queue, locks, events, "w1", stop_event or threading.Event(), config)


def drain(worker: FleetWorker, limit: int = 20) -> None:
    for _ in range(limit):
        if not worker.poll_once():
            return


def event_types(service: QueuedInvestigationService, incident: str) -> list[str]:
    wait_for(lambda: any(e.type == "idle" for e in service.hub.recent(0, incident)), 5, "idle")
    return [e.type for e in service.hub.recent(0, incident)]


def test_a_worker_runs_an_investigation_the_api_enqueued(
    service: QueuedInvestigationService, runner: IncidentRunner, queue: WorkQueue,
    locks: IncidentLocks, keys: FleetKeys,
) -> None:  # fmt: skip
    incident = service.trigger_scenario(LOW, 1, "olga")
    assert service.is_busy(incident) and service.queued(incident) is not None
    drain(make_worker(runner, queue, locks, keys))
    assert runner.get(incident).status.value == "COMPLETED"
    assert service.board.status(incident) == "COMPLETED"
    assert not service.is_busy(incident) and service.queued(incident) is None
    types = event_types(service, incident)
    assert types[0] == "accepted" and "timeline" in types and types[-1] == "idle"
    assert queue.pending_count() == 0


def test_an_approval_goes_through_the_queue(
    service: QueuedInvestigationService, runner: IncidentRunner, queue: WorkQueue,
    locks: IncidentLocks, keys: FleetKeys,
) -> None:  # fmt: skip
    worker = make_worker(runner, queue, locks, keys)
    incident = service.trigger_scenario(HIGH, 1, "olga")
    drain(worker)
    assert service.board.status(incident) == "AWAITING_APPROVAL"
    assert "approval_requested" in event_types(service, incident)
    assert queue.client.zcard(keys.delayed) == 1  # its timeout escalation is scheduled
    service.decide(incident, "ana", "approve", "go")
    assert service.is_busy(incident)
    drain(worker)
    state = runner.get(incident)
    assert state.status.value == "COMPLETED" and state.counted_approvers() == {"ana"}
    drain(worker)  # the stale expiry, if due, must not touch a decided incident
    assert runner.get(incident).status.value == "COMPLETED"


def test_a_decision_for_an_earlier_approval_request_is_not_applied(
    service: QueuedInvestigationService, runner: IncidentRunner, queue: WorkQueue,
    locks: IncidentLocks, keys: FleetKeys,
) -> None:  # fmt: skip
    worker = make_worker(runner, queue, locks, keys)
    incident = service.trigger_scenario(HIGH, 3, "olga")
    drain(worker)
    stale = {"approver": "ana", "decision": "approve", "comment": "for plan 1",
             "answers": {"plan": "an earlier plan", "deadline": 1}}  # fmt: skip
    queue.enqueue(Job("decide", incident, stale))  # redelivered after a re-plan
    drain(worker)
    state = runner.get(incident)
    assert state.status.value == "AWAITING_APPROVAL" and state.counted_approvers() == set()
    dead = queue.client.xrange(keys.dead)
    assert len(dead) == 1 and b"answered an earlier approval request" in dead[0][1][b"reason"]
    service.decide(incident, "ana", "approve", "go")  # the current request: applied
    drain(worker)
    assert runner.get(incident).status.value == "COMPLETED"


def test_an_approval_timeout_escalates_when_due(
    tmp_path: Path, redis_url: str, redis_prefix: str, client: redis.Redis,
    queue: WorkQueue, locks: IncidentLocks, keys: FleetKeys, targets: SandboxTargets,
) -> None:  # fmt: skip
    from graphs.runner import open_runner  # noqa: PLC0415

    settings = ApiSettings(
        data_dir=targets.directory.parent, memory=False, redis_url=redis_url,
        redis_prefix=redis_prefix, approval_timeout_high_seconds=1,
    )  # fmt: skip
    with open_runner(settings, targets) as short_runner:
        service = QueuedInvestigationService(short_runner, targets, settings, client)
        worker = make_worker(short_runner, queue, locks, keys)
        incident = service.trigger_scenario(HIGH, 2, "olga")
        drain(worker)
        assert short_runner.get(incident).status.value == "AWAITING_APPROVAL"
        wait_for(lambda: worker.poll_once() and worker.runner.pending_request(incident) is None,
                 10, "the timeout escalation")  # fmt: skip
        state = short_runner.get(incident)
        assert state.status.value == "ESCALATED" and state.approval_outcome == "expired"


class StopAfterFirstStep(RedisEventHub):
    """Sets the worker's stop flag when the first timeline line is published."""

    def __init__(self, client: redis.Redis, channel: str, stop_event: threading.Event) -> None:
        super().__init__(client, channel)
        self.stop_event = stop_event

    def publish(self, type_: str, incident: str | None, **data: Any) -> Any:
        if type_ == "timeline":
            self.stop_event.set()
        return super().publish(type_, incident, **data)


def test_a_stopping_worker_hands_its_job_back_and_another_finishes_it(
    service: QueuedInvestigationService, runner: IncidentRunner, queue: WorkQueue,
    locks: IncidentLocks, keys: FleetKeys,
) -> None:  # fmt: skip
    incident = service.trigger_scenario(LOW, 3, "olga")
    stopping = threading.Event()
    hub = StopAfterFirstStep(queue.client, keys.events, stopping)
    make_worker(runner, queue, locks, keys, stopping, hub).poll_once()
    assert runner.get(incident).status.value not in ("COMPLETED", "ESCALATED", "FAILED")
    assert queue.pending_count() == 1  # not acknowledged
    assert not queue.client.exists(keys.lock(incident))  # lock released
    config = WorkerConfig(reclaim_idle_ms=60_000, block_ms=100)
    other = FleetWorker(runner, queue, locks, RedisEventHub(queue.client, keys.events), "w2",
                        threading.Event(), config)  # fmt: skip
    drain(other)
    assert runner.get(incident).status.value == "COMPLETED"
    assert queue.pending_count() == 0
    keys_run = [e.idempotency_key for e in runner.log.for_incident(incident)]
    assert len(keys_run) == len(set(keys_run)) > 0


def test_sigterm_hands_the_current_job_back(
    service: QueuedInvestigationService, fleet_settings: ApiSettings, queue: WorkQueue,
    keys: FleetKeys, tmp_path: Path,
) -> None:  # fmt: skip
    # every telemetry read takes 0.3 s: the run lasts seconds, so the signal lands inside
    # it however late this process notices the job was taken (it once missed a 0.1 s run)
    env = fleet_env(
        fleet_settings, ADSH_WORKER_RECLAIM_IDLE_SECONDS="600", ADSH_SANDBOX_LATENCY_MS="300"
    )
    log_path = tmp_path / "worker.log"
    worker = spawn_worker(env, log_path)
    try:
        wait_for(lambda: " started" in log_path.read_text(), 60, "the worker to start")
        incident = service.trigger_scenario(LOW, 4, "olga")
        wait_for(queue.pending_count, 30, "the worker to take the job", every=0.005)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
    finally:
        stop(worker)
    log = log_path.read_text()
    assert f"hands start {incident} back" in log, log
    assert queue.pending_count() == 1
    assert queue.reclaim("w2", min_idle_ms=600_000) is not None  # handed back: reclaimable now
    assert not queue.client.exists(keys.lock(incident))


def test_adsh_worker_without_redis_says_what_to_set(
    fleet_settings: ApiSettings, tmp_path: Path
) -> None:
    env = fleet_env(fleet_settings)
    del env["ADSH_REDIS_URL"]
    command = [ADSH, "worker"]
    done = subprocess.run(command, check=False, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "ADSH_REDIS_URL is not set" in done.stderr


class StealLockAfterFirstStep(RedisEventHub):
    """Simulates a stall past the lock's expiry: another worker takes the incident's lock."""

    def __init__(self, client: redis.Redis, keys: FleetKeys, locks: IncidentLocks) -> None:
        super().__init__(client, keys.events)
        self.keys, self.locks = keys, locks
        self.thief: Any = None

    def publish(self, type_: str, incident: str | None, **data: Any) -> Any:
        if type_ == "timeline" and self.thief is None and incident is not None:
            self.client.delete(self.keys.lock(incident))  # expired
            self.thief = self.locks.acquire(incident)
        return super().publish(type_, incident, **data)


def test_a_worker_that_lost_its_lock_stops_and_cannot_acknowledge(
    service: QueuedInvestigationService, runner: IncidentRunner, queue: WorkQueue,
    locks: IncidentLocks, keys: FleetKeys,
) -> None:  # fmt: skip
    incident = service.trigger_scenario(LOW, 5, "olga")
    hub = StealLockAfterFirstStep(queue.client, keys, locks)
    stalled = make_worker(runner, queue, locks, keys, hub=hub)
    stalled.poll_once()
    assert hub.thief is not None and locks.holds(hub.thief)  # the lock was not released
    assert stalled.completed == 0 and queue.pending_count() == 1
    assert runner.get(incident).status.value != "COMPLETED"  # stopped after that step
    locks.release(hub.thief)
    config = WorkerConfig(reclaim_idle_ms=0, block_ms=100)
    other = FleetWorker(runner, queue, locks, RedisEventHub(queue.client, keys.events), "w2",
                        threading.Event(), config)  # fmt: skip
    drain(other)
    assert runner.get(incident).status.value == "COMPLETED" and queue.pending_count() == 0
