"""Versioned SQL migrations for PostgreSQL: NNNN_name.sql files applied once, in order.

Every start calls `migrate`: under a transaction-level advisory lock it creates the
`schema_migrations` table, applies the files not yet recorded there and records them, all
in one transaction, so processes starting together apply each file exactly once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

from memory.pg_store import PgDatabase

_FILE = re.compile(r"^(\d{4})_(\w+)\.sql$")

_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    component TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (component, version)
)
"""


@dataclass(frozen=True)
class Migration:
    """One SQL file of a component (a package with a migrations/ folder)."""

    component: str
    version: int
    name: str
    sql: str


def migrations_of(package: str) -> list[Migration]:
    """The package's migrations/NNNN_name.sql files, by version; misnamed files are refused."""
    folder: Traversable = files(package) / "migrations"
    found = []
    for item in folder.iterdir():
        if not item.name.endswith(".sql"):
            continue
        match = _FILE.match(item.name)
        if match is None:
            raise ValueError(f"{package}/migrations/{item.name}: expected NNNN_name.sql")
        found.append(Migration(package, int(match[1]), match[2], item.read_text()))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise ValueError(f"{package}/migrations: two files share a version number: {versions}")
    return found


def migrate(database: PgDatabase, package: str) -> list[Migration]:
    """Apply the package's pending migrations; the ones applied now (none: already current)."""
    pending = migrations_of(package)
    with database.transaction(lock="adsh-schema-migrations") as session:
        session.conn.execute(_TABLE, prepare=False)
        done = {
            row[0]
            for row in session.fetchall(
                "SELECT version FROM schema_migrations WHERE component = ?", (package,)
            )
        }
        applied = [m for m in pending if m.version not in done]
        for migration in applied:
            session.conn.execute(migration.sql, prepare=False)  # several statements
            session.execute(
                "INSERT INTO schema_migrations (component, version, name) VALUES (?, ?, ?)",
                (package, migration.version, migration.name),
            )
    return applied
