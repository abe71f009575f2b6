"""Named incident scenarios: a fault on a service, and the actions that do and don't fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Scenario:
    """A reproducible incident for the demo, the tests and the evals."""

    name: str
    fault_type: str
    service: str
    description: str
    remedy: str
    remedy_params: dict[str, Any] = field(default_factory=dict)
    wrong_remedy: str = "restart_service"
    wrong_params: dict[str, Any] = field(default_factory=dict)
    lead_seconds: int = 600


_S = Scenario
SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        _S(
            "memory-leak-catalog",
            "memory_leak",
            "catalog",
            "catalog's memory climbs after a release until it is OOM-killed",
            "restart_service",
            wrong_remedy="scale_out",
            wrong_params={"replicas": 6},
        ),
        _S(
            "bad-deploy-checkout",
            "bad_deploy",
            "checkout",
            "a new checkout version fails a quarter of its requests",
            "rollback_deploy",
        ),
        _S(
            "cpu-saturation-inventory",
            "cpu_saturation",
            "inventory",
            "inventory's CPU saturates and its latency climbs",
            "scale_out",
            {"replicas": 6},
        ),
        _S(
            "pool-exhaustion-inventory",
            "db_pool_exhaustion",
            "inventory",
            "inventory's database connection pool saturates",
            "set_pool_size",
            {"size": 120},
            wrong_remedy="flush_cache",
        ),
        _S("disk-full-queue", "disk_full", "queue", "the queue's disk fills up", "rotate_logs"),
        _S(
            "disk-full-database",
            "disk_full",
            "database",
            "the database's disk fills up",
            "purge_old_data",
        ),
        _S(
            "cache-failure",
            "cache_failure",
            "cache",
            "an eviction storm empties the cache; load shifts to the database",
            "flush_cache",
        ),
        _S(
            "network-delay-database",
            "network_delay",
            "database",
            "the database's node adds network latency",
            "failover_database",
        ),
        _S(
            "certificate-expiry-auth",
            "certificate_expiry",
            "auth",
            "auth's TLS certificate expires",
            "renew_certificate",
        ),
        _S(
            "config-error-payment",
            "config_error",
            "payment",
            "payment reloads a broken configuration revision",
            "revert_config",
        ),
        _S(
            "traffic-surge-frontend",
            "traffic_surge",
            "frontend",
            "entry traffic multiplies",
            "rate_limit",
            {"rps": 220},
            wrong_remedy="flush_cache",
        ),
    )
}
DEFAULT_SCENARIO = "memory-leak-catalog"


class UnknownScenarioError(KeyError):
    """Raised for a scenario name that does not exist."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown scenario"


def get_scenario(name: str) -> Scenario:
    """The named scenario; raises UnknownScenarioError listing the valid names."""
    try:
        return SCENARIOS[name]
    except KeyError:
        valid = ", ".join(sorted(SCENARIOS))
        raise UnknownScenarioError(f"unknown scenario {name!r}; expected one of: {valid}") from None
