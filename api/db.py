"""The API's own database (alerts, chat messages): a SQLite file, or the shared PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from memory.database import Database
from memory.pg_migrations import migrate
from memory.pg_store import PgDatabase
from memory.sqlite_store import SqliteDatabase


def open_api_database(path: Path, shared: PgDatabase | None = None) -> Database:
    """The API tables in PostgreSQL when the stores are there (migrated), else a WAL file.

    The caller closes what it gets; closing the PostgreSQL one leaves the shared pool open.
    """
    if shared is None:
        return SqliteDatabase(path, SCHEMA, synchronous="FULL")
    migrate(shared, "api")
    return shared.borrow()


SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    fingerprint TEXT NOT NULL,
    incident_id TEXT,
    alertname TEXT NOT NULL,
    status TEXT NOT NULL,
    labels TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT,
    received_at REAL NOT NULL,
    times_seen INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (fingerprint, incident_id)
);
CREATE INDEX IF NOT EXISTS alerts_incident ON alerts (incident_id);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT NOT NULL,
    author TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    topic TEXT NOT NULL,
    after_entry INTEGER NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_incident ON messages (incident_id);
CREATE TABLE IF NOT EXISTS chat_llm_calls (
    message_id INTEGER PRIMARY KEY,
    incident_id TEXT NOT NULL,
    call TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chat_llm_calls_incident ON chat_llm_calls (incident_id);
"""
