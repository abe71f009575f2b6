"""Checkpointer factory: SQLite by default, PostgreSQL when configured; strict serializer."""

from __future__ import annotations

import inspect
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from types import ModuleType
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.serde.base import SerializerProtocol
from langgraph.checkpoint.serde.encrypted import EncryptedSerializer
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Durability
from psycopg_pool import ConnectionPool
from pydantic import BaseModel

import agents.models
import graphs.lifecycle
import graphs.state
import tools.analysis.models
import tools.telemetry
from graphs.settings import Settings
from memory.pg_store import PgDatabase

DURABILITY: Durability = "sync"
"""Every step's checkpoint is written before the next step runs: an action that follows a
decision never runs ahead of the checkpoint that records the decision."""

_STATE_MODULES: tuple[ModuleType, ...] = (
    agents.models,
    graphs.lifecycle,
    graphs.state,
    tools.analysis.models,
    tools.telemetry,
)


def state_types() -> list[type]:
    """Every pydantic model and enum the incident state may hold."""
    return [
        obj
        for module in _STATE_MODULES
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if obj.__module__ == module.__name__ and issubclass(obj, BaseModel | Enum)
    ]


def strict_serializer() -> JsonPlusSerializer:
    """msgpack serializer that only revives our own state types (no arbitrary classes)."""
    return JsonPlusSerializer(allowed_msgpack_modules=state_types())


def checkpoint_serializer(key: bytes | None = None) -> SerializerProtocol:
    """Strict serializer, AES-encrypted at rest when a key is given."""
    if key is None:
        return strict_serializer()
    return EncryptedSerializer.from_pycryptodome_aes(serde=strict_serializer(), key=key)


@contextmanager
def sqlite_checkpointer(path: Path, key: bytes | None = None) -> Iterator[SqliteSaver]:
    """A SqliteSaver on a WAL database file, closed on exit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    try:
        saver = SqliteSaver(conn, serde=checkpoint_serializer(key))
        saver.setup()
        yield saver
    finally:
        conn.close()


@contextmanager
def postgres_checkpointer(
    database: PgDatabase, key: bytes | None = None
) -> Iterator[PostgresSaver]:
    """A PostgresSaver on the database's pool, its tables set up (once across processes)."""
    saver = PostgresSaver(database.pool, serde=checkpoint_serializer(key))
    # setup() runs CREATE INDEX CONCURRENTLY (no transaction): a session lock keeps
    # processes starting together from racing on its migrations table.
    with database.session_lock("adsh-checkpoint-setup"):
        saver.setup()
    yield saver


@contextmanager
def open_checkpointer(
    settings: Settings, database: PgDatabase | None
) -> Iterator[BaseCheckpointSaver[Any]]:
    """PostgreSQL when the stores are there (ADSH_DATABASE_URL), else the data dir's SQLite."""
    key = settings.checkpoint_key_bytes()
    if database is not None:
        with postgres_checkpointer(database, key) as saver:
            yield saver
    else:
        with sqlite_checkpointer(settings.checkpoint_path, key) as sqlite_saver:
            yield sqlite_saver


_SQLITE_THREADS = "SELECT thread_id, MIN(rowid) FROM checkpoints GROUP BY thread_id ORDER BY 2"
# checkpoint ids are time-ordered UUIDv6, so the smallest one dates a thread's start.
_POSTGRES_THREADS = (
    "SELECT thread_id FROM checkpoints WHERE checkpoint_ns = ''"
    " GROUP BY thread_id ORDER BY MIN(checkpoint_id)"
)


def thread_ids(saver: BaseCheckpointSaver[Any]) -> list[str]:
    """Every incident (thread) that has checkpoints, oldest first."""
    if isinstance(saver, SqliteSaver):
        with saver.cursor(transaction=False) as cursor:
            return [row[0] for row in cursor.execute(_SQLITE_THREADS).fetchall()]
    if isinstance(saver, PostgresSaver) and isinstance(saver.conn, ConnectionPool):
        with saver.conn.connection() as conn:
            return [row["thread_id"] for row in conn.execute(_POSTGRES_THREADS).fetchall()]
    raise TypeError(f"cannot list the threads of a {type(saver).__name__}")
