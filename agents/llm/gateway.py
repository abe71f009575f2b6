"""The model gateway: ChatOpenAI at temperature 0 with a seed, retries, rate limit and breaker."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx
import openai
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import SecretStr
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from agents.llm.governance import CircuitBreaker, Clock, Sleep, TokenBucket
from agents.llm.models import LLMReply

RETRYABLE = (
    openai.APITimeoutError,
    openai.APIConnectionError,
    openai.RateLimitError,
    openai.InternalServerError,
)


@dataclass(frozen=True)
class LLMConfig:
    """Where the model is and how it is governed (from ADSH_LLM_* settings)."""

    model: str
    base_url: str | None = None
    api_key: SecretStr | None = None
    timeout_seconds: float = 30.0
    max_retries: int = 2
    requests_per_minute: float = 60.0
    seed: int = 7
    circuit_failures: int = 3
    circuit_reset_seconds: float = 60.0
    prices: dict[str, tuple[float, float]] = field(default_factory=dict)
    """model -> (USD per 1M prompt tokens, USD per 1M completion tokens); unknown: 0."""

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        prompt_price, completion_price = self.prices.get(self.model, (0.0, 0.0))
        return (prompt_tokens * prompt_price + completion_tokens * completion_price) / 1e6


class LLMGateway:
    """Sends chat requests; never raises: a failed call is a reply with an error."""

    def __init__(
        self,
        config: LLMConfig,
        http_client: httpx.Client | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.config, self.sleep = config, sleep
        self.limiter = TokenBucket(config.requests_per_minute, clock=clock, sleep=sleep)
        self.breaker = CircuitBreaker(
            config.circuit_failures, config.circuit_reset_seconds, clock=clock
        )
        self.client = ChatOpenAI(
            model=config.model,
            base_url=config.base_url,
            api_key=config.api_key or SecretStr("not-needed"),
            temperature=0,
            seed=config.seed,
            timeout=config.timeout_seconds,
            max_retries=0,  # our own retries, so the breaker and limiter see every attempt
            http_client=http_client,
            model_kwargs={"response_format": {"type": "json_object"}},
        )

    def chat(self, system: str, user: str) -> LLMReply:
        """The model's reply to a system + user prompt, or the reason it could not answer."""
        if not self.breaker.allow():
            return self._failed("circuit open after repeated model failures")
        try:
            message = self._with_retries([SystemMessage(system), HumanMessage(user)])
        except openai.OpenAIError as exc:
            self.breaker.record_failure()
            return self._failed(_describe(exc))
        except Exception as exc:
            # A 200 that is not a chat completion (a proxy's HTML page, an error body) fails
            # inside the client's parsing; it must fall back to the rules like any failure.
            self.breaker.record_failure()
            return self._failed(f"unusable model response ({type(exc).__name__})")
        self.breaker.record_success()
        usage = message.usage_metadata or {"input_tokens": 0, "output_tokens": 0}
        prompt_tokens, completion_tokens = usage["input_tokens"], usage["output_tokens"]
        return LLMReply(
            model=self.config.model,
            content=str(message.content),
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost_usd=self.config.cost(prompt_tokens, completion_tokens),
        )

    def _with_retries(self, messages: list[BaseMessage]) -> AIMessage:
        retrying = Retrying(
            stop=stop_after_attempt(self.config.max_retries + 1),
            wait=wait_exponential(multiplier=0.5, max=8),
            retry=retry_if_exception_type(RETRYABLE),
            sleep=self.sleep,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                self.limiter.acquire()
                return self.client.invoke(messages)
        raise AssertionError("unreachable: tenacity reraises the last error")

    def _failed(self, reason: str) -> LLMReply:
        return LLMReply(model=self.config.model, error=reason)


def _describe(exc: openai.OpenAIError) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return "model request timed out"
    if isinstance(exc, openai.RateLimitError):
        return "model rate limited (HTTP 429) after retries"
    status = getattr(exc, "status_code", None)
    return f"model call failed ({type(exc).__name__}{f', HTTP {status}' if status else ''})"
