"""Trace analysis: per-service self time, error origins and caller->callee error edges."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from tools.telemetry import Span


@dataclass
class TraceSummary:
    """What the spans of a period say about each service."""

    self_time_ms: dict[str, float] = field(default_factory=dict)
    spans: Counter[str] = field(default_factory=Counter)
    error_origins: Counter[str] = field(default_factory=Counter)
    error_edges: Counter[tuple[str, str]] = field(default_factory=Counter)


def _children(spans: list[Span]) -> dict[str, list[Span]]:
    children: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        if span.parent_id is not None:
            children[span.trace_id + span.parent_id].append(span)
    return children


def _blamed_callee(span: Span, callees: list[Span], services: list[str]) -> str | None:
    """The callee a failing span blames: an erroring child, or one its message names."""
    for child in callees:
        if child.error:
            return child.service
    words = set(span.status_message.replace(":", " ").split())
    named = [s for s in services if s in words and s != span.service]
    return named[0] if named else None


def summarise(spans: list[Span], services: list[str]) -> TraceSummary:
    """Self time (median), error origins and error edges per service."""
    children = _children(spans)
    summary = TraceSummary()
    own: dict[str, list[float]] = defaultdict(list)
    for span in spans:
        below = children.get(span.trace_id + span.span_id, [])
        own[span.service].append(max(0.0, span.duration_ms - sum(c.duration_ms for c in below)))
        summary.spans[span.service] += 1
        if not span.error:
            continue
        blamed = _blamed_callee(span, below, services)
        if blamed is None:
            summary.error_origins[span.service] += 1
        else:
            summary.error_edges[(span.service, blamed)] += 1
            if not any(c.error for c in below):
                summary.error_origins[blamed] += 1
    summary.self_time_ms = {s: float(np.median(v)) for s, v in own.items()}
    return summary
