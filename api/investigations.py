"""The API's view of the loop: triggers, decisions and overrides queued on one worker."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api.events import EventHub
from api.metrics import ApiMetrics
from api.progress import ProgressObserver
from api.settings import ApiSettings
from api.targets import SandboxTargets
from api.worker import Worker
from graphs.lifecycle import TERMINAL, Status
from graphs.runner import (
    ApprovalRefused,
    CheckpointInfo,
    IncidentNotFound,
    IncidentRunner,
    NotAwaitingApproval,
)
from graphs.state import IncidentState, Trigger

audit = logging.getLogger("adsh.audit")
QUEUED = "QUEUED"
FOREIGN_SYNC_SECONDS = 1.0
"""How often lists look in the store for threads other processes wrote."""
CLAIM_GRACE_SECONDS = 900.0
"""An id another process claimed this recently and has not checkpointed yet is queued there."""


class IncidentBusy(RuntimeError):
    """A run for this incident is queued or in progress; a decision must wait for it."""


@dataclass(frozen=True)
class QueuedRun:
    """An investigation accepted but not yet checkpointed by the worker."""

    id: str
    trigger: Trigger
    requester: str
    accepted_at: float


class InvestigationService:
    """Everything the routes need; graph calls run on the worker, reads run in place."""

    def __init__(
        self, runner: IncidentRunner, targets: SandboxTargets, settings: ApiSettings
    ) -> None:
        self.runner = runner
        self.targets = targets
        self.settings = settings
        self.hub = EventHub()
        self.metrics = ApiMetrics(self.status_counts)
        self.worker = Worker(self._job_failed)
        self._lock = threading.Lock()
        self._statuses: dict[str, str] = {s.id: s.status.value for s in runner.list()}
        self._queued: dict[str, QueuedRun] = {}
        self._busy: set[str] = set()
        self._foreign: set[str] = set()
        """Threads another process started; their status is refreshed from the store."""
        self._synced_at = -FOREIGN_SYNC_SECONDS

    def start(self) -> None:
        self.worker.start()
        if self.settings.resume_on_start:
            for incident_id, status in list(self._statuses.items()):
                if Status(status) not in TERMINAL and not self.runner.pending_request(incident_id):
                    self._submit(incident_id, "resume", self._resume_job(incident_id))

    def stop(self) -> None:
        self.worker.stop()

    def ready_problems(self) -> list[str]:
        """Why this service cannot take work now (empty when it can)."""
        return [] if self.worker.alive() else ["graph worker is not running"]

    # reads ---------------------------------------------------------------------------
    def status_counts(self) -> dict[str, int]:
        with self._lock:
            counts: dict[str, int] = {}
            for status in self._statuses.values():
                counts[status] = counts.get(status, 0) + 1
            return counts

    def queued(self, incident_id: str) -> QueuedRun | None:
        with self._lock:
            return self._queued.get(incident_id)

    def get(self, incident_id: str) -> IncidentState:
        return self.runner.get(incident_id)

    def exists(self, incident_id: str) -> bool:
        with self._lock:
            if incident_id in self._statuses:
                return True
        return incident_id in self._adopt_new_threads()

    def known_ids(self, status: str | None = None) -> list[str]:
        self._adopt_new_threads()
        with self._lock:
            return [i for i, s in self._statuses.items() if status in (None, s)]

    def _adopt_new_threads(self) -> list[str]:
        """Threads other processes wrote to the store (adsh watch, adsh demo) become known, and
        those still running there get their current status; returns the newly adopted ids.
        At most once per FOREIGN_SYNC_SECONDS; the store is read outside the lock."""
        now = time.monotonic()
        with self._lock:
            if now - self._synced_at < FOREIGN_SYNC_SECONDS:
                return []
            self._synced_at = now
            known = set(self._statuses)
            running = [i for i in self._foreign if Status(self._statuses[i]) not in TERMINAL]
        new = [i for i in self.runner.thread_ids() if i not in known]
        for incident_id in new + running:
            status = self._stored_status(incident_id)
            if status is None:
                continue
            with self._lock:
                if incident_id in new:
                    self._foreign.add(incident_id)
                self._statuses[incident_id] = status
        return [i for i in new if i in self._foreign]

    def _stored_status(self, incident_id: str) -> str | None:
        try:
            return self.runner.get(incident_id).status.value
        except IncidentNotFound:
            return None
        except Exception as exc:  # a thread this version cannot read must not break the list
            audit.warning("skipping incident %s from the store: %s", incident_id, exc)
            return None

    def is_open(self, incident_id: str) -> bool:
        """Queued, running or waiting. An id this process never saw (another API process or
        `adsh watch` started it) is looked up in the store; one claimed there in the last
        CLAIM_GRACE_SECONDS and not checkpointed yet is queued in that process."""
        with self._lock:
            status = self._statuses.get(incident_id)
        if status is None:
            status = self._stored_status(incident_id)
        if status is None:
            claimed = self.runner.stores.ids.claimed_at(incident_id)
            return claimed is not None and time.time() - claimed < CLAIM_GRACE_SECONDS
        return status == QUEUED or Status(status) not in TERMINAL

    def is_busy(self, incident_id: str) -> bool:
        with self._lock:
            return incident_id in self._busy

    def pending_request(self, incident_id: str) -> dict[str, Any] | None:
        return None if self.is_busy(incident_id) else self.runner.pending_request(incident_id)

    def history(self, incident_id: str) -> list[CheckpointInfo]:
        return self.runner.history(incident_id)

    # triggers ------------------------------------------------------------------------
    def trigger_scenario(self, scenario: str, seed: int, requester: str) -> str:
        incident_id = self._allocate(Trigger(scenario=scenario, seed=seed))
        trigger = self.targets.prepare(incident_id, scenario, seed)
        return self._accept(incident_id, trigger, requester)

    def trigger_alert(
        self,
        summary: str,
        requester: str,
        services: list[str] | None = None,
        starts_at: int | None = None,
    ) -> str:
        """Open an investigation for alerts: Prometheus when configured, else the sandbox."""
        if self.targets.prometheus is not None:
            trigger = self.targets.prometheus.trigger(summary, services or [], starts_at)
            probe = Trigger(kind="alert", scenario="alert:prometheus")
            return self._accept(self._allocate(probe), trigger, requester)
        env_id = self.settings.alert_sandbox_env
        self.targets.ensure(env_id)
        trigger = Trigger(
            kind="alert", target={"kind": "sandbox", "env_id": env_id}, summary=summary[:500]
        )
        incident_id = self._allocate(Trigger(kind="alert", scenario=f"alert:{env_id}"))
        return self._accept(incident_id, trigger, requester)

    def _allocate(self, probe: Trigger) -> str:
        incident_id = self.runner.new_id(probe)  # reserved in the runner until it checkpoints
        with self._lock:
            self._statuses[incident_id] = QUEUED
        return incident_id

    def _accept(self, incident_id: str, trigger: Trigger, requester: str) -> str:
        run = QueuedRun(incident_id, trigger, requester, time.time())
        with self._lock:
            self._queued[incident_id] = run
        self.hub.publish("accepted", incident_id, status=QUEUED, summary=trigger.summary)

        def job() -> None:
            observer = self._observer(incident_id)
            try:
                self.runner.start(incident_id, trigger, requester, observer)
            finally:
                with self._lock:
                    self._queued.pop(incident_id, None)

        self._submit(incident_id, "start", job)
        return incident_id

    def adopt(self, incident_id: str, run: Callable[[ProgressObserver], Any]) -> None:
        """Track an incident made outside a trigger (a fork) and run it on the worker."""
        with self._lock:
            self._statuses[incident_id] = QUEUED
        self.hub.publish("accepted", incident_id, status=QUEUED, summary="fork")
        self._submit(incident_id, "fork", lambda: run(self._observer(incident_id)))

    # decisions -----------------------------------------------------------------------
    def decide(self, incident_id: str, approver: str, decision: str, comment: str) -> None:
        state = self._decidable(incident_id)
        if decision == "approve":
            self.runner.check_eligible(state, approver)

        def job() -> None:
            self.runner.decide(
                incident_id, approver, decision, comment, self._observer(incident_id)
            )

        self._submit(incident_id, decision, job)

    def override(self, incident_id: str, admin: str, decision: str, reason: str) -> int:
        """Emergency override: the admin's decision stands for every missing approval."""
        state = self._decidable(incident_id)
        if admin == state.requester:
            raise ApprovalRefused(
                f"{admin} requested incident {incident_id} and cannot override it"
            )
        required = state.risk.required_approvals if state.risk else 1
        needed = max(1, required - len(state.counted_approvers())) if decision == "approve" else 1
        self._log_override(incident_id, admin, decision, reason, needed)

        def job() -> None:
            observer = self._observer(incident_id)
            if decision == "approve":
                self.runner.override(incident_id, admin, reason, observer)
            else:
                comment = f"EMERGENCY OVERRIDE by {admin}: {reason}"
                self.runner.decide(incident_id, admin, "reject", comment, observer)

        self._submit(incident_id, f"override-{decision}", job)
        return needed

    def _decidable(self, incident_id: str) -> IncidentState:
        state = self.get(incident_id)
        if self.is_busy(incident_id):
            raise IncidentBusy(f"incident {incident_id} is running; retry when it waits again")
        if self.runner.pending_request(incident_id) is None:
            raise NotAwaitingApproval(
                f"incident {incident_id} is not waiting for approval (status {state.status})"
            )
        return state

    def _log_override(
        self, incident_id: str, admin: str, decision: str, reason: str, count: int
    ) -> None:
        record = {
            "at": time.time(),
            "incident": incident_id,
            "admin": admin,
            "decision": decision,
            "reason": reason,
            "counts_as": count,
        }
        self.settings.overrides_path.parent.mkdir(parents=True, exist_ok=True)
        with self.settings.overrides_path.open("a") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")
        audit.warning("emergency override %s", json.dumps(record, sort_keys=True))
        self.hub.publish("override", incident_id, admin=admin, decision=decision, reason=reason)

    # worker plumbing -----------------------------------------------------------------
    def _resume_job(self, incident_id: str) -> Any:
        return lambda: self.runner.resume(incident_id, self._observer(incident_id))

    def _submit(self, incident_id: str, label: str, run: Any) -> None:
        with self._lock:
            self._busy.add(incident_id)

        def wrapped() -> None:
            try:
                run()
            finally:
                self._finished(incident_id)

        self.worker.submit(f"{label} {incident_id}", wrapped)

    def _finished(self, incident_id: str) -> None:
        try:
            status = self.runner.get(incident_id).status.value
        except IncidentNotFound:
            status = None  # the start failed before its first checkpoint: forget the id
        with self._lock:
            self._busy.discard(incident_id)
            if status is None:
                self._statuses.pop(incident_id, None)
            else:
                self._statuses[incident_id] = status
        self.hub.publish("idle", incident_id, status=status or "GONE")

    def _observer(self, incident_id: str) -> ProgressObserver:
        try:
            state = self.runner.get(incident_id)
            seen, status = len(state.timeline), state.status.value
        except IncidentNotFound:
            seen, status = 0, ""
        return ProgressObserver(self.hub, self.metrics, self._set_status, seen, status)

    def _set_status(self, incident_id: str, status: str) -> None:
        with self._lock:
            self._statuses[incident_id] = status

    def _job_failed(self, label: str, exc: BaseException) -> None:
        incident_id = label.rsplit(" ", 1)[-1]
        self.hub.publish("error", incident_id, job=label, message=str(exc).splitlines()[0])
