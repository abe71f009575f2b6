"""Streams logs.jsonl line by line into per-minute Drain3 template counts per service."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from drain3 import TemplateMiner
from drain3.template_miner_config import TemplateMinerConfig

from tools.bundle.models import BundleError, LogTable, minute_of
from tools.bundle.naming import service_of
from tools.bundle.timestamps import parse_timestamp

logging.getLogger("drain3").setLevel(logging.WARNING)

LEVELS = {
    "trace": "DEBUG", "debug": "DEBUG", "info": "INFO", "notice": "INFO",
    "warn": "WARN", "warning": "WARN", "error": "ERROR", "err": "ERROR",
    "fatal": "ERROR", "critical": "ERROR", "severe": "ERROR", "panic": "ERROR",
}  # fmt: skip
_MASKS = (
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I), "<ID>"),
    (re.compile(r"\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b", re.I), "<ID>"),
    (re.compile(r"\b(?=\w*\d)(?=\w*[a-z])\w{6,}\b", re.I), "<ID>"),
    (re.compile(r"\b\d+(\.\d+)?\b"), "<NUM>"),
)
_CACHE_LIMIT = 200_000  # masked line -> cluster id; repeated lines skip Drain


def _miner() -> TemplateMiner:
    config = TemplateMinerConfig()
    config.profiling_enabled = False
    config.drain_sim_th = 0.5
    return TemplateMiner(config=config)


def mask(message: str) -> str:
    """Ids and numbers replaced, so lines that differ only in them share a template."""
    for pattern, token in _MASKS:
        message = pattern.sub(token, message)
    return message


def _text(message: str) -> str:
    """The human part of a structured (JSON) log message, or the message itself."""
    if message.startswith("{"):
        try:
            inner = json.loads(message)
        except ValueError:
            return message
        if isinstance(inner, dict):
            for key in ("message", "msg", "log"):
                if isinstance(inner.get(key), str):
                    return str(inner[key])
    return message


def _field(path: Path, line: int, record: dict[str, Any], name: str) -> Any:
    if name not in record or record[name] in (None, ""):
        raise BundleError(str(path), f"{name}: required field is missing", line)
    return record[name]


class LogReader:
    """Counts lines per (service, level, template, minute) as they stream past."""

    def __init__(self) -> None:
        self.table = LogTable()
        self._miner = _miner()
        self._cache: dict[str, int] = {}

    def cluster(self, message: str) -> int:
        masked = mask(_text(message))
        cached = self._cache.get(masked)
        if cached is not None:
            return cached
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        found = int(self._miner.add_log_message(masked)["cluster_id"])
        self._cache[masked] = found
        return found

    def add(self, path: Path, line: int, record: dict[str, Any]) -> None:
        try:
            ts = parse_timestamp(_field(path, line, record, "timestamp"))
        except ValueError as exc:
            raise BundleError(str(path), f"timestamp: {exc}", line) from None
        service = str(_field(path, line, record, "service"))
        raw_level = str(record.get("level") or "info")
        level = LEVELS.get(raw_level.strip().lower())
        if level is None:
            known = ", ".join(sorted(set(LEVELS)))
            raise BundleError(str(path), f"level: {raw_level!r} is not one of {known}", line)
        message = str(_field(path, line, record, "message"))
        key = (service_of(service), level, self.cluster(message))
        self.table.counts[key][minute_of(ts)] += 1
        self.table.lines += 1

    def finish(self) -> LogTable:
        self.table.templates = {c.cluster_id: c.get_template() for c in self._miner.drain.clusters}
        return self.table


def read_logs(path: Path) -> LogTable:
    """Template counts of logs.jsonl, read one line at a time."""
    reader = LogReader()
    with path.open(encoding="utf-8") as handle:
        for line, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                raise BundleError(str(path), f"invalid JSON: {exc.msg}", line, exc.colno) from None
            if not isinstance(record, dict):
                raise BundleError(str(path), "expected a JSON object per line", line, 1)
            reader.add(path, line, record)
    return reader.finish()
