"""The token bucket waits when empty; the circuit opens, half-opens and closes."""

import httpx
import pytest

from agents.llm.governance import CircuitBreaker, TokenBucket
from graphs.runner import gateway_from_settings
from graphs.settings import Settings
from tests.agents.llm.conftest import failing_client, gateway


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_token_bucket_spaces_calls_at_the_rate() -> None:
    time = FakeTime()
    bucket = TokenBucket(per_minute=30, burst=2, clock=time.clock, sleep=time.sleep)
    waits = [bucket.acquire() for _ in range(4)]
    assert waits[:2] == [0.0, 0.0]  # the burst
    assert waits[2:] == [pytest.approx(2.0), pytest.approx(2.0)]  # 30/min: one every 2 s
    time.now += 10
    assert bucket.acquire() == 0.0  # refilled while idle


def test_circuit_opens_after_consecutive_failures_and_recovers() -> None:
    time = FakeTime()
    breaker = CircuitBreaker(failures=2, reset_seconds=30, clock=time.clock)
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.allow()  # failures must be consecutive
    breaker.record_failure()
    assert (breaker.state, breaker.allow()) == ("open", False)
    time.now += 30
    assert (breaker.state, breaker.allow()) == ("half-open", True)
    breaker.record_failure()  # the trial failed: open again at once
    assert not breaker.allow()
    time.now += 30
    breaker.record_success()
    assert (breaker.state, breaker.failures) == ("closed", 0)


def test_governance_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="per_minute must be > 0"):
        TokenBucket(per_minute=0)
    with pytest.raises(ValueError, match="failures must be >= 1"):
        CircuitBreaker(failures=0, reset_seconds=1)


def test_the_gateway_stops_calling_once_the_circuit_is_open() -> None:
    client = failing_client(httpx.ConnectError("refused"))
    llm = gateway(client, max_retries=1, circuit_failures=1)
    first = llm.chat("system", "user")
    assert first.error is not None and "ConnectionError" in first.error
    assert failing_client.attempts == 2  # type: ignore[attr-defined]
    second = llm.chat("system", "user")
    assert second.error == "circuit open after repeated model failures"
    assert failing_client.attempts == 2  # type: ignore[attr-defined]


def test_prices_from_the_environment_reach_the_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADSH_LLM_MODEL", "gpt-4o-mini")
    monkeypatch.setenv("ADSH_LLM_PRICES", '{"gpt-4o-mini": [0.15, 0.6]}')
    gateway = gateway_from_settings(Settings())
    assert gateway is not None
    assert gateway.config.cost(2_000_000, 1_000_000) == pytest.approx(0.9)
    assert gateway.config.cost(0, 0) == 0
