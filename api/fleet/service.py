"""InvestigationService in fleet mode: the API enqueues jobs and reads shared state only."""

from __future__ import annotations

import time
from typing import Any

import redis

from api.fleet.board import QUEUED, StatusBoard
from api.fleet.keys import FleetKeys
from api.fleet.pubsub import RedisEventHub
from api.fleet.queue import Job, WorkQueue
from api.investigations import InvestigationService, QueuedRun
from api.settings import ApiSettings
from api.targets import SandboxTargets
from graphs.approval import approval_request, request_identity
from graphs.lifecycle import TERMINAL, Status
from graphs.runner import ApprovalRefused, IncidentNotFound, IncidentRunner
from graphs.state import IncidentState, Trigger


class QueuedInvestigationService(InvestigationService):
    """Triggers and decisions become Redis jobs for `adsh worker`; reads come from Redis and
    the shared database, so several API processes serve the same investigations.

    Forks still run on this process's local worker (a new incident nobody else holds).
    """

    def __init__(
        self,
        runner: IncidentRunner,
        targets: SandboxTargets,
        settings: ApiSettings,
        client: redis.Redis,
    ) -> None:
        super().__init__(runner, targets, settings)
        keys = FleetKeys(settings.redis_prefix)
        self.client = client
        self.queue = WorkQueue(client, keys)
        self.board = StatusBoard(client, keys)
        self.relay = RedisEventHub(client, keys.events)
        self.hub = self.relay

    def start(self) -> None:
        self.board.seed(self._statuses)  # what the database holds that Redis may not know
        self.relay.start_relay()
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()
        self.relay.stop_relay()

    def ready_problems(self) -> list[str]:
        problems = super().ready_problems()
        try:
            self.client.ping()
        except redis.RedisError as exc:
            problems.append(f"Redis not reachable: {exc}")
        if not self.relay.relay_alive():
            problems.append("event relay is not running")
        return problems

    # reads ---------------------------------------------------------------------------
    def status_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for status in self.board.statuses().values():
            counts[status] = counts.get(status, 0) + 1
        return counts

    def queued(self, incident_id: str) -> QueuedRun | None:
        record = self.board.queued(incident_id)
        if record is None:
            return None
        trigger = Trigger.model_validate(record["trigger"])
        return QueuedRun(incident_id, trigger, record["requester"], record["accepted_at"])

    def exists(self, incident_id: str) -> bool:
        return self.board.status(incident_id) is not None

    def known_ids(self, status: str | None = None) -> list[str]:
        statuses = self.board.statuses()
        return [i for i, s in statuses.items() if status in (None, s)]

    def is_open(self, incident_id: str) -> bool:
        status = self.board.status(incident_id)
        return status is not None and (status == QUEUED or Status(status) not in TERMINAL)

    def is_busy(self, incident_id: str) -> bool:
        return self.board.is_busy(incident_id) or super().is_busy(incident_id)

    # triggers and decisions ------------------------------------------------------------
    def _allocate(self, probe: Trigger) -> str:
        incident_id = self.runner.new_id(probe)  # claimed in the database: unique fleet-wide
        self.board.set_status(incident_id, QUEUED)
        return incident_id

    def _accept(self, incident_id: str, trigger: Trigger, requester: str) -> str:
        record = {
            "trigger": trigger.model_dump(mode="json"),
            "requester": requester,
            "accepted_at": time.time(),
        }
        self.board.put_queued(incident_id, record)
        self.hub.publish("accepted", incident_id, status=QUEUED, summary=trigger.summary)
        body = {"trigger": record["trigger"], "requester": requester}
        self.queue.enqueue(Job("start", incident_id, body))
        return incident_id

    def decide(self, incident_id: str, approver: str, decision: str, comment: str) -> None:
        state = self._decidable(incident_id)
        if decision == "approve":
            self.runner.check_eligible(state, approver)
        body = {"approver": approver, "decision": decision, "comment": comment,
                "answers": answered_request(state)}  # fmt: skip
        self.queue.enqueue(Job("decide", incident_id, body))

    def override(self, incident_id: str, admin: str, decision: str, reason: str) -> int:
        state = self._decidable(incident_id)
        if admin == state.requester:
            raise ApprovalRefused(
                f"{admin} requested incident {incident_id} and cannot override it"
            )
        if decision == "approve" and not reason.strip():
            raise ApprovalRefused("an emergency override needs a reason")
        required = state.risk.required_approvals if state.risk else 1
        needed = max(1, required - len(state.counted_approvers())) if decision == "approve" else 1
        self._log_override(incident_id, admin, decision, reason, needed)
        answers = answered_request(state)
        if decision == "approve":
            body = {"admin": admin, "reason": reason, "answers": answers}
            job = Job("override", incident_id, body)
        else:
            comment = f"EMERGENCY OVERRIDE by {admin}: {reason}"
            body = {"approver": admin, "decision": "reject", "comment": comment}
            job = Job("decide", incident_id, {**body, "answers": answers})
        self.queue.enqueue(job)
        return needed

    # the local worker (forks) -----------------------------------------------------------
    def _set_status(self, incident_id: str, status: str) -> None:
        self.board.set_status(incident_id, status)

    def _finished(self, incident_id: str) -> None:
        try:
            status: str | None = self.runner.get(incident_id).status.value
        except IncidentNotFound:
            status = None
        with self._lock:
            self._busy.discard(incident_id)
        if status is None:
            self.board.forget(incident_id)
        else:
            self.board.set_status(incident_id, status)
        self.hub.publish("idle", incident_id, status=status or "GONE")

    def adopt(self, incident_id: str, run: Any) -> None:
        self.board.set_status(incident_id, QUEUED)
        super().adopt(incident_id, run)


def answered_request(state: IncidentState) -> dict[str, Any]:
    """Which approval request a decision answers: a redelivered decision job must not be
    applied to a later request of the same incident (after a rollback and a new plan)."""
    return request_identity(approval_request(state))
