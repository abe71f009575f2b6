"""PostgreSQL behind the Database interface: a connection pool shared by every store.

The pool's connections are autocommit, unprepared (poolers such as PgBouncer) and return
dict rows, as langgraph's PostgresSaver requires; the stores ask for tuple rows per cursor.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import DictRow, dict_row, tuple_row
from psycopg_pool import ConnectionPool, PoolTimeout

from memory.database import Row, wait_for_lock

POOL_MAX_SIZE = 8
CONNECT_TIMEOUT_SECONDS = 10.0


class DatabaseUnavailable(RuntimeError):
    """PostgreSQL did not answer; the message names the server, never the password."""


def describe(url: str) -> str:
    """host:port/dbname of a URL, safe to print."""
    info = conninfo_to_dict(url)
    return f"{info.get('host', 'localhost')}:{info.get('port', 5432)}/{info.get('dbname', '')}"


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@cache
def _pg_sql(sql: str) -> str:
    return sql.replace("?", "%s")


class PgSession:
    """Statements on one pooled connection."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.conn.execute(_pg_sql(sql), params or None).rowcount

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        with self.conn.cursor(row_factory=tuple_row) as cursor:
            return cursor.execute(_pg_sql(sql), params or None).fetchone()

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.conn.cursor(row_factory=tuple_row) as cursor:
            return cursor.execute(_pg_sql(sql), params or None).fetchall()

    def fetchdicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.conn.cursor(row_factory=dict_row) as cursor:
            return cursor.execute(_pg_sql(sql), params or None).fetchall()


class PgDatabase:
    """A pool; each statement borrows a connection, a transaction keeps one."""

    dialect = "postgresql"

    def __init__(self, pool: Pool, *, owns_pool: bool = True) -> None:
        self.pool, self._owns_pool = pool, owns_pool

    def borrow(self) -> PgDatabase:
        """The same pool for another owner, whose close() leaves it open."""
        return PgDatabase(self.pool, owns_pool=False)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self.pool.connection() as conn:
            return PgSession(conn).execute(sql, params)

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        with self.pool.connection() as conn:
            return PgSession(conn).fetchone(sql, params)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.pool.connection() as conn:
            return PgSession(conn).fetchall(sql, params)

    def fetchdicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.pool.connection() as conn:
            return PgSession(conn).fetchdicts(sql, params)

    @contextmanager
    def transaction(self, lock: str | None = None, *, shared: bool = False) -> Iterator[PgSession]:
        """One transaction; with `lock`, serialized against every process taking it."""
        with self.pool.connection() as conn, conn.transaction():
            if lock is not None:
                function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
                conn.execute(f"SELECT {function}(%s)", (lock_key(lock),))
            yield PgSession(conn)

    @contextmanager
    def exclusive(self, name: str, timeout_seconds: float = 30.0) -> Iterator[None]:
        """Hold a lock of that name against every process while the block runs its own
        statements on other connections: a transaction-level advisory lock on a connection
        kept for the block, so it also holds behind PgBouncer in transaction mode."""
        with self.pool.connection() as conn, conn.transaction():

            def take() -> bool:
                row = conn.execute(
                    "SELECT pg_try_advisory_xact_lock(%s) AS ok", (lock_key(name),)
                ).fetchone()
                return bool(row and row["ok"])

            wait_for_lock(take, timeout_seconds, f"the lock {name!r}")
            yield

    @contextmanager
    def session_lock(self, name: str, timeout_seconds: float = 120.0) -> Iterator[None]:
        """Hold a session-level advisory lock (for work that cannot run in a transaction).

        It polls with pg_try_advisory_lock: a waiter blocked inside pg_advisory_lock holds a
        snapshot, and CREATE INDEX CONCURRENTLY under the lock would wait for it forever.
        """
        with self.pool.connection() as conn:
            deadline = time.monotonic() + timeout_seconds
            while not _try_lock(conn, lock_key(name)):
                if time.monotonic() > deadline:
                    raise DatabaseUnavailable(
                        f"another process held the lock {name!r} for over {timeout_seconds:.0f} s"
                    )
                time.sleep(0.05)
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key(name),))

    def close(self) -> None:
        if self._owns_pool:
            self.pool.close()


Pool = ConnectionPool[psycopg.Connection[DictRow]]


def _try_lock(conn: psycopg.Connection[Any], key: int) -> bool:
    row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
    return bool(row and next(iter(row.values())))


def open_pool(url: str, max_size: int = POOL_MAX_SIZE) -> Pool:
    """An open pool, checked to reach the server; DatabaseUnavailable when it does not."""
    pool: Pool = ConnectionPool(
        url,
        connection_class=psycopg.Connection[DictRow],
        min_size=1,
        max_size=max_size,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        open=True,
        name="adsh",
    )
    try:
        pool.wait(timeout=CONNECT_TIMEOUT_SECONDS)
    except PoolTimeout as exc:
        pool.close()
        raise DatabaseUnavailable(
            f"cannot connect to PostgreSQL at {describe(url)} (ADSH_DATABASE_URL)"
            f" within {CONNECT_TIMEOUT_SECONDS:.0f} s: check the server and credentials"
        ) from exc
    return pool


def ping(url: str, timeout_seconds: float = 2.0) -> dict[str, Any]:
    """Reachability, latency and schema version of a server, for health checks."""
    started = time.perf_counter()
    try:
        with psycopg.connect(url, connect_timeout=max(1, round(timeout_seconds))) as conn:
            version = _schema_version(conn)
    except psycopg.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return {"ok": False, "server": describe(url), "error": first_line}
    return {
        "ok": True,
        "server": describe(url),
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        "schema_version": version,
    }


def _schema_version(conn: psycopg.Connection[Any]) -> int:
    """The stores' latest applied migration; 0 before the first start migrated anything."""
    exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return 0
    row = conn.execute(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = %s",
        ("memory",),
    ).fetchone()
    return int(row[0]) if row else 0
