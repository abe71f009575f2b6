"""The loop's graph floor: an investigation's own steps and state writes, with no work.

One investigation of the default scenario runs first; what each of its nodes wrote to the
state is read back from its checkpoints' saved writes. The floor graph has as many nodes
on the incident state, each returning what its node wrote, on the same kind of SQLite
checkpointer and durability as the loop: LangGraph and the checkpointer doing for that
state what they do in an investigation, with no detection, diagnosis, recording or
telemetry. What an investigation takes beyond it and the sandbox is ADSH's own code.
"""

from __future__ import annotations

import itertools
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph

from api.targets import SandboxTargets
from graphs.checkpointer import DURABILITY, sqlite_checkpointer
from graphs.runner import open_runner
from graphs.settings import Settings
from graphs.state import IncidentState, Trigger
from sandbox.scenarios import DEFAULT_SCENARIO

Update = dict[str, Any]


def node_updates(saver: BaseCheckpointSaver[Any], thread_id: str) -> list[Update]:
    """What each node of a finished thread wrote to the state, in the order they ran
    (routing writes and the input's left out)."""
    fields = set(IncidentState.model_fields)
    config: Any = {"configurable": {"thread_id": thread_id}}
    updates = []
    for saved in sorted(saver.list(config), key=lambda t: t.metadata["step"]):
        if saved.metadata.get("source") == "input":
            continue
        update = {channel: value for _, channel, value in saved.pending_writes or ()
                  if channel in fields}  # fmt: skip
        if update:
            updates.append(update)
    return updates


def investigation(folder: Path) -> tuple[Trigger, str, list[Update]]:
    """One investigation of the default scenario: its trigger, its id and its nodes' updates."""
    settings = Settings(data_dir=folder, memory=False)
    targets = SandboxTargets(settings.sandbox_dir)
    with open_runner(settings, targets) as runner:
        incident = runner.new_id(Trigger(scenario=DEFAULT_SCENARIO, seed=1))
        trigger = targets.prepare(incident, DEFAULT_SCENARIO, 1)
        runner.start(incident, trigger, "bench")
        return trigger, incident, node_updates(runner.saver, incident)


class _Returning:
    """A node that only returns what a real node wrote."""

    def __init__(self, update: Update) -> None:
        self.update = update

    def __call__(self, state: IncidentState) -> Update:
        return self.update


def floor_builder(updates: list[Update]) -> StateGraph[IncidentState, None, Any, Any]:
    """A line of nodes on the incident state, the i-th returning the i-th update."""
    graph = StateGraph(IncidentState)
    names = [f"step{i}" for i in range(len(updates))]
    for name, update in zip(names, updates, strict=True):
        graph.add_node(name, _Returning(update))
    graph.add_edge(START, names[0])
    for a, b in itertools.pairwise(names):
        graph.add_edge(a, b)
    graph.add_edge(names[-1], END)
    return graph


@contextmanager
def floor_runs(
    folder: Path, collect: Callable[[], None]
) -> Iterator[tuple[int, Callable[[], float]]]:
    """(the floor graph's node count, a function timing one run of it in ms): streamed and
    read back as `IncidentRunner.start` does; `collect` runs before each timed run."""
    with tempfile.TemporaryDirectory(dir=folder) as source:
        trigger, incident, updates = investigation(Path(source))
    with sqlite_checkpointer(folder / "floor.sqlite") as saver:
        app = floor_builder(updates).compile(checkpointer=saver)

        def run() -> float:
            config: Any = {"configurable": {"thread_id": uuid.uuid4().hex}}
            initial = IncidentState(id=incident, requester="bench", trigger=trigger)
            collect()
            began = time.perf_counter()
            for _ in app.stream(initial, config, durability=DURABILITY, stream_mode="values"):
                pass
            IncidentState.model_validate(app.get_state(config).values)
            return (time.perf_counter() - began) * 1000

        yield len(updates), run
