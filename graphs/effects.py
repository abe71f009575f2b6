"""Recorded effects at rest: results compressed, content-addressed, encrypted with a key.

What a node records and when is graphs.effect_session's; this is where it is kept.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from Crypto.Cipher import AES

from graphs.effect_compression import compress, decompress
from memory.database import Database, Session
from memory.sqlite_store import SqliteStore

_BLOBS_LOCK = "adsh-effect-blobs"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS effects (
    thread_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    node TEXT NOT NULL,
    kind TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    request TEXT NOT NULL,
    blob_hash TEXT NOT NULL,
    PRIMARY KEY (thread_id, seq)
);
CREATE INDEX IF NOT EXISTS effects_blob ON effects (blob_hash);
CREATE TABLE IF NOT EXISTS effect_blobs (
    hash TEXT PRIMARY KEY,
    body BLOB NOT NULL
);
"""


@dataclass(frozen=True)
class EffectRecord:
    """One recorded call: who asked, what, and the stored result (JSON)."""

    thread_id: str
    seq: int
    node: str
    kind: str
    request: dict[str, Any]
    request_hash: str
    result_json: bytes
    result_hash: str = field(default="", compare=False)
    """digest(result_json) when the caller has it already; computed when stored otherwise."""


class EffectDivergence(RuntimeError):
    """A node asked for a different effect than the record holds at that position."""

    def __init__(self, node: str, seq: int, expected: str, got: str) -> None:
        super().__init__(f"effect #{seq} of node {node}: recorded {expected}, asked {got}")
        self.node, self.seq, self.expected, self.got = node, seq, expected, got


class EffectStoreLocked(RuntimeError):
    """Encrypted effects without the right key."""


_BATCH = 100
"""Records per statement: 7 parameters each, well under either engine's limit."""


def _insert_sql(table: str, rows: int, width: int) -> str:
    """INSERT of `rows` rows of `width` values that skips the ones already there."""
    row = "(" + ",".join("?" * width) + ")"
    return f"INSERT INTO {table} VALUES {','.join([row] * rows)} ON CONFLICT DO NOTHING"


def _stored_blobs(session: Session, hashes: set[str]) -> set[str]:
    """Which of these results are stored already."""
    marks = ",".join("?" * len(hashes))
    found = session.fetchall(
        f"SELECT hash FROM effect_blobs WHERE hash IN ({marks})", sorted(hashes)
    )
    return {row[0] for row in found}


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


def digest(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return hashlib.sha256(raw).hexdigest()


class EffectStore(SqliteStore):
    """Effects in SQLite or PostgreSQL; results compressed, content-addressed (deduplicated)."""

    SCHEMA = _SCHEMA
    # The effects share the checkpoints' WAL file: the checkpoint a node's end writes is
    # fsynced, and with it every effect committed before it. So an effect commit needs no
    # fsync of its own; what an OS crash can lose is only what no checkpoint relies on yet
    # (reads the re-run node makes again; actions are guarded by the action log).
    SYNCHRONOUS = "NORMAL"

    def __init__(self, where: Path | Database, key: bytes | None = None) -> None:
        self._key = key
        super().__init__(where)

    def get(self, thread_id: str, seq: int) -> EffectRecord | None:
        row = self.db.fetchone(
            "SELECT e.node, e.kind, e.request, e.request_hash, b.body FROM effects e"
            " JOIN effect_blobs b ON b.hash = e.blob_hash WHERE e.thread_id=? AND e.seq=?",
            (thread_id, seq),
        )
        if row is None:
            return None
        node, kind, request, request_hash, body = row
        return EffectRecord(
            thread_id, seq, node, kind, json.loads(request), request_hash, self._open(body)
        )

    def put(self, *records: EffectRecord) -> None:
        """Store records in one transaction (all or none), three statements per batch of
        them (one round trip per record each was most of a flush on PostgreSQL)."""
        if not records:
            return
        hashed = [(r, r.result_hash or digest(r.result_json)) for r in records]
        # Shared with other writers, exclusive against `delete_threads`' blob collection.
        with self.db.transaction(lock=_BLOBS_LOCK, shared=True) as session:
            for start in range(0, len(hashed), _BATCH):
                self._insert_batch(session, hashed[start : start + _BATCH])

    def _insert_batch(self, session: Session, batch: list[tuple[EffectRecord, str]]) -> None:
        # diagnose re-reads detect's baselines: their result is stored once, sealed once.
        stored = _stored_blobs(session, {blob_hash for _, blob_hash in batch})
        blobs: dict[str, bytes] = {}
        for record, blob_hash in batch:
            if blob_hash not in stored and blob_hash not in blobs:
                blobs[blob_hash] = self._seal(record.result_json)
        if blobs:
            session.execute(_insert_sql("effect_blobs (hash, body)", len(blobs), 2),
                            list(chain.from_iterable(blobs.items())))  # fmt: skip
        rows = [
            (r.thread_id, r.seq, r.node, r.kind, r.request_hash, canonical(r.request), blob_hash)
            for r, blob_hash in batch
        ]
        session.execute(_insert_sql("effects", len(rows), 7), list(chain.from_iterable(rows)))

    def delete_threads(self, thread_ids: list[str]) -> int:
        """Forget these threads' effects and the results no other thread uses; rows deleted."""
        with self.db.transaction(lock=_BLOBS_LOCK) as session:
            deleted = sum(
                session.execute("DELETE FROM effects WHERE thread_id=?", (thread_id,))
                for thread_id in thread_ids
            )
            session.execute(
                "DELETE FROM effect_blobs WHERE NOT EXISTS"
                " (SELECT 1 FROM effects e WHERE e.blob_hash = effect_blobs.hash)"
            )
        return deleted

    def _seal(self, body: bytes) -> bytes:
        """Compress, then encrypt (AES-EAX) when the store has a key."""
        packed = compress(body)
        if self._key is None:
            return packed
        cipher = AES.new(self._key, AES.MODE_EAX)
        ciphertext, tag = cipher.encrypt_and_digest(packed)
        return b"AES1" + cipher.nonce + tag + ciphertext

    def _open(self, sealed: bytes) -> bytes:
        if not sealed.startswith(b"AES1"):
            return decompress(sealed)
        if self._key is None:
            raise EffectStoreLocked("recorded effects are encrypted: set ADSH_CHECKPOINT_KEY")
        nonce, tag, ciphertext = sealed[4:20], sealed[20:36], sealed[36:]
        cipher = AES.new(self._key, AES.MODE_EAX, nonce=nonce)
        try:
            return decompress(cipher.decrypt_and_verify(ciphertext, tag))
        except ValueError as exc:
            raise EffectStoreLocked(f"cannot decrypt recorded effects: {exc}") from exc

    def recorded_at(self, thread_id: str, seq: int) -> tuple[str, dict[str, Any]] | None:
        """(kind, request) of the effect recorded at this position, if any; no result read."""
        row = self.db.fetchone(
            "SELECT kind, request FROM effects WHERE thread_id=? AND seq=?", (thread_id, seq)
        )
        return (str(row[0]), dict(json.loads(row[1]))) if row else None

    def last_seq(self, thread_id: str) -> int | None:
        """The highest position recorded for the thread (None: nothing recorded)."""
        row = self.db.fetchone("SELECT MAX(seq) FROM effects WHERE thread_id=?", (thread_id,))
        return int(row[0]) if row and row[0] is not None else None

    def count(self, thread_id: str) -> int:
        row = self.db.fetchone("SELECT COUNT(*) FROM effects WHERE thread_id=?", (thread_id,))
        return int(row[0]) if row else 0

    def copy_thread(self, source: str, target: str, below_seq: int) -> None:
        """Give a fork the effects its history already consumed."""
        with self.db.transaction(lock=_BLOBS_LOCK, shared=True) as session:
            session.execute(
                "INSERT INTO effects SELECT CAST(? AS TEXT), seq, node, kind, request_hash,"
                " request, blob_hash FROM effects WHERE thread_id=? AND seq<?"
                " ON CONFLICT DO NOTHING",
                (target, source, below_seq),
            )
