"""Remediation actions: each really changes the sandbox's state and says how to undo it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.settings import label_history, numeric_at
from sandbox.state import EnvState, Setting, SettingChange
from sandbox.topology import Topology
from tools.actions import ActionOutcome
from tools.telemetry import ChangeEvent, ChangeKind

DISK_FREED_BY_ROTATION = 0.10
DISK_FREED_BY_PURGE = 0.15


class ActionError(ValueError):
    """An action that cannot be performed as asked; the message says what to change."""


@dataclass
class ActionContext:
    """What a handler needs: the state to change and the action's arguments."""

    state: EnvState
    topology: Topology
    action: str
    target: str
    params: dict[str, Any]
    ts: int
    healed: set[str] = field(default_factory=set)

    def number(self, setting: Setting) -> float:
        profile = self.topology.profiles[self.target]
        initial = {"replicas": profile.replicas, "pool_size": profile.pool_size}
        return numeric_at(self.state, self.target, setting, self.ts, float(initial.get(setting, 0)))

    def set(self, setting: Setting, value: str | float) -> None:
        change = SettingChange(ts=self.ts, service=self.target, setting=setting, value=value)
        self.state.changes.append(change)

    def event(self, kind: ChangeKind, detail: str) -> None:
        self.state.events.append(
            ChangeEvent(ts=self.ts, service=self.target, kind=kind, detail=detail)
        )

    def param(self, name: str, default: float | None = None) -> float:
        value = self.params.get(name, default)
        if value is None or not isinstance(value, int | float) or value <= 0:
            raise ActionError(f"{self.action} needs a positive number parameter {name!r}")
        return float(value)

    def require_kind(self, *kinds: str) -> None:
        if self.topology.kind(self.target) not in kinds:
            raise ActionError(f"{self.action} applies to {'/'.join(kinds)} services only")


Handler = Callable[[ActionContext], dict[str, Any]]


def _relabel(
    ctx: ActionContext, setting: Setting, to: str | None, kind: ChangeKind
) -> dict[str, Any]:
    history = label_history(ctx.state, ctx.topology, ctx.target, setting, ctx.ts + 1)
    previous = history[-1][1]
    if to is None:
        if len(history) < 2:
            raise ActionError(f"{ctx.target} has no earlier {setting} to go back to")
        to = history[-2][1]
    ctx.set(setting, to)
    ctx.event(kind, f"{'version' if setting == 'version' else 'revision'} {to}")
    bad = [f.detail.get(f"bad_{setting}") for f in ctx.state.faults if f.service == ctx.target]
    if previous in bad and to not in bad:
        ctx.healed.add("bad_deploy" if setting == "version" else "config_error")
    return {f"previous_{setting}": previous, setting: to}


def _rollback(ctx: ActionContext) -> dict[str, Any]:
    return _relabel(ctx, "version", None, "deploy")


def _deploy(ctx: ActionContext) -> dict[str, Any]:
    version = ctx.params.get("version")
    if not isinstance(version, str) or not version:
        raise ActionError("deploy_version needs a string parameter 'version'")
    return _relabel(ctx, "version", version, "deploy")


def _revert_config(ctx: ActionContext) -> dict[str, Any]:
    return _relabel(ctx, "revision", None, "config")


def _apply_config(ctx: ActionContext) -> dict[str, Any]:
    revision = ctx.params.get("revision")
    if not isinstance(revision, str) or not revision:
        raise ActionError("apply_config needs a string parameter 'revision'")
    return _relabel(ctx, "revision", revision, "config")


def _restart(ctx: ActionContext) -> dict[str, Any]:
    ctx.event("restart", "restarted by operator; rescheduled to another node")
    ctx.healed.add("memory_leak")
    if ctx.topology.kind(ctx.target) != "datastore":
        ctx.healed.add("network_delay")  # a datastore's primary stays on its storage node
    return {"restarted_at": ctx.ts}


def _resize(ctx: ActionContext, setting: Setting, name: str, grow: bool) -> dict[str, Any]:
    current = ctx.number(setting)
    wanted = round(ctx.param(name, current * 2 if grow else max(1.0, current // 2)))
    if (wanted <= current) if grow else (wanted >= current):
        direction = "above" if grow else "below"
        raise ActionError(f"{ctx.action}: {name}={wanted} must be {direction} current {current:g}")
    ctx.set(setting, wanted)
    ctx.event("scale", f"{setting} {current:g} -> {wanted}")
    return {f"previous_{name}": int(current), name: wanted}


def _scale_out(ctx: ActionContext) -> dict[str, Any]:
    ctx.healed.add("cpu_saturation")
    return _resize(ctx, "replicas", "replicas", grow=True)


def _scale_in(ctx: ActionContext) -> dict[str, Any]:
    return _resize(ctx, "replicas", "replicas", grow=False)


def _set_pool_size(ctx: ActionContext) -> dict[str, Any]:
    current = ctx.number("pool_size")
    size = round(ctx.param("size", current * 2))
    ctx.set("pool_size", size)
    ctx.event("config", f"connection pool size {current:g} -> {size}")
    if size > current:
        ctx.healed.add("db_pool_exhaustion")
    return {"previous_size": int(current), "size": size}


def _flush_cache(ctx: ActionContext) -> dict[str, Any]:
    ctx.require_kind("cache")
    ctx.event("other", "cache flushed")
    ctx.healed.add("cache_failure")
    return {"flushed": True}


def _free_disk(ctx: ActionContext, amount: float, what: str) -> dict[str, Any]:
    freed = ctx.number("disk_freed")
    ctx.set("disk_freed", freed + amount)
    ctx.event("other", what)
    ctx.healed.add("disk_full")
    return {"freed_fraction": amount}


def _rotate_logs(ctx: ActionContext) -> dict[str, Any]:
    return _free_disk(ctx, DISK_FREED_BY_ROTATION, "logs rotated and compressed")


def _purge_old_data(ctx: ActionContext) -> dict[str, Any]:
    ctx.require_kind("datastore")
    return _free_disk(ctx, DISK_FREED_BY_PURGE, "old data purged")


def _renew_certificate(ctx: ActionContext) -> dict[str, Any]:
    ctx.event("certificate", "certificate renewed")
    ctx.healed.add("certificate_expiry")
    return {"previous_certificate": "expired-or-expiring", "renewed_at": ctx.ts}


def _primary(ctx: ActionContext, to: str) -> dict[str, Any]:
    ctx.require_kind("datastore")
    changes = ctx.state.changes_of(ctx.target, "primary")
    previous = str(changes[-1].value) if changes else "primary"
    if previous == to:
        raise ActionError(f"{ctx.target} already serves from its {to} node")
    ctx.set("primary", to)
    ctx.event("failover", f"serving from {to} node")
    if to == "replica":
        ctx.healed.add("network_delay")
    return {"previous_primary": previous, "primary": to}


def _failover(ctx: ActionContext) -> dict[str, Any]:
    return _primary(ctx, "replica")


def _failback(ctx: ActionContext) -> dict[str, Any]:
    return _primary(ctx, "primary")


def _rate_limit(ctx: ActionContext) -> dict[str, Any]:
    previous = ctx.number("rate_limit")
    rps = ctx.param("rps", round(ctx.topology.entry_rps * 1.3))
    ctx.set("rate_limit", rps)
    ctx.event("config", f"rate limit {rps:g} rps")
    # The surge is excess client traffic; a limit near the normal level sheds it.
    if ctx.target == ctx.topology.entry and rps <= 1.5 * ctx.topology.entry_rps:
        ctx.healed.add("traffic_surge")
    return {"previous_limit": previous or None, "rps": rps}


def _remove_rate_limit(ctx: ActionContext) -> dict[str, Any]:
    previous = ctx.number("rate_limit")
    ctx.set("rate_limit", 0.0)
    ctx.event("config", "rate limit removed")
    return {"previous_limit": previous or None}


HANDLERS: dict[str, Handler] = {
    "rollback_deploy": _rollback,
    "deploy_version": _deploy,
    "restart_service": _restart,
    "scale_out": _scale_out,
    "scale_in": _scale_in,
    "set_pool_size": _set_pool_size,
    "flush_cache": _flush_cache,
    "rotate_logs": _rotate_logs,
    "renew_certificate": _renew_certificate,
    "revert_config": _revert_config,
    "apply_config": _apply_config,
    "failover_database": _failover,
    "failback_database": _failback,
    "rate_limit": _rate_limit,
    "remove_rate_limit": _remove_rate_limit,
    "purge_old_data": _purge_old_data,
}


def apply_action(ctx: ActionContext) -> ActionOutcome:
    """Perform the action on the state; faults it correctly remedies end now."""
    if ctx.action not in HANDLERS:
        return ActionOutcome(
            status="failed",
            detail=f"unknown action {ctx.action!r}; supported: {', '.join(HANDLERS)}",
        )
    if ctx.target not in ctx.topology.profiles:
        return ActionOutcome(
            status="failed",
            detail=f"unknown service {ctx.target!r}; services: {', '.join(ctx.topology.services)}",
        )
    snapshot = (len(ctx.state.changes), len(ctx.state.events))
    try:
        data = HANDLERS[ctx.action](ctx)
    except ActionError as exc:
        del ctx.state.changes[snapshot[0] :], ctx.state.events[snapshot[1] :]
        return ActionOutcome(status="failed", detail=str(exc))
    for fault in ctx.state.faults:
        if (
            fault.service == ctx.target
            and fault.active_at(ctx.ts)
            and fault.fault_type in ctx.healed
        ):
            fault.end = ctx.ts
    return ActionOutcome(status="succeeded", detail=f"{ctx.action} on {ctx.target}", data=data)
