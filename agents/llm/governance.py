"""Rate limiting and circuit breaking for model calls (injectable clocks, no threads)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class TokenBucket:
    """Allows `per_minute` calls a minute on average, bursts up to `burst`; waits otherwise."""

    def __init__(
        self,
        per_minute: float,
        burst: int = 1,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError(f"per_minute must be > 0 and burst >= 1, got {per_minute}, {burst}")
        self.rate, self.capacity = per_minute / 60.0, float(burst)
        self.tokens, self.clock, self.sleep = float(burst), clock, sleep
        self.updated = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take a token, sleeping until one is there; the seconds waited."""
        with self._lock:
            self._refill()
            wait = 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate
            if wait:
                self.sleep(wait)
                self._refill()
            self.tokens = max(0.0, self.tokens - 1)
            return wait

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now


class CircuitBreaker:
    """Opens after `failures` consecutive failures; half-opens (one trial) after `reset` s."""

    def __init__(self, failures: int, reset_seconds: float, clock: Clock = time.monotonic) -> None:
        if failures < 1 or reset_seconds <= 0:
            raise ValueError(
                f"failures must be >= 1 and reset > 0, got {failures}, {reset_seconds}"
            )
        self.threshold, self.reset_seconds, self.clock = failures, reset_seconds, clock
        self.failures = 0
        self.opened_at: float | None = None

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half-open" if self.clock() - self.opened_at >= self.reset_seconds else "open"

    def allow(self) -> bool:
        """Whether a call may go out now."""
        return self.state != "open"

    def record_success(self) -> None:
        self.failures, self.opened_at = 0, None

    def record_failure(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold or self.state == "half-open":
            self.opened_at = self.clock()
