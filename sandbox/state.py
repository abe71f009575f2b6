"""The sandbox's persisted state: clock, injected faults, setting changes and actions."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.actions import ActionOutcome
from tools.telemetry import ChangeEvent

TICK_SECONDS = 60
ORIGIN_EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z: telemetry history starts here
INITIAL_CLOCK = ORIGIN_EPOCH + 27 * 3600  # a day and a bit of history before "now"

Setting = Literal[
    "version", "revision", "replicas", "pool_size", "rate_limit", "primary", "disk_freed"
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InjectedFault(_Model):
    """A fault active on one service from start until a correct remediation ends it."""

    fault_type: str
    service: str
    start: int = Field(description="Epoch seconds when the fault began")
    end: int | None = Field(default=None, description="Epoch seconds it was remedied")
    detail: dict[str, str] = Field(default_factory=dict)

    def active_at(self, ts: int) -> bool:
        return self.start <= ts and (self.end is None or ts < self.end)


class SettingChange(_Model):
    """A service setting that changed at ts (by a fault or an action)."""

    ts: int
    service: str
    setting: Setting
    value: str | float


class ActionRecord(_Model):
    """An action performed once for its idempotency key."""

    idempotency_key: str
    action: str
    target: str
    params: dict[str, Any] = Field(default_factory=dict)
    ts: int
    outcome: ActionOutcome


class EnvState(_Model):
    """Everything needed to recompute the sandbox's telemetry in another process."""

    env_id: str
    seed: int
    topology: str = "default"
    origin: int = ORIGIN_EPOCH
    clock: int = INITIAL_CLOCK
    noise_scale: float = Field(default=1.0, gt=0, le=10, description="Multiplies metric noise")
    faults: list[InjectedFault] = Field(default_factory=list)
    changes: list[SettingChange] = Field(default_factory=list)
    actions: list[ActionRecord] = Field(default_factory=list)
    events: list[ChangeEvent] = Field(default_factory=list)

    def changes_of(self, service: str, setting: Setting) -> list[SettingChange]:
        return [c for c in self.changes if c.service == service and c.setting == setting]

    def first_fault_start(self, service: str) -> int | None:
        starts = [f.start for f in self.faults if f.service == service]
        return min(starts) if starts else None

    def action(self, idempotency_key: str) -> ActionRecord | None:
        for record in self.actions:
            if record.idempotency_key == idempotency_key:
                return record
        return None


def past_of(state: EnvState, at: int) -> EnvState:
    """What the simulation of any tick up to `at` depends on: the state without its clock
    and without what began after `at` (a fault ended later was still on at `at`).

    The model is causal, so two states with the same past simulate those ticks alike, such
    as the state before an action and after it, for the ticks before it.
    """
    faults = [
        f if f.end is None or f.end <= at else f.model_copy(update={"end": None})
        for f in state.faults
        if f.start <= at
    ]
    return state.model_copy(
        update={
            "clock": 0,
            "faults": faults,
            "changes": [c for c in state.changes if c.ts <= at],
            "actions": [a for a in state.actions if a.ts <= at],
            "events": [e for e in state.events if e.ts <= at],
        }
    )


def past_key(state: EnvState, at: int) -> str:
    """`past_of` as text, to key what was simulated from it."""
    return past_of(state, at).model_dump_json()
