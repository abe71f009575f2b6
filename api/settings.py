"""API process settings: the loop's settings plus tokens, limits and the alert target."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from api.prometheus_settings import PrometheusSettings
from graphs.settings import Settings


class ApiSettings(Settings, PrometheusSettings):
    """Settings of `adsh serve` (ADSH_ environment variables); Prometheus ones included."""

    api_tokens: str | None = Field(
        default=None,
        description='JSON {"<sha256 hex of token>": {"name": "ana", "roles": ["approver"]}}',
    )
    api_tokens_file: Path | None = Field(
        default=None, description="A JSON file of the same shape as ADSH_API_TOKENS"
    )
    max_body_bytes: int = Field(default=256 * 1024, gt=0, description="Largest request body")
    alert_sandbox_env: str = Field(
        default="alerts",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
        description="Sandbox environment alert-opened investigations use (no Prometheus URL)",
    )
    resume_on_start: bool = Field(
        default=True, description="Continue runs a crash interrupted when the server starts"
    )

    worker_lock_ttl_seconds: float = Field(
        default=30.0, ge=0.1, description="Expiry of an incident's lock; renewed every third"
    )
    worker_reclaim_idle_seconds: float = Field(
        default=60.0, gt=0, description="A job idle this long on a silent worker is reclaimed"
    )

    @field_validator("api_tokens_file")
    @classmethod
    def _file_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"ADSH_API_TOKENS_FILE {value} is not a readable file")
        return value

    @property
    def api_db_path(self) -> Path:
        return self.data_dir / "api.sqlite"

    @property
    def overrides_path(self) -> Path:
        return self.data_dir / "overrides.jsonl"
