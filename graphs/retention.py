"""Checkpoint retention: forget the checkpoints and recorded effects of long-finished incidents.

PostgreSQL (or SQLite) checkpoints otherwise grow without end. An incident is prunable once
its status is terminal (graphs/lifecycle.py) and its last checkpoint is older than the
retention period. The audit trail, the action log and the id claim stay: they are the
record, and the claim keeps the id (and its idempotency keys) from ever being reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from langchain_core.runnables import RunnableConfig

from graphs.checkpointer import thread_ids
from graphs.lifecycle import is_terminal
from graphs.runner import IncidentRunner


@dataclass(frozen=True)
class Prunable:
    """A finished incident past the retention period."""

    incident_id: str
    status: str
    finished_at: datetime


def prunable(runner: IncidentRunner, older_than: timedelta, now: datetime) -> list[Prunable]:
    """Terminal incidents whose last checkpoint was written before now - older_than."""
    if older_than <= timedelta(0):
        raise ValueError(f"retention must be positive, got {older_than}")
    cutoff = now - older_than
    found = []
    for incident_id in thread_ids(runner.saver):
        last = runner.saver.get_tuple(_config(incident_id))
        if last is None:
            continue
        state = runner.get(incident_id)
        finished_at = datetime.fromisoformat(last.checkpoint["ts"])
        if is_terminal(state.status) and finished_at < cutoff:
            found.append(Prunable(incident_id, state.status.value, finished_at))
    return found


def prune_checkpoints(
    runner: IncidentRunner,
    older_than: timedelta,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
) -> list[Prunable]:
    """Delete the checkpoints and recorded effects of prunable incidents; what was (or would be)."""
    found = prunable(runner, older_than, now or datetime.now(UTC))
    if dry_run or not found:
        return found
    for item in found:
        runner.saver.delete_thread(item.incident_id)
    runner.stores.effects.delete_threads([item.incident_id for item in found])
    return found


def _config(incident_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": incident_id, "checkpoint_ns": ""}}
