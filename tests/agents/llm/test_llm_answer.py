"""Console chat: the model answers from the redacted incident state, else the rules do."""

import json

import httpx

from agents.llm.gateway import LLMGateway
from api import chat
from api.targets import SandboxTargets
from graphs.state import IncidentState
from tests.agents.llm.conftest import RunnerFactory, cassette, gateway, start_unknown

SECRET = "password=hunter2-very-secret"


def _completion(content: str) -> httpx.Response:
    body = {
        "id": "chatcmpl-answer",
        "object": "chat.completion",
        "created": 1764000000,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 300, "completion_tokens": 20, "total_tokens": 320},
    }
    return httpx.Response(200, json=body)


def _escalated(open_llm_runner: RunnerFactory, targets: SandboxTargets) -> IncidentState:
    state = start_unknown(open_llm_runner(None), targets)
    return state.model_copy(update={"escalation_reason": f"db login failed with {SECRET}"})


def test_the_model_answers_from_the_redacted_state(
    open_llm_runner: RunnerFactory, targets: SandboxTargets
) -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.content.decode())
        return _completion(json.dumps({"answer": "catalog leaks memory; no runbook covers it."}))

    llm = gateway(httpx.Client(transport=httpx.MockTransport(handler)))
    reply = chat.answer_with(llm, _escalated(open_llm_runner, targets), "why escalated?")
    assert reply == chat.Answer("llm", "catalog leaks memory; no runbook covers it.")
    prompt = json.loads(sent[0])["messages"][1]["content"]
    assert "hunter2" not in prompt and "[REDACTED]" in prompt
    assert "memory_leak" in prompt and "why escalated?" in prompt
    chat.answer_with(llm, _escalated(open_llm_runner, targets), f"does {SECRET} still work?")
    asked = json.loads(sent[1])["messages"][1]["content"]
    assert "hunter2" not in asked and "does password=[REDACTED] still work?" in asked


def test_a_malformed_answer_falls_back_to_the_rules(
    open_llm_runner: RunnerFactory, targets: SandboxTargets
) -> None:
    state = _escalated(open_llm_runner, targets)
    llm: LLMGateway = gateway()
    with cassette("llm_plan_malformed.yaml"):  # prose, not the JSON answer asked for
        reply = chat.answer_with(llm, state, "what is the status?")
    rules = chat.answer(state, "what is the status?")
    assert reply.topic == rules.topic == "status"
    assert reply.text.startswith(rules.text)
    assert "LLM unavailable: malformed model response" in reply.text


def test_without_a_model_the_rules_answer(
    open_llm_runner: RunnerFactory, targets: SandboxTargets
) -> None:
    state = _escalated(open_llm_runner, targets)
    assert chat.answer_with(None, state, "what is the plan?") == chat.answer(
        state, "what is the plan?"
    )
