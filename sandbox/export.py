"""Writes a sandbox incident's telemetry as a telemetry bundle (docs/telemetry-bundle.md)."""

from __future__ import annotations

import csv
import json
import math
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sandbox.environment import SandboxEnvironment
from sandbox.scenarios import get_scenario
from sandbox.state import TICK_SECONDS, EnvState
from tools.telemetry import LogRecord, Span, TelemetryWindow

SPAN_HEADER = (
    "trace_id", "span_id", "parent_span_id", "service", "operation",
    "start_unix_nano", "end_unix_nano", "status",
)  # fmt: skip
NANOS_PER_MS = 1_000_000


@dataclass(frozen=True)
class ExportRequest:
    """What to export: a scenario and seed, and the minutes around the fault's injection."""

    scenario: str
    seed: int = 1
    minutes_before: int = 60
    minutes_after: int = 20
    topology: str = "default"


@dataclass(frozen=True)
class ExportSummary:
    """Where the bundle went and what it holds."""

    path: Path
    start: int
    end: int
    metric_rows: int
    log_lines: int
    spans: int


def incident_window(request: ExportRequest) -> tuple[TelemetryWindow, SandboxEnvironment, int]:
    """The scenario's telemetry from `minutes_before` the injection to `minutes_after` it."""
    if request.minutes_before < 2 or request.minutes_after < 1:
        raise ValueError(
            "--minutes-before must be at least 2 and --minutes-after at least 1 "
            f"(got {request.minutes_before} and {request.minutes_after})"
        )
    scenario = get_scenario(request.scenario)
    state = EnvState(env_id="export", seed=request.seed, topology=request.topology)
    env = SandboxEnvironment(state, Path(tempfile.gettempdir()))  # never saved
    injected = env.now()
    env.inject(scenario.fault_type, scenario.service)
    env.advance(request.minutes_after * TICK_SECONDS)
    start = injected - request.minutes_before * TICK_SECONDS
    seconds = env.now() - start
    return env.telemetry(start, env.now(), detail_seconds=seconds), env, injected


def _write_metrics(handle: TextIO, window: TelemetryWindow) -> int:
    rows = csv.writer(handle, lineterminator="\n")
    rows.writerow(("timestamp", "service", "metric", "value"))
    count = 0
    for series in window.metrics:
        for ts, value in zip(series.timestamps(), series.values, strict=True):
            rows.writerow((ts, series.service, series.metric.value, _number(value)))
            count += 1
    return count


def _number(value: float) -> str:
    return "NaN" if math.isnan(value) else repr(value)


def _write_logs(handle: TextIO, logs: list[LogRecord]) -> int:
    for record in sorted(logs, key=lambda r: (r.ts, r.service)):
        line = {"timestamp": record.ts, "service": record.service,
                "level": record.level, "message": record.message}  # fmt: skip
        handle.write(json.dumps(line) + "\n")
    return len(logs)


def _span_row(span: Span) -> tuple[object, ...]:
    start = span.start_ms * NANOS_PER_MS
    end = start + round(span.duration_ms * NANOS_PER_MS)
    status = "error" if span.error else "ok"
    return (span.trace_id, span.span_id, span.parent_id or "", span.service,
            span.operation, start, end, status)  # fmt: skip


def _write_spans(handle: TextIO, spans: list[Span]) -> int:
    rows = csv.writer(handle, lineterminator="\n")
    rows.writerow(SPAN_HEADER)
    rows.writerows(_span_row(s) for s in spans)
    return len(spans)


def _incident(env: SandboxEnvironment, injected: int) -> dict[str, object]:
    return {"start": injected, "end": env.now(),
            "dependencies": [list(edge) for edge in env.graph().calls]}  # fmt: skip


def _check_out(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f"{out} already exists and is not an empty folder: pick another --out")


def export_bundle(request: ExportRequest, out: Path) -> ExportSummary:
    """Write the bundle into `out` atomically (a temp folder beside it, then a rename)."""
    out = Path(out)
    _check_out(out)
    window, env, injected = incident_window(request)
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.tmp-"))
    try:
        temp.chmod(0o755)  # mkdtemp makes it private; a bundle is meant to be shared
        with (temp / "metrics.csv").open("w", newline="", encoding="utf-8") as handle:
            metric_rows = _write_metrics(handle, window)
        with (temp / "logs.jsonl").open("w", encoding="utf-8") as handle:
            log_lines = _write_logs(handle, window.logs)
        with (temp / "spans.csv").open("w", newline="", encoding="utf-8") as handle:
            spans = _write_spans(handle, window.spans)
        incident = _incident(env, injected)
        (temp / "incident.json").write_text(json.dumps(incident, indent=1) + "\n", "utf-8")
        _check_out(out)
        temp.replace(out)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return ExportSummary(out, injected, env.now(), metric_rows, log_lines, spans)
