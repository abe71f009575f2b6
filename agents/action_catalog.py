"""The registered action catalog: what each adapter action declares for guardrails and risk."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agents.models import (
    Action,
    BlastRadius,
    ComplianceImpact,
    DataSensitivity,
    GuardrailFacts,
    Reversibility,
    RiskFacts,
)
from tools.telemetry import ServiceGraph


class ActionSpec(BaseModel):
    """Static facts about one kind of action, whatever its target."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    reversibility: Reversibility
    scope: Literal["service", "organization"] = Field(
        default="service", description="organization: the change reaches beyond the target"
    )
    rollback: str | None = None
    rollback_params: dict[str, str] = Field(
        default_factory=dict, description="rollback param -> key of the outcome data to use"
    )
    deletes_production_data: bool = False
    preconditions: tuple[str, ...] = ()


def _spec(name: str, description: str, reversibility: Reversibility, **extra: Any) -> ActionSpec:
    return ActionSpec(name=name, description=description, reversibility=reversibility, **extra)


_FULL = Reversibility.FULLY_REVERSIBLE
_PART = Reversibility.PARTIALLY_REVERSIBLE
_NONE = Reversibility.IRREVERSIBLE

CATALOG: dict[str, ActionSpec] = {
    spec.name: spec
    for spec in (
        _spec(
            "rollback_deploy",
            "Roll the service back to its previous version",
            _FULL,
            rollback="deploy_version",
            rollback_params={"version": "previous_version"},
        ),
        _spec("deploy_version", "Deploy a given version of the service", _FULL),
        _spec("restart_service", "Restart the service's instances one by one", _FULL),
        _spec(
            "scale_out",
            "Add replicas to the service",
            _FULL,
            rollback="scale_in",
            rollback_params={"replicas": "previous_replicas"},
        ),
        _spec("scale_in", "Remove replicas from the service", _FULL),
        _spec(
            "set_pool_size",
            "Resize the service's connection pool",
            _FULL,
            rollback="set_pool_size",
            rollback_params={"size": "previous_size"},
        ),
        _spec("flush_cache", "Flush and re-warm the cache", _PART),
        _spec("rotate_logs", "Rotate and compress logs to free disk", _PART),
        _spec("renew_certificate", "Issue and install a fresh TLS certificate", _FULL),
        _spec(
            "revert_config",
            "Revert the service's configuration to the previous revision",
            _FULL,
            rollback="apply_config",
            rollback_params={"revision": "previous_revision"},
        ),
        _spec("apply_config", "Apply a given configuration revision", _FULL),
        _spec(
            "failover_database",
            "Promote the replica and fail the database over",
            _PART,
            scope="organization",
            rollback="failback_database",
            preconditions=("replica is in sync",),
        ),
        _spec(
            "failback_database",
            "Fail the database back to the original primary",
            _PART,
            scope="organization",
        ),
        _spec(
            "rate_limit",
            "Shed load above a request rate at the service",
            _FULL,
            rollback="remove_rate_limit",
        ),
        _spec("remove_rate_limit", "Remove the request rate limit", _FULL),
        _spec(
            "purge_old_data",
            "Delete old rows to free database disk",
            _NONE,
            deletes_production_data=True,
            preconditions=("verified backup exists",),
        ),
    )
}


class UnknownAction(KeyError):
    """An action name that is not in the registered catalog."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown action {name!r}; registered: {', '.join(sorted(CATALOG))}")


def spec_for(name: str) -> ActionSpec:
    if name not in CATALOG:
        raise UnknownAction(name)
    return CATALOG[name]


def blast_radius(spec: ActionSpec, target: str, topology: ServiceGraph) -> BlastRadius:
    """Who feels it if the action goes wrong: the target's team up to external users."""
    if topology.attribute(target, "kind", "api") == "web":
        return BlastRadius.EXTERNAL
    if spec.scope == "organization":
        return BlastRadius.ORGANIZATION
    dependents = len(topology.dependents(target))
    if dependents == 0:
        return BlastRadius.TEAM
    return BlastRadius.DEPARTMENT if dependents <= 2 else BlastRadius.ORGANIZATION


def build_action(
    name: str, target: str, params: dict[str, Any], topology: ServiceGraph, *, from_runbook: bool
) -> Action:
    """A typed action whose risk and guardrail facts come from its spec and its target."""
    spec = spec_for(name)
    if target not in topology.services:
        raise ValueError(f"action {name}: unknown target service {target!r}")
    compliance = ComplianceImpact(topology.attribute(target, "compliance", "none"))
    risk = RiskFacts(
        data_sensitivity=DataSensitivity(
            topology.attribute(target, "data_classification", "internal")
        ),
        reversibility=spec.reversibility,
        blast_radius=blast_radius(spec, target, topology),
        compliance_impact=compliance,
    )
    guardrails = GuardrailFacts(
        deletes_production_data=spec.deletes_production_data,
        backup_verified=topology.attribute(target, "backup_verified", "false") == "true",
        modifies_compliance_critical=compliance is ComplianceImpact.CRITICAL_COMPLIANCE,
        from_runbook=from_runbook,
        notifies_before=True,
    )
    return Action(
        name=name,
        target=target,
        params=params,
        description=spec.description,
        risk=risk,
        guardrails=guardrails,
        preconditions=list(spec.preconditions),
        verification="every service back within its baseline for the verification window",
        rollback=spec.rollback,
    )


def rollback_for(action: Action, outcome_data: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The undo action and its params, built from what the forward action reported."""
    spec = spec_for(action.name)
    if spec.rollback is None:
        return None
    params = {param: outcome_data.get(key) for param, key in spec.rollback_params.items()}
    return spec.rollback, params
