"""Synthetic telemetry bundles of any size: minute metrics, log lines and spans, one fault."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np

START = 1_700_000_000  # a whole minute
METRICS = ["cpu_util", "memory_util", "latency_p50_ms", "latency_p99_ms", "error_rate"] + [
    f"custom_{n}_bytes" for n in range(15)
]
# Typical levels: latencies in milliseconds (a rise of a few ms is jitter to the analysis).
LEVEL = {"cpu_util": 0.4, "memory_util": 0.5, "latency_p50_ms": 40.0, "latency_p99_ms": 120.0,
         "error_rate": 0.01}  # fmt: skip
LEVELS = ["INFO", "INFO", "INFO", "WARN", "ERROR"]
TEMPLATES = [
    "request {n} served in {n} ms",
    "cache miss for key user-{n}",
    "retrying call to {callee} attempt {n}",
    "connection pool at {n} percent",
]


def service_names(count: int) -> list[str]:
    return [f"svc{n:04d}" for n in range(count)]


def _write_metrics(path: Path, services: list[str], minutes: int, rng: np.random.Generator) -> None:
    fault_at, faulty = minutes * 2 // 3, services[len(services) // 2]
    with path.open("w") as out:
        out.write("timestamp,service,metric,value\n")
        for service in services:
            values = rng.normal(1.0, 0.05, size=(len(METRICS), minutes))
            values *= np.array([LEVEL.get(m, 1.0) for m in METRICS])[:, None]
            if service == faulty:
                values[2:4, fault_at:] *= 4.0  # latency rises in the faulty service
            for row, metric in enumerate(METRICS):
                lines = (
                    f"{START + 60 * m},{service},{metric},{values[row, m]:.4f}\n"
                    for m in range(minutes)
                )
                out.writelines(lines)


def _write_logs(path: Path, services: list[str], lines: int, seconds: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    who = rng.integers(0, len(services), size=lines)
    when = np.sort(rng.integers(0, seconds, size=lines))
    kind = rng.integers(0, len(TEMPLATES), size=lines)
    level = rng.integers(0, len(LEVELS), size=lines)
    number = rng.integers(0, 10_000, size=lines)
    with path.open("w") as out:
        for i in range(lines):
            text = TEMPLATES[kind[i]].format(
                n=number[i], callee=services[(who[i] + 1) % len(services)]
            )
            record = {"timestamp": START + int(when[i]), "service": services[who[i]],
                      "level": LEVELS[level[i]], "message": text}  # fmt: skip
            out.write(json.dumps(record) + "\n")


def _write_spans(path: Path, services: list[str], traces: int, seconds: int, seed: int) -> None:
    rng = np.random.default_rng(seed + 1)
    with path.open("w") as out:
        out.write(
            "trace_id,span_id,parent_span_id,service,operation,start_unix_nano,end_unix_nano,status\n"
        )
        for t in range(traces):
            caller = int(rng.integers(0, len(services) - 1))
            begin = (START + int(rng.integers(0, seconds))) * 1_000_000_000
            duration = int(rng.integers(5, 50)) * 1_000_000
            out.write(f"t{t},s{t}a,,{services[caller]},GET,{begin},{begin + duration},ok\n")
            inner = begin + 1_000_000
            out.write(
                f"t{t},s{t}b,s{t}a,{services[caller + 1]},serve,"
                f"{inner},{inner + duration // 2},ok\n"
            )


def write_bundle(
    folder: Path, services: int, log_lines: int, minutes: int = 60, seed: int = 1
) -> Path:
    """Write metrics.csv, logs.jsonl, spans.csv and incident.json for `services` services."""
    if services < 2:
        raise ValueError(f"services must be at least 2, got {services}")
    if log_lines < 0 or minutes < 10:
        raise ValueError(f"need log_lines >= 0 and minutes >= 10, got {log_lines}, {minutes}")
    folder.mkdir(parents=True, exist_ok=True)
    names = service_names(services)
    rng = np.random.default_rng(seed)
    _write_metrics(folder / "metrics.csv", names, minutes, rng)
    _write_logs(folder / "logs.jsonl", names, log_lines, minutes * 60, seed)
    _write_spans(folder / "spans.csv", names, services * 20, minutes * 60, seed)
    incident = {"start": START + 60 * (minutes * 2 // 3),
                "dependencies": [list(pair) for pair in itertools.pairwise(names)]}  # fmt: skip
    (folder / "incident.json").write_text(json.dumps(incident))
    return folder
