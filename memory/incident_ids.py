"""Incident ids claimed before their first checkpoint: an INSERT into a unique table.

Several processes (API, workers) may allocate ids at once; the primary key makes a claim
atomic, so two of them never start the same incident. Claims are kept after pruning, so a
pruned incident's id (and the action log keys derived from it) is never reused.
"""

from __future__ import annotations

import time

from memory.sqlite_store import SqliteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS incident_ids (
    id TEXT PRIMARY KEY,
    claimed_at REAL NOT NULL
);
"""


class IncidentIds(SqliteStore):
    """The claimed ids, in SQLite beside the action log or in PostgreSQL."""

    SCHEMA = _SCHEMA

    def claim(self, incident_id: str) -> bool:
        """True when this call claimed the id, False when it was claimed before."""
        inserted = self.db.execute(
            "INSERT INTO incident_ids (id, claimed_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (incident_id, time.time()),
        )
        return inserted == 1

    def claimed_at(self, incident_id: str) -> float | None:
        """When the id was claimed (Unix seconds), if it was."""
        row = self.db.fetchone("SELECT claimed_at FROM incident_ids WHERE id=?", (incident_id,))
        return float(row[0]) if row else None

    def count(self) -> int:
        """How many ids were ever claimed (pruning does not lower it)."""
        row = self.db.fetchone("SELECT COUNT(*) FROM incident_ids")
        return int(row[0]) if row else 0
