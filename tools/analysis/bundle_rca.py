"""Root causes in a telemetry bundle: evidence a service's callees do not explain ranks first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tools.analysis.bundle_features import BundleFeatures, extract
from tools.analysis.models import UNKNOWN_FAULT, Evidence, Hypothesis
from tools.bundle.models import Bundle

ANOMALOUS = 5.0  # less evidence than a 5-spread shift of one health metric is not anomalous
GAP_WEIGHT = 4.0  # per doubling of the call gap beyond the first
# How much each family counts; latency and errors only for what callees do not explain.
WEIGHTS = {"cpu": 1.0, "memory": 0.5, "saturation": 1.0, "latency": 0.3, "errors": 1.0,
           "success": 1.0, "callers": 0.3, "logs": 2.0}  # fmt: skip
FAULT_OF = {"cpu": "cpu_saturation", "memory": "memory_leak", "gap": "network_delay",
            "callers": "network_delay"}  # fmt: skip


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
    shift = f.strongest(service, fam)
    if shift is None or shift.strength <= 0:
        return None
    weight = WEIGHTS[fam] * shift.strength
    summary = (
        f"{shift.metric} moved from {shift.before:.4g} to {shift.after:.4g} "
        f"({shift.strength:.1f} baseline spreads)"
    )
    return Part(fam, weight, summary)


def _unexplained(f: BundleFeatures, service: str, fam: str) -> Part | None:
    """A symptom that propagates to callers counts only beyond its callees' own."""
    own = _own(f, service, fam)
    if own is None:
        return None
    below = max((f.strength(c, fam) for c in f.callees.get(service, ())), default=0.0)
    left = own.weight - WEIGHTS[fam] * below
    if left <= 0:
        return None
    return Part(fam, left, own.summary + (" beyond its callees'" if below else ""))


def _gap(f: BundleFeatures, service: str) -> Part | None:
    if service not in f.gap:
        return None
    rise, before, after = f.gap[service]
    if rise <= 1:
        return None
    summary = f"calls into it spend {after:.3g} ms outside it (network, queueing), was {before:.3g}"
    return Part("gap", GAP_WEIGHT * (rise - 1), summary, "trace")


def _callers(f: BundleFeatures, service: str) -> Part | None:
    callers = [c for c in f.callers.get(service, ()) if c in f.services]
    if not callers:
        return None
    mean = sum(f.strength(c, "client_latency") for c in callers) / len(callers)
    if mean <= 0:
        return None
    names = ", ".join(sorted(callers))
    summary = f"its callers ({names}) wait longer on their calls ({mean:.1f} spreads on average)"
    return Part("callers", WEIGHTS["callers"] * mean, summary, "topology")


def _logs(f: BundleFeatures, service: str) -> Part | None:
    shifts = f.logs.get(service, [])
    if not shifts:
        return None
    template, ratio, lines = max(shifts, key=lambda s: s[2])
    weight = WEIGHTS["logs"] * min(len(shifts), 5) + min(ratio, 10.0)
    summary = f"{len(shifts)} WARN/ERROR template(s) rose, e.g. {lines} x '{template}'"
    return Part("logs", weight, summary, "log")


def _parts(f: BundleFeatures, service: str) -> list[Part]:
    makers: list[Callable[[], Part | None]] = [
        lambda: _own(f, service, "cpu"),
        lambda: _own(f, service, "memory"),
        lambda: _own(f, service, "saturation"),
        lambda: _unexplained(f, service, "latency"),
        lambda: _unexplained(f, service, "errors"),
        lambda: _unexplained(f, service, "success"),
        lambda: _gap(f, service),
        lambda: _callers(f, service),
        lambda: _logs(f, service),
    ]
    return [p for p in (make() for make in makers) if p is not None]


def _hypothesis(service: str, parts: list[Part], top: float) -> Hypothesis:
    lead = max(parts, key=lambda p: p.weight)
    evidence = [
        Evidence(kind=p.kind, service=service, summary=p.summary, weight=round(p.weight, 3))
        for p in sorted(parts, key=lambda p: -p.weight)
    ]
    score = sum(p.weight for p in parts) / top
    return Hypothesis(
        service=service,
        fault_type=FAULT_OF.get(lead.name, UNKNOWN_FAULT),
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
