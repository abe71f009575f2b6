"""The small SQL interface every durable store is written against (SQLite or PostgreSQL).

Stores write `?` placeholders and SQL both engines accept (`INSERT ... ON CONFLICT`,
`RETURNING`); the PostgreSQL side rewrites the placeholders. Writes that must not interleave
with another process's run in `transaction(lock=...)`: SQLite's `BEGIN IMMEDIATE` already
serializes writers, PostgreSQL takes a transaction-level advisory lock of that name.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

Row = tuple[Any, ...]


class LockTimeout(RuntimeError):
    """Another process held a named lock for longer than the caller would wait."""


def wait_for_lock(take: Callable[[], bool], timeout_seconds: float, held_by: str) -> None:
    """Try `take` every 20 ms until it succeeds; LockTimeout ("another process held
    {held_by} ...") after `timeout_seconds`."""
    deadline = time.monotonic() + timeout_seconds
    while not take():
        if time.monotonic() > deadline:
            raise LockTimeout(f"another process held {held_by} for over {timeout_seconds:.0f} s")
        time.sleep(0.02)


class Session(Protocol):
    """Statements on one connection (inside a transaction when obtained from one)."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; the number of rows it changed."""
        ...

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    def fetchdicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...


class Database(Session, Protocol):
    """A store's database: autocommit statements, or several in one transaction."""

    dialect: str
    """"sqlite" or "postgresql"."""

    def transaction(
        self, lock: str | None = None, *, shared: bool = False
    ) -> AbstractContextManager[Session]:
        """All-or-nothing; `lock` names a cross-process lock (shared: readers of it)."""
        ...

    def exclusive(self, name: str, timeout_seconds: float = 30.0) -> AbstractContextManager[None]:
        """Hold a lock of that name against every process on the database while the block
        runs its own statements (several transactions); LockTimeout after `timeout_seconds`
        of waiting."""
        ...

    def close(self) -> None: ...
