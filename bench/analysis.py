"""Analysis scaling: bundle detection + RCA time and peak memory, each case in its own process."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.synthetic_bundle import write_bundle

CHILD = """
import json, resource, sys, time
from tools.analysis.bundle_rca import diagnose
from tools.bundle import read_bundle
began = time.perf_counter()
diagnosis = diagnose(read_bundle(sys.argv[1]))
seconds = time.perf_counter() - began
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024,
                  "top": diagnosis.root_causes[0].service if diagnosis.root_causes else None}))
"""


def run_case(folder: Path) -> dict[str, Any]:
    """Time read_bundle + diagnose of one bundle in a fresh interpreter."""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"analysis of {folder} failed: {done.stderr.strip()[-500:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def slope(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares slope of log(y) on log(x): the growth exponent (1 = linear)."""
    points = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0]
    if len(points) < 2:
        return None
    mx = sum(p[0] for p in points) / len(points)
    my = sum(p[1] for p in points) / len(points)
    den = sum((p[0] - mx) ** 2 for p in points)
    return round(sum((p[0] - mx) * (p[1] - my) for p in points) / den, 2) if den else None


def _case(folder: Path, services: int, logs: int) -> dict[str, Any]:
    print(f"analysis: {services} services, {logs} log lines ...", file=sys.stderr)
    write_bundle(folder, services, logs)
    result = run_case(folder)
    for name in folder.iterdir():
        name.unlink()
    return {"services": services, "log_lines": logs, "seconds": round(result["seconds"], 2),
            "peak_mib": round(result["peak_mib"], 1), "top": result["top"]}  # fmt: skip


def measure(
    services: list[int], logs: list[int], base_logs: int, base_services: int
) -> dict[str, Any]:
    """Vary services at `base_logs` log lines, then log lines at `base_services` services."""
    if not services or not logs or min(services) < 2 or min(logs) < 0:
        raise ValueError("need at least one service count >= 2 and one log count >= 0")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bundle"
        by_services = [_case(folder, n, base_logs) for n in services]
        by_logs = [_case(folder, base_services, n) for n in logs]
    return {"benchmark": "analysis", "minutes": 60, "metrics_per_service": 20,
            "by_services": by_services, "by_logs": by_logs,
            "services_exponent": slope([float(c["services"]) for c in by_services],
                                       [c["seconds"] for c in by_services]),
            "logs_exponent": slope([float(c["log_lines"]) for c in by_logs],
                                   [c["seconds"] for c in by_logs])}  # fmt: skip
