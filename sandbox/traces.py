"""Sampled distributed traces over the call graph, consistent with the simulated metrics."""

from __future__ import annotations

import random

import numpy as np
from pydantic import TypeAdapter

from sandbox.draws import OPERATIONS, TLS_REASONS, rng
from sandbox.model import CALL_TIMEOUT_MS, Frame
from sandbox.topology import Topology
from tools.telemetry import Metric, Span

TRACES_PER_TICK = 4
_SPANS = TypeAdapter(list[Span])  # one validation of all spans: twice as fast as one each


class _Columns:
    """One service's per-tick values as Python floats (indexing numpy per span is slow)."""

    def __init__(self, frame: Frame, service: str, topology: Topology) -> None:
        own = frame.services[service]
        self.self_ms = np.asarray(own.self_ms, dtype=float).tolist()
        self.own_err = np.asarray(own.own_err, dtype=float).tolist()
        self.rps = [r or 1.0 for r in np.asarray(own.metrics[Metric.THROUGHPUT]).tolist()]
        self.calls = [(c, np.asarray(v, dtype=float).tolist()) for c, v in own.call_rps.items()]
        fx = own.effects
        self.cert_fail = None if fx is None else np.asarray(fx.cert_fail, dtype=float).tolist()
        self.operations = OPERATIONS[topology.kind(service)]


class _TraceBuilder:
    """Builds one trace by walking the call graph from the entry service."""

    def __init__(self, r: random.Random, columns: dict[str, _Columns], i: int) -> None:
        self.r, self.columns, self.i = r, columns, i
        self.spans: list[dict[str, object]] = []
        self.trace_id = f"{r.getrandbits(64):016x}"

    def call(self, service: str, parent: str | None, start_ms: int) -> tuple[float, bool]:
        """Emit the span of `service` and its children; returns (duration, error)."""
        own, i, random_ = self.columns[service], self.i, self.r.random
        span_id = f"{self.r.getrandbits(32):08x}"
        clock = start_ms + self.r.expovariate(1.0) * 0.2
        clock += own.self_ms[i] * self.r.lognormvariate(0.0, 0.25)
        error = random_() < own.own_err[i]
        status = "internal error" if error else ""
        rps = own.rps[i]
        for callee, calls in own.calls:
            if random_() >= calls[i] / rps:
                continue
            spent, failure = self._child(callee, span_id, int(clock))
            if failure and not error:
                error, status = True, failure
            clock += spent
        duration = max(0.0, clock - start_ms)
        operations = own.operations
        self.spans.append(
            {
                "trace_id": self.trace_id,
                "span_id": span_id,
                "parent_id": parent,
                "service": service,
                "operation": operations[int(random_() * len(operations))],
                "start_ms": start_ms,
                "duration_ms": duration,
                "error": error,
                "status_message": status,
            }
        )
        return duration, error

    def _child(self, callee: str, parent: str, start_ms: int) -> tuple[float, str]:
        """Call a callee; returns (time spent by the caller, caller-side failure message)."""
        cert_fail, random_ = self.columns[callee].cert_fail, self.r.random
        if (cert_fail is not None and random_() < cert_fail[self.i]) or random_() < 0.004:
            return 20.0, f"TLS handshake with {callee} failed: {self.r.choice(TLS_REASONS)}"
        duration, error = self.call(callee, parent, start_ms)
        if duration > CALL_TIMEOUT_MS:
            return CALL_TIMEOUT_MS, f"upstream {callee} timed out after {int(CALL_TIMEOUT_MS)}ms"
        if error and random_() < 0.5:
            return duration, f"call to {callee} failed with status 503"
        return duration, ""


def generate_spans(seed: int, topology: Topology, frame: Frame) -> list[Span]:
    """TRACES_PER_TICK sampled traces per tick, each rooted at the entry service."""
    spans: list[dict[str, object]] = []
    columns = {service: _Columns(frame, service, topology) for service in frame.services}
    for i, ts in enumerate(np.asarray(frame.times).tolist()):
        r = rng(seed, "traces", ts)  # one generator per tick: its traces draw in turn
        for _ in range(TRACES_PER_TICK):
            builder = _TraceBuilder(r, columns, i)
            builder.call(topology.entry, None, ts * 1000 + r.randrange(60_000))
            spans.extend(builder.spans)
    return _SPANS.validate_python(spans)
