"""Per-service evidence from a telemetry bundle: metric shifts, trace gaps, log template shifts."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from tools.analysis.bundle_traces import (
    call_drops,
    end_shifts,
    gap_shifts,
    is_before,
    self_shifts,
)
from tools.analysis.units import to_ms
from tools.bundle.models import Bundle, Edge
from tools.telemetry import Metric

Z_CAP = 50.0
RELATIVE_FLOOR = 0.10  # few baseline minutes: never trust a spread below 10 % of the level
MIN_SETTLED = 2  # baseline minutes always kept
UNSETTLED = 20.0  # spreads from the later baseline: still inside an earlier incident
POST_QUANTILE = 0.75  # the incident level: robust to one odd minute, sensitive to a short fault
MIN_LOG_LINES = 3
AGREEING = 3  # series of one family before the strongest must agree with another
UTILISATIONS = (Metric.CPU, Metric.MEMORY, Metric.POOL, Metric.DISK)  # shares of capacity
SHARE_FLOOR = 0.01  # a share of capacity moving by less than a percentage point is no fault
LATENCY_FLOOR_MS = 5.0  # a latency moving by a few milliseconds is jitter, not a fault

# Families by standard metric; other names are classified by the words they contain.
_STANDARD_FAMILY = {
    Metric.CPU: "cpu", Metric.MEMORY: "memory", Metric.LATENCY_P50: "latency",
    Metric.LATENCY_P99: "latency", Metric.ERROR_RATE: "errors", Metric.THROUGHPUT: "throughput",
    Metric.POOL: "pool", Metric.DISK: "saturation",
}  # fmt: skip
_WORD_FAMILY = (
    ("node", "host"), ("host", "host"), ("client", "client_latency"), ("cpu", "cpu"),
    ("mem", "memory"), ("latency", "latency"), ("duration", "latency"),
    ("success", "success"), ("error", "errors"), ("fail", "errors"),
)  # fmt: skip
# +1: only a rise is evidence; -1: only a fall; 0: either way.
DIRECTION = {
    "cpu": 1, "memory": 1, "latency": 1, "client_latency": 1, "errors": 1, "success": -1,
    "saturation": 1, "pool": 1, "host": 1, "traffic": 0, "throughput": 1,
}  # fmt: skip


def family(name: str) -> str:
    """The evidence family of a metric: cpu, memory, latency, errors, traffic, host..."""
    if name in Metric.__members__.values():
        return _STANDARD_FAMILY[Metric(name)]
    lowered = name.lower()
    return next((fam for word, fam in _WORD_FAMILY if word in lowered), "traffic")


@dataclass(frozen=True)
class Shift:
    """How far a series moved after the start, in robust baseline units (0 = not at all)."""

    service: str
    metric: str
    family: str
    strength: float
    before: float
    after: float


@dataclass
class BundleFeatures:
    """Evidence per service, the call graph, and what was compared with what."""

    services: list[str]
    callers: dict[str, set[str]]
    callees: dict[str, set[str]]
    shifts: dict[str, list[Shift]] = field(default_factory=dict)
    gap: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    logs: dict[str, list[tuple[str, float, int]]] = field(default_factory=dict)
    drops: dict[Edge, tuple[float, float, float]] = field(default_factory=dict)
    ends: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    own_time: dict[str, tuple[float, float, float]] = field(default_factory=dict)

    def strongest(self, service: str, fam: str) -> Shift | None:
        found = [s for s in self.shifts.get(service, []) if s.family == fam]
        return max(found, key=lambda s: s.strength, default=None)

    def agreed(self, service: str, fam: str) -> Shift | None:
        """The second-strongest shift of a family measured by AGREEING series or more (the
        strongest where fewer): a service that slowed moves more than one of its tail
        percentiles (p90, p95, p99), while one alone jumping over a thin baseline is a few
        odd requests. With only a median and one tail, the tail is the only tail measure
        (a slowdown of the slowest requests does not move the median)."""
        found = sorted(
            (s for s in self.shifts.get(service, []) if s.family == fam),
            key=lambda s: -s.strength,
        )
        if not found:
            return None
        return found[1] if len(found) >= AGREEING else found[0]

    def strength(self, service: str, fam: str) -> float:
        found = self.strongest(service, fam)
        return found.strength if found else 0.0


def robust_level(values: np.ndarray, floor: float = 0.0) -> tuple[float, float]:
    """Median and spread (scaled MAD, never below RELATIVE_FLOOR of the level or `floor`)."""
    center = float(np.median(values))
    mad = 1.4826 * float(np.median(np.abs(values - center)))
    return center, max(mad, RELATIVE_FLOOR * abs(center), floor, 1e-9)


def series_shift(
    before: np.ndarray, after: np.ndarray, direction: int, floor: float = 0.0
) -> float:
    """Robust z of the incident level against the baseline minutes, in the bad direction."""
    if len(before) < 2 or len(after) == 0:
        return 0.0
    center, spread = robust_level(before, floor)
    z = (after - center) / spread
    up, down = float(np.quantile(z, POST_QUANTILE)), float(np.quantile(z, 1 - POST_QUANTILE))
    moved = {1: up, -1: -down, 0: max(up, -down)}[direction]
    return float(min(max(moved, 0.0), Z_CAP))


def settled(before: np.ndarray) -> np.ndarray:
    """The baseline without its leading minutes that sit far from all the minutes after them:
    the tail of an earlier incident (faults can come minutes apart), not the normal level."""
    first = 0
    while len(before) - first > MIN_SETTLED:
        center, spread = robust_level(before[first + 1 :])
        if abs(before[first] - center) <= UNSETTLED * spread:
            break
        first += 1
    return before[first:]


def metric_shifts(bundle: Bundle) -> dict[str, list[Shift]]:
    found: dict[str, list[Shift]] = defaultdict(list)
    for key in bundle.metrics.keys():  # noqa: SIM118 (a table, not a dict)
        series = bundle.metrics.series(key)
        before = settled(np.array([v for m, v in series.items() if is_before(bundle, m)]))
        after = np.array([v for m, v in series.items() if not is_before(bundle, m)])
        fam = family(bundle.metrics.source_names.get(key, key[1]))
        strength = _strength(before, after, key[1], fam, key[1] in UTILISATIONS)
        level = float(np.median(before)) if len(before) else math.nan
        # The level reported is the one the shift was measured at (the low one for a fall).
        quantile = 1 - POST_QUANTILE if DIRECTION[fam] == -1 else POST_QUANTILE
        peak = float(np.quantile(after, quantile)) if len(after) else math.nan
        found[key[0]].append(Shift(key[0], key[1], fam, strength, level, peak))
    return {service: _shares_first(shifts) for service, shifts in found.items()}


def _floor(metric: str, fam: str, utilisation: bool) -> float:
    """The smallest spread a series is measured in: a point of a share, LATENCY_FLOOR_MS."""
    if utilisation:
        return SHARE_FLOOR
    factor = to_ms(metric) if fam in ("latency", "client_latency") else None
    return LATENCY_FLOOR_MS / factor if factor else 0.0


def _strength(
    before: np.ndarray, after: np.ndarray, metric: str, fam: str, utilisation: bool
) -> float:
    """A series' shift; a success rate's as the rise of its failing share (100 % - rate), so
    that a fall from 100 % to 95 % is five points of failures, not 5 % of the level."""
    if fam != "success" or len(before) == 0:
        return series_shift(before, after, DIRECTION[fam], _floor(metric, fam, utilisation))
    whole = 100.0 if max(before.max(), after.max(initial=0.0)) > 1.0 else 1.0
    return series_shift(whole - before, whole - after, 1, SHARE_FLOOR * whole)


def _shares_first(shifts: list[Shift]) -> list[Shift]:
    """A share of capacity says how full a resource is; a usage in its own units beside it
    (millicores, MiB) only that it moved, so where a share exists it is the evidence."""
    shares = {s.family for s in shifts if s.metric in UTILISATIONS}
    return [s for s in shifts if s.metric in UTILISATIONS or s.family not in shares]


def log_shifts(bundle: Bundle) -> dict[str, list[tuple[str, float, int]]]:
    """Per service: WARN/ERROR templates whose per-minute rate rose, as (template, ratio, lines)."""
    minutes = sorted({m for counts in bundle.logs.counts.values() for m in counts})
    before_minutes = max(1, sum(is_before(bundle, m) for m in minutes))
    after_minutes = max(1, len(minutes) - before_minutes)
    found: dict[str, list[tuple[str, float, int]]] = defaultdict(list)
    for (service, level, cluster), counts in bundle.logs.counts.items():
        if level not in ("WARN", "ERROR"):
            continue
        after = sum(n for m, n in counts.items() if not is_before(bundle, m))
        before = sum(counts.values()) - after
        ratio = (after / after_minutes) / ((before + 1) / before_minutes)
        if after >= MIN_LOG_LINES and ratio >= 3:
            template = bundle.logs.templates.get(cluster, "?")
            found[service].append((template, round(ratio, 2), after))
    return found


def extract(bundle: Bundle) -> BundleFeatures:
    """All per-service evidence of a bundle, with the call graph among its services."""
    callers: dict[str, set[str]] = defaultdict(set)
    callees: dict[str, set[str]] = defaultdict(set)
    for caller, callee in bundle.dependencies:
        callers[callee].add(caller)
        callees[caller].add(callee)
    return BundleFeatures(
        services=bundle.services,
        callers=callers,
        callees=callees,
        shifts=metric_shifts(bundle),
        gap=gap_shifts(bundle),
        logs=log_shifts(bundle),
        drops=call_drops(bundle),
        ends=end_shifts(bundle),
        own_time=self_shifts(bundle),
    )
