"""Streams metrics.csv (timestamp,service,metric,value) into per-minute means."""

from __future__ import annotations

import csv
import math
from pathlib import Path

from tools.bundle.models import BundleError, MetricTable, minute_of
from tools.bundle.naming import service_of, standard_metric
from tools.bundle.timestamps import parse_timestamp

METRIC_COLUMNS = ("timestamp", "service", "metric", "value")


def check_header(path: Path, header: list[str] | None, required: tuple[str, ...]) -> list[str]:
    """The header, or a BundleError naming the missing columns."""
    if header is None:
        raise BundleError(str(path), "empty file: expected a header line", line=1)
    names = [h.strip() for h in header]
    missing = [c for c in required if c not in names]
    if missing:
        raise BundleError(
            str(path), f"missing column(s) {', '.join(missing)}; header is {','.join(names)}", 1
        )
    return names


def _value(path: Path, line: int, column: int, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise BundleError(
            str(path), f"value: expected a number, got {raw!r}", line, column
        ) from None
    if math.isinf(value):
        raise BundleError(str(path), f"value: expected a finite number, got {raw!r}", line, column)
    return value


def read_metrics(path: Path) -> MetricTable:
    """Per-(service, metric) minute means; standard metrics converted, others kept by name."""
    table = MetricTable()
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        names = check_header(path, next(rows, None), METRIC_COLUMNS)
        col = {name: names.index(name) for name in METRIC_COLUMNS}
        for line, row in enumerate(rows, start=2):
            if not row:
                continue
            if len(row) != len(names):
                raise BundleError(str(path), f"expected {len(names)} fields, got {len(row)}", line)
            _add_row(path, line, row, col, table)
    return table


def _add_row(
    path: Path, line: int, row: list[str], col: dict[str, int], table: MetricTable
) -> None:
    try:
        ts = parse_timestamp(row[col["timestamp"]])
    except ValueError as exc:
        raise BundleError(str(path), f"timestamp: {exc}", line, col["timestamp"] + 1) from None
    service, metric = row[col["service"]].strip(), row[col["metric"]].strip()
    for field, text in (("service", service), ("metric", metric)):
        if not text:
            raise BundleError(str(path), f"{field}: must not be empty", line, col[field] + 1)
    value = _value(path, line, col["value"] + 1, row[col["value"]])
    if math.isnan(value):
        return  # a missing sample: the minute simply has fewer samples
    mapping = standard_metric(metric)
    name = mapping.metric.value if mapping else metric
    key = (service_of(service), name)
    table.source_names.setdefault(key, metric)
    table.add(key, minute_of(ts), mapping.convert(value) if mapping else value)
