"""Embedded SQLite: a WAL file with its schema behind the Database interface, and the store base."""

from __future__ import annotations

import fcntl
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Literal

from memory.database import Database, Row, wait_for_lock


class SqliteSession:
    """Statements on one SQLite connection, no locking (the caller holds it)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.conn.execute(sql, params).rowcount

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        row = self.conn.execute(sql, params).fetchone()
        return tuple(row) if row is not None else None

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return [tuple(row) for row in self.conn.execute(sql, params).fetchall()]

    def fetchdicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


Synchronous = Literal["FULL", "NORMAL"] | None
"""SQLite's synchronous setting: FULL fsyncs every commit (for logs that guard external
effects); NORMAL leaves commits to the next fsync of the same WAL file; None: the default."""


class SqliteDatabase:
    """One connection shared across threads; every statement takes the lock."""

    dialect = "sqlite"

    def __init__(self, path: Path, schema: str, *, synchronous: Synchronous = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        if synchronous is not None:
            self.conn.execute(f"PRAGMA synchronous={synchronous}")
        self.conn.executescript(schema)
        self._session = SqliteSession(self.conn)
        self._lock = threading.Lock()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._lock:
            return self._session.execute(sql, params)

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        with self._lock:
            return self._session.fetchone(sql, params)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._lock:
            return self._session.fetchall(sql, params)

    def fetchdicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            return self._session.fetchdicts(sql, params)

    @contextmanager
    def transaction(
        self, lock: str | None = None, *, shared: bool = False
    ) -> Iterator[SqliteSession]:
        """BEGIN IMMEDIATE: one writer at a time across processes, so `lock` needs nothing more."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._session
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    @contextmanager
    def exclusive(self, name: str, timeout_seconds: float = 30.0) -> Iterator[None]:
        """Hold a lock named `name` against every process using this file (a lock file
        beside it) while the block runs its own statements."""
        lock_path = self.path.with_name(f".{self.path.name}.{name}.lock")
        with open(lock_path, "a") as handle:

            def take() -> bool:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return False
                return True

            wait_for_lock(take, timeout_seconds, f"the lock {name!r} on {self.path}")
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._lock:
            self.conn.close()


class SqliteStore:
    """Base of the durable stores: a SQLite file of their own, or a shared Database.

    Given a path, the store opens (and closes) its own SQLite file with `SCHEMA`; given a
    Database (PostgreSQL, whose schema the migrations manage), it borrows it.
    """

    SCHEMA: ClassVar[str] = ""
    SYNCHRONOUS: ClassVar[Synchronous] = None

    def __init__(self, where: Path | Database) -> None:
        if isinstance(where, Path):
            self.db: Database = SqliteDatabase(where, self.SCHEMA, synchronous=self.SYNCHRONOUS)
            self._owns_db = True
        else:
            self.db, self._owns_db = where, False

    @property
    def _conn(self) -> sqlite3.Connection:
        """The raw SQLite connection, for tools and tests that inspect the file itself."""
        if not isinstance(self.db, SqliteDatabase):
            raise TypeError(f"{type(self).__name__} is not on SQLite ({self.db.dialect})")
        return self.db.conn

    def close(self) -> None:
        if self._owns_db:
            self.db.close()
