"""Where an investigation's time goes: wall time inside named parts, nested parts excluded."""

from __future__ import annotations

import functools
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver
from pydantic import TypeAdapter

import agents.monitor
import graphs.effects
import graphs.runner
import sandbox.environment
import tools.analysis.history
import tools.analysis.rca
from bench.loop import adsh_runs
from bench.timed_calls import patched
from memory.audit import AuditTrail

TOTAL = "graph, checkpoint calls, the other nodes"
# (owner, attribute, part): where the loop's code calls each part through that attribute
PARTS: list[tuple[Any, str, str]] = [
    (graphs.runner.IncidentRunner, "start", TOTAL),
    (sandbox.environment, "build_window", "sandbox producing telemetry"),
    (sandbox.environment, "metrics_window", "sandbox producing telemetry"),
    (agents.monitor, "detect_anomalies", "analysis: detection"),
    (tools.analysis.rca, "extract_features", "analysis: RCA features"),
    (agents.monitor, "rank_root_causes", "analysis: RCA ranking"),
    (agents.monitor, "check_recovery", "analysis: recovery check"),
    (tools.analysis.history, "merged", "analysis: baseline assembly"),
    (graphs.effects.EffectStore, "put", "recording: SQLite and compression"),
    (graphs.effects.EffectStore, "get", "recording: lookups"),
    (TypeAdapter, "dump_json", "recording: JSON encoding"),
    (AuditTrail, "append", "audit trail"),
    (SqliteSaver, "put", "checkpoint writes (LangGraph's background thread)"),
    (SqliteSaver, "put_writes", "checkpoint writes (LangGraph's background thread)"),
]


class _Timer:
    """Seconds per part, each part's time without the parts it calls (per thread)."""

    def __init__(self) -> None:
        self.spent: defaultdict[str, float] = defaultdict(float)
        self._local = threading.local()

    def wrap(self, fn: Callable[..., Any], part: str) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            stack: list[float] = self._local.__dict__.setdefault("stack", [])
            began = time.perf_counter()
            stack.append(0.0)
            try:
                return fn(*args, **kwargs)
            finally:
                took, inner = time.perf_counter() - began, stack.pop()
                self.spent[part] += took - inner
                if stack:
                    stack[-1] += took

        return timed


@contextmanager
def _timed_parts() -> Iterator[_Timer]:
    timer = _Timer()
    with patched([(o, a) for o, a, _ in PARTS], lambda i, f: timer.wrap(f, PARTS[i][2])):
        yield timer


def profile(runs: int, memory: bool = False) -> dict[str, Any]:
    """ms per investigation in each part, and its share of all timed ms, over `runs`."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        _timed_parts() as timer,
        adsh_runs(Path(tmp), memory) as investigate,
    ):
        for seed in range(1, 4):  # warm-up
            investigate(seed)
        timer.spent.clear()
        for seed in range(10, 10 + runs):
            investigate(seed)
    total = sum(timer.spent.values())
    ranked = sorted(timer.spent.items(), key=lambda item: -item[1])
    return {
        "runs": runs,
        "parts": [
            {"part": part, "ms": round(s / runs * 1000, 2), "share": round(s / total, 3)}
            for part, s in ranked
        ],
    }
