"""Answers an operator's question with the model, from the incident's redacted state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from agents.llm.context import redacted_json
from agents.llm.gateway import LLMGateway
from agents.llm.models import LLMCall, OperatorAnswer
from memory.redaction import redact
from prompts.loader import render


@dataclass(frozen=True)
class ModelAnswer:
    """The model's answer (None: use the rules) and the call's accounting."""

    text: str | None
    call: LLMCall


def answer_question(llm: LLMGateway, incident: dict[str, Any], question: str) -> ModelAnswer:
    """Ask the model about the incident (dumped state, redacted here before the prompt)."""
    # An operator may paste a token or a connection string into the question.
    context = {"state": redacted_json(incident), "question": redact(question)}
    prompt = render("answer", context)
    reply = llm.chat(prompt.system, prompt.user)
    text, outcome = None, reply.error or "accepted"
    if reply.error is None:
        try:
            text = OperatorAnswer.model_validate_json(reply.content).answer
        except ValidationError:
            outcome = "malformed model response"
    call = LLMCall(
        purpose="answer",
        model=reply.model,
        template=prompt.template,
        prompt_hash=prompt.sha256,
        prompt_tokens=reply.prompt_tokens,
        completion_tokens=reply.completion_tokens,
        cost_usd=reply.cost_usd,
        outcome=outcome,
    )
    return ModelAnswer(text, call)
