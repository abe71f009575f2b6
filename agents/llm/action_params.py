"""Parameters each catalog action accepts, so a model-proposed plan can be checked before use."""

from __future__ import annotations

from typing import Any

from agents.action_catalog import CATALOG, spec_for

# action -> {param: (type, required)}; an action not listed takes no parameters.
ACTION_PARAMS: dict[str, dict[str, tuple[type, bool]]] = {
    "deploy_version": {"version": (str, True)},
    "apply_config": {"revision": (str, True)},
    "scale_out": {"replicas": (int, False)},
    "scale_in": {"replicas": (int, False)},
    "set_pool_size": {"size": (int, False)},
    "rate_limit": {"rps": (int, False)},
}


def describe_catalog() -> str:
    """One line per registered action: name, description, parameters."""
    lines = []
    for name, spec in sorted(CATALOG.items()):
        params = ACTION_PARAMS.get(name, {})
        shown = ", ".join(
            f"{p} ({kind.__name__}{', required' if required else ''})"
            for p, (kind, required) in params.items()
        )
        lines.append(f"- {name}: {spec.description}; params: {shown or 'none'}")
    return "\n".join(lines)


def check_params(action: str, params: dict[str, Any]) -> None:
    """Raise ValueError naming the action and the parameter when params do not fit the spec."""
    spec_for(action)  # UnknownAction for a name outside the catalog
    allowed = ACTION_PARAMS.get(action, {})
    for name in params:
        if name not in allowed:
            expected = ", ".join(allowed) or "none"
            raise ValueError(f"action {action}: unknown parameter {name!r} (accepted: {expected})")
    for name, (kind, required) in allowed.items():
        if name not in params:
            if required:
                raise ValueError(f"action {action}: missing required parameter {name!r}")
            continue
        _check_value(action, name, params[name], kind)


def _check_value(action: str, name: str, value: Any, kind: type) -> None:
    if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
        raise ValueError(f"action {action}: parameter {name!r} must be a positive integer")
    if kind is str and (not isinstance(value, str) or not value.strip()):
        raise ValueError(f"action {action}: parameter {name!r} must be a non-empty string")
