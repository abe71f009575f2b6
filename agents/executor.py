"""Executor: runs one action through an adapter under an idempotency key in the action log."""

from __future__ import annotations

from typing import Any, Literal

from agents.models import ExecutionRecord
from memory.action_log import ActionLog, ActionLogEntry, EntryStatus
from tools.actions import ActionAdapter, Clock

Phase = Literal["execute", "rollback"]


def idempotency_key(incident_id: str, attempt: int, phase: Phase, step: int, action: str) -> str:
    """Stable per step: the same step of the same plan attempt always gets the same key."""
    return f"{incident_id}/a{attempt}/{phase}/{step}/{action}"


def run_step(
    *,
    incident_id: str,
    key: str,
    phase: Phase,
    step: int,
    action: str,
    target: str,
    params: dict[str, Any],
    adapter: ActionAdapter,
    log: ActionLog,
    clock: Clock,
) -> ExecutionRecord:
    """Perform the step once; a key already finished returns the logged result untouched."""
    entry, created = log.begin(
        key,
        incident_id=incident_id,
        phase=phase,
        step=step,
        action=action,
        target=target,
        params=params,
        at=clock.now(),
    )
    if not created and entry.status != "started":
        return _record(entry)
    # New, or started before a crash: the adapter dedupes on the key, so asking again is safe.
    outcome = adapter.perform(action, target, params, key)
    status: EntryStatus = "failed" if outcome.status == "failed" else "succeeded"
    finished = log.finish(key, status, outcome.detail, outcome.data, clock.now())
    return _record(finished)


def _record(entry: ActionLogEntry) -> ExecutionRecord:
    status = "duplicate" if entry.status == "duplicate" else entry.status
    if status == "started":
        raise RuntimeError(f"action log entry {entry.idempotency_key} never finished")
    return ExecutionRecord(
        step=entry.step,
        phase="rollback" if entry.phase == "rollback" else "execute",
        action=entry.action,
        target=entry.target,
        params=entry.params,
        idempotency_key=entry.idempotency_key,
        status=status,
        detail=entry.detail,
        data=entry.data,
        at=entry.finished_at or entry.started_at,
    )
