"""Audit trail: append-only, hash-chained decision records; tampering is detectable.

Each entry's hash covers its fields and the previous entry's hash, and a head row holds the
count and the last hash, so an edited, deleted, inserted or reordered entry (the last one
included) breaks verification. Export the head hash elsewhere to also catch a full rewrite.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from memory.database import Session
from memory.sqlite_store import SqliteStore

GENESIS = "0" * 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    incident_id TEXT NOT NULL,
    body TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_incident ON audit_log (incident_id);
CREATE TABLE IF NOT EXISTS audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    count INTEGER NOT NULL,
    hash TEXT NOT NULL
);
"""


class AuditEntry(BaseModel):
    """One link of the chain."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int
    key: str
    incident_id: str
    body: dict[str, Any]
    prev_hash: str
    hash: str


class AuditReceipt(BaseModel):
    """What appending returned: where the entry sits in the chain."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int
    hash: str


class ChainReport(BaseModel):
    """Result of verifying the whole chain."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ok: bool
    entries: int
    first_broken: int | None = None
    reason: str = ""


def entry_hash(prev_hash: str, key: str, incident_id: str, body: dict[str, Any]) -> str:
    payload = json.dumps([prev_hash, key, incident_id, body], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


class AuditTrail(SqliteStore):
    """The chain in SQLite or PostgreSQL; appends are idempotent per key (a re-run node
    appends once) and serialized across processes, so concurrent writers keep one chain."""

    SCHEMA = _SCHEMA

    def append(self, key: str, incident_id: str, body: dict[str, Any]) -> AuditReceipt:
        with self.db.transaction(lock="adsh-audit-append") as session:
            return _append_locked(session, key, incident_id, body)

    def entries(self, incident_id: str | None = None) -> list[AuditEntry]:
        query = "SELECT seq, key, incident_id, body, prev_hash, hash FROM audit_log"
        params: tuple[str, ...] = ()
        if incident_id is not None:
            query, params = query + " WHERE incident_id=?", (incident_id,)
        rows = self.db.fetchall(query + " ORDER BY seq", params)
        return [
            AuditEntry(seq=r[0], key=r[1], incident_id=r[2], body=json.loads(r[3]),
                       prev_hash=r[4], hash=r[5])
            for r in rows
        ]  # fmt: skip

    def verify(self) -> ChainReport:
        """Walk the chain in storage order; name the first entry that does not fit."""
        prev, expected_seq = GENESIS, 1
        entries = self.entries()
        for entry in entries:
            problem = _problem(entry, prev, expected_seq)
            if problem:
                return ChainReport(ok=False, entries=len(entries), first_broken=entry.seq,
                                   reason=problem)  # fmt: skip
            prev, expected_seq = entry.hash, expected_seq + 1
        return self._check_head(len(entries), prev)

    def _check_head(self, count: int, last_hash: str) -> ChainReport:
        head = self.db.fetchone("SELECT count, hash FROM audit_head WHERE id=1")
        head_count, head_hash = head if head else (0, GENESIS)
        if (head_count, head_hash) != (count, last_hash):
            reason = f"chain ends at entry {count} but the head records {head_count} entries"
            return ChainReport(ok=False, entries=count, first_broken=count + 1, reason=reason)
        return ChainReport(ok=True, entries=count)


def _append_locked(
    session: Session, key: str, incident_id: str, body: dict[str, Any]
) -> AuditReceipt:
    existing = session.fetchone("SELECT seq, hash FROM audit_log WHERE key=?", (key,))
    if existing:
        return AuditReceipt(seq=existing[0], hash=existing[1])
    head = session.fetchone("SELECT count, hash FROM audit_head WHERE id=1")
    count, prev = head if head else (0, GENESIS)
    body = json.loads(json.dumps(body, sort_keys=True, default=str))
    digest = entry_hash(prev, key, incident_id, body)
    seq = count + 1
    session.execute(
        "INSERT INTO audit_log (seq, key, incident_id, body, prev_hash, hash) VALUES (?,?,?,?,?,?)",
        (seq, key, incident_id, json.dumps(body, sort_keys=True), prev, digest),
    )
    session.execute(
        "INSERT INTO audit_head (id, count, hash) VALUES (1, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET count=excluded.count, hash=excluded.hash",
        (seq, digest),
    )
    return AuditReceipt(seq=seq, hash=digest)


def _problem(entry: AuditEntry, prev: str, expected_seq: int) -> str:
    if entry.seq != expected_seq:
        return f"expected entry {expected_seq} here, found {entry.seq} (deleted or reordered)"
    if entry.prev_hash != prev:
        return "previous-hash link does not match the entry before it"
    if entry_hash(entry.prev_hash, entry.key, entry.incident_id, entry.body) != entry.hash:
        return "content does not match its hash (edited)"
    return ""


_ROWS = "SELECT seq, key, incident_id, body, prev_hash, hash FROM audit_log ORDER BY seq"


def adopt_own_file(trail: AuditTrail, own_file: Path) -> None:
    """Move a chain kept in an SQLite file of its own (`audit.sqlite`, the layout before
    the trail moved into the checkpoints' file) into `trail`, once; the old file is then
    renamed `<name>.moved`. Entries, hashes and head are copied as they are, so the chain
    verifies as before and grows on from its head.
    """
    if not own_file.exists():
        return
    rows, head = _read_own_file(own_file)
    with trail.db.transaction(lock="adsh-audit-append") as session:
        present = session.fetchall(_ROWS)
        if not present:
            for row in rows:
                session.execute("INSERT INTO audit_log VALUES (?,?,?,?,?,?)", row)
            for row in head:
                session.execute("INSERT INTO audit_head VALUES (?,?,?)", row)
        elif present[: len(rows)] != rows:
            raise RuntimeError(
                f"two audit trails: {own_file} and the one beside the checkpoints hold "
                "different entries; keep one (the other's entries would be lost)"
            )
    own_file.rename(own_file.with_name(own_file.name + ".moved"))


def _read_own_file(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every entry and the head, the WAL folded in and left behind as one file."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
        rows = [tuple(r) for r in conn.execute(_ROWS).fetchall()]
        head = [tuple(r) for r in conn.execute("SELECT id, count, hash FROM audit_head")]
    finally:
        conn.close()
    return rows, head
