"""Asks the model for a plan when the rules have none; accepts it only if it fits the catalog."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pydantic import ValidationError

from agents.action_catalog import UnknownAction, build_action
from agents.llm.action_params import check_params
from agents.llm.context import plan_context
from agents.llm.models import LLMCall, LLMReply, ProposedPlan
from agents.models import Diagnosis, Plan
from prompts.loader import RenderedPrompt, render
from tools.telemetry import ServiceGraph


class ModelClient(Protocol):
    """What the planner needs of a model: one chat call per rendered prompt."""

    def chat(self, prompt: RenderedPrompt) -> LLMReply: ...


class PlanRejected(ValueError):
    """The model's answer is not a usable plan; the message says why."""


@dataclass(frozen=True)
class LLMPlanOutcome:
    """The accepted plan (None: the rules decide) and the call's accounting."""

    plan: Plan | None
    call: LLMCall


def propose_plan(
    model: ModelClient,
    incident_id: str,
    diagnosis: Diagnosis,
    topology: ServiceGraph,
    attempt: int,
) -> LLMPlanOutcome:
    """Ask the model; validate its plan against the catalog and topology."""
    prompt = render("plan", plan_context(incident_id, diagnosis, topology))
    reply = model.chat(prompt)
    try:
        plan = to_plan(reply, topology, attempt)
    except PlanRejected as exc:
        return LLMPlanOutcome(None, _call(prompt, reply, f"fallback to rules: {exc}"))
    return LLMPlanOutcome(plan, _call(prompt, reply, "accepted"))


def to_plan(reply: LLMReply, topology: ServiceGraph, attempt: int) -> Plan:
    """The reply as a Plan of catalog actions, or PlanRejected naming what is wrong."""
    if reply.error:
        raise PlanRejected(reply.error)
    try:
        proposed = ProposedPlan.model_validate_json(reply.content)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "response"
        raise PlanRejected(f"malformed model response ({where}: {first['msg']})") from None
    if not proposed.steps:
        raise PlanRejected("the model proposed no catalog action")
    steps = []
    for index, step in enumerate(proposed.steps):
        try:
            check_params(step.action, step.params)
            steps.append(
                build_action(step.action, step.target, step.params, topology, from_runbook=False)
            )
        except UnknownAction as exc:
            raise PlanRejected(f"step {index + 1}: {exc.args[0]}") from None
        except ValueError as exc:
            raise PlanRejected(f"step {index + 1}: {exc}") from None
    names = ", ".join(f"{s.name}({s.target})" for s in steps)
    return Plan(
        source="llm",
        fault_type=proposed.fault_type,
        target=steps[0].target,
        steps=steps,
        attempt=attempt,
        justification=proposed.rationale,
        summary=f"model-proposed: {names} for {proposed.fault_type}",
    )


def _call(prompt: RenderedPrompt, reply: LLMReply, outcome: str) -> LLMCall:
    return LLMCall(
        purpose="plan",
        model=reply.model,
        template=prompt.template,
        prompt_hash=prompt.sha256,
        prompt_tokens=reply.prompt_tokens,
        completion_tokens=reply.completion_tokens,
        cost_usd=reply.cost_usd,
        outcome=outcome,
    )
