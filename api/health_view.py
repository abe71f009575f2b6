"""The health report of a sandbox system, shared by `adsh health` and GET /v1/health."""

from __future__ import annotations

from pathlib import Path

from agents.health import HealthReport, health_report
from agents.predictor import FIT_WINDOW
from memory.feedback import FeedbackStore
from sandbox.adapters import SandboxTelemetrySource
from sandbox.environment import SandboxEnvironment
from tools.telemetry import TelemetrySource

HISTORY_SECONDS = FIT_WINDOW
"""The predictor's fit window (two days): the same one the proactive evals measure."""


def ensure_environment(directory: Path, env_id: str, seed: int) -> SandboxEnvironment:
    """Sandbox `env_id`, created healthy at `seed` if it does not exist."""
    if not SandboxEnvironment.path_for(directory, env_id).exists():
        return SandboxEnvironment.create(directory, env_id, seed)
    return SandboxEnvironment.load(directory, env_id)


def sandbox_health(directory: Path, env_id: str, seed: int, store: FeedbackStore) -> HealthReport:
    """The health report of sandbox `env_id` (created healthy at `seed` if it does not exist)."""
    return environment_health(ensure_environment(directory, env_id, seed), store)


def environment_health(environment: SandboxEnvironment, store: FeedbackStore) -> HealthReport:
    """The health report of a loaded sandbox environment (metrics only)."""
    return source_health(SandboxTelemetrySource(environment, detail_seconds=0), store)


def source_health(source: TelemetrySource, store: FeedbackStore) -> HealthReport:
    """The health report of any telemetry source over its last HISTORY_SECONDS."""
    now = source.now()
    window = source.metrics(now - HISTORY_SECONDS, now)
    return health_report(window, source.topology(), store.sensitivity)
