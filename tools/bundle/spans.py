"""Streams spans.csv into per-service/minute latency and error aggregates and call edges."""

from __future__ import annotations

import csv
from collections import OrderedDict
from pathlib import Path
from typing import NamedTuple

from tools.bundle.histogram import bucket
from tools.bundle.metrics import check_header
from tools.bundle.models import BundleError, SpanTable, minute_of
from tools.bundle.naming import service_of

SPAN_COLUMNS = (
    "trace_id", "span_id", "parent_span_id", "service", "operation",
    "start_unix_nano", "end_unix_nano", "status",
)  # fmt: skip
ERROR_STATUS = {"error", "status_code_error", "2", "failed", "failure", "fail"}
PENDING_LIMIT = 200_000  # spans held while their trace may still grow (export order is local)


class SpanRow(NamedTuple):
    span_id: str
    parent_id: str
    service: str
    start_s: float
    duration_ms: float
    error: bool


def is_error(status: str) -> bool:
    status = status.strip().lower()
    return status in ERROR_STATUS or (status.isdigit() and int(status) >= 500)


class TraceAssembler:
    """Holds spans per trace until memory calls for it, then folds whole traces into a table."""

    def __init__(self, limit: int = PENDING_LIMIT) -> None:
        self.table = SpanTable()
        self._pending: OrderedDict[str, list[SpanRow]] = OrderedDict()
        self._held = 0
        self._limit = limit

    def add(self, trace_id: str, span: SpanRow) -> None:
        self._pending.setdefault(trace_id, []).append(span)
        self._pending.move_to_end(trace_id)
        self._held += 1
        self.table.lines += 1
        while self._held > self._limit:
            _, oldest = self._pending.popitem(last=False)
            self._held -= len(oldest)
            self._fold(oldest)

    def finish(self) -> SpanTable:
        for spans in self._pending.values():
            self._fold(spans)
        self._pending.clear()
        return self.table

    def _fold(self, spans: list[SpanRow]) -> None:
        by_id = {s.span_id: s for s in spans}
        children: dict[str, list[SpanRow]] = {}
        for span in spans:
            if span.parent_id in by_id:
                children.setdefault(span.parent_id, []).append(span)
        for span in spans:
            self._count(span, by_id.get(span.parent_id), children.get(span.span_id, []))
        last = max(spans, key=lambda s: s.start_s)
        self.table.ends[(last.service, minute_of(min(s.start_s for s in spans)))] += 1

    def _count(self, span: SpanRow, parent: SpanRow | None, below: list[SpanRow]) -> None:
        key = (span.service, minute_of(span.start_s))
        table = self.table
        table.spans[key] += 1
        table.errors[key] += span.error
        table.latency[key][bucket(span.duration_ms)] += 1
        own = max(0.0, span.duration_ms - sum(c.duration_ms for c in below))
        if below and all(c.service != span.service for c in below):
            # A client span: its own time is the network and queueing of the call.
            edge = (span.service, below[0].service)
            table.gap[(edge, key[1])][bucket(own)] += 1
        else:
            table.self_latency[key][bucket(own)] += 1
        if parent is not None and parent.service != span.service:
            edge_key = ((parent.service, span.service), key[1])
            table.calls[edge_key] += 1
            table.call_errors[edge_key] += span.error


def _row(path: Path, line: int, row: list[str], col: dict[str, int]) -> tuple[str, SpanRow]:
    def text(name: str) -> str:
        return row[col[name]].strip()

    def nanos(name: str) -> int:
        try:
            return int(text(name))
        except ValueError:
            message = f"{name}: expected integer Unix nanoseconds, got {text(name)!r}"
            raise BundleError(str(path), message, line, col[name] + 1) from None

    for name in ("trace_id", "span_id", "service"):
        if not text(name):
            raise BundleError(str(path), f"{name}: must not be empty", line, col[name] + 1)
    start, end = nanos("start_unix_nano"), nanos("end_unix_nano")
    if end < start:
        message = "end_unix_nano: ends before start_unix_nano"
        raise BundleError(str(path), message, line, col["end_unix_nano"] + 1)
    status = text("status") if "status" in col else ""
    span = SpanRow(
        text("span_id"), text("parent_span_id"), service_of(text("service")),
        start / 1e9, (end - start) / 1e6, is_error(status),
    )  # fmt: skip
    return text("trace_id"), span


def read_spans(path: Path, limit: int = PENDING_LIMIT) -> SpanTable:
    """Aggregates of spans.csv, read one row at a time (at most `limit` spans held)."""
    assembler = TraceAssembler(limit)
    required = tuple(c for c in SPAN_COLUMNS if c != "status")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        names = check_header(path, next(rows, None), required)
        col = {name: names.index(name) for name in SPAN_COLUMNS if name in names}
        for line, row in enumerate(rows, start=2):
            if not row:
                continue
            if len(row) != len(names):
                raise BundleError(str(path), f"expected {len(names)} fields, got {len(row)}", line)
            assembler.add(*_row(path, line, row, col))
    return assembler.finish()
