"""Process bodies for the cross-process PostgreSQL tests (importable by spawned children)."""

from __future__ import annotations

from typing import Any

from memory.action_log import ActionLog
from memory.audit import AuditTrail
from memory.pg_store import PgDatabase, open_pool


def claim_keys(url: str, keys: list[str], barrier: Any, wins: Any) -> None:
    """Race to begin every key; put the keys this process created on `wins`."""
    database = PgDatabase(open_pool(url, max_size=2))
    log = ActionLog(database)
    barrier.wait()
    won = []
    for key in keys:
        _, created = log.begin(key, incident_id="inc-race", phase="execute", step=0,
                               action="restart_service", target="api", params={}, at=1)  # fmt: skip
        if created:
            won.append(key)
    wins.put(won)
    database.close()


def append_audit(url: str, name: str, count: int, barrier: Any) -> None:
    """Append `count` entries to the shared audit trail as fast as possible."""
    database = PgDatabase(open_pool(url, max_size=2))
    trail = AuditTrail(database)
    barrier.wait()
    for i in range(count):
        trail.append(f"{name}#{i}", f"inc-{name}", {"node": "n", "i": i})
    database.close()


def start_up(url: str, barrier: Any) -> None:
    """What every process does on start: migrate the stores and set up the checkpointer."""
    from graphs.checkpointer import postgres_checkpointer  # noqa: PLC0415 (child-only import)
    from memory.pg_migrations import migrate  # noqa: PLC0415

    database = PgDatabase(open_pool(url, max_size=2))
    barrier.wait()
    migrate(database, "memory")
    with postgres_checkpointer(database):
        pass
    database.close()
