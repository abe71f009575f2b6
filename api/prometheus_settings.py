"""Settings of the Prometheus target: where Prometheus and the control API are, and windows."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class PrometheusSettings(BaseSettings):
    """ADSH_PROMETHEUS_* and ADSH_SANDBOX_URL: alert-opened investigations use Prometheus."""

    model_config = SettingsConfigDict(env_prefix="ADSH_", extra="ignore")

    prometheus_url: str | None = Field(
        default=None, description="Prometheus HTTP API base URL; set: alerts use Prometheus"
    )
    sandbox_url: str | None = Field(
        default=None, description="Control API (actions) + logs/spans/events/topology companion"
    )
    prometheus_mapping_file: Path | None = Field(
        default=None, description="YAML/JSON PromQLMapping (service label, queries per metric)"
    )
    prometheus_selector: str = Field(default="", description='Extra matchers, e.g. job="shop"')
    prometheus_step_seconds: int = Field(default=60, gt=0, description="Query resolution")
    prometheus_history_seconds: int = Field(default=26 * 3600, gt=0, description="Baseline")
    prometheus_lead_seconds: int = Field(
        default=900, ge=0, description="The window starts this long before the alert's startsAt"
    )
    prometheus_min_window_seconds: int = Field(default=600, gt=0)
    prometheus_max_window_seconds: int = Field(default=6 * 3600, gt=0)
    prometheus_settle_seconds: int = Field(
        default=120, ge=0, description="Ignored right after acting, when verifying"
    )
    prometheus_timeout_seconds: float = Field(default=10.0, gt=0)
    prometheus_attempts: int = Field(default=3, ge=1, le=10, description="Tries per query")

    @field_validator("prometheus_url", "sandbox_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value or None

    @model_validator(mode="after")
    def _windows(self) -> PrometheusSettings:
        if self.prometheus_min_window_seconds > self.prometheus_max_window_seconds:
            raise ValueError(
                "ADSH_PROMETHEUS_MIN_WINDOW_SECONDS exceeds ADSH_PROMETHEUS_MAX_WINDOW_SECONDS"
            )
        return self
