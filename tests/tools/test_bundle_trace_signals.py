"""Trace signals of bundle analysis on small synthetic bundles: each fails without its signal."""

import json
from pathlib import Path

from tools.analysis.bundle_rca import diagnose
from tools.analysis.bundle_traces import end_shifts, gap_shifts
from tools.bundle import read_bundle

START = 1_700_000_400  # a multiple of 60: the fault starts on a minute boundary
HEADER = "trace_id,span_id,parent_span_id,service,operation,start_unix_nano,end_unix_nano,status"


def _trace(
    trace: str, at: float, callee: str, server_ms: float, gap_ms: float, caller: str = "frontend"
) -> list[str]:
    """A request whose one client call into `callee` spends `gap_ms` outside it."""
    begin = int(at * 1e9)
    client_end = begin + int((server_ms + gap_ms) * 1e6)
    server_begin = begin + int(gap_ms / 2 * 1e6)
    return [
        f"{trace},{trace}r,,{caller},Recv,{begin},{client_end + 1000},",
        f"{trace},{trace}c,{trace}r,{caller},Call,{begin},{client_end},",
        f"{trace},{trace}s,{trace}c,{callee},Serve,{server_begin},"
        f"{server_begin + int(server_ms * 1e6)},",
    ]


def _write(folder: Path, span_rows: list[str]) -> Path:
    """A bundle of these spans, flat CPU on frontend, a and b, and a 5-minute incident."""
    metrics = ["timestamp,service,metric,value"]
    for minute in range(-10, 5):
        for service in ("frontend", "a", "b"):
            metrics.append(f"{START + minute * 60},{service},cpu_util,{0.3 + 0.01 * (minute % 3)}")
    folder.mkdir()
    (folder / "spans.csv").write_text("\n".join(span_rows) + "\n", encoding="utf-8")
    (folder / "metrics.csv").write_text("\n".join(metrics) + "\n", encoding="utf-8")
    incident = {"start": START, "end": START + 300}
    (folder / "incident.json").write_text(json.dumps(incident), encoding="utf-8")
    return folder


def _bundle(tmp_path: Path, slow_calls_after: int) -> Path:
    """Calls into `a` and `b` with a 1 ms gap before the start; after it, `b` stays the same
    while the few sampled calls into `a` spend 300 ms outside it (a delayed network)."""
    rows = [HEADER]
    for i in range(10):
        for callee in ("a", "b"):
            rows += _trace(f"{callee}before{i}", START - 300 + i, callee, 5.0, 1.0)
        rows += _trace(f"bafter{i}", START + 30 + i, "b", 5.0, 1.0)
    for i in range(slow_calls_after):
        rows += _trace(f"aafter{i}", START + 30 + i, "a", 5.0, 300.0)
    return _write(tmp_path / f"bundle{slow_calls_after}", rows)


def test_two_sampled_slow_calls_still_point_at_the_delayed_callee(tmp_path: Path) -> None:
    diagnosis = diagnose(read_bundle(_bundle(tmp_path, slow_calls_after=2)))
    top = diagnosis.root_causes[0]
    assert top.service == "a"
    assert top.fault_type == "network_delay"
    assert any("outside it" in e.summary for e in top.evidence)


def test_few_calls_count_in_proportion_to_how_many(tmp_path: Path) -> None:
    one = gap_shifts(read_bundle(_bundle(tmp_path, slow_calls_after=1)))["a"][0]
    five = gap_shifts(read_bundle(_bundle(tmp_path, slow_calls_after=5)))["a"][0]
    assert five > 6  # 1 ms -> about 300 ms: more than six doublings
    assert abs(one - five / 5) < 0.2
    assert gap_shifts(read_bundle(_bundle(tmp_path, slow_calls_after=0))).get("a") is None


def _request(trace: str, at: float, callees: tuple[str, ...]) -> list[str]:
    """A frontend request that calls `callees` one after another, 5 ms each."""
    begin = int(at * 1e9)
    rows = [f"{trace},{trace}r,,frontend,Recv,{begin},{begin + int(len(callees) * 6e6)},"]
    for i, callee in enumerate(callees):
        call = begin + int(i * 6e6)
        rows += [
            f"{trace},{trace}c{i},{trace}r,frontend,Call,{call},{call + int(5e6)},",
            f"{trace},{trace}s{i},{trace}c{i},{callee},Serve,{call + int(1e6)},{call + int(4e6)},",
        ]
    return rows


def _stopping_bundle(tmp_path: Path, stopped: int) -> Path:
    """Requests call a then b; after the start, `stopped` of 20 end after a (a fails them)."""
    rows = [HEADER]
    for i in range(20):
        rows += _request(f"before{i}", START - 300 + i, ("a", "b"))
        rows += _request(f"after{i}", START + 30 + i, ("a",) if i < stopped else ("a", "b"))
    return _write(tmp_path / f"stopping{stopped}", rows)


def test_requests_that_stop_at_a_service_point_at_it(tmp_path: Path) -> None:
    diagnosis = diagnose(read_bundle(_stopping_bundle(tmp_path, stopped=15)))
    top = diagnosis.root_causes[0]
    assert top.service == "a"
    assert diagnosis.anomalous_services == ["a"]
    assert any("traces end at it" in e.summary for e in top.evidence)


def test_a_few_more_traces_ending_somewhere_is_chance(tmp_path: Path) -> None:
    assert end_shifts(read_bundle(_stopping_bundle(tmp_path, stopped=2))) == {}
    assert "a" in end_shifts(read_bundle(_stopping_bundle(tmp_path, stopped=15)))


def _no_baseline_bundle(tmp_path: Path, gap_into_a: float) -> Path:
    """No spans before the start; a caller whose calls all spend 8 ms outside their callees
    (its own queueing) beside many 1 ms calls of another caller."""
    rows = [HEADER]
    for i in range(10):
        for callee in ("a", "b", "c"):
            gap = gap_into_a if callee == "a" else 8.0
            rows += _trace(f"{callee}{i}", START + 30 + i, callee, 5.0, gap, caller="checkout")
        for j in range(5):
            rows += _trace(f"d{i}x{j}", START + 30 + i, "d", 5.0, 1.0)
    folder = tmp_path / f"nobaseline{gap_into_a:g}"
    folder.mkdir()
    (folder / "spans.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    metrics = f"timestamp,service,metric,value\n{START},checkout,cpu_util,0.3\n"
    (folder / "metrics.csv").write_text(metrics, encoding="utf-8")
    incident = {"start": START, "end": START + 300}
    (folder / "incident.json").write_text(json.dumps(incident), encoding="utf-8")
    return folder


def test_without_a_baseline_a_callers_own_queueing_is_not_its_callees(tmp_path: Path) -> None:
    even = gap_shifts(read_bundle(_no_baseline_bundle(tmp_path, gap_into_a=8.0)))
    assert max(rise for rise, _, _ in even.values()) < 0.5
    slow = gap_shifts(read_bundle(_no_baseline_bundle(tmp_path, gap_into_a=300.0)))
    assert slow["a"][0] > 5  # 8 ms -> 300 ms among the same caller's calls


def _slow_callee_bundle(tmp_path: Path, a_latency_metric: bool) -> Path:
    """Calls into `a` and `b` with a 1 ms gap; after the start `a` itself takes 50 ms, not 5
    (its own work: no child call, no network). Metrics give CPU only, or `a` a latency too."""
    rows = [HEADER]
    for i in range(30):
        for callee in ("a", "b"):
            rows += _trace(f"{callee}before{i}", START - 300 + i, callee, 5.0, 1.0)
            server_ms = 50.0 if callee == "a" else 5.0
            rows += _trace(f"{callee}after{i}", START + 30 + i, callee, server_ms, 1.0)
    folder = _write(tmp_path / f"slow{a_latency_metric}", rows)
    if a_latency_metric:
        with (folder / "metrics.csv").open("a", encoding="utf-8") as handle:
            for minute in range(-10, 5):
                handle.write(f"{START + minute * 60},a,latency_p99_ms,{6 + minute % 2}\n")
    return folder


def test_without_a_latency_metric_its_spans_own_time_is_its_latency(tmp_path: Path) -> None:
    diagnosis = diagnose(read_bundle(_slow_callee_bundle(tmp_path, a_latency_metric=False)))
    top = diagnosis.root_causes[0]
    assert top.service == "a"
    assert diagnosis.anomalous_services == ["a"]
    assert any("ms in it" in e.summary for e in top.evidence)
    assert all("ms in it" not in e.summary for h in diagnosis.root_causes[1:] for e in h.evidence)


def test_a_latency_metric_is_the_evidence_where_there_is_one(tmp_path: Path) -> None:
    diagnosis = diagnose(read_bundle(_slow_callee_bundle(tmp_path, a_latency_metric=True)))
    evidence = [e.summary for h in diagnosis.root_causes for e in h.evidence if h.service == "a"]
    assert all("ms in it" not in summary for summary in evidence)
    assert diagnosis.anomalous_services == []  # its latency metric did not move
