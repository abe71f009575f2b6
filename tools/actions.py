"""Action adapter contract: how the Executor changes a target system."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field


class ActionOutcome(BaseModel):
    """What a target reported after performing (or refusing) an action."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["succeeded", "failed", "duplicate"] = Field(
        description="duplicate: the target had already performed this idempotency key"
    )
    detail: str = ""
    data: dict[str, Any] = Field(default_factory=dict)


class ActionAdapter(Protocol):
    """Performs named actions on a target; must honour idempotency keys."""

    def supported_actions(self) -> list[str]:
        """Names of the actions this adapter can perform."""
        ...

    def perform(
        self, action: str, target: str, params: dict[str, Any], idempotency_key: str
    ) -> ActionOutcome:
        """Perform once per idempotency key; a repeated key returns status 'duplicate'."""
        ...


class Clock(Protocol):
    """The loop's notion of time; the sandbox's is logical, so tests never wait."""

    def now(self) -> int:
        """Epoch seconds."""
        ...

    def sleep(self, seconds: int) -> None:
        """Let time pass (a logical clock advances at once)."""
        ...
