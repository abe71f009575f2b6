"""Typed LLM exchanges: the raw reply, what the model may propose, and per-call accounting."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agents.models import LLMCall

__all__ = ["LLMCall", "LLMReply", "OperatorAnswer", "ProposedDiagnosis", "ProposedPlan"]


class LLMReply(BaseModel):
    """One chat completion as recorded: its text and usage, or why there is none."""

    model_config = ConfigDict(extra="forbid")

    model: str
    content: str = ""
    error: str | None = Field(default=None, description="Why no answer came (timeout, 429...)")
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    cost_usd: float = Field(default=0.0, ge=0, description="From the per-model price table")


class ProposedStep(BaseModel):
    """One catalog action the model proposes."""

    model_config = ConfigDict(extra="forbid")

    action: str = Field(description="Name of a registered catalog action")
    target: str = Field(description="Service the action changes")
    params: dict[str, Any] = Field(default_factory=dict)


class ProposedPlan(BaseModel):
    """The model's plan: catalog actions with parameters and why."""

    model_config = ConfigDict(extra="forbid")

    fault_type: str = Field(description="The model's name for the fault")
    steps: list[ProposedStep] = Field(default_factory=list)
    rationale: str = Field(min_length=1)


class ProposedDiagnosis(BaseModel):
    """The model's reading of the evidence."""

    model_config = ConfigDict(extra="forbid")

    service: str
    fault_type: str
    confidence: float = Field(ge=0, le=1)
    reasoning: str


class OperatorAnswer(BaseModel):
    """The model's answer to an operator's question."""

    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=1)
