"""A fleet worker: takes jobs from the queue, holds the incident's lock, advances the graph."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import redis

from api.fleet.board import StatusBoard
from api.fleet.locks import IncidentLocks, Lease
from api.fleet.pubsub import RedisEventHub
from api.fleet.queue import Job, WorkQueue
from api.metrics import ApiMetrics
from api.progress import ProgressObserver
from graphs.approval import request_identity
from graphs.lifecycle import Status
from graphs.runner import (
    ApprovalRefused,
    IncidentNotFound,
    IncidentRunner,
    NotAwaitingApproval,
)
from graphs.state import IncidentState, Trigger

log = logging.getLogger("adsh.fleet.worker")
SCHEDULER = "adsh-scheduler"
TRIM_SECONDS = 60.0  # how often a worker trims the jobs stream of what every worker is done with


class HandBack(Exception):
    """Stop after the current step: shutting down, or the incident's lock was lost."""


@dataclass(frozen=True)
class WorkerConfig:
    """Timings of one worker; reclaim_idle_ms must exceed the longest quiet step."""

    reclaim_idle_ms: int = 60_000
    block_ms: int = 1000
    defer_seconds: float = 0.5
    max_deliveries: int = 5


class FleetWorker:
    """One consumer of the work queue; run() until `stop` is set."""

    def __init__(
        self,
        runner: IncidentRunner,
        queue: WorkQueue,
        locks: IncidentLocks,
        hub: RedisEventHub,
        consumer: str,
        stop: threading.Event,
        config: WorkerConfig | None = None,
    ) -> None:
        self.runner = runner
        self.queue = queue
        self.locks = locks
        self.board = StatusBoard(queue.client, queue.keys)
        self.hub = hub
        self.consumer = consumer
        self.stop = stop
        self.config = config or WorkerConfig()
        self.metrics = ApiMetrics(dict)
        self.completed = 0
        self._trimmed_at = -TRIM_SECONDS

    def run(self) -> None:
        log.info("worker %s started", self.consumer)
        while not self.stop.is_set():
            try:
                self.poll_once()
            except redis.RedisError:
                log.exception("worker %s: Redis error; retrying in 1s", self.consumer)
                self.stop.wait(1.0)
        log.info("worker %s stopped", self.consumer)

    def poll_once(self) -> bool:
        """Promote due jobs, then handle one reclaimed or new job; False when none came.
        Every TRIM_SECONDS the stream drops the entries every worker is done with."""
        self.queue.promote_due()
        if time.monotonic() - self._trimmed_at >= TRIM_SECONDS:
            self._trimmed_at = time.monotonic()
            self.queue.trim()
        job = self.queue.reclaim(self.consumer, self.config.reclaim_idle_ms)
        if job is not None:
            log.info("worker %s reclaimed %s", self.consumer, job.label)
        else:
            job = self.queue.read(self.consumer, self.config.block_ms)
        if job is None:
            return False
        self.handle(job)
        return True

    def handle(self, job: Job) -> None:
        lease = self.locks.acquire(job.incident)
        if lease is None:  # another worker advances this incident now: try again shortly
            self.queue.defer(job, self.config.defer_seconds)
            return
        renewing = self.locks.keep_alive(lease)
        touching = self._keep_claimed(job)
        try:
            self._handle_locked(job, lease)
        finally:
            touching.set()
            renewing.set()
            self.locks.release(lease)

    def _keep_claimed(self, job: Job) -> threading.Event:
        """Touch the job every third of the reclaim timeout until the returned event is set:
        a step may run longer than that (verification waits in real time against Prometheus),
        and a live worker's job must not be reclaimed and run a second time."""
        done = threading.Event()
        interval = self.config.reclaim_idle_ms / 3000

        def touch_loop() -> None:
            while not done.wait(interval):
                try:
                    self.queue.touch(job, self.consumer)
                except redis.RedisError:
                    log.exception("worker %s: could not touch %s", self.consumer, job.label)

        threading.Thread(target=touch_loop, name=f"touch-{job.incident}", daemon=True).start()
        return done

    def _handle_locked(self, job: Job, lease: Lease) -> None:
        try:
            state = self.advance(job, self._observer(job, lease))
        except HandBack:
            if lease.lost.is_set():  # another worker holds the incident (and maybe this job)
                log.warning("worker %s lost the lock during %s", self.consumer, job.label)
                return
            log.info("worker %s hands %s back", self.consumer, job.label)
            self.queue.hand_back(job, self.consumer, self.config.reclaim_idle_ms)
            return
        except ApprovalRefused as exc:  # a decision that was valid when queued no longer is
            self._give_up(job, str(exc))
            return
        except Exception as exc:
            self._failed(job, exc)
            return
        self._commit(job, lease, state)

    def advance(self, job: Job, observer: ProgressObserver) -> IncidentState:
        """Run the job's graph step; a redelivered job continues from the last checkpoint."""
        incident = job.incident
        if job.kind == "start":
            if self._exists(incident):
                return self.runner.resume(incident, observer)
            trigger = Trigger.model_validate(job.body["trigger"])
            return self.runner.start(incident, trigger, job.body["requester"], observer)
        if job.kind == "resume":
            return self.runner.resume(incident, observer)
        try:
            return self._decide(job, observer)
        except NotAwaitingApproval:  # applied before a crash that interrupted the run
            return self.runner.resume(incident, observer)

    def _decide(self, job: Job, observer: ProgressObserver) -> IncidentState:
        body, incident = job.body, job.incident
        if job.kind in ("decide", "override"):
            self._check_answers_pending(job)
        if job.kind == "override":
            return self.runner.override(incident, body["admin"], body["reason"], observer)
        if job.kind == "expire":
            request = self.runner.pending_request(incident)
            if request is None or request.get("deadline") != body.get("deadline"):
                return self.runner.get(incident)  # decided in time: nothing to expire
            comment = "approval deadline passed"
            return self.runner.decide(incident, SCHEDULER, "timeout", comment, observer)
        return self.runner.decide(
            incident, body["approver"], body["decision"], body.get("comment", ""), observer
        )

    def _check_answers_pending(self, job: Job) -> None:
        """Refuse a decision made on an earlier approval request than the pending one."""
        answered = job.body.get("answers")
        request = self.runner.pending_request(job.incident)
        if answered is None or request is None:  # not waiting: the caller resumes the run
            return
        pending = request_identity(request)
        if pending != answered:
            raise ApprovalRefused(
                f"{job.label} answered an earlier approval request of {job.incident}"
                f" ({answered.get('plan')!r}); it now waits on {pending['plan']!r}"
            )

    def _commit(self, job: Job, lease: Lease, state: IncidentState) -> None:
        self.board.set_status(job.incident, state.status.value)
        self.board.clear_queued(job.incident)
        if state.status is Status.AWAITING_APPROVAL:
            self._schedule_expiry(state)
        if not self.queue.complete(job, lease.key, lease.value):
            log.warning("worker %s lost %s before committing; not acknowledged", self.consumer,
                        job.label)  # fmt: skip
            return
        self.completed += 1
        self.hub.publish("idle", job.incident, status=state.status.value)

    def _schedule_expiry(self, state: IncidentState) -> None:
        if state.approval_deadline is None or not state.timeline:
            return
        wait = max(0, state.approval_deadline - state.timeline[-1].at)
        job = Job("expire", state.id, {"deadline": state.approval_deadline}, busy=False)
        self.queue.schedule(job, time.time() + wait)

    def _give_up(self, job: Job, reason: str) -> None:
        self.queue.discard(job, reason)
        self.hub.publish("error", job.incident, job=job.label, message=reason)
        self.hub.publish("idle", job.incident, status=self.board.status(job.incident) or "GONE")

    def _failed(self, job: Job, exc: Exception) -> None:
        """Leave the job pending (reclaimed after the idle timeout) until it failed too often."""
        log.exception("worker %s: %s failed", self.consumer, job.label)
        if self.queue.deliveries(job) >= self.config.max_deliveries:
            self._give_up(job, f"failed {self.config.max_deliveries} times: {exc}")

    def _exists(self, incident_id: str) -> bool:
        try:
            self.runner.get(incident_id)
        except IncidentNotFound:
            return False
        return True

    def _observer(self, job: Job, lease: Lease) -> ProgressObserver:
        try:
            state = self.runner.get(job.incident)
            seen, status = len(state.timeline), state.status.value
        except IncidentNotFound:
            seen, status = 0, ""
        return _FencedObserver(self, lease, seen, status)

    def check_lease(self, lease: Lease) -> None:
        """Raise HandBack when shutting down or when the lock is no longer ours."""
        if self.stop.is_set() or lease.lost.is_set() or not self.locks.holds(lease):
            raise HandBack(lease.incident)


class _FencedObserver(ProgressObserver):
    """Publishes progress like the in-process service, then checks the lease after each step."""

    def __init__(self, worker: FleetWorker, lease: Lease, seen: int, status: str) -> None:
        super().__init__(worker.hub, worker.metrics, worker.board.set_status, seen, status)
        self.worker = worker
        self.lease = lease

    def __call__(self, state: IncidentState) -> None:
        super().__call__(state)
        self.worker.board.clear_queued(state.id)
        self.worker.check_lease(self.lease)
