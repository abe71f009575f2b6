"""Recorded effects: every non-deterministic input of a node, stored on first use, replayed after.

A node's effects are numbered per thread: `IncidentState.effect_seq` is where the node's
first call starts, and the node's update carries the next free number. So a node re-run
(resume after an interrupt or a crash) asks for the same numbers and gets the recorded
results, and a replay (mode "replay") gets every result from the record and never touches
the world. A request that differs from the recorded one at the same number is a divergence.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from Crypto.Cipher import AES
from pydantic import BaseModel, TypeAdapter

from graphs.effect_compression import compress, decompress
from memory.database import Database
from memory.sqlite_store import SqliteStore

T = TypeVar("T")
Mode = Literal["live", "replay"]

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
        """Store records in one transaction (all or none)."""
        if not records:
            return
        # Shared with other writers, exclusive against `delete_threads`' blob collection.
        with self.db.transaction(lock=_BLOBS_LOCK, shared=True) as session:
            for record in records:
                self._insert(session, record)

    def _insert(self, session: Any, record: EffectRecord) -> None:
        blob_hash = record.result_hash or digest(record.result_json)
        # diagnose re-reads detect's baselines: their result is stored once, sealed once.
        if not session.fetchone("SELECT 1 FROM effect_blobs WHERE hash=?", (blob_hash,)):
            session.execute(
                "INSERT INTO effect_blobs (hash, body) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (blob_hash, self._seal(record.result_json)),
            )
        session.execute(
            "INSERT INTO effects VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
            (
                record.thread_id,
                record.seq,
                record.node,
                record.kind,
                record.request_hash,
                canonical(record.request),
                blob_hash,
            ),
        )

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


class _Encodings:
    """The JSON (and its digest) of the last few frozen results, by identity.

    Sources hand the same frozen window to several reads (detect's baseline is diagnose's
    and verify's), and encoding a window is the costliest part of recording it. An entry
    holds its result, so the identity it is found by cannot pass to another object.
    """

    SIZE = 16

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[int, int], tuple[Any, bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, adapter: TypeAdapter[Any], result: Any) -> tuple[bytes, str]:
        if not (isinstance(result, BaseModel) and result.model_config.get("frozen")):
            body = adapter.dump_json(result)
            return body, digest(body)
        key = (id(result), id(adapter))
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[0] is result:
                self._kept.move_to_end(key)
                return kept[1], kept[2]
        body = adapter.dump_json(result)
        encoded = (result, body, digest(body))
        with self._lock:
            self._kept[key] = encoded
            while len(self._kept) > self.SIZE:
                self._kept.popitem(last=False)
        return body, encoded[2]


_ENCODINGS = _Encodings()


@cache
def _adapter(result_type: Any) -> TypeAdapter[Any]:
    return TypeAdapter(result_type)


READ_KINDS = frozenset(
    {
        "telemetry.topology",
        "telemetry.now",
        "telemetry.step",
        "telemetry.window",
        "telemetry.metrics",
        "telemetry.metrics_or_none",
        "clock.now",
        "llm.model",
        "memory.recall",
        "memory.runbook_stats",
    }
)
"""Effects that only read the world: lost with a crashed node, they are read again when it
re-runs, so they are stored together when the node ends (`flush`), not one commit each.
Anything that changes the world (actions, sleeps, notifications, writes) is stored at once."""


class EffectSession:
    """The effects of one node execution, numbered from the state's effect_seq."""

    def __init__(
        self, store: EffectStore, thread_id: str, node: str, start: int, mode: Mode
    ) -> None:
        self.store, self.thread_id, self.node, self.mode = store, thread_id, node, mode
        self.seq = start
        self.calls: list[tuple[str, str]] = []
        self.pending: list[EffectRecord] = []
        self._start = start
        self._ahead: bool | None = None

    def _recorded_ahead(self) -> bool:
        """Whether the store may hold records at this session's positions. A live node's
        first run holds none at or after its start (one query tells, then no lookup per
        call); a re-run, a fork or a replay finds them there and looks every call up."""
        if self._ahead is None:
            last = self.store.last_seq(self.thread_id) if self.mode == "live" else None
            self._ahead = self.mode != "live" or (last is not None and last >= self._start)
        return self._ahead

    def call(self, kind: str, request: dict[str, Any], fn: Callable[[], T], result_type: Any) -> T:
        """Return the recorded result for this position, or run fn and record it (live)."""
        seq, self.seq = self.seq, self.seq + 1
        request_hash = digest(canonical({"kind": kind, "request": request}))
        recorded = self.store.get(self.thread_id, seq) if self._recorded_ahead() else None
        adapter = _adapter(result_type)
        if recorded is not None:
            self._check(recorded, kind, request, request_hash)
            self.calls.append((kind, digest(recorded.result_json)))
            return adapter.validate_json(recorded.result_json)
        if self.mode == "replay":
            raise EffectDivergence(
                self.node,
                seq,
                "nothing (the original run stopped here)",
                f"{kind} {canonical(request)}",
            )
        result = fn()
        body, body_hash = _ENCODINGS.encode(adapter, result)
        record = EffectRecord(
            self.thread_id, seq, self.node, kind, request, request_hash, body, body_hash
        )
        self.pending.append(record)
        if kind not in READ_KINDS:
            self.flush()  # before anything can act on it
        self.calls.append((kind, body_hash))
        return result

    def recorded(self) -> tuple[str, dict[str, Any]] | None:
        """(kind, request) recorded at the next call's position (None: nothing there)."""
        if not self._recorded_ahead():
            return None
        return self.store.recorded_at(self.thread_id, self.seq)

    def recorded_kind(self) -> str | None:
        """The kind recorded at the next call's position (None: nothing recorded there)."""
        recorded = self.recorded()
        return recorded[0] if recorded else None

    def flush(self) -> None:
        """Store the reads not stored yet (the graph wrapper calls this as the node ends)."""
        pending, self.pending = self.pending, []
        self.store.put(*pending)

    def _check(
        self, recorded: EffectRecord, kind: str, request: dict[str, Any], request_hash: str
    ) -> None:
        if recorded.request_hash != request_hash or recorded.node != self.node:
            expected = f"{recorded.node}:{recorded.kind} {canonical(recorded.request)}"
            raise EffectDivergence(
                self.node, recorded.seq, expected, f"{self.node}:{kind} {canonical(request)}"
            )

    def inputs_hash(self) -> str:
        """Hash of every effect result this node consumed (for provenance)."""
        return digest(canonical(self.calls))
