"""Token and cost totals of the model calls made for one incident."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from agents.models import LLMCall


class LLMUsage(BaseModel):
    """What an incident's model calls used and cost."""

    model_config = ConfigDict(extra="forbid")

    calls: int = Field(default=0, description="Model calls made, failed ones included")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = Field(default=0.0, description="From the price table; 0 when unknown")
    models: list[str] = Field(default_factory=list)


def usage_of(calls: Iterable[LLMCall]) -> LLMUsage:
    """Sum of the calls' tokens and cost."""
    calls = list(calls)
    return LLMUsage(
        calls=len(calls),
        prompt_tokens=sum(c.prompt_tokens for c in calls),
        completion_tokens=sum(c.completion_tokens for c in calls),
        cost_usd=round(sum(c.cost_usd for c in calls), 6),
        models=sorted({c.model for c in calls}),
    )
