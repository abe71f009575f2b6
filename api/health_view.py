"""The health report of a sandbox system, shared by `adsh health` and GET /v1/health."""

from __future__ import annotations

from pathlib import Path

from agents.health import HealthReport, health_report
from memory.feedback import FeedbackStore
from sandbox.adapters import SandboxTelemetrySource
from sandbox.environment import SandboxEnvironment

HISTORY_SECONDS = 26 * 3600


def sandbox_health(directory: Path, env_id: str, seed: int, store: FeedbackStore) -> HealthReport:
    """The health report of sandbox `env_id` (created healthy at `seed` if it does not exist)."""
    if not SandboxEnvironment.path_for(directory, env_id).exists():
        SandboxEnvironment.create(directory, env_id, seed)
    source = SandboxTelemetrySource(SandboxEnvironment.load(directory, env_id), detail_seconds=0)
    now = source.now()
    window = source.window(now - HISTORY_SECONDS, now)
    return health_report(window, source.topology(), store.sensitivity)
