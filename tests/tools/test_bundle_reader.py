"""The bundle reader: clear errors with file, line and column; incremental aggregation."""

import json
import tracemalloc
from pathlib import Path

import pytest

from tools.bundle import BundleError, read_bundle
from tools.bundle.logs import read_logs
from tools.bundle.spans import read_spans
from tools.bundle.timestamps import parse_timestamp

HEADER = "timestamp,service,metric,value\n"
SPAN_HEADER = (
    "trace_id,span_id,parent_span_id,service,operation,start_unix_nano,end_unix_nano,status\n"
)


def _bundle(tmp_path: Path, metrics: str, **files: str) -> Path:
    (tmp_path / "metrics.csv").write_text(metrics, encoding="utf-8")
    for name, text in files.items():
        (tmp_path / name.replace("_", ".")).write_text(text, encoding="utf-8")
    return tmp_path


def _error(folder: Path) -> str:
    with pytest.raises(BundleError) as caught:
        read_bundle(folder)
    return str(caught.value)


def test_missing_metrics_file_is_named(tmp_path: Path) -> None:
    assert "metrics.csv: missing" in _error(tmp_path)


def test_missing_column_is_named(tmp_path: Path) -> None:
    message = _error(_bundle(tmp_path, "timestamp,service,value\n1,a,2\n"))
    assert "metrics.csv:1: missing column(s) metric" in message


def test_bad_timestamp_names_line_and_column(tmp_path: Path) -> None:
    message = _error(_bundle(tmp_path, HEADER + "60,a,cpu_util,0.5\nyesterday,a,cpu_util,1\n"))
    assert "metrics.csv:3:1: timestamp" in message and "ISO-8601" in message


def test_millisecond_timestamps_are_refused_with_the_fix(tmp_path: Path) -> None:
    message = _error(_bundle(tmp_path, HEADER + "1661140279000,a,cpu_util,0.5\n"))
    assert "milliseconds" in message and "Unix seconds" in message


def test_bad_value_names_line_and_column(tmp_path: Path) -> None:
    message = _error(_bundle(tmp_path, HEADER + "60,a,cpu_util,high\n"))
    assert "metrics.csv:2:4: value: expected a number" in message


def test_bad_json_log_line_names_line_and_column(tmp_path: Path) -> None:
    good = json.dumps({"timestamp": 60, "service": "a", "level": "INFO", "message": "ok"})
    folder = _bundle(tmp_path, HEADER + "60,a,cpu_util,1\n", logs_jsonl=good + "\n{bad\n")
    assert "logs.jsonl:2:2: invalid JSON" in _error(folder)


def test_unknown_log_level_lists_the_accepted_ones(tmp_path: Path) -> None:
    line = json.dumps({"timestamp": 60, "service": "a", "level": "LOUD", "message": "x"})
    message = _error(_bundle(tmp_path, HEADER + "60,a,cpu_util,1\n", logs_jsonl=line + "\n"))
    assert "logs.jsonl:1: level: 'LOUD' is not one of" in message


def test_bad_span_time_names_line_and_column(tmp_path: Path) -> None:
    spans = SPAN_HEADER + "t1,s1,,a,op,100,soon,\n"
    message = _error(_bundle(tmp_path, HEADER + "60,a,cpu_util,1\n", spans_csv=spans))
    assert "spans.csv:2:7: end_unix_nano: expected integer Unix nanoseconds" in message


def test_iso_and_unix_timestamps_agree() -> None:
    assert parse_timestamp("2022-08-22T03:53:54Z") == parse_timestamp("1661140434")
    assert parse_timestamp("2022-08-22 03:53:54") == 1661140434.0


def test_pods_are_averaged_per_service_and_minute(tmp_path: Path) -> None:
    rows = "60,cart-5d8f7c9b6-x2x7k,CpuUsageRate(%),20\n"
    rows += "70,cart-5d8f7c9b6-q9w8z,CpuUsageRate(%),40\n"
    bundle = read_bundle(_bundle(tmp_path, HEADER + rows))
    assert bundle.metrics.series(("cart", "cpu_util")) == {60: pytest.approx(0.3)}


def test_dependencies_come_from_spans_when_not_given(tmp_path: Path) -> None:
    spans = SPAN_HEADER + "t1,s1,,front,get,60000000000,60050000000,\n"
    spans += "t1,s2,s1,cart-0,get,60010000000,60020000000,STATUS_CODE_ERROR\n"
    bundle = read_bundle(_bundle(tmp_path, HEADER + "60,front,cpu_util,1\n", spans_csv=spans))
    assert bundle.dependencies == [("front", "cart")]
    assert bundle.spans.errors[("cart", 60)] == 1


def test_large_log_file_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(30_000):
            message = f"upstream timed out after {i} ms for order {i * 7919:08x}"
            record = {"timestamp": 60 * (i // 1000), "service": f"svc-{i % 7}", "level": "ERROR"}
            record["message"] = message
            handle.write(json.dumps(record) + "\n")
    tracemalloc.start()
    table = read_logs(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert table.lines == 30_000
    assert len(table.templates) == 1  # ids and numbers masked: one template
    assert peak < path.stat().st_size / 4  # never the whole file at once


def test_span_folding_is_the_same_with_a_small_pending_limit(tmp_path: Path) -> None:
    rows = []
    for t in range(50):
        start = 60_000_000_000 + t * 1_000_000_000
        rows.append(f"t{t},a{t},,front,get,{start},{start + 9_000_000},")
        rows.append(f"t{t},b{t},a{t},cart,get,{start + 1_000_000},{start + 4_000_000},")
    path = tmp_path / "spans.csv"
    path.write_text(SPAN_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    small, large = read_spans(path, limit=4), read_spans(path)
    assert small.calls == large.calls and small.gap == large.gap
    assert sum(small.calls.values()) == 50
