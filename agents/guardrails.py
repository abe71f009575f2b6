"""Hard constraints (block, no override) and soft constraints (warn, need a justification).

The fourth hard constraint, never modify a compliance-critical system without approval, is
not a blocker but a floor: the Safeguard routes such a plan to approval whatever its score,
and the Executor refuses to run it without a counted approval.
"""

from __future__ import annotations

from collections.abc import Callable

from agents.models import Action, Reversibility

HardCheck = Callable[[Action], str | None]


def _no_unbacked_data_deletion(action: Action) -> str | None:
    facts = action.guardrails
    if facts.deletes_production_data and not facts.backup_verified:
        return f"{action.name} on {action.target} deletes production data without a verified backup"
    return None


def _no_auth_bypass(action: Action) -> str | None:
    if action.guardrails.bypasses_auth:
        return f"{action.name} on {action.target} bypasses authentication/authorization"
    return None


def _no_credential_exposure(action: Action) -> str | None:
    if action.guardrails.exposes_credentials:
        return f"{action.name} on {action.target} exposes credentials"
    return None


def _no_unauthorized_quota_excess(action: Action) -> str | None:
    facts = action.guardrails
    if facts.exceeds_resource_quota and not facts.quota_authorized:
        return f"{action.name} on {action.target} exceeds resource quotas without authorization"
    return None


HARD_CONSTRAINTS: tuple[HardCheck, ...] = (
    _no_unbacked_data_deletion,
    _no_auth_bypass,
    _no_credential_exposure,
    _no_unauthorized_quota_excess,
)


def hard_violations(actions: list[Action]) -> list[str]:
    """Every hard constraint the actions break; any one blocks the plan."""
    return [msg for action in actions for check in HARD_CONSTRAINTS if (msg := check(action))]


def soft_warnings(actions: list[Action]) -> list[str]:
    """Soft constraints raised: prefer reversible, gradual, notify first, runbooks over novelty."""
    warnings: list[str] = []
    for action in actions:
        facts = action.guardrails
        if action.risk.reversibility is not Reversibility.FULLY_REVERSIBLE:
            warnings.append(f"{action.name} on {action.target} is not fully reversible")
        if not facts.gradual_rollout:
            warnings.append(f"{action.name} on {action.target} is not a gradual rollout")
        if not facts.notifies_before:
            warnings.append(f"{action.name} on {action.target} does not notify before acting")
        if not facts.from_runbook:
            warnings.append(f"{action.name} on {action.target} is not from an existing runbook")
    return warnings
