"""What explains a symptom in bundle analysis, and which part names the fault type."""

import json
from pathlib import Path

import numpy as np

from tools.analysis.bundle_features import BundleFeatures, extract, settled
from tools.analysis.bundle_rca import diagnose, explanation
from tools.analysis.units import to_ms
from tools.bundle import read_bundle

START = 1_700_000_400


def _bundle(tmp_path: Path, series: dict[tuple[str, str], tuple[float, float]]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    """Metrics that sit at the first level for ten minutes, then at the second for five
    (with a 1 % wiggle so baselines have a spread); frontend calls a."""
    rows = ["timestamp,service,metric,value"]
    for minute in range(-10, 5):
        wiggle = 1 + 0.01 * (minute % 3 - 1)
        for (service, metric), (before, after) in series.items():
            value = (before if minute < 0 else after) * wiggle
            rows.append(f"{START + minute * 60},{service},{metric},{value}")
    (tmp_path / "metrics.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    incident = {"start": START, "end": START + 300, "dependencies": [["frontend", "a"]]}
    (tmp_path / "incident.json").write_text(json.dumps(incident), encoding="utf-8")
    return tmp_path


def test_a_callee_a_few_ms_slower_does_not_explain_a_caller_a_second_slower(
    tmp_path: Path,
) -> None:
    # Both rise far beyond their baselines, but a's 300 ms carry 5 % of frontend's 6000 ms.
    folder = _bundle(
        tmp_path,
        {("frontend", "latency_p99_ms"): (100.0, 6100.0), ("a", "latency_p99_ms"): (10.0, 310.0)},
    )
    features = extract(read_bundle(folder))
    assert features.strength("a", "latency") >= 40
    explained, _ = explanation(features, "frontend", "latency")
    assert explained < 0.1 * features.strength("a", "latency")


def test_a_callee_as_slow_as_its_caller_explains_it(tmp_path: Path) -> None:
    folder = _bundle(
        tmp_path,
        {("frontend", "latency_p99_ms"): (100.0, 600.0), ("a", "latency_p99_ms"): (50.0, 550.0)},
    )
    features = extract(read_bundle(folder))
    explained, reason = explanation(features, "frontend", "latency")
    assert explained == features.strength("a", "latency") and reason == "its callees'"


def test_the_fault_type_comes_from_the_cause_not_the_larger_symptom(tmp_path: Path) -> None:
    # Latency is the larger part (0.3 x 50 spreads) but names no type; CPU (10 spreads) does.
    folder = _bundle(
        tmp_path,
        {("frontend", "latency_p99_ms"): (100.0, 5000.0), ("frontend", "cpu_util"): (0.2, 0.4)},
    )
    top = diagnose(read_bundle(folder)).root_causes[0]
    assert top.service == "frontend"
    assert top.evidence[0].summary.startswith("latency_p99_ms")
    assert top.fault_type == "cpu_saturation"


def test_latency_units_are_read_from_metric_names() -> None:
    assert to_ms("latency_p99_ms") == 1.0
    assert to_ms("PodServerLatencyP95(s)") == 1000.0
    assert to_ms("http_server_request_duration_seconds") == 1000.0
    assert to_ms("rpc_latency_us") == 0.001
    assert to_ms("ResponseTime") is None


def test_a_share_of_capacity_moving_less_than_a_point_is_no_evidence(tmp_path: Path) -> None:
    # Doubling from 0.2 % to 0.4 % of a CPU is far beyond a 1 % wiggle, and nothing.
    folder = _bundle(tmp_path, {("a", "cpu_util"): (0.002, 0.004), ("b", "cpu_util"): (0.2, 0.4)})
    features = extract(read_bundle(folder))
    assert features.strength("a", "cpu") < 1
    assert features.strength("b", "cpu") >= 9  # 20 points on a spread of 10 % of 0.2


def test_a_usage_in_its_own_units_gives_way_to_the_share_beside_it(tmp_path: Path) -> None:
    # MiB sextuple while the share of the limit moves by under a point: no memory evidence.
    series = {("a", "MemoryUsage(Mi)"): (15.0, 90.0), ("a", "memory_util"): (0.150, 0.155)}
    features = extract(read_bundle(_bundle(tmp_path, series)))
    assert features.strength("a", "memory") < 1
    assert [s.metric for s in features.shifts["a"]] == ["memory_util"]


def test_a_success_rate_falls_by_points_of_failures_not_by_a_share_of_its_level(
    tmp_path: Path,
) -> None:
    # 100 % -> 95 % is 5 % of the level but five points of failing requests.
    folder = _bundle(tmp_path, {("frontend", "SuccessRate(%)"): (100.0, 95.0)})
    assert extract(read_bundle(folder)).strength("frontend", "success") >= 4


def test_a_few_milliseconds_of_jitter_on_a_fast_service_is_no_shift(tmp_path: Path) -> None:
    folder = _bundle(tmp_path, {("a", "latency_p99_ms"): (5.0, 8.0)})
    assert extract(read_bundle(folder)).strength("a", "latency") < 1


def test_callers_time_out_only_on_a_callee_slower_than_their_usual_answer(
    tmp_path: Path,
) -> None:
    # The callee doubles both times; only the second reaches frontend's usual 300 ms.
    slow = {
        ("frontend", "SuccessRate(%)"): (100.0, 80.0),
        ("frontend", "latency_p50_ms"): (300.0, 300.0),
    }
    doubled = _bundle(tmp_path / "ms", {**slow, ("a", "latency_p99_ms"): (40.0, 90.0)})
    seconds = _bundle(tmp_path / "s", {**slow, ("a", "latency_p99_ms"): (400.0, 2400.0)})
    assert explanation(extract(read_bundle(doubled)), "frontend", "success")[0] == 0
    assert explanation(extract(read_bundle(seconds)), "frontend", "success")[0] >= 40


def test_requests_that_stop_at_a_callee_explain_its_callers_failures() -> None:
    features = BundleFeatures(
        services=["frontend", "a"],
        callers={"a": {"frontend"}},
        callees={"frontend": {"a"}},
        ends={"a": (3.0, 0.05, 0.4)},
    )
    explained, reason = explanation(features, "frontend", "errors")
    assert explained >= 40 and "stop at" in reason
    assert explanation(features, "frontend", "latency")[0] == 0


def test_a_baseline_drops_the_tail_of_an_earlier_incident_but_keeps_its_wiggle() -> None:
    tail = np.array([20.0, 9.0, 0.45, 0.47, 0.44, 0.46])
    assert list(settled(tail)) == [0.45, 0.47, 0.44, 0.46]
    steady = np.array([0.5, 0.45, 0.47, 0.44, 0.46])
    assert list(settled(steady)) == list(steady)
    assert list(settled(np.array([20.0, 9.0, 0.45, 0.47]))) == [0.45, 0.47]  # keeps two


def _callers_weight(folder: Path, callee: str) -> float:
    diagnosis = diagnose(read_bundle(folder))
    return sum(
        e.weight
        for h in diagnosis.root_causes
        if h.service == callee
        for e in h.evidence
        if e.summary.startswith("its callers")
    )


def test_a_callers_wait_counts_as_far_as_its_own_answers_slow_down(tmp_path: Path) -> None:
    # x and y wait as much longer on their calls; only x answers slower for it.
    folder = _bundle(
        tmp_path,
        {
            ("x", "client_latency_p99_ms"): (100.0, 300.0),
            ("x", "latency_p99_ms"): (200.0, 400.0),
            ("y", "client_latency_p99_ms"): (100.0, 300.0),
            ("y", "latency_p99_ms"): (200.0, 200.0),
            ("a", "cpu_util"): (0.3, 0.3),
            ("b", "cpu_util"): (0.3, 0.3),
        },
    )
    incident = {"start": START, "end": START + 300, "dependencies": [["x", "a"], ["y", "b"]]}
    (folder / "incident.json").write_text(json.dumps(incident), encoding="utf-8")
    assert _callers_weight(folder, "a") > 3  # sqrt(20 x 10 spreads) x 0.3
    assert _callers_weight(folder, "b") == 0


def test_a_caller_without_a_latency_metric_counts_its_client_wait_alone(tmp_path: Path) -> None:
    folder = _bundle(
        tmp_path,
        {("x", "client_latency_p99_ms"): (100.0, 300.0), ("a", "cpu_util"): (0.3, 0.3)},
    )
    incident = {"start": START, "end": START + 300, "dependencies": [["x", "a"]]}
    (folder / "incident.json").write_text(json.dumps(incident), encoding="utf-8")
    features = extract(read_bundle(folder))
    expected = 0.3 * features.strength("x", "client_latency")
    assert expected > 5
    assert abs(_callers_weight(folder, "a") - expected) < 0.01


def _latency_weight(tmp_path: Path, series: dict[str, tuple[float, float]]) -> float:
    folder = _bundle(tmp_path, {("frontend", name): levels for name, levels in series.items()})
    top = diagnose(read_bundle(folder)).root_causes
    return sum(e.weight for h in top if h.service == "frontend" for e in h.evidence)


def test_one_of_several_tail_percentiles_jumping_alone_is_a_few_odd_requests(
    tmp_path: Path,
) -> None:
    alone = {"p90_latency_ms": (100.0, 100.0), "p95_latency_ms": (200.0, 200.0),
             "p99_latency_ms": (300.0, 3000.0)}  # fmt: skip
    agreeing = {**alone, "p95_latency_ms": (200.0, 2000.0)}
    assert _latency_weight(tmp_path / "alone", alone) < 0.1
    assert _latency_weight(tmp_path / "agreeing", agreeing) > 10  # 0.3 x 50 spreads


def test_with_a_median_and_one_tail_the_tail_is_the_measure(tmp_path: Path) -> None:
    # A slowdown of the slowest requests (a pause, a leak) leaves the median where it was.
    series = {"p50_latency_ms": (50.0, 50.0), "p99_latency_ms": (300.0, 3000.0)}
    assert _latency_weight(tmp_path, series) > 10


def test_a_caller_whose_answers_slow_at_one_tail_percentile_alone_barely_waits(
    tmp_path: Path,
) -> None:
    answers = {("x", "p90_latency_ms"): (100.0, 100.0), ("x", "p95_latency_ms"): (150.0, 150.0),
               ("x", "p99_latency_ms"): (200.0, 2000.0)}  # fmt: skip
    common = {("x", "client_latency_p99_ms"): (100.0, 300.0), ("a", "cpu_util"): (0.3, 0.3)}
    incident = {"start": START, "end": START + 300, "dependencies": [["x", "a"]]}
    weights = []
    for name, extra in (("odd", {}), ("agreeing", {("x", "p95_latency_ms"): (150.0, 1500.0)})):
        folder = _bundle(tmp_path / name, {**common, **answers, **extra})
        (folder / "incident.json").write_text(json.dumps(incident), encoding="utf-8")
        weights.append(_callers_weight(folder, "a"))
    assert weights[0] < 1
    assert weights[1] > 3
