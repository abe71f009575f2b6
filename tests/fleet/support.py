"""Helpers for fleet tests: settings on a shared data dir, worker subprocesses, waiting."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api.settings import ApiSettings

ADSH = str(Path(sys.executable).parent / "adsh")


def fleet_env(settings: ApiSettings, **extra: str) -> dict[str, str]:
    """Environment for `adsh worker`/`adsh serve` subprocesses sharing these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADSH_")}
    env.update(
        ADSH_DATA_DIR=str(settings.data_dir),
        ADSH_MEMORY="off",
        ADSH_REDIS_URL=settings.redis_url or "",
        ADSH_REDIS_PREFIX=settings.redis_prefix,
        ADSH_WORKER_LOCK_TTL_SECONDS=str(settings.worker_lock_ttl_seconds),
        ADSH_WORKER_RECLAIM_IDLE_SECONDS=str(settings.worker_reclaim_idle_seconds),
    )
    if settings.database_url is not None:
        env["ADSH_DATABASE_URL"] = settings.database_url.get_secret_value()
    env.update(extra)
    return env


def spawn_worker(env: dict[str, str], log: Path, concurrency: int = 1) -> subprocess.Popen[bytes]:
    """`adsh worker` in the background, its output appended to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [ADSH, "worker", "--concurrency", str(concurrency)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_for(check: Callable[[], Any], timeout: float, what: str, every: float = 0.05) -> Any:
    """Poll `check` until it returns something truthy; fail naming `what` after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def stop(process: subprocess.Popen[bytes], timeout: float = 20) -> int:
    """SIGTERM, then SIGKILL if it does not exit in time; the exit status."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    return int(process.returncode)
