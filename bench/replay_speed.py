"""Benchmark: replay speed (checkpoints per second) against the original run, same machine.

Usage: .venv/bin/python bench/replay_speed.py [--incidents 20] [--json]
Runs seeded sandbox incidents live (approvals given), then replays each with --verify;
reports checkpoints per second of both and their ratio. Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.targets import SandboxTargets
from graphs.lifecycle import Status
from graphs.replay import original_history, replay
from graphs.runner import IncidentRunner, open_runner
from graphs.settings import Settings
from graphs.state import Trigger
from sandbox.scenarios import SCENARIOS


def run_live(run: IncidentRunner, targets: SandboxTargets, count: int) -> list[str]:
    names = sorted(SCENARIOS)
    ids = []
    for i in range(count):
        scenario, seed = names[i % len(names)], 1 + i // len(names)
        incident_id = run.new_id(Trigger(scenario=scenario, seed=seed))
        state = run.start(incident_id, targets.prepare(incident_id, scenario, seed), "bench")
        approvers = iter(("ana", "bo", "cy"))
        while state.status is Status.AWAITING_APPROVAL:
            state = run.decide(state.id, next(approvers), "approve")
        ids.append(incident_id)
    return ids


def measure(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        targets = SandboxTargets(settings.sandbox_dir)
        with open_runner(settings, targets) as run:
            began = time.perf_counter()
            ids = run_live(run, targets, count)
            live_seconds = time.perf_counter() - began
            checkpoints = sum(len(original_history(run, i)) - 1 for i in ids)
            began = time.perf_counter()
            reports = [replay(run, i, verify=True) for i in ids]
            replay_seconds = time.perf_counter() - began
    assert all(r.identical for r in reports), "a replay diverged"
    live_rate, replay_rate = checkpoints / live_seconds, checkpoints / replay_seconds
    return {"incidents": count, "checkpoints": checkpoints,
            "live_seconds": round(live_seconds, 2), "replay_seconds": round(replay_seconds, 2),
            "live_checkpoints_per_s": round(live_rate, 1),
            "replay_checkpoints_per_s": round(replay_rate, 1),
            "replay_speedup": round(replay_rate / live_rate, 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.incidents < 1:
        parser.error("--incidents must be at least 1")
    result = measure(args.incidents)
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:>26}: {value}")


if __name__ == "__main__":
    main()
