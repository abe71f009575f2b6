"""What explains a symptom in bundle analysis, and which part names the fault type."""

import json
from pathlib import Path

from tools.analysis.bundle_features import extract
from tools.analysis.bundle_rca import diagnose, explanation, to_ms
from tools.bundle import read_bundle

START = 1_700_000_400


def _bundle(tmp_path: Path, series: dict[tuple[str, str], tuple[float, float]]) -> Path:
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
    # Both rise far beyond their baselines, but a's 50 ms carry 5 % of frontend's 1000 ms.
    folder = _bundle(
        tmp_path,
        {("frontend", "latency_p99_ms"): (100.0, 1100.0), ("a", "latency_p99_ms"): (5.0, 55.0)},
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
