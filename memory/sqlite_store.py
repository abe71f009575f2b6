"""Base of the embedded SQLite stores: a WAL file with its schema, one guarded connection."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class SqliteStore:
    """One connection shared across threads; writers take `self._lock`."""

    def __init__(self, path: Path, schema: str, *, synchronous_full: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        if synchronous_full:  # an fsync per commit: for logs that guard external effects
            self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(schema)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()
