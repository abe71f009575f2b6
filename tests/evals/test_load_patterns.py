"""Load patterns: a case's fault can start at the daily traffic peak or trough."""

from pathlib import Path

import numpy as np
import pytest

from evals.cases import EvalCase, FaultRef, load_suite
from evals.runner import suite_run
from sandbox.environment import SandboxEnvironment
from sandbox.model import DAY, LOAD_TIMES, seconds_until
from tools.telemetry import Metric


def _case(load: str) -> EvalCase:
    fault = FaultRef(type="db_pool_exhaustion", service="inventory")
    return EvalCase.model_validate(
        {"id": f"c-{load}", "suite": "t", "seed": 3, "faults": [fault], "load": load}
    )


def test_seconds_until_reaches_the_next_peak_or_trough() -> None:
    assert seconds_until(5 * DAY + LOAD_TIMES["peak"], "peak") == 0
    assert seconds_until(5 * DAY + LOAD_TIMES["peak"] + 60, "peak") == DAY - 60
    assert (7 * DAY + seconds_until(7 * DAY, "trough")) % DAY == LOAD_TIMES["trough"]
    with pytest.raises(ValueError, match="load must be one of peak, trough"):
        seconds_until(0, "lunch")


def test_the_hard_suite_has_a_peak_hour_case() -> None:
    _, hard = load_suite("hard")
    assert {c.load for c in hard} == {"steady", "peak", "trough"}
    peak = [c for c in hard if c.load == "peak"]
    assert peak and all(c.faults[0].type == "db_pool_exhaustion" for c in peak)


def _entry_rps_at_fault(tmp_path: Path, load: str) -> tuple[int, float]:
    with suite_run(tmp_path / load) as run:
        start = run._prepare(f"env-{load}", _case(load))
        env = SandboxEnvironment.load(run.settings.sandbox_dir, f"env-{load}")
    [fault] = env.state.faults
    assert fault.start == start
    series = env.telemetry(start - 600, start).series("frontend", Metric.THROUGHPUT)
    assert series is not None
    return start, float(np.mean(series.values))


def test_prepare_injects_at_the_requested_point_of_the_day(tmp_path: Path) -> None:
    rps = {}
    for load in ("steady", "peak", "trough"):
        start, rps[load] = _entry_rps_at_fault(tmp_path, load)
        if load != "steady":
            assert start % DAY == LOAD_TIMES[load]
    assert rps["peak"] > 1.5 * rps["trough"] and rps["peak"] > rps["steady"] >= rps["trough"]
