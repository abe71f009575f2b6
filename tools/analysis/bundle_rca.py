"""Root causes in a telemetry bundle: evidence a service's callees do not explain ranks first."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from tools.analysis.bundle_features import Z_CAP, BundleFeatures, extract
from tools.analysis.models import UNKNOWN_FAULT, Evidence, Hypothesis
from tools.analysis.units import to_ms
from tools.bundle.models import Bundle

ANOMALOUS = 5.0  # less evidence than a 5-spread shift of one health metric is not anomalous
GAP_WEIGHT = 4.0  # per doubling of the call gap beyond the first
DROP_WEIGHT = 4.0  # per halving of the calls per caller span on an edge
ENDS_WEIGHT = 4.0  # per doubling of the share of traces that end at the service
OWN_TIME_WEIGHT = 4.0  # per doubling of its spans' own time, where no metric gives latency
FAILING = 3.0  # a caller whose errors rose this many spreads: its missing calls failed
REFUSED = 2.0  # calls that fail at the callee: most (3 in 4) never reach it
# How much each family counts; latency and errors only for what callees do not explain.
WEIGHTS = {"cpu": 1.0, "memory": 0.5, "saturation": 1.0, "pool": 1.0, "latency": 0.3,
           "errors": 1.0, "success": 1.0, "throughput": 1.0, "callers": 0.3,
           "logs": 2.0}  # fmt: skip
FAULT_OF = {"cpu": "cpu_saturation", "memory": "memory_leak", "gap": "network_delay",
            "callers": "network_delay", "throughput": "traffic_surge",
            "pool": "db_pool_exhaustion", "calls": "certificate_expiry"}  # fmt: skip
# What can explain a symptom: a callee's shift of these families (a slow callee makes its
# callers slow, time out and hold connections longer), or the service's own rise in load.
EXPLAINED_BY = {"latency": ("latency",), "errors": ("errors", "success", "timeouts"),
                "success": ("errors", "success", "timeouts"), "pool": ("latency",)}  # fmt: skip
TIMEOUT_RISE = 2.0  # a callee's latency must multiply (not wiggle) for its callers to time out
LOAD_BOUND = ("cpu", "pool")  # families that rise with the service's own load
# Families measured by several series of one quantity (percentiles): a shift counts as far
# as two of them agree, both as a service's own symptom and as what explains its callers'.
AGREED = ("latency",)


@dataclass(frozen=True)
class Part:
    """One component of a service's score, with the sentence that explains it."""

    name: str
    weight: float
    summary: str
    kind: str = "metric"


@dataclass(frozen=True)
class BundleDiagnosis:
    """What `adsh analyze --bundle` reports."""

    anomalous_services: list[str]
    root_causes: list[Hypothesis]


def _own(f: BundleFeatures, service: str, fam: str) -> Part | None:
    shift = f.agreed(service, fam) if fam in AGREED else f.strongest(service, fam)
    if shift is None or shift.strength <= 0:
        return None
    weight = WEIGHTS[fam] * shift.strength
    summary = (
        f"{shift.metric} moved from {shift.before:.4g} to {shift.after:.4g} "
        f"({shift.strength:.1f} baseline spreads)"
    )
    return Part(fam, weight, summary)


def _strength(f: BundleFeatures, caller: str, callee: str, fam: str) -> float:
    """A callee's shift of a family; "timeouts": a latency shift that at least doubled the
    level and reached the caller's own usual answer time (no client gives up sooner)."""
    if fam in AGREED:
        found = f.agreed(callee, fam)
        return found.strength if found else 0.0
    if fam != "timeouts":
        return f.strength(callee, fam)
    shift = f.strongest(callee, "latency")
    if shift is None or not shift.after >= TIMEOUT_RISE * shift.before:
        return 0.0
    factor, usual = to_ms(shift.metric), _usual_ms(f, caller)
    if factor is not None and usual is not None and shift.after * factor < usual:
        return 0.0
    return shift.strength


def _latencies_ms(f: BundleFeatures, service: str) -> list[tuple[float, float]]:
    """(level before, level after) in milliseconds of its latency metrics with a known unit."""
    return [
        (s.before * factor, s.after * factor)
        for s in f.shifts.get(service, [])
        if s.family == "latency" and (factor := to_ms(s.metric)) is not None
    ]


def _usual_ms(f: BundleFeatures, service: str) -> float | None:
    """The service's quickest usual latency in milliseconds (its median, where it has one)."""
    return min((before for before, _ in _latencies_ms(f, service)), default=None)


def _rise_ms(f: BundleFeatures, service: str) -> float | None:
    """The largest rise of a latency metric in milliseconds (metrics with a known unit)."""
    return max((after - before for before, after in _latencies_ms(f, service)), default=None)


def _share(f: BundleFeatures, service: str, callee: str, other: str) -> float:
    """How much of the service's latency rise the callee's can carry: latency adds up along
    a call, so a callee 5 ms slower does not explain a caller 1 s slower."""
    if other != "latency":
        return 1.0
    own, below = _rise_ms(f, service), _rise_ms(f, callee)
    if own is None or below is None or own <= 0:
        return 1.0
    return min(1.0, max(below, 0.0) / own)


def explanation(f: BundleFeatures, service: str, fam: str) -> tuple[float, str]:
    """The strongest shift that explains `fam` at `service`, and where it comes from."""
    found = [(0.0, "")]
    for callee in f.callees.get(service, ()):
        found += [
            (
                _strength(f, service, callee, other) * _share(f, service, callee, other),
                "its callees'",
            )
            for other in EXPLAINED_BY.get(fam, ())
        ]
        if fam in ("errors", "success") and _refused(f, service, callee):
            found.append((Z_CAP, "calls it can no longer make"))
        if fam in ("errors", "success") and f.ends.get(callee, (0.0,))[0] >= 1:
            found.append((Z_CAP, "requests that stop at its callees"))
    if fam in LOAD_BOUND:
        found.append((f.strength(service, "throughput"), "its own load"))
    return max(found)


def _unexplained(f: BundleFeatures, service: str, fam: str) -> Part | None:
    """A symptom that propagates to callers counts only beyond what explains it."""
    own = _own(f, service, fam)
    if own is None:
        return None
    below, reason = explanation(f, service, fam)
    left = own.weight - WEIGHTS[fam] * below
    if left <= 0:
        return None
    return Part(fam, left, own.summary + (f" beyond {reason}" if below else ""))


def _load(f: BundleFeatures, service: str) -> Part | None:
    """Load that its callers did not send: a surge enters here."""
    callers = [c for c in f.callers.get(service, ()) if c in f.services]
    own = _own(f, service, "throughput")
    if own is None:
        return None
    above = max((f.strength(c, "throughput") for c in callers), default=0.0)
    left = own.weight - WEIGHTS["throughput"] * above
    return (
        Part("throughput", left, own.summary + " (not sent by its callers)") if left > 0 else None
    )


def _failed_calls(f: BundleFeatures, caller: str) -> bool:
    """Whether the caller's own errors rose: its missing calls failed rather than not made."""
    return max(f.strength(caller, "errors"), f.strength(caller, "success")) >= FAILING


def _refused(f: BundleFeatures, caller: str, callee: str) -> bool:
    """Most calls on the edge no longer reach the callee while the caller fails."""
    fall = f.drops.get((caller, callee), (0.0, 0.0, 0.0))[0]
    return fall >= REFUSED and _failed_calls(f, caller)


def _calls(f: BundleFeatures, service: str) -> Part | None:
    """Calls per caller span that stopped on its edges: the callee's fault when the caller
    fails (calls that cannot reach it), the caller's when it does not (calls it stopped making).
    """
    incoming = [
        fall if _refused(f, caller, callee) else 0.0
        for (caller, callee), (fall, _, _) in f.drops.items()
        if callee == service
    ]
    outgoing = [
        0.0 if _refused(f, caller, callee) else fall
        for (caller, callee), (fall, _, _) in f.drops.items()
        if caller == service
    ]
    shares = [sum(x) / len(x) for x in (incoming, outgoing) if x]
    weight = DROP_WEIGHT * sum(s for s in shares if s >= 1)
    if weight <= 0:
        return None
    fall = max(incoming + outgoing)
    summary = f"calls on its edges fell to 1/{2**fall:.3g} per caller span"
    return Part("calls", weight, summary, "trace")


def _trace_part(
    name: str,
    found: dict[str, tuple[float, float, float]],
    service: str,
    weight: float,
    describe: Callable[[float, float], str],
    free: float = 0.0,
) -> Part | None:
    """A part from a (rise, before, after) table of trace evidence: `weight` per unit of
    rise beyond `free`, described by its levels before and after."""
    if service not in found:
        return None
    rise, before, after = found[service]
    if rise <= free:
        return None
    return Part(name, weight * (rise - free), describe(before, after), "trace")


def _gap(f: BundleFeatures, service: str) -> Part | None:
    return _trace_part(
        "gap", f.gap, service, GAP_WEIGHT,
        lambda was, now: f"calls into it spend {now:.3g} ms outside it (network, queueing),"
        f" was {was:.3g}",
        free=1.0,
    )  # fmt: skip


def _ends(f: BundleFeatures, service: str) -> Part | None:
    """Requests that stop at the service: failing there, they skip the calls after it."""
    return _trace_part(
        "ends", f.ends, service, ENDS_WEIGHT,
        lambda was, now: f"{now:.0%} of traces end at it (was {was:.0%}): requests stop there",
    )  # fmt: skip


def _own_time(f: BundleFeatures, service: str) -> Part | None:
    """Spans that take longer in the service itself, for a service whose metrics have no
    latency (none exported, or a new pod the metrics do not name): its traces are then the
    only measure of how long it takes to answer. Where a latency metric exists it is the
    evidence: own span time of busy services moves with their load as much as with a fault.
    """
    if f.strongest(service, "latency") is not None:
        return None
    return _trace_part(
        "own_time", f.own_time, service, OWN_TIME_WEIGHT,
        lambda was, now: f"its spans spend {now:.3g} ms in it (95th percentile), was {was:.3g}",
    )  # fmt: skip


def _wait(f: BundleFeatures, caller: str) -> float:
    """How much longer a caller waits on its calls, as far as its own answers show it: the
    geometric mean of its client-latency and server-latency shifts. A wait that is real
    slows the caller's answers too; a client percentile that jumps while the caller answers
    as before is a few calls crossing a histogram bucket, or calls off its critical path.
    A caller without a latency metric of its own has only its client latency to go by. Its
    answers count as far as two of their tail percentiles agree, as everywhere (`agreed`)."""
    waits = f.strength(caller, "client_latency")
    answers = f.agreed(caller, "latency")
    if answers is None:
        return waits
    return math.sqrt(waits * answers.strength)


def _callers(f: BundleFeatures, service: str) -> Part | None:
    callers = [c for c in f.callers.get(service, ()) if c in f.services]
    if not callers:
        return None
    mean = sum(_wait(f, c) for c in callers) / len(callers)
    if mean <= 0:
        return None
    names = ", ".join(sorted(callers))
    summary = f"its callers ({names}) wait longer on their calls ({mean:.1f} spreads on average)"
    return Part("callers", WEIGHTS["callers"] * mean, summary, "topology")


def _logs(f: BundleFeatures, service: str) -> Part | None:
    """Rising WARN/ERROR templates, discounted by the share of its errors callees explain."""
    shifts = f.logs.get(service, [])
    if not shifts:
        return None
    template, ratio, lines = max(shifts, key=lambda s: s[2])
    errors = f.strength(service, "errors")
    explained = min(1.0, explanation(f, service, "errors")[0] / errors) if errors else 0.0
    weight = (WEIGHTS["logs"] * min(len(shifts), 5) + min(ratio, 10.0)) * (1 - explained)
    if weight <= 0:
        return None
    summary = f"{len(shifts)} WARN/ERROR template(s) rose, e.g. {lines} x '{template}'"
    return Part("logs", weight, summary, "log")


def _parts(f: BundleFeatures, service: str) -> list[Part]:
    makers: list[Callable[[], Part | None]] = [
        lambda: _unexplained(f, service, "cpu"),
        lambda: _own(f, service, "memory"),
        lambda: _own(f, service, "saturation"),
        lambda: _unexplained(f, service, "pool"),
        lambda: _load(f, service),
        lambda: _calls(f, service),
        lambda: _unexplained(f, service, "latency"),
        lambda: _unexplained(f, service, "errors"),
        lambda: _unexplained(f, service, "success"),
        lambda: _gap(f, service),
        lambda: _ends(f, service),
        lambda: _own_time(f, service),
        lambda: _callers(f, service),
        lambda: _logs(f, service),
    ]
    return [p for p in (make() for make in makers) if p is not None]


def _fault_type(parts: list[Part]) -> str:
    """The type the largest part names; a symptom (latency, errors) names none, so then the
    largest part that does, if it is evidence on its own (an anomalous amount)."""
    lead = max(parts, key=lambda p: p.weight)
    if lead.name in FAULT_OF:
        return FAULT_OF[lead.name]
    typed = [p for p in parts if p.name in FAULT_OF and p.weight >= ANOMALOUS]
    return FAULT_OF[max(typed, key=lambda p: p.weight).name] if typed else UNKNOWN_FAULT


def _hypothesis(service: str, parts: list[Part], top: float) -> Hypothesis:
    evidence = [
        Evidence(kind=p.kind, service=service, summary=p.summary, weight=round(p.weight, 3))
        for p in sorted(parts, key=lambda p: -p.weight)
    ]
    score = sum(p.weight for p in parts) / top
    return Hypothesis(
        service=service,
        fault_type=_fault_type(parts),
        score=round(min(score, 1.0), 4),
        evidence=evidence,
    )


def diagnose(bundle: Bundle) -> BundleDiagnosis:
    """Anomalous services and root-cause hypotheses of a bundle, most likely first."""
    features = extract(bundle)
    parts = {s: _parts(features, s) for s in features.services}
    totals = {s: sum(p.weight for p in found) for s, found in parts.items()}
    top = max(totals.values(), default=0.0) or 1.0
    ranked = sorted((s for s in totals if parts[s]), key=lambda s: (-totals[s], s))
    return BundleDiagnosis(
        anomalous_services=sorted(s for s, t in totals.items() if t >= ANOMALOUS),
        root_causes=[_hypothesis(s, parts[s], top) for s in ranked],
    )
