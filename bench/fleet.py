"""Benchmark: investigations per second with 1, 2 and 4 `adsh worker` processes.

Usage: .venv/bin/python -m bench.fleet [--incidents 40] [--workers 1,2,4] [--json]
Baseline: the embedded mode (SQLite, one process, no Redis) runs the same investigations in
the same run. Fleet runs use a throwaway PostgreSQL database and Redis key prefix (the
machine's servers: --pg-admin-url, --redis-url). Each also reports the share of graph time
spent writing checkpoints (the saver's put/put_writes, timed inside every worker).
Not a test: numbers vary by machine and by what else runs on it.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
import redis
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.sqlite import SqliteSaver

from api.fleet.service import QueuedInvestigationService
from api.settings import ApiSettings
from api.targets import SandboxTargets
from graphs.lifecycle import TERMINAL
from graphs.runner import open_runner
from graphs.state import Trigger

SCENARIOS = ["memory-leak-catalog", "cpu-saturation-inventory", "pool-exhaustion-inventory"]
FINAL = {s.value for s in TERMINAL}


class Timers:
    """Seconds spent in checkpoint writes and in graph work, summed over threads."""

    def __init__(self) -> None:
        self.seconds = {"checkpoint_writes": 0.0, "graph": 0.0}
        self._lock = threading.Lock()

    def wrap(self, owner: Any, name: str, bucket: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                with self._lock:
                    self.seconds[bucket] += time.perf_counter() - began

        setattr(owner, name, timed)

    def time_checkpoint_writes(self) -> None:
        for saver in (SqliteSaver, PostgresSaver):
            self.wrap(saver, "put", "checkpoint_writes")
            self.wrap(saver, "put_writes", "checkpoint_writes")


def embedded_baseline(count: int) -> dict[str, float]:
    """The same investigations in one process on SQLite: the in-process service's path."""
    timers = Timers()
    timers.time_checkpoint_writes()
    with tempfile.TemporaryDirectory() as tmp:
        settings = ApiSettings(data_dir=Path(tmp), memory=False)
        targets = SandboxTargets(settings.sandbox_dir)
        with open_runner(settings, targets) as runner:
            timers.wrap(runner, "start", "graph")
            began = time.perf_counter()
            for n in range(count):
                scenario = SCENARIOS[n % len(SCENARIOS)]
                incident = runner.new_id(Trigger(scenario=scenario, seed=n))
                runner.start(incident, targets.prepare(incident, scenario, n), "bench")
            elapsed = time.perf_counter() - began
    return _result("embedded-sqlite", 1, count, elapsed, timers.seconds)


@contextmanager
def throwaway_backends(pg_admin_url: str, redis_url: str) -> Iterator[tuple[str, str]]:
    """(database URL, Redis prefix), both removed afterwards."""
    name = f"adsh_bench_{uuid.uuid4().hex[:10]}"
    prefix = f"adsh-bench-{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{pg_admin_url.rpartition('/')[0]}/{name}", prefix
    finally:
        client = redis.Redis.from_url(redis_url)
        for key in list(client.scan_iter(match=f"{prefix}*", count=1000)):
            client.delete(key)
        with psycopg.connect(pg_admin_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def fleet_run(workers: int, count: int, pg_admin_url: str, redis_url: str) -> dict[str, float]:
    """`workers` worker processes on PostgreSQL + Redis; investigations enqueued at once."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        throwaway_backends(pg_admin_url, redis_url) as (
            database_url,
            prefix,
        ),
    ):
        settings = ApiSettings(data_dir=Path(tmp), memory=False, redis_url=redis_url,
                               redis_prefix=prefix, database_url=database_url)  # fmt: skip
        targets = SandboxTargets(settings.sandbox_dir)
        client = redis.Redis.from_url(redis_url)
        with open_runner(settings, targets) as runner:  # migrates the database first
            service = QueuedInvestigationService(runner, targets, settings, client)
            processes, timing_files = _spawn_workers(settings, workers, Path(tmp))
            try:
                ids = []
                began = time.perf_counter()
                for n in range(count):
                    ids.append(service.trigger_scenario(SCENARIOS[n % len(SCENARIOS)], n, "bench"))
                _wait_final(service, ids)
                elapsed = time.perf_counter() - began
            finally:
                for process in processes:
                    process.terminate()
                for process in processes:
                    process.wait(60)
        client.close()
        seconds = _sum_timings(timing_files)
    return _result("postgresql+redis", workers, count, elapsed, seconds)


def _spawn_workers(
    settings: ApiSettings, workers: int, tmp: Path
) -> tuple[list[subprocess.Popen[bytes]], list[Path]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADSH_")}
    assert settings.database_url is not None
    env.update(ADSH_DATA_DIR=str(settings.data_dir), ADSH_MEMORY="off",
               ADSH_REDIS_URL=settings.redis_url or "", ADSH_REDIS_PREFIX=settings.redis_prefix,
               ADSH_DATABASE_URL=settings.database_url.get_secret_value())  # fmt: skip
    processes, files = [], []
    for index in range(workers):
        timing, log = tmp / f"timing-{index}.json", tmp / f"worker-{index}.log"
        with log.open("ab") as out:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "bench.fleet", "--worker-child", str(timing)],
                env=env, stdout=out, stderr=subprocess.STDOUT,
                cwd=Path(__file__).resolve().parents[1],
            ))  # fmt: skip
        files.append(timing)
        _wait(_started(log), 120, f"worker {index} to start")
    return processes, files


def _started(log: Path) -> Callable[[], bool]:
    return lambda: " started" in log.read_text()


def _wait_final(service: QueuedInvestigationService, ids: list[str]) -> None:
    def done() -> bool:
        statuses = service.board.statuses()
        return all(statuses.get(i) in FINAL and not service.is_busy(i) for i in ids)

    _wait(done, 1800, "every investigation to finish", every=0.1)


def _wait(check: Callable[[], bool], timeout: float, what: str, every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: timed out waiting for {what}")
        time.sleep(every)


def _sum_timings(files: list[Path]) -> dict[str, float]:
    total = {"checkpoint_writes": 0.0, "graph": 0.0}
    for path in files:
        for key, value in json.loads(path.read_text()).items():
            total[key] += value
    return total


def worker_child(timing_path: Path) -> None:
    """`adsh worker` with timers around checkpoint writes and jobs, written out at exit."""
    import typer  # noqa: PLC0415 (only the child needs the CLI)

    from api.cli_worker import worker  # noqa: PLC0415
    from api.fleet.worker import FleetWorker  # noqa: PLC0415

    timers = Timers()
    timers.time_checkpoint_writes()
    timers.wrap(FleetWorker, "handle", "graph")

    def write_timings() -> None:
        timing_path.write_text(json.dumps(timers.seconds))

    atexit.register(write_timings)
    sys.argv = ["adsh-worker"]
    typer.run(worker)


def _result(
    mode: str, workers: int, count: int, elapsed: float, seconds: dict[str, float]
) -> dict[str, Any]:
    graph = seconds["graph"] or elapsed
    return {"mode": mode, "workers": workers, "incidents": count,
            "seconds": round(elapsed, 2), "investigations_per_s": round(count / elapsed, 2),
            "checkpoint_write_share": round(seconds["checkpoint_writes"] / graph, 3)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--incidents", type=int, default=40)
    parser.add_argument("--workers", default="1,2,4", help="comma-separated worker counts")
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--worker-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_child is not None:
        worker_child(args.worker_child)
        return
    if args.incidents < 1:
        parser.error("--incidents must be at least 1")
    try:
        counts = [int(n) for n in args.workers.split(",")]
    except ValueError:
        parser.error(f"--workers must be comma-separated integers, got {args.workers!r}")
    runs = [embedded_baseline(args.incidents)]
    for workers in counts:
        runs.append(fleet_run(workers, args.incidents, args.pg_admin_url, args.redis_url))
    baseline = runs[0]["investigations_per_s"]
    for run in runs:
        run["vs_embedded"] = round(run["investigations_per_s"] / baseline, 2)
    result = {"incidents": args.incidents, "cpu_count": os.cpu_count(), "runs": runs}
    if args.json:
        print(json.dumps(result))
        return
    for run in runs:
        print(f"{run['mode']:>17} x{run['workers']}: {run['investigations_per_s']:6.2f} inv/s"
              f"  ({run['vs_embedded']}x embedded)  checkpoint writes"
              f" {run['checkpoint_write_share']:.0%} of graph time")  # fmt: skip


if __name__ == "__main__":
    main()
