"""Runbook success statistics: one outcome per (incident, runbook), counted per runbook."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from memory.sqlite_store import SqliteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runbook_outcomes (
    incident_id TEXT NOT NULL,
    runbook_id TEXT NOT NULL,
    fault_type TEXT NOT NULL,
    service TEXT NOT NULL,
    healed INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (incident_id, runbook_id)
);
"""


class RunbookStats(BaseModel):
    """How often a runbook healed, and failed (was rolled back)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    successes: int = Field(default=0, ge=0)
    failures: int = Field(default=0, ge=0)

    @property
    def success_rate(self) -> float:
        """Laplace-smoothed: 0.5 with no data, so an untried runbook is neither good nor bad."""
        return (self.successes + 1) / (self.successes + self.failures + 2)


class RunbookStatsStore(SqliteStore):
    """SQLite under the data directory, or PostgreSQL; an outcome recorded twice counts once."""

    SCHEMA = _SCHEMA

    def record(
        self,
        incident_id: str,
        runbook_id: str,
        fault_type: str,
        service: str,
        *,
        healed: bool,
        at: int,
    ) -> None:
        self.db.execute(
            "INSERT INTO runbook_outcomes VALUES (?,?,?,?,?,?)"
            " ON CONFLICT (incident_id, runbook_id) DO UPDATE SET fault_type=excluded.fault_type,"
            " service=excluded.service, healed=excluded.healed, at=excluded.at",
            (incident_id, runbook_id, fault_type, service, int(healed), at),
        )

    def stats(self, fault_type: str | None = None) -> dict[str, RunbookStats]:
        """Per runbook id (for one fault type when given), sorted by id."""
        query = "SELECT runbook_id, SUM(healed), SUM(1 - healed) FROM runbook_outcomes"
        params: tuple[str, ...] = ()
        if fault_type is not None:
            query, params = query + " WHERE fault_type=?", (fault_type,)
        rows = self.db.fetchall(query + " GROUP BY runbook_id ORDER BY runbook_id", params)
        return {r: RunbookStats(successes=int(s), failures=int(f)) for r, s, f in rows}
