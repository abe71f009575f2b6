"""The loop's graph floor replays an investigation's state writes through LangGraph alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from api.targets import SandboxTargets
from bench.loop import BARE_NODES
from bench.loop_floor import floor_builder, investigation
from graphs.checkpointer import sqlite_checkpointer
from graphs.runner import open_runner
from graphs.settings import Settings
from graphs.state import IncidentState


def test_the_floor_graph_ends_in_the_investigations_final_state(tmp_path: Path) -> None:
    trigger, incident, updates = investigation(tmp_path / "source")
    assert len(updates) == BARE_NODES
    assert all("provenance" in update for update in updates)  # every node's own record
    settings = Settings(data_dir=tmp_path / "source", memory=False)
    with open_runner(settings, SandboxTargets(settings.sandbox_dir)) as runner:
        real = runner.get(incident)
    config: Any = {"configurable": {"thread_id": "floor"}}
    with sqlite_checkpointer(tmp_path / "floor.sqlite") as saver:
        app = floor_builder(updates).compile(checkpointer=saver)
        app.invoke(IncidentState(id=incident, requester="bench", trigger=trigger), config)
        floor = IncidentState.model_validate(app.get_state(config).values)
    assert floor == real and floor.status == real.status
    assert [r.node for r in floor.provenance] == [r.node for r in real.provenance]
