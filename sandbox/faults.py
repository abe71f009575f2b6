"""Fault catalog: which fault types exist and which services each can target."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sandbox.topology import Topology
from tools.analysis.models import FAULT_TYPES


@dataclass(frozen=True)
class FaultSpec:
    """A fault type, what it does, and the services it can hit."""

    name: str
    description: str
    targets: Callable[[Topology], list[str]]


def _apps(topology: Topology) -> list[str]:
    return [s for s in topology.services if topology.kind(s) in ("web", "api")]


def _pooled(topology: Topology) -> list[str]:
    return [
        s
        for s in topology.services
        if any(topology.kind(e.callee) == "datastore" for e in topology.callees(s))
    ]


def _kind(kind: str) -> Callable[[Topology], list[str]]:
    return lambda topology: [s for s in topology.services if topology.kind(s) == kind]


def _called(topology: Topology) -> list[str]:
    return [s for s in topology.services if topology.callers(s)]


def _any(topology: Topology) -> list[str]:
    return topology.services


FAULTS: dict[str, FaultSpec] = {
    spec.name: spec
    for spec in (
        FaultSpec("bad_deploy", "deploy of a broken version; the service then fails", _apps),
        FaultSpec("memory_leak", "memory climbs from process start until OOM kills", _apps),
        FaultSpec("cpu_saturation", "extra CPU demand drives the service to saturation", _apps),
        FaultSpec("db_pool_exhaustion", "connections held long; the pool saturates", _pooled),
        FaultSpec("disk_full", "the disk fills to 100%; writes fail", _any),
        FaultSpec("cache_failure", "eviction storm: misses, errors, load shifts", _kind("cache")),
        FaultSpec("network_delay", "the service's node adds network latency", _any),
        FaultSpec("certificate_expiry", "TLS certificate expires; handshakes fail", _called),
        FaultSpec("config_error", "reload to a broken config revision", _apps),
        FaultSpec("traffic_surge", "entry traffic multiplies", lambda t: [t.entry]),
    )
}
assert tuple(FAULTS) == FAULT_TYPES, "sandbox faults must match the analysis fault types"


class FaultTargetError(ValueError):
    """Raised when a fault type or target service is not valid."""


def check_target(fault_type: str, service: str, topology: Topology) -> None:
    """Raise FaultTargetError unless the fault type exists and can target the service."""
    if fault_type not in FAULTS:
        raise FaultTargetError(
            f"unknown fault type {fault_type!r}; expected one of: {', '.join(FAULTS)}"
        )
    targets = FAULTS[fault_type].targets(topology)
    if service not in targets:
        raise FaultTargetError(
            f"fault {fault_type!r} cannot target {service!r} in topology "
            f"{topology.name!r}; valid targets: {', '.join(targets)}"
        )
