"""Fixtures for LLM tests: vcrpy over hand-written cassettes, a catalog lacking a pattern."""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import vcr
from pydantic import SecretStr

from agents.llm.gateway import LLMConfig, LLMGateway
from api.targets import SandboxTargets
from graphs.runner import IncidentRunner, open_runner
from graphs.settings import Settings
from graphs.state import IncidentState, Trigger
from memory.runbooks import RunbookCatalog, load_catalog

CASSETTES = Path(__file__).parents[2] / "data" / "cassettes"
BASE_URL = "http://llm.test/v1"
UNKNOWN = ("memory-leak-catalog", 1)
"""A scenario whose pattern (memory_leak) the test catalog has no runbook for."""

recorder = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    # none in CI; ADSH_VCR_RECORD_MODE=once|new_episodes re-records with a real key
    record_mode=os.environ.get("ADSH_VCR_RECORD_MODE", "none"),
    match_on=["method", "scheme", "host", "port", "path"],
    filter_headers=["authorization", "openai-organization", "openai-project", "cookie"],
)


def cassette(name: str):  # type: ignore[no-untyped-def]
    """A cassette context; a response may be played again (one 429 for every retry)."""
    return recorder.use_cassette(name, allow_playback_repeats=True)


def config(**overrides: object) -> LLMConfig:
    values: dict[str, object] = {
        "model": "gpt-4o-mini",
        "base_url": BASE_URL,
        "api_key": SecretStr(os.environ.get("ADSH_LLM_API_KEY", "sk-test-not-a-real-key")),
        "max_retries": 1,
        "prices": {"gpt-4o-mini": (0.15, 0.6)},
    }
    return LLMConfig(**{**values, **overrides})  # type: ignore[arg-type]


def gateway(http_client: httpx.Client | None = None, **overrides: object) -> LLMGateway:
    """A gateway that never really sleeps (retries back off instantly in tests)."""
    return LLMGateway(config(**overrides), http_client=http_client, sleep=lambda _: None)


def failing_client(error: Exception) -> httpx.Client:
    """An httpx client whose every request raises `error` (and counts the attempts)."""

    def handler(request: httpx.Request) -> httpx.Response:
        failing_client.attempts += 1  # type: ignore[attr-defined]
        raise error

    failing_client.attempts = 0  # type: ignore[attr-defined]
    return httpx.Client(transport=httpx.MockTransport(handler))


def no_runbook_for_memory_leak() -> RunbookCatalog:
    base = load_catalog()
    kept = tuple(rb for rb in base.runbooks if rb.match.fault_type != "memory_leak")
    return RunbookCatalog(runbooks=kept)


RunnerFactory = Callable[[LLMGateway | None], IncidentRunner]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "adsh", memory=False)


@pytest.fixture
def targets(settings: Settings) -> SandboxTargets:
    return SandboxTargets(settings.sandbox_dir)


@pytest.fixture
def open_llm_runner(settings: Settings, targets: SandboxTargets) -> Iterator[RunnerFactory]:
    opened = []

    def make(llm: LLMGateway | None) -> IncidentRunner:
        manager = open_runner(settings, targets, catalog=no_runbook_for_memory_leak(), llm=llm)
        opened.append(manager)
        return manager.__enter__()

    yield make
    for manager in reversed(opened):
        manager.__exit__(None, None, None)


def start_unknown(run: IncidentRunner, targets: SandboxTargets) -> IncidentState:
    scenario, seed = UNKNOWN
    incident_id = run.new_id(Trigger(scenario=scenario, seed=seed))
    trigger = targets.prepare(incident_id, scenario, seed)
    return run.start(incident_id, trigger, "requester")
