"""Recorded effects: every non-deterministic input of a node, stored on first use, replayed after.

A node's effects are numbered per thread: `IncidentState.effect_seq` is where the node's
first call starts, and the node's update carries the next free number. So a node re-run
(resume after an interrupt or a crash) asks for the same numbers and gets the recorded
results, and a replay (mode "replay") gets every result from the record and never touches
the world. A request that differs from the recorded one at the same number is a divergence.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, TypeAdapter

from graphs.effects import EffectDivergence, EffectRecord, EffectStore, canonical, digest
from tools.kept import KeptByIdentity

T = TypeVar("T")
Mode = Literal["live", "replay"]


# Sources hand the same frozen window to several reads (detect's baseline is diagnose's and
# verify's), and encoding a window is the costliest part of recording it.
_ENCODINGS: KeptByIdentity[tuple[bytes, str]] = KeptByIdentity(16)


def _encoded(adapter: TypeAdapter[Any], result: Any) -> tuple[bytes, str]:
    """The result's JSON and its digest; a frozen result's kept for it by identity."""

    def encode() -> tuple[bytes, str]:
        body = adapter.dump_json(result)
        return body, digest(body)

    if isinstance(result, BaseModel) and result.model_config.get("frozen"):
        return _ENCODINGS.get((result, adapter), (), encode)
    return encode()


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
        body, body_hash = _encoded(adapter, result)
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
