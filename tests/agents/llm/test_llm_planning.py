"""An unknown pattern gets a model plan routed to approval; bad or failed answers fall back."""

import httpx

from agents.models import RiskLevel
from api.render import incident_json
from api.schemas import Investigation
from api.targets import SandboxTargets
from graphs.lifecycle import Status
from graphs.state import IncidentState
from tests.agents.llm.conftest import (
    RunnerFactory,
    cassette,
    failing_client,
    gateway,
    start_unknown,
)


def _plan_entry(state: IncidentState) -> str:
    return next(e.message for e in state.timeline if e.node == "plan")


def _plan_provenance(state: IncidentState) -> str:
    return next(r.rule for r in state.provenance if r.node == "plan")


def test_unknown_pattern_gets_a_model_plan_that_needs_approval(
    open_llm_runner: RunnerFactory, targets: SandboxTargets
) -> None:
    with cassette("llm_plan_restart.yaml") as played:
        state = start_unknown(open_llm_runner(gateway()), targets)
    assert played.play_count == 1
    assert state.plan is not None and state.plan.source == "llm"
    assert [(s.name, s.target) for s in state.plan.steps] == [("restart_service", "catalog")]
    assert state.status is Status.AWAITING_APPROVAL
    assert state.risk is not None and state.risk.level is RiskLevel.HIGH
    assert any("model-proposed plan" in w for w in state.risk.warnings)
    assert state.executions == []
    call = state.llm_calls[0]
    assert (call.outcome, call.prompt_tokens, call.completion_tokens) == ("accepted", 812, 64)
    assert call.cost_usd == (812 * 0.15 + 64 * 0.6) / 1e6
    assert f"sha256:{call.prompt_hash}" in _plan_provenance(state)
    assert "prompt plan@1" in _plan_provenance(state)
    assert next(r.model for r in state.provenance if r.node == "plan") == "gpt-4o-mini"
    usage = Investigation.model_validate({**incident_json(state), "busy": False}).llm_usage
    assert (usage.calls, usage.prompt_tokens + usage.completion_tokens) == (1, 876)
    assert usage.cost_usd == round(call.cost_usd, 6) and usage.models == ["gpt-4o-mini"]


def test_without_a_model_the_unknown_pattern_escalates(
    open_llm_runner: RunnerFactory, targets: SandboxTargets
) -> None:
    state = start_unknown(open_llm_runner(None), targets)
    assert state.status is Status.ESCALATED
    assert state.llm_calls == []


def test_a_plan_outside_the_catalog_is_rejected_with_the_reason(
    open_llm_runner: RunnerFactory, targets: SandboxTargets
) -> None:
    with cassette("llm_plan_outside_catalog.yaml"):
        state = start_unknown(open_llm_runner(gateway()), targets)
    assert state.status is Status.ESCALATED
    assert state.plan is not None and state.plan.source == "escalation"
    reason = state.llm_calls[0].outcome
    assert "unknown action 'drop_caches_and_reboot_node'" in reason
    assert "restart_service" in reason  # the registered names are listed
    assert reason in _plan_entry(state)
    assert reason in _plan_provenance(state)


def test_a_malformed_response_falls_back_to_the_rules(
    open_llm_runner: RunnerFactory, targets: SandboxTargets
) -> None:
    with cassette("llm_plan_malformed.yaml"):
        state = start_unknown(open_llm_runner(gateway()), targets)
    assert state.status is Status.ESCALATED
    assert "fallback to rules: malformed model response" in _plan_entry(state)
    assert "planner:escalation, LLM fallback to rules: malformed" in _plan_provenance(state)


def test_a_429_after_retries_falls_back_to_the_rules(
    open_llm_runner: RunnerFactory, targets: SandboxTargets
) -> None:
    with cassette("llm_rate_limited.yaml") as played:
        state = start_unknown(open_llm_runner(gateway(max_retries=2)), targets)
    assert played.play_count == 3  # the first try and two retries
    assert state.status is Status.ESCALATED
    assert "rate limited (HTTP 429) after retries" in state.llm_calls[0].outcome
    assert state.llm_calls[0].outcome in _plan_entry(state)


def test_a_timeout_falls_back_to_the_rules(
    open_llm_runner: RunnerFactory, targets: SandboxTargets
) -> None:
    client = failing_client(httpx.ReadTimeout("read timed out"))
    state = start_unknown(open_llm_runner(gateway(client, max_retries=1)), targets)
    assert failing_client.attempts == 2  # type: ignore[attr-defined]
    assert state.status is Status.ESCALATED
    assert "model request timed out" in state.llm_calls[0].outcome


def test_a_200_that_is_not_a_completion_falls_back_to_the_rules(
    open_llm_runner: RunnerFactory, targets: SandboxTargets
) -> None:
    def proxy_page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"error": {"message": "upstream unavailable"}})

    client = httpx.Client(transport=httpx.MockTransport(proxy_page))
    state = start_unknown(open_llm_runner(gateway(client)), targets)
    assert state.status is Status.ESCALATED
    assert "unusable model response" in state.llm_calls[0].outcome
    assert state.llm_calls[0].outcome in _plan_entry(state)
