"""Checkpointer factory: SQLite by default, with a strict allow-list serializer."""

from __future__ import annotations

import inspect
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from types import ModuleType

from langgraph.checkpoint.serde.base import SerializerProtocol
from langgraph.checkpoint.serde.encrypted import EncryptedSerializer
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver
from pydantic import BaseModel

import agents.models
import graphs.lifecycle
import graphs.state
import tools.analysis.models
import tools.telemetry

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


def thread_ids(path: Path) -> list[str]:
    """Every incident (thread) that has checkpoints, oldest first."""
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        try:
            rows = conn.execute(
                "SELECT thread_id, MIN(rowid) FROM checkpoints GROUP BY thread_id ORDER BY 2"
            ).fetchall()
        except sqlite3.OperationalError:
            return []
    return [row[0] for row in rows]
