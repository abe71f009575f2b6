"""Streaming NAB detector throughput: points scored per second over a NAB corpus."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from evals.nab_corpus import data_files, read_series
from tools.analysis.streaming import stream_scores

NAB_SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "nab-sample" / "data"


def measure(data_dir: Path = NAB_SAMPLE, limit: int | None = None) -> dict[str, Any]:
    """Score every series (the first `limit`) online; reading the CSVs is not timed."""
    if not data_dir.is_dir():
        raise FileNotFoundError(f"NAB data folder {data_dir} does not exist")
    names = data_files(data_dir)[:limit]
    if not names:
        raise FileNotFoundError(f"no NAB series under {data_dir}")
    points, seconds = 0, 0.0
    for name in names:
        series = read_series(data_dir, name)
        print(f"detector: {name} ({len(series.values)} points)", file=sys.stderr)
        began = time.perf_counter()
        stream_scores(series.timestamps, series.values)
        seconds += time.perf_counter() - began
        points += len(series.values)
    return {"benchmark": "detector", "data_dir": str(data_dir), "files": len(names),
            "points": points, "seconds": round(seconds, 3),
            "points_per_s": round(points / seconds, 1)}  # fmt: skip
