"""Reads a telemetry bundle folder: validates each file and aggregates it as it streams."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tools.bundle.logs import read_logs
from tools.bundle.metrics import read_metrics
from tools.bundle.models import MINUTE, Bundle, BundleError, Edge, LogTable, SpanTable
from tools.bundle.naming import service_of
from tools.bundle.spans import read_spans
from tools.bundle.timestamps import parse_timestamp


def _incident(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BundleError(str(path), f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    if not isinstance(data, dict):
        raise BundleError(str(path), 'expected an object like {"start": ..., "end": ...}')
    return data


def _time(path: Path, data: dict[str, Any], name: str) -> float | None:
    if data.get(name) is None:
        return None
    try:
        return parse_timestamp(data[name])
    except ValueError as exc:
        raise BundleError(str(path), f"{name}: {exc}") from None


def _dependencies(path: Path, data: dict[str, Any]) -> list[Edge] | None:
    raw = data.get("dependencies")
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) and x for x in p)
        for p in raw
    ):
        raise BundleError(str(path), 'dependencies: expected [["caller", "callee"], ...]')
    return sorted(
        {(service_of(a), service_of(b)) for a, b in raw if service_of(a) != service_of(b)}
    )


def _window(
    metric_minutes: list[int], start: float | None, end: float | None
) -> tuple[float, float]:
    """Start and end; without them, the middle and the end of the metric range."""
    last = max(metric_minutes) + MINUTE
    if start is None:
        first = min(metric_minutes)
        start = float(first + (last - first) // 2 // MINUTE * MINUTE)
    return start, end if end is not None else float(last)


def read_bundle(folder: Path | str) -> Bundle:
    """The bundle in `folder`, aggregated per minute; BundleError names what is wrong."""
    root = Path(folder)
    if not root.is_dir():
        raise BundleError(str(root), "not a folder: expected a bundle folder with metrics.csv")
    metrics_path = root / "metrics.csv"
    if not metrics_path.exists():
        raise BundleError(str(metrics_path), "missing: every bundle needs metrics.csv")
    metrics = read_metrics(metrics_path)
    minutes = [m for series in metrics.sums.values() for m in series]
    if not minutes:
        raise BundleError(str(metrics_path), "no samples: expected at least one data row")
    incident_path = root / "incident.json"
    incident = _incident(incident_path)
    start, end = _window(
        minutes, _time(incident_path, incident, "start"), _time(incident_path, incident, "end")
    )
    logs = read_logs(root / "logs.jsonl") if (root / "logs.jsonl").exists() else LogTable()
    spans = read_spans(root / "spans.csv") if (root / "spans.csv").exists() else SpanTable()
    dependencies = _dependencies(incident_path, incident)
    if dependencies is None:
        dependencies = sorted({edge for edge, _ in spans.calls})
    return Bundle(str(root), start, end, metrics, logs, spans, dependencies)
