"""A replay of an LLM-assisted incident returns the recorded model answers and sends nothing."""

import httpx

from api.targets import SandboxTargets
from graphs.lifecycle import Status
from graphs.replay import replay
from tests.agents.llm.conftest import (
    RunnerFactory,
    cassette,
    failing_client,
    gateway,
    start_unknown,
)


def test_llm_assisted_incident_replays_identically_with_zero_requests(
    open_llm_runner: RunnerFactory, targets: SandboxTargets
) -> None:
    run = open_llm_runner(gateway())
    with cassette("llm_plan_restart.yaml"):
        state = start_unknown(run, targets)
    state = run.decide(state.id, "ana", "approve")
    assert state.status is Status.COMPLETED
    assert [r.action for r in state.executions] == ["restart_service"]

    run.llm = gateway(failing_client(httpx.ConnectError("replay must not call the model")))
    with cassette("llm_plan_restart.yaml") as played:
        report = replay(run, state.id, verify=True)
    assert report.identical, report.divergence
    assert report.final_status == "COMPLETED"
    assert played.play_count == 0
    assert failing_client.attempts == 0  # type: ignore[attr-defined]


def test_a_failed_model_call_replays_from_its_record(
    open_llm_runner: RunnerFactory, targets: SandboxTargets
) -> None:
    run = open_llm_runner(gateway(failing_client(httpx.ReadTimeout("slow")), max_retries=0))
    state = start_unknown(run, targets)
    assert state.status is Status.ESCALATED
    attempts = failing_client.attempts  # type: ignore[attr-defined]
    report = replay(run, state.id, verify=True)
    assert report.identical, report.divergence
    assert failing_client.attempts == attempts  # type: ignore[attr-defined]
