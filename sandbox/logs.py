"""Log lines of the simulated services, drawn from one shared pool of generic templates."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from pydantic import TypeAdapter

from sandbox.draws import EXCEPTIONS, OPERATIONS, TLS_REASONS, count, rng
from sandbox.model import Frame
from sandbox.topology import Topology
from tools.telemetry import ChangeEvent, LogLevel, LogRecord, Metric

_RECORDS = TypeAdapter(list[LogRecord])  # one validation of all lines: faster than one each


@dataclass
class _Service:
    """One service's per-tick values as Python lists (indexing numpy per line is slow)."""

    metrics: dict[Metric, list[float]]
    own_err: list[float]
    pool_wait_ms: list[float]
    gc_ms: list[float]
    timeouts: dict[str, list[float]]
    cert_fail: list[float] | None
    cache_miss: list[float] | None


def _service(frame: Frame, service: str) -> _Service:
    own, fx = frame.services[service], frame.services[service].effects
    return _Service(
        metrics={m: np.asarray(v, dtype=float).tolist() for m, v in own.metrics.items()},
        own_err=np.asarray(own.own_err, dtype=float).tolist(),
        pool_wait_ms=np.asarray(own.pool_wait_ms, dtype=float).tolist(),
        gc_ms=np.asarray(own.gc_ms, dtype=float).tolist(),
        timeouts={c: np.asarray(v, dtype=float).tolist() for c, v in own.timeouts.items()},
        cert_fail=None if fx is None else np.asarray(fx.cert_fail, dtype=float).tolist(),
        cache_miss=None if fx is None else np.asarray(fx.cache_miss, dtype=float).tolist(),
    )


_Frame = dict[str, _Service]


class _TickLogs:
    """Log lines of one service in one tick."""

    def __init__(self, r: random.Random, ts: int, service: str) -> None:
        self.r, self.ts, self.service = r, ts, service
        self.records: list[dict[str, object]] = []

    def add(self, level: LogLevel, message: str) -> None:
        offset = self.r.randrange(60)
        self.records.append(
            {"ts": self.ts + offset, "service": self.service, "level": level, "message": message}
        )


def _requests(out: _TickLogs, frame: _Frame, service: str, i: int, kind: str) -> None:
    metrics = frame[service].metrics
    op = out.r.choice(OPERATIONS[kind])
    out.add("INFO", f"request served in {int(metrics[Metric.LATENCY_P50][i])}ms")
    for _ in range(count(out.r, 20 * frame[service].own_err[i])):
        out.add("ERROR", f"handler {op} failed: {out.r.choice(EXCEPTIONS)}")


def _upstreams(out: _TickLogs, frame: _Frame, service: str, i: int) -> None:
    own = frame[service]
    for callee, timeouts in own.timeouts.items():
        for _ in range(count(out.r, 20 * timeouts[i])):
            out.add("WARN", f"upstream {callee} timed out after 900ms")
        callee_err = frame[callee].metrics[Metric.ERROR_RATE][i]
        for _ in range(count(out.r, 8 * callee_err)):
            out.add("ERROR", f"call to {callee} failed with status 503")
        failed = frame[callee].cert_fail
        expected = 0.004 + 3 * timeouts[i] + (15 * failed[i] if failed else 0.0)
        for _ in range(count(out.r, expected)):
            out.add("WARN", f"TLS handshake with {callee} failed: {out.r.choice(TLS_REASONS)}")


def _resources(out: _TickLogs, frame: _Frame, service: str, i: int, tick: int) -> None:
    own = frame[service]
    wait = own.pool_wait_ms[i]
    if wait > 0 or out.r.random() < 0.02:
        wait_ms = int(wait) if wait > 0 else out.r.randrange(5, 60)
        active = int(50 * own.metrics[Metric.POOL][i])
        out.add("WARN", f"connection pool {service}-db wait {wait_ms}ms (active={active}/50)")
    gc = own.gc_ms[i]
    if gc > 120 or out.r.random() < 0.03:
        out.add("WARN", f"GC pause {int(gc) if gc > 120 else out.r.randrange(40, 150)}ms")
    disk = own.metrics[Metric.DISK][i]
    if disk > 0.85 or tick % 30 == sum(map(ord, service)) % 30:
        out.add("WARN" if disk > 0.85 else "INFO", f"disk usage at {int(disk * 100)}%")


def _evictions(out: _TickLogs, frame: _Frame, service: str, i: int) -> None:
    misses = frame[service].cache_miss
    storm = misses is not None and misses[i] > 0
    big = storm or out.r.random() < 0.01
    keys = out.r.randrange(40_000, 90_000) if storm else out.r.randrange(200, 900)
    if big and not storm:
        keys = out.r.randrange(6_000, 9_000)
    out.add("WARN" if keys > 5000 else "INFO", f"evicted {keys} keys")


def _changes(out: _TickLogs, events: list[ChangeEvent]) -> None:
    for event in events:
        if event.kind == "deploy":
            out.add("INFO", f"deployed {event.detail}")
        elif event.kind == "config":
            out.add("INFO", f"configuration reloaded ({event.detail})")
        elif event.kind == "restart":
            out.add("INFO", f"service started after restart: {event.detail}")


def generate_logs(
    seed: int, topology: Topology, frame: Frame, events: list[ChangeEvent]
) -> list[LogRecord]:
    """Log lines of every service for every tick of the frame."""
    by_tick: dict[tuple[int, str], list[ChangeEvent]] = {}
    for event in events:
        by_tick.setdefault((event.ts - event.ts % 60, event.service), []).append(event)
    records: list[dict[str, object]] = []
    lists = {service: _service(frame, service) for service in topology.services}
    for i, ts in enumerate(np.asarray(frame.times).tolist()):
        r = rng(seed, "logs", ts)  # one generator per tick: the services draw in turn
        for service in topology.services:
            out = _TickLogs(r, ts, service)
            _requests(out, lists, service, i, topology.kind(service))
            _upstreams(out, lists, service, i)
            _resources(out, lists, service, i, ts // 60)
            if topology.kind(service) == "cache":
                _evictions(out, lists, service, i)
            _changes(out, by_tick.get((ts, service), []))
            records.extend(out.records)
    return _RECORDS.validate_python(sorted(records, key=lambda r: (r["ts"], r["service"])))
