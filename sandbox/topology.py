"""Service catalogs of the sandbox: profiles, call edges and fan-out per topology variant."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from tools.telemetry import ServiceGraph


@dataclass(frozen=True)
class ServiceProfile:
    """Nominal behaviour of one service at mean load."""

    name: str
    kind: str
    data_classification: str
    compliance: str
    latency_ms: float
    cpu: float
    memory: float
    pool: float
    disk: float
    tail: float = 3.0
    replicas: int = 3
    pool_size: int = 50
    backup_verified: bool = True


@dataclass(frozen=True)
class Edge:
    """caller -> callee, with the number of calls per caller request."""

    caller: str
    callee: str
    fanout: float


@dataclass(frozen=True)
class Topology:
    """A named service catalog with its call graph."""

    name: str
    entry: str
    entry_rps: float
    profiles: dict[str, ServiceProfile]
    edges: tuple[Edge, ...]

    @cached_property
    def key(self) -> str:
        """The whole catalog as text, to key what was simulated with it (built once)."""
        return repr(self)

    @property
    def services(self) -> list[str]:
        return list(self.profiles)

    def callees(self, service: str) -> list[Edge]:
        return list(self._callees.get(service, ()))

    def callers(self, service: str) -> list[Edge]:
        return list(self._callers.get(service, ()))

    def kind(self, service: str) -> str:
        return self.profiles[service].kind

    def callers_first(self) -> list[str]:
        """Topological order: every caller before its callees."""
        return list(self._callers_first)

    # Every simulation walks the call graph several times: worked out once per topology.
    @cached_property
    def _callees(self) -> dict[str, tuple[Edge, ...]]:
        return {s: tuple(e for e in self.edges if e.caller == s) for s in self.profiles}

    @cached_property
    def _callers(self) -> dict[str, tuple[Edge, ...]]:
        return {s: tuple(e for e in self.edges if e.callee == s) for s in self.profiles}

    @cached_property
    def _callers_first(self) -> tuple[str, ...]:
        order: list[str] = []
        remaining = set(self.services)
        while remaining:
            ready = sorted(
                s for s in remaining if all(e.caller not in remaining for e in self.callers(s))
            )
            order.extend(ready)
            remaining -= set(ready)
        return tuple(order)

    def graph(self) -> ServiceGraph:
        return ServiceGraph(
            services=self.services,
            calls=[(edge.caller, edge.callee) for edge in self.edges],
            attributes={name: _attributes(profile) for name, profile in self.profiles.items()},
        )


def _attributes(profile: ServiceProfile) -> dict[str, str]:
    return {
        "data_classification": profile.data_classification,
        "compliance": profile.compliance,
        "kind": profile.kind,
        "backup_verified": "true" if profile.backup_verified else "false",
    }


_P = ServiceProfile
_DEFAULT_PROFILES = (
    _P("frontend", "web", "public", "none", 20.0, 0.35, 0.45, 0.30, 0.35, replicas=4),
    _P("auth", "api", "confidential", "critical_compliance", 8.0, 0.30, 0.40, 0.30, 0.30),
    _P("catalog", "api", "public", "none", 12.0, 0.32, 0.50, 0.30, 0.30),
    _P("checkout", "api", "internal", "audit_logged", 15.0, 0.28, 0.42, 0.25, 0.30),
    _P("payment", "api", "restricted", "regulated", 25.0, 0.25, 0.40, 0.30, 0.35),
    _P("inventory", "api", "internal", "none", 10.0, 0.27, 0.44, 0.30, 0.30),
    _P(
        "database",
        "datastore",
        "restricted",
        "regulated",
        6.0,
        0.30,
        0.60,
        0.35,
        0.55,
        backup_verified=False,
        pool_size=200,
    ),
    _P("cache", "cache", "internal", "none", 1.5, 0.22, 0.55, 0.20, 0.20, tail=4.0),
    _P("queue", "queue", "internal", "none", 3.0, 0.20, 0.40, 0.20, 0.45),
)
_DEFAULT_EDGES = (
    Edge("frontend", "auth", 1.0),
    Edge("frontend", "catalog", 1.5),
    Edge("frontend", "checkout", 0.3),
    Edge("checkout", "payment", 1.0),
    Edge("checkout", "inventory", 1.0),
    Edge("checkout", "queue", 1.0),
    Edge("catalog", "cache", 2.0),
    Edge("catalog", "database", 0.4),
    Edge("inventory", "cache", 1.0),
    Edge("inventory", "database", 0.5),
    Edge("payment", "database", 1.0),
    Edge("auth", "database", 0.3),
)
_WIDE_PROFILES = (
    _P("search", "api", "public", "none", 18.0, 0.33, 0.52, 0.30, 0.40),
    _P("recommendations", "api", "internal", "none", 14.0, 0.30, 0.48, 0.25, 0.30),
    _P("notifications", "api", "confidential", "audit_logged", 9.0, 0.22, 0.38, 0.20, 0.35),
)
_WIDE_EDGES = (
    Edge("frontend", "search", 0.5),
    Edge("frontend", "recommendations", 0.5),
    Edge("search", "cache", 1.0),
    Edge("search", "database", 0.3),
    Edge("recommendations", "catalog", 1.0),
    Edge("recommendations", "cache", 1.0),
    Edge("checkout", "notifications", 1.0),
    Edge("notifications", "queue", 1.0),
)

TOPOLOGIES: dict[str, Topology] = {
    "default": Topology(
        "default", "frontend", 200.0, {p.name: p for p in _DEFAULT_PROFILES}, _DEFAULT_EDGES
    ),
    "wide": Topology(
        "wide",
        "frontend",
        200.0,
        {p.name: p for p in _DEFAULT_PROFILES + _WIDE_PROFILES},
        _DEFAULT_EDGES + _WIDE_EDGES,
    ),
}


class UnknownTopologyError(KeyError):
    """Raised for a topology name the sandbox does not define."""


def get_topology(name: str) -> Topology:
    """The named topology variant; raises UnknownTopologyError listing the valid names."""
    try:
        return TOPOLOGIES[name]
    except KeyError:
        valid = ", ".join(sorted(TOPOLOGIES))
        raise UnknownTopologyError(f"unknown topology {name!r}; expected one of: {valid}") from None
