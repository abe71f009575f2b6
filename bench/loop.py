"""Loop overhead: ADSH investigations vs a bare LangGraph graph, same checkpointer, same run."""

from __future__ import annotations

import gc
import itertools
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, Durability, interrupt

import sandbox.environment
from api.targets import SandboxTargets
from bench.loop_floor import floor_runs
from bench.timed_calls import Place, timed_calls
from graphs.checkpointer import DURABILITY, sqlite_checkpointer
from graphs.lifecycle import is_terminal
from graphs.process_heap import freeze_startup_heap
from graphs.runner import open_runner
from graphs.settings import Settings
from graphs.state import Trigger
from sandbox.adapters import SandboxActionAdapter, SandboxClock, SandboxTelemetrySource
from sandbox.scenarios import DEFAULT_SCENARIO

BARE_NODES = 7
"""Nodes an investigation of the default scenario runs: detect, diagnose, plan, review,
execute, verify, learn (low risk: no notify, no approval). Checked on every run."""


class BareState(TypedDict):
    step: int


def _node(state: BareState) -> BareState:
    return {"step": state["step"] + 1}


def _waiting(state: BareState) -> BareState:
    interrupt({"ask": "continue?"})
    return {"step": state["step"] + 1}


def bare_builder() -> StateGraph[BareState, None, BareState, BareState]:
    """BARE_NODES trivial nodes in a line; the middle one holds one interrupt."""
    graph = StateGraph(BareState)
    names = [f"n{i}" for i in range(BARE_NODES)]
    for i, name in enumerate(names):
        graph.add_node(name, _waiting if i == BARE_NODES // 2 else _node)
    graph.add_edge(START, names[0])
    for a, b in itertools.pairwise(names):
        graph.add_edge(a, b)
    graph.add_edge(names[-1], END)
    return graph


def _collect(steady: bool) -> None:
    """Before a timed run: the garbage of earlier runs is not billed to it, unless `steady`
    (a long-running process, which pays for its collections as they come)."""
    if not steady:
        gc.collect()


@contextmanager
def full_collections() -> Iterator[list[float]]:
    """Seconds of every full (generation 2) collection while the block runs."""
    pauses: list[float] = []
    began = [0.0]

    def watch(phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            pauses.append(time.perf_counter() - began[0])

    gc.callbacks.append(watch)
    try:
        yield pauses
    finally:
        gc.callbacks.remove(watch)


def _summary(samples: list[float]) -> dict[str, float]:
    return {"min": round(min(samples), 2), "median": round(statistics.median(samples), 2),
            "mean": round(statistics.mean(samples), 2), "max": round(max(samples), 2)}  # fmt: skip


@contextmanager
def bare_runs(folder: Path, steady: bool = False) -> Iterator[Callable[[Durability], float]]:
    """A function timing one bare run (ms) with a durability mode: invoke to the interrupt,
    resume to the end (`steady`: with no collection before it, see `_collect`)."""
    with sqlite_checkpointer(folder / "bare.sqlite") as saver:
        app = bare_builder().compile(checkpointer=saver)

        def run(durability: Durability) -> float:
            config: Any = {"configurable": {"thread_id": uuid.uuid4().hex}}
            _collect(steady)
            began = time.perf_counter()
            app.invoke({"step": 0}, config, durability=durability)
            app.invoke(Command(resume=True), config, durability=durability)
            return (time.perf_counter() - began) * 1000

        yield run


SANDBOX_TELEMETRY: list[Place] = [
    (sandbox.environment, "build_window"),  # a window with logs and spans
    (sandbox.environment, "metrics_window"),  # metrics alone
]
"""How the sandbox produces telemetry windows (its simulation)."""

SANDBOX: list[Place] = [
    (SandboxTargets, "__call__"),  # loads the incident's environment
    *((SandboxTelemetrySource, name) for name in ("topology", "now", "step", "window", "metrics")),
    (SandboxActionAdapter, "supported_actions"),
    (SandboxActionAdapter, "perform"),  # acts, then saves the environment
    (SandboxClock, "now"),
    (SandboxClock, "sleep"),  # advances the clock, then saves the environment
]
"""Everything behind the Target an investigation gets: the simulated system stands in for
Prometheus, a tracing backend and the platform the actions change, so its time is the
world's, not ADSH's, and the benchmark reports it apart."""


class Investigation(NamedTuple):
    """One timed investigation, ms: in all, in the sandbox, in producing telemetry
    windows (part of the sandbox's), and each full collection during it."""

    took: float
    sandbox: float
    telemetry: float
    full_collections: list[float]


@contextmanager
def adsh_runs(
    folder: Path, memory: bool, steady: bool = False
) -> Iterator[Callable[[int], Investigation]]:
    """A function timing one investigation (runner.start) of the default scenario with a
    given seed; the sandbox's preparation before it is not timed."""
    settings = Settings(data_dir=folder / "adsh", memory=memory)
    targets = SandboxTargets(settings.sandbox_dir)
    with (
        open_runner(settings, targets) as runner,
        timed_calls(SANDBOX) as world,
        timed_calls(SANDBOX_TELEMETRY) as windows,
        full_collections() as pauses,
    ):
        freeze_startup_heap()  # as the API server, worker and eval runs do

        def run(seed: int) -> Investigation:
            incident = runner.new_id(Trigger(scenario=DEFAULT_SCENARIO, seed=seed))
            target = targets.prepare(incident, DEFAULT_SCENARIO, seed)
            world.clear()
            windows.clear()
            _collect(steady)
            before, began = len(pauses), time.perf_counter()
            state = runner.start(incident, target, "bench")
            took = (time.perf_counter() - began) * 1000
            if not is_terminal(state.status):
                raise RuntimeError(f"{incident} stopped at {state.status}, expected a final status")
            if len(state.provenance) != BARE_NODES:  # one decision record per node run
                raise RuntimeError(f"{incident} ran {len(state.provenance)} nodes, the bare "
                                   f"graph has {BARE_NODES}: make them equal")  # fmt: skip
            return Investigation(took, sum(world) * 1000, sum(windows) * 1000,
                                 [p * 1000 for p in pauses[before:]])  # fmt: skip

        yield run


@dataclass
class Samples:
    """ms per run of each kind, in the order they ran."""

    adsh: list[float] = field(default_factory=list)
    sandbox: list[float] = field(default_factory=list)  # the sandbox's share of adsh
    telemetry: list[float] = field(default_factory=list)  # its telemetry windows' share
    bare: list[float] = field(default_factory=list)  # the loop's durability (DURABILITY)
    bare_async: list[float] = field(default_factory=list)  # LangGraph's default, "async"
    floor: list[float] = field(default_factory=list)  # the investigation's writes, no work
    full_collections: list[float] = field(default_factory=list)  # pauses in adsh runs


def time_both(runs: int, folder: Path, memory: bool, steady: bool = False) -> Samples:
    """One ADSH run, one bare run with the loop's durability, one with LangGraph's default
    and one of the graph floor (bench.loop_floor) in turn, so all see the machine alike;
    the first of each warms imports and caches and is dropped."""
    samples = Samples()
    with (
        adsh_runs(folder, memory, steady) as investigate,
        bare_runs(folder, steady) as bare_run,
        floor_runs(folder, lambda: _collect(steady)) as (floor_nodes, floor_run),
    ):
        if floor_nodes != BARE_NODES:
            raise RuntimeError(f"the floor graph has {floor_nodes} nodes, expected {BARE_NODES}")
        for n in range(runs + 1):
            run = investigate(n + 1)
            alone, alone_async, floor = bare_run(DURABILITY), bare_run("async"), floor_run()
            if n:
                samples.adsh.append(run.took)
                samples.sandbox.append(run.sandbox)
                samples.telemetry.append(run.telemetry)
                samples.full_collections += run.full_collections
                samples.bare.append(alone)
                samples.bare_async.append(alone_async)
                samples.floor.append(floor)
    return samples


def measure(runs: int, memory: bool = False, steady: bool = False) -> dict[str, Any]:
    """Both graphs in one process, interleaved in one temporary data dir; `steady`: no
    collection forced before any run, as in a long-running process (a full collection then
    lands in whichever run triggers it, bare ones included)."""
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    with tempfile.TemporaryDirectory() as tmp:
        print(
            f"loop: {runs} ADSH investigations, 2 x {runs} bare runs, {runs} floor runs ...",
            file=sys.stderr,
        )
        s = time_both(runs, Path(tmp), memory, steady)
    own = [total - world for total, world in zip(s.adsh, s.sandbox, strict=True)]
    code = [mine - floor for mine, floor in zip(own, s.floor, strict=True)]
    adsh_ms, bare_ms, own_ms = (statistics.median(x) for x in (s.adsh, s.bare, own))
    bare_async_ms = statistics.median(s.bare_async)
    medians = {"adsh_ms": round(adsh_ms, 2), "bare_ms": round(bare_ms, 2),
               "ratio": round(adsh_ms / bare_ms, 2),
               "sandbox_ms": round(statistics.median(s.sandbox), 2),
               "sandbox_telemetry_ms": round(statistics.median(s.telemetry), 2),
               "adsh_own_ms": round(own_ms, 2),
               "own_ratio": round(own_ms / bare_ms, 2),
               "bare_async_ms": round(bare_async_ms, 2),
               "ratio_vs_async": round(adsh_ms / bare_async_ms, 2),
               "graph_floor_ms": round(statistics.median(s.floor), 2),
               "graph_floor_ratio": round(statistics.median(s.floor) / bare_ms, 2),
               "adsh_code_ms": round(statistics.median(code), 2),
               "code_ratio": round(statistics.median(code) / bare_ms, 2)}  # fmt: skip
    pauses = s.full_collections  # inside the timed ADSH runs
    return {"benchmark": "loop", "runs": runs, "scenario": DEFAULT_SCENARIO, "memory": memory,
            "bare_nodes": BARE_NODES, "durability": DURABILITY, "steady": steady, **medians,
            "adsh": _summary(s.adsh), "adsh_own": _summary(own), "bare": _summary(s.bare),
            "bare_async": _summary(s.bare_async), "graph_floor": _summary(s.floor),
            "adsh_code": _summary(code), "full_collections": len(pauses),
            "full_collection_ms": _summary(pauses) if pauses else None}  # fmt: skip
