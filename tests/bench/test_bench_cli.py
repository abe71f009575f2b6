"""`python -m bench` subcommands at tiny sizes: one JSON object each, with sane keys and values."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.analysis import slope
from bench.loop import full_collections
from bench.synthetic_bundle import write_bundle
from tools.bundle import read_bundle

ROOT = Path(__file__).resolve().parents[2]


def run_bench(*args: str, out: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench", *args, "--json", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed == json.loads(out.read_text())
    assert done.stderr.strip(), "expected a progress line on stderr"
    return printed


def test_loop_reports_medians_and_ratio(tmp_path: Path) -> None:
    result = run_bench("loop", "--runs", "1", out=tmp_path / "loop.json")
    assert result["runs"] == 1
    assert result["adsh_ms"] > 0 and result["bare_ms"] > 0
    assert result["ratio"] == pytest.approx(result["adsh_ms"] / result["bare_ms"], rel=0.01)
    for side in ("adsh", "adsh_own", "bare", "bare_async"):
        assert result[side]["min"] <= result[side]["median"] <= result[side]["max"]
    assert result["durability"] == "sync" and result["bare_async_ms"] > 0
    assert result["steady"] is False and result["full_collections"] == 0
    # one run: ADSH's own time is the investigation less its time inside the sandbox,
    # of which producing telemetry windows is a part
    assert 0 < result["sandbox_telemetry_ms"] < result["sandbox_ms"] < result["adsh_ms"]
    assert result["adsh_own_ms"] == pytest.approx(
        result["adsh_ms"] - result["sandbox_ms"], abs=0.02
    )
    # and ADSH's code is its own time less the graph floor (the same writes, no work)
    assert 0 < result["graph_floor_ms"] < result["adsh_own_ms"]
    assert result["adsh_code_ms"] == pytest.approx(
        result["adsh_own_ms"] - result["graph_floor_ms"], abs=0.02
    )
    assert result["graph_floor"]["min"] <= result["graph_floor"]["max"]


def test_loop_steady_reports_the_full_collections_of_its_runs(tmp_path: Path) -> None:
    result = run_bench("loop", "--runs", "2", "--steady", out=tmp_path / "loop.json")
    assert result["steady"] is True and isinstance(result["full_collections"], int)
    assert (result["full_collection_ms"] is None) == (result["full_collections"] == 0)
    assert result["adsh"]["min"] <= result["adsh"]["mean"] <= result["adsh"]["max"]


def test_full_collections_are_timed_while_watched_only() -> None:
    gc.collect()
    with full_collections() as pauses:
        gc.collect(1)  # a younger generation: not a full collection
        gc.collect()
    gc.collect()
    assert len(pauses) == 1 and pauses[0] > 0


def test_loop_profile_names_where_the_time_goes(tmp_path: Path) -> None:
    result = run_bench("loop", "--runs", "1", "--profile", out=tmp_path / "loop.json")
    parts = {p["part"]: p for p in result["profile"]["parts"]}
    assert {"sandbox producing telemetry", "analysis: detection", "audit trail"} <= set(parts)
    assert all(p["ms"] > 0 for p in parts.values())
    assert sum(p["share"] for p in parts.values()) == pytest.approx(1.0, abs=0.01)


def test_analysis_reports_each_case_and_exponents(tmp_path: Path) -> None:
    args = [
        "--services",
        "5,10",
        "--logs",
        "100,1000",
        "--base-logs",
        "100",
        "--base-services",
        "5",
    ]
    result = run_bench("analysis", *args, out=tmp_path / "a.json")
    assert [c["services"] for c in result["by_services"]] == [5, 10]
    assert [c["log_lines"] for c in result["by_logs"]] == [100, 1000]
    for case in result["by_services"] + result["by_logs"]:
        assert case["seconds"] > 0 and case["peak_mib"] > 10
    assert isinstance(result["services_exponent"], float)


def test_detector_counts_every_point_of_the_sample(tmp_path: Path) -> None:
    result = run_bench("detector", out=tmp_path / "d.json")
    assert result["files"] == 3
    assert result["points"] == 900 + 1100 + 1342
    assert result["points_per_s"] == pytest.approx(result["points"] / result["seconds"], rel=0.05)


def test_detector_refuses_a_missing_folder(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "detector", "--nab-dir", str(tmp_path / "nope")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode != 0 and "nope" in done.stderr


def test_replay_reports_checkpoint_rates(tmp_path: Path) -> None:
    result = run_bench("replay", "--incidents", "1", out=tmp_path / "r.json")
    assert result["incidents"] == 1 and result["checkpoints"] > 1
    assert result["replay_checkpoints_per_s"] > 0 and result["live_checkpoints_per_s"] > 0


def test_synthetic_bundle_reads_back_with_every_service(tmp_path: Path) -> None:
    bundle = read_bundle(write_bundle(tmp_path / "b", services=4, log_lines=50, minutes=20))
    assert bundle.services == ["svc0000", "svc0001", "svc0002", "svc0003"]
    assert (tmp_path / "b" / "logs.jsonl").read_text().count("\n") == 50


def test_slope_of_a_power_law_is_its_exponent() -> None:
    assert slope([10, 100, 1000], [2, 200, 20000]) == 2.0
    assert slope([10], [1]) is None
