"""Deterministic replay: re-run a thread from a checkpoint on its recorded effects, compare.

The replay runs in memory (the durable history is never touched), with no telemetry
source, no clock, no notifier and no action adapter: every input comes from the effect
record, and approvals are resumed with the decisions the original run received. With
verify, each replayed checkpoint is compared with the original one; the first difference is
reported as (checkpoint, node, field path, expected, got).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command, StateSnapshot

from graphs.checkpointer import DURABILITY, strict_serializer
from graphs.context import LoopContext
from graphs.effects import EffectDivergence
from graphs.incident import builder
from graphs.recording import Unavailable
from graphs.runner import IncidentRunner
from graphs.state import IncidentState


@dataclass(frozen=True)
class Divergence:
    checkpoint_id: str
    node: str
    path: str
    expected: Any
    got: Any


@dataclass
class ReplayReport:
    incident_id: str
    from_checkpoint: str
    checkpoints: int = 0
    identical: bool = True
    verified: bool = False
    divergence: Divergence | None = None
    seconds: float = 0.0
    final_status: str = ""
    notes: list[str] = field(default_factory=list)


class CheckpointNotFound(KeyError):
    def __init__(self, incident_id: str, checkpoint_id: str) -> None:
        super().__init__(
            f"incident {incident_id} has no checkpoint {checkpoint_id!r}"
            f" (see 'adsh history {incident_id}')"
        )


def original_history(runner: IncidentRunner, incident_id: str) -> list[StateSnapshot]:
    """The thread's checkpoints with state, oldest first."""
    runner.get(incident_id)
    snapshots = list(runner.app.get_state_history(_config(incident_id)))[::-1]
    return [s for s in snapshots if s.values and s.values.get("id")]


def replay(
    runner: IncidentRunner,
    incident_id: str,
    from_checkpoint: str | None = None,
    verify: bool = False,
) -> ReplayReport:
    """Re-run the thread on recorded effects; never executes an action or reads telemetry."""
    history = original_history(runner, incident_id)
    index = _start_index(history, incident_id, from_checkpoint)
    start = history[index]
    report = ReplayReport(incident_id, _checkpoint_id(start), verified=verify)
    began = time.perf_counter()
    app, memory_config = _replay_app(runner, start)
    try:
        _drive(app, memory_config, _decisions(history[index + 1 :]), _context(runner))
    except EffectDivergence as exc:
        report.divergence = Divergence(
            _checkpoint_id(start), exc.node, f"effects[{exc.seq}]", exc.expected, exc.got
        )
    replayed = [
        s
        for s in list(app.get_state_history(_config(incident_id)))[::-1][1:]
        if s.values and s.values.get("id") and (s.metadata or {}).get("source") != "fork"
    ]
    report.seconds = time.perf_counter() - began
    report.checkpoints = len(replayed)
    report.final_status = str(replayed[-1].values.get("status", "")) if replayed else ""
    if verify and report.divergence is None:
        report.divergence = first_divergence(history[index:], [start, *replayed])
    report.identical = report.divergence is None
    return report


def _start_index(history: list[StateSnapshot], incident_id: str, wanted: str | None) -> int:
    if wanted is None:
        return 0
    for index, snapshot in enumerate(history):
        if _checkpoint_id(snapshot) == wanted:
            return index
    raise CheckpointNotFound(incident_id, wanted)


def _replay_app(runner: IncidentRunner, start: StateSnapshot) -> tuple[Any, RunnableConfig]:
    """An in-memory copy of the start checkpoint (without its pending writes: re-execute)."""
    memory = InMemorySaver(serde=strict_serializer())
    stored = runner.saver.get_tuple(start.config)
    assert stored is not None
    parent = stored.parent_config or {
        "configurable": {"thread_id": start.values["id"], "checkpoint_ns": ""}
    }
    memory.put(parent, stored.checkpoint, stored.metadata, stored.checkpoint["channel_versions"])
    return builder.compile(checkpointer=memory), start.config


def _decisions(after_start: list[StateSnapshot]) -> list[dict[str, Any]]:
    """The resume values the original run received, in order."""
    return [s.values["pending_decision"] for s in after_start if s.values.get("pending_decision")]


def _drive(
    app: Any, config: RunnableConfig, decisions: list[dict[str, Any]], context: LoopContext
) -> None:
    payload: Any = None
    thread = _config(config["configurable"]["thread_id"])
    while True:
        app.invoke(payload, config, context=context, durability=DURABILITY)
        waiting = any(task.interrupts for task in app.get_state(thread).tasks)
        if not waiting or not decisions:
            return
        payload, config = Command(resume=decisions.pop(0)), thread


def _context(runner: IncidentRunner) -> LoopContext:
    live = runner.context_for_replay()
    return LoopContext(
        source=Unavailable("telemetry source"),
        adapter=Unavailable("action adapter"),
        clock=Unavailable("clock"),
        action_log=Unavailable("action log"),  # type: ignore[arg-type]
        notifier=Unavailable("notifier"),
        audit=Unavailable("audit trail"),  # type: ignore[arg-type]
        effects=live.effects,
        mode="replay",
        catalog=live.catalog,
        policy=live.policy,
        monitor=live.monitor,
        max_attempts=live.max_attempts,
    )


def first_divergence(
    original: list[StateSnapshot], replayed: list[StateSnapshot]
) -> Divergence | None:
    """Compare checkpoint by checkpoint; the node is the one that produced the checkpoint."""
    for index in range(1, max(len(original), len(replayed))):
        node = _producer(original, replayed, index)
        if index >= len(original) or index >= len(replayed):
            return _length_divergence(original, replayed, index, node)
        expected, got = _values(original[index]), _values(replayed[index])
        path = first_difference(expected, got)
        if path is not None:
            return Divergence(_checkpoint_id(original[index]), node, path[0], path[1], path[2])
    return None


def _producer(original: list[StateSnapshot], replayed: list[StateSnapshot], index: int) -> str:
    source = original if index - 1 < len(original) else replayed
    nexts = source[index - 1].next
    return nexts[0] if nexts else "?"


def _length_divergence(
    original: list[StateSnapshot], replayed: list[StateSnapshot], index: int, node: str
) -> Divergence:
    if index >= len(replayed):
        return Divergence(
            _checkpoint_id(original[index]),
            node,
            "<checkpoint>",
            "a checkpoint",
            "replay stopped before it",
        )
    return Divergence(
        "",
        node,
        "<checkpoint>",
        "the original run ended",
        f"an extra checkpoint ({replayed[index].values.get('status')})",
    )


def first_difference(expected: Any, got: Any, path: str = "") -> tuple[str, Any, Any] | None:
    """The first (path, expected, got) where two JSON-like values differ, else None."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in sorted(set(expected) | set(got)):
            found = first_difference(expected.get(key), got.get(key), f"{path}.{key}".lstrip("."))
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(got, list):
        for i in range(max(len(expected), len(got))):
            left = expected[i] if i < len(expected) else "<missing>"
            right = got[i] if i < len(got) else "<missing>"
            found = first_difference(left, right, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if expected == got else (path or "<root>", expected, got)


def _values(snapshot: StateSnapshot) -> dict[str, Any]:
    return IncidentState.model_validate(snapshot.values).model_dump(mode="json")


def _checkpoint_id(snapshot: StateSnapshot) -> str:
    return str(snapshot.config["configurable"]["checkpoint_id"])


def _config(thread_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id}}
