"""Durable action log: one row per idempotency key, so no step ever executes twice."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from memory.sqlite_store import SqliteStore

EntryStatus = Literal["started", "succeeded", "failed", "duplicate"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS action_log (
    idempotency_key TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    phase TEXT NOT NULL,
    step INTEGER NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    params TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '{}',
    started_at INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX IF NOT EXISTS action_log_incident ON action_log (incident_id);
"""


class ActionLogEntry(BaseModel):
    """One row of the action log."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    idempotency_key: str
    incident_id: str
    phase: str
    step: int
    action: str
    target: str
    params: dict[str, Any]
    status: EntryStatus
    detail: str
    data: dict[str, Any]
    started_at: int
    finished_at: int | None


class ActionLog(SqliteStore):
    """The log in its own SQLite file (WAL, fsync per commit) or a shared PostgreSQL database.

    `begin` is the claim: the idempotency key is the primary key, so of several processes
    racing on one step exactly one inserts the row and executes it.
    """

    SCHEMA = _SCHEMA
    SYNCHRONOUS = "FULL"

    def begin(
        self,
        key: str,
        *,
        incident_id: str,
        phase: str,
        step: int,
        action: str,
        target: str,
        params: dict[str, Any],
        at: int,
    ) -> tuple[ActionLogEntry, bool]:
        """Record intent to run a step; returns (entry, created). created False = seen before."""
        created = (
            self.db.execute(
                "INSERT INTO action_log (idempotency_key, incident_id, phase, step, action,"
                " target, params, status, started_at) VALUES (?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT (idempotency_key) DO NOTHING",
                (key, incident_id, phase, step, action, target, json.dumps(params), "started", at),
            )
            == 1
        )
        entry = self.get(key)
        assert entry is not None
        return entry, created

    def finish(
        self, key: str, status: EntryStatus, detail: str, data: dict[str, Any], at: int
    ) -> ActionLogEntry:
        """Record the outcome of a started step."""
        self.db.execute(
            "UPDATE action_log SET status=?, detail=?, data=?, finished_at=?"
            " WHERE idempotency_key=?",
            (status, detail, json.dumps(data, sort_keys=True), at, key),
        )
        entry = self.get(key)
        if entry is None:
            raise KeyError(f"action log has no entry {key!r} to finish")
        return entry

    def get(self, key: str) -> ActionLogEntry | None:
        row = self.db.fetchone(f"SELECT {_COLUMNS} FROM action_log WHERE idempotency_key=?", (key,))
        return _entry(row) if row else None

    def for_incident(self, incident_id: str) -> list[ActionLogEntry]:
        rows = self.db.fetchall(
            f"SELECT {_COLUMNS} FROM action_log WHERE incident_id=? ORDER BY started_at, rowid",
            (incident_id,),
        )
        return [_entry(row) for row in rows]


_COLUMNS = (
    "idempotency_key, incident_id, phase, step, action, target, params, status, detail,"
    " data, started_at, finished_at"
)


def _entry(row: tuple[Any, ...]) -> ActionLogEntry:
    fields = dict(zip(_COLUMNS.replace(" ", "").split(","), row, strict=True))
    fields["params"] = json.loads(fields["params"])
    fields["data"] = json.loads(fields["data"])
    return ActionLogEntry.model_validate(fields)
