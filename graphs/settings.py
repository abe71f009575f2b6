"""Process settings (ADSH_ environment variables), validated at start."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from memory.incident_memory import MemoryConfig


class Settings(BaseSettings):
    """Where ADSH keeps its data and how long approvals may wait."""

    model_config = SettingsConfigDict(env_prefix="ADSH_", extra="ignore")

    data_dir: Path = Field(default=Path(".adsh"), description="Checkpoints, logs, sandbox state")
    approval_timeout_high_seconds: int = Field(default=4 * 3600, gt=0)
    approval_timeout_critical_seconds: int = Field(default=8 * 3600, gt=0)
    notify_webhook_url: str | None = Field(default=None, description="POST notifications here")
    verify_seconds: int = Field(default=600, gt=0, description="Verification window")
    sandbox_latency_ms: int = Field(
        default=0,
        ge=0,
        le=60_000,
        description="Wall time each sandbox telemetry read takes, as a remote backend's would",
    )
    checkpoint_key: SecretStr | None = Field(
        default=None, description="AES key (16, 24 or 32 bytes) to encrypt checkpoints at rest"
    )

    memory: bool = Field(default=True, description="Incident memory on/off (ADSH_MEMORY=off)")
    chroma_url: str | None = Field(default=None, description="Chroma server; unset: embedded")
    embeddings: Literal["local", "openai"] = Field(default="local", description="Embeddings")
    openai_embedding_model: str = Field(default="text-embedding-3-small")
    openai_api_key: SecretStr | None = Field(default=None, description="For embeddings=openai")
    openai_base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint")

    database_url: SecretStr | None = Field(
        default=None, description="postgresql://...: checkpoints and stores in PostgreSQL"
    )
    redis_url: str | None = Field(
        default=None, description="redis://...: work queue, locks, events"
    )
    redis_prefix: str = Field(default="adsh", description="Key prefix of every Redis key")
    checkpoint_retention_days: float | None = Field(
        default=None, gt=0, description="Prune checkpoints of incidents finished this long ago"
    )

    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint")
    llm_model: str | None = Field(default=None, description="Model name; unset: no LLM")
    llm_api_key: SecretStr | None = Field(default=None, description="Bearer key for the endpoint")
    llm_timeout_seconds: float = Field(default=30.0, gt=0)
    llm_max_retries: int = Field(default=2, ge=0)
    llm_requests_per_minute: float = Field(default=60.0, gt=0)
    llm_seed: int = Field(default=7)
    llm_circuit_failures: int = Field(default=3, gt=0, description="Failures that open it")
    llm_circuit_reset_seconds: float = Field(default=60.0, gt=0)
    llm_prices: dict[str, tuple[float, float]] = Field(
        default_factory=dict,
        description='JSON {"model": [USD per 1M prompt tokens, per 1M completion tokens]}',
    )

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not value.get_secret_value().startswith(("postgresql://", "postgres://")):
            raise ValueError("ADSH_DATABASE_URL must start with postgresql://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"ADSH_REDIS_URL must be a redis:// URL, got {value!r}")
        return value or None

    @field_validator("chroma_url", "openai_base_url", "llm_base_url")
    @classmethod
    def _optional_http_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value or None

    @field_validator("checkpoint_key")
    @classmethod
    def _aes_key_length(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().encode()) not in (16, 24, 32):
            raise ValueError("ADSH_CHECKPOINT_KEY must be 16, 24 or 32 bytes long")
        return value

    def checkpoint_key_bytes(self) -> bytes | None:
        return self.checkpoint_key.get_secret_value().encode() if self.checkpoint_key else None

    @field_validator("notify_webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"ADSH_NOTIFY_WEBHOOK_URL must be an http(s) URL, got {value!r}")
        return value or None

    @property
    def checkpoint_path(self) -> Path:
        return self.data_dir / "checkpoints.sqlite"

    @property
    def action_log_path(self) -> Path:
        return self.data_dir / "actions.sqlite"

    @property
    def audit_path(self) -> Path:
        """The audit trail shares the checkpoints' file (see graphs.stores.LoopAuditTrail)."""
        return self.checkpoint_path

    @property
    def own_audit_path(self) -> Path:
        """Where the audit trail lived before it moved beside the checkpoints."""
        return self.data_dir / "audit.sqlite"

    @property
    def notifications_path(self) -> Path:
        return self.data_dir / "notifications.jsonl"

    @property
    def sandbox_dir(self) -> Path:
        return self.data_dir / "sandbox"

    @property
    def memory_dir(self) -> Path:
        return self.data_dir / "memory"

    @property
    def runbook_stats_path(self) -> Path:
        return self.data_dir / "runbook_stats.sqlite"

    @property
    def feedback_path(self) -> Path:
        """Operator feedback sensitivities (embedded mode; else the shared database)."""
        return self.data_dir / "feedback.sqlite"

    @property
    def learned_runbooks_dir(self) -> Path:
        return self.data_dir / "runbooks"

    def memory_config(self) -> MemoryConfig:
        key = self.openai_api_key.get_secret_value() if self.openai_api_key else None
        return MemoryConfig(
            directory=self.memory_dir,
            chroma_url=self.chroma_url,
            embeddings=self.embeddings,
            openai_model=self.openai_embedding_model,
            openai_api_key=key,
            openai_base_url=self.openai_base_url,
        )
