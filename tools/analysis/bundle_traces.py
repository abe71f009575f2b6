"""Trace evidence in a bundle: the time calls spend between services, and calls that stop."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import TypeVar

from tools.bundle.histogram import merge, quantile
from tools.bundle.models import MINUTE, Bundle, Edge

MIN_GAP_SPANS = 5
MIN_CALLS_BEFORE = 10  # fewer calls on an edge before the start say nothing about a drop
MIN_SPANS_AFTER = 10
MIN_TRACES = 10  # traces on each side of the start before their endings are compared
MIN_SELF_SPANS = 20  # spans on each side of the start before their own time is compared
SELF_QUANTILE = 0.95  # the tail: a fault slows some requests long before the median
ENDS_Z = 3.0  # a rise in the share of traces ending at a service must be this far from chance


def is_before(bundle: Bundle, minute: int) -> bool:
    return minute + MINUTE <= bundle.start


def _reference(
    edges: dict[Edge, tuple[Counter[int], Counter[int]]], edge: Edge, everywhere: float
) -> float:
    """The gap an edge without a baseline is compared with: its caller's other calls after
    the start (a caller's own network and queueing is in all its calls), else every edge's."""
    others = [after for (caller, callee), (_, after) in edges.items()
              if caller == edge[0] and callee != edge[1]]  # fmt: skip
    merged = merge(others)
    return quantile(merged, 0.5) if sum(merged.values()) >= MIN_GAP_SPANS else everywhere


K = TypeVar("K")  # what histograms are kept per: a service or an edge


def _sides(
    histograms: Mapping[tuple[K, int], Counter[int]], bundle: Bundle
) -> dict[K, tuple[Counter[int], Counter[int]]]:
    """Per-minute histograms of each key merged into (before the start, after it)."""
    sides: dict[K, tuple[Counter[int], Counter[int]]] = defaultdict(lambda: (Counter(), Counter()))
    for (key, minute), histogram in histograms.items():
        sides[key][0 if is_before(bundle, minute) else 1].update(histogram)
    return sides


def gap_shifts(bundle: Bundle) -> dict[str, tuple[float, float, float]]:
    """Per callee: log2 rise of the median call gap into it, the gap before and after (ms).

    The gap (caller's client span minus callee's server span) is network and queueing;
    without a baseline on an edge, the caller's other calls after the start are it.
    Fewer than MIN_GAP_SPANS calls after the start count in proportion (a sampled trace
    or two still says something, less than many).
    """
    edges = _sides(bundle.spans.gap, bundle)
    everywhere = quantile(merge(after for _, after in edges.values()), 0.5)
    found: dict[str, tuple[float, float, float]] = {}
    for edge, (before, after) in edges.items():
        calls = sum(after.values())
        if calls == 0:
            continue
        enough = sum(before.values()) >= MIN_GAP_SPANS
        base = quantile(before, 0.5) if enough else _reference(edges, edge, everywhere)
        now = quantile(after, 0.5)
        support = min(1.0, calls / MIN_GAP_SPANS)
        rise = support * math.log2(max(now, 0.1) / max(base, 0.1))
        if rise > found.get(edge[1], (-math.inf, 0.0, 0.0))[0]:
            found[edge[1]] = (rise, base, now)
    return found


def self_shifts(bundle: Bundle, q: float = SELF_QUANTILE) -> dict[str, tuple[float, float, float]]:
    """Per service: log2 rise of the q-quantile of its spans' own time (the span less its
    child calls), the quantile before and after (ms), where both sides have enough spans.

    A span's own time is the work done in the service itself: a callee that got slower does
    not lengthen it, so unlike the whole span it needs no explaining by the calls below.
    """
    found: dict[str, tuple[float, float, float]] = {}
    for service, (before, after) in _sides(bundle.spans.self_latency, bundle).items():
        if sum(before.values()) < MIN_SELF_SPANS or sum(after.values()) < MIN_SELF_SPANS:
            continue
        was, now = quantile(before, q), quantile(after, q)
        found[service] = (math.log2(max(now, 0.1) / max(was, 0.1)), was, now)
    return found


def _split(
    counts: Counter[tuple[str, int]] | Counter[tuple[Edge, int]], bundle: Bundle
) -> tuple[Counter[object], Counter[object]]:
    before: Counter[object] = Counter()
    after: Counter[object] = Counter()
    for (key, minute), n in counts.items():
        (before if is_before(bundle, minute) else after)[key] += n
    return before, after


def call_drops(bundle: Bundle) -> dict[Edge, tuple[float, float, float]]:
    """Per measurable edge: (log2 fall of calls per caller span, calls per span before, after).

    Measured per caller span, so a change of load does not look like a drop: what is left
    is calls that stop being made (a failing handshake, a caller that changed behaviour).
    """
    spans_before, spans_after = _split(bundle.spans.spans, bundle)
    calls_before, calls_after = _split(bundle.spans.calls, bundle)
    found: dict[Edge, tuple[float, float, float]] = {}
    for edge, calls in calls_before.items():
        caller = edge[0]  # type: ignore[index]
        if calls < MIN_CALLS_BEFORE or spans_after[caller] < MIN_SPANS_AFTER:
            continue
        was = calls / spans_before[caller]
        now = calls_after[edge] / spans_after[caller]
        fall = math.log2(was / max(now, 1.0 / spans_after[caller]))
        found[edge] = (max(fall, 0.0), was, now)  # type: ignore[index]
    return found


def _rise_z(k_before: int, n_before: int, k_after: int, n_after: int) -> float:
    """Two-proportion z of a share's rise (0 when both sides are all or nothing)."""
    pooled = (k_before + k_after) / (n_before + n_after)
    variance = pooled * (1 - pooled) * (1 / n_before + 1 / n_after)
    return (k_after / n_after - k_before / n_before) / math.sqrt(variance) if variance else 0.0


def end_shifts(bundle: Bundle) -> dict[str, tuple[float, float, float]]:
    """Per service: log2 rise of the share of traces that end there, the share before and after.

    A request that fails stops at the service whose answer (or exception) failed it: the
    calls after it are never made, so more traces end there. Only rises a two-proportion
    z-test puts at ENDS_Z or more count: the mix of requests alone moves shares a little.
    """
    before, after = _split(bundle.spans.ends, bundle)
    n_before, n_after = sum(before.values()), sum(after.values())
    if n_before < MIN_TRACES or n_after < MIN_TRACES:
        return {}
    found: dict[str, tuple[float, float, float]] = {}
    for service, ended in after.items():
        was, now = before[service] / n_before, ended / n_after
        if _rise_z(before[service], n_before, ended, n_after) >= ENDS_Z:
            rise = math.log2(now / (was + 1 / n_before))
            found[service] = (rise, was, now)  # type: ignore[index]
    return found
