"""Fork: a what-if branch from an earlier checkpoint with a changed input; history stays."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any, Protocol

from langgraph.types import Command, StateSnapshot
from pydantic import ValidationError

from graphs.replay import CheckpointNotFound, original_history
from graphs.runner import IncidentRunner, UpdateCallback, _config
from graphs.state import IncidentState, Trigger

PROTECTED = {"id", "trigger", "effect_seq", "provenance", "executions", "approvals"}
"""Fields a fork may not rewrite: identity, the record of what happened, its evidence."""


class ForkError(ValueError):
    """A fork request that cannot be honoured; the message says why."""


class ForkableTargets(Protocol):
    def fork(self, trigger: Trigger, new_id: str, at: int, performed: set[str]) -> Trigger:
        """The same target as it was at time `at`, with only `performed` actions done."""
        ...


def parse_assignments(pairs: list[str]) -> dict[str, Any]:
    """KEY=VALUE pairs; VALUE is JSON when it parses, else a string."""
    assignments: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ForkError(f"--set expects KEY=VALUE, got {pair!r}")
        try:
            assignments[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            assignments[key.strip()] = raw
    return assignments


@dataclass(frozen=True)
class PreparedFork:
    """A branch whose first checkpoint is written; `run_fork` carries it on."""

    id: str
    trigger: Trigger
    decision: dict[str, Any] | None


def fork(
    runner: IncidentRunner,
    targets: ForkableTargets,
    incident_id: str,
    at: str,
    assignments: dict[str, Any] | None = None,
    decision: dict[str, Any] | None = None,
) -> IncidentState:
    """Copy the state at checkpoint `at` into a new incident, change it, and run it on."""
    prepared = prepare_fork(runner, targets, incident_id, at, assignments, decision)
    return run_fork(runner, prepared)


def prepare_fork(
    runner: IncidentRunner,
    targets: ForkableTargets,
    incident_id: str,
    at: str,
    assignments: dict[str, Any] | None = None,
    decision: dict[str, Any] | None = None,
) -> PreparedFork:
    """Validate everything, then write the branch's first checkpoint and copy its target."""
    history = original_history(runner, incident_id)
    index = next((i for i, s in enumerate(history) if _id(s) == at), None)
    if index is None:
        raise CheckpointNotFound(incident_id, at)
    snapshot = history[index]
    base = IncidentState.model_validate(snapshot.values)
    _check_decision(snapshot, base, decision)
    changed = _changed(base, assignments or {})
    new_id = _new_id(runner, incident_id)
    performed = {record.idempotency_key for record in base.executions}
    trigger = targets.fork(base.trigger, new_id, _loop_time(runner, base), performed)
    state = changed.model_copy(update={"id": new_id, "trigger": trigger})
    runner.stores.effects.copy_thread(incident_id, new_id, base.effect_seq)
    producer = history[index - 1].next[0] if index else "__start__"
    runner.app.update_state(_config(new_id), state.model_dump(), as_node=producer)
    return PreparedFork(new_id, trigger, decision)


def run_fork(
    runner: IncidentRunner, prepared: PreparedFork, on_update: UpdateCallback | None = None
) -> IncidentState:
    """Run a prepared branch until it ends or waits for approval."""
    payload: Command[Any] | None = (
        None if prepared.decision is None else Command(resume=prepared.decision)
    )
    return runner._run(prepared.id, payload, prepared.trigger, on_update)


def _check_decision(
    snapshot: StateSnapshot, base: IncidentState, decision: dict[str, Any] | None
) -> None:
    """Refuse a decision the branch could not take, before anything is created."""
    if decision is None:
        return
    if "await_approval" not in snapshot.next:
        raise ForkError(
            f"--decision needs a checkpoint waiting for approval; {_id(snapshot)}"
            f" is before {', '.join(snapshot.next) or 'the end'}"
        )
    if decision.get("decision") == "approve" and decision.get("approver") == base.requester:
        raise ForkError(f"{base.requester} requested incident {base.id} and cannot approve it")


def _changed(state: IncidentState, assignments: dict[str, Any]) -> IncidentState:
    data = state.model_dump(mode="json")
    for path, value in assignments.items():
        if path.split(".")[0] in PROTECTED:
            raise ForkError(f"--set {path}: {path.split('.')[0]} cannot be changed in a fork")
        _assign(data, path, value)
    try:
        return IncidentState.model_validate(data)
    except ValidationError as exc:
        raise ForkError(
            f"--set makes an invalid incident: {exc.errors()[0]['msg']}"
            f" at {'.'.join(map(str, exc.errors()[0]['loc']))}"
        ) from None


def _assign(data: dict[str, Any], path: str, value: Any) -> None:
    try:
        _assign_at(data, path.split("."), value)
    except (ValueError, IndexError, KeyError, TypeError, AttributeError):
        raise ForkError(f"--set {path}: no such field or index at this checkpoint") from None


def _assign_at(node: Any, parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif last in node:
        node[last] = value
    else:
        raise KeyError(last)


def _loop_time(runner: IncidentRunner, state: IncidentState) -> int:
    """The loop's clock at the checkpoint: its last timeline line, or the first reading."""
    if state.timeline:
        return state.timeline[-1].at
    first = runner.stores.effects.get(state.id, 0)
    if first is None or first.kind != "clock.now":
        raise ForkError(f"incident {state.id} has no recorded start time to fork from")
    return int(first.result_json)


def _new_id(runner: IncidentRunner, incident_id: str) -> str:
    return runner.claim_id(f"{incident_id}-f{n}" for n in itertools.count(1))


def _id(snapshot: StateSnapshot) -> str:
    return str(snapshot.config["configurable"]["checkpoint_id"])
