"""Trace analysis: per-service self time, error origins and caller->callee error edges."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from tools.telemetry import Span


@dataclass
class TraceSummary:
    """What the spans of a period say about each service."""

    self_time_ms: dict[str, float] = field(default_factory=dict)
    spans: Counter[str] = field(default_factory=Counter)
    error_origins: Counter[str] = field(default_factory=Counter)
    error_edges: Counter[tuple[str, str]] = field(default_factory=Counter)


@dataclass
class _Below:
    """What the children of each span (by trace and parent id) add up to."""

    duration_ms: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    failed: dict[str, str] = field(default_factory=dict)  # the first erroring child's service


def _below(spans: list[Span]) -> _Below:
    below = _Below()
    for span in spans:
        if span.parent_id is not None:
            key = span.trace_id + span.parent_id
            below.duration_ms[key] += span.duration_ms
            if span.error:
                below.failed.setdefault(key, span.service)
    return below


def _named_callee(span: Span, services: list[str]) -> str | None:
    """The service a failing span's message names, other than its own."""
    words = set(span.status_message.replace(":", " ").split())
    named = [s for s in services if s in words and s != span.service]
    return named[0] if named else None


def summarise(spans: list[Span], services: list[str]) -> TraceSummary:
    """Self time (median), error origins and error edges per service.

    A failing span blames an erroring child, or else a service its message names.
    """
    below = _below(spans)
    summary = TraceSummary(spans=Counter(span.service for span in spans))
    own: dict[str, list[float]] = defaultdict(list)
    for span in spans:
        key = span.trace_id + span.span_id
        rest = span.duration_ms - below.duration_ms.get(key, 0.0)
        own[span.service].append(rest if rest > 0.0 else 0.0)  # max(0.0, rest), NaN too
        if span.error:
            _blame(summary, span, below.failed.get(key), services)
    # statistics.median: np.median's value for a few floats, without its per-call cost
    summary.self_time_ms = {s: statistics.median(v) for s, v in own.items()}
    return summary


def _blame(
    summary: TraceSummary, span: Span, failed_child: str | None, services: list[str]
) -> None:
    blamed = failed_child if failed_child is not None else _named_callee(span, services)
    if blamed is None:
        summary.error_origins[span.service] += 1
        return
    summary.error_edges[(span.service, blamed)] += 1
    if failed_child is None:
        summary.error_origins[blamed] += 1
