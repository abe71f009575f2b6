"""PrometheusTargets: an alert's incident seen through Prometheus, healed via HTTP actions."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import yaml

from agents.monitor import MonitorConfig
from api.prometheus_settings import PrometheusSettings
from graphs.runner import Target
from graphs.state import Trigger
from tools.actions import ActionAdapter
from tools.clocks import WallClock
from tools.http_actions import HttpActionAdapter, UnconfiguredActions
from tools.http_telemetry import HttpDetailSource
from tools.prometheus import PrometheusSource
from tools.prometheus_api import PrometheusClient
from tools.promql import PromQLMapping


class PrometheusTargets:
    """Builds the target of a {"kind": "prometheus"} trigger; no network call until used."""

    def __init__(
        self, settings: PrometheusSettings, verify_seconds: int, http: httpx.Client | None = None
    ) -> None:
        if not settings.prometheus_url:
            raise ValueError("PrometheusTargets needs ADSH_PROMETHEUS_URL")
        self.settings, self.verify_seconds, self.http = settings, verify_seconds, http
        self.mapping = load_mapping(settings.prometheus_mapping_file, settings.prometheus_selector)

    @classmethod
    def configured(
        cls, settings: PrometheusSettings, verify_seconds: int
    ) -> PrometheusTargets | None:
        """The Prometheus targets when ADSH_PROMETHEUS_URL is set, else None."""
        return cls(settings, verify_seconds) if settings.prometheus_url else None

    def trigger(self, summary: str, services: list[str], starts_at: int | None) -> Trigger:
        """An alert's trigger: the services it names and when it started."""
        target = {
            "kind": "prometheus",
            "services": ",".join(sorted(set(services))),
            "starts_at": str(starts_at) if starts_at else "",
        }
        return Trigger(kind="alert", target=target, summary=summary[:500])

    def __call__(self, incident_id: str, trigger: Trigger) -> Target:
        s = self.settings
        assert s.prometheus_url is not None
        client = PrometheusClient(
            s.prometheus_url, self.http, s.prometheus_timeout_seconds, s.prometheus_attempts
        )
        detail = HttpDetailSource(s.sandbox_url, self.http) if s.sandbox_url else None
        focus = [x for x in trigger.target.get("services", "").split(",") if x]
        source = PrometheusSource(client, self.mapping, s.prometheus_step_seconds, focus, detail)
        adapter: ActionAdapter = (
            HttpActionAdapter(s.sandbox_url, self.http) if s.sandbox_url else UnconfiguredActions()
        )
        return Target(source, adapter, WallClock(), self.monitor_config(trigger))

    def monitor_config(self, trigger: Trigger, now: float | None = None) -> MonitorConfig:
        """The incident window reaches back to the alert's start minus the lead time."""
        s = self.settings
        window = s.prometheus_min_window_seconds
        starts_at = trigger.target.get("starts_at", "")
        if starts_at:
            since = (now or time.time()) - (int(starts_at) - s.prometheus_lead_seconds)
            window = int(min(max(since, window), s.prometheus_max_window_seconds))
        return MonitorConfig(
            window_seconds=window,
            history_seconds=s.prometheus_history_seconds,
            verify_seconds=self.verify_seconds,
            settle_seconds=s.prometheus_settle_seconds,
        )


def load_mapping(path: Path | None, selector: str) -> PromQLMapping:
    """The mapping file's PromQLMapping (YAML or JSON), else the default; selector overrides."""
    data: dict[str, object] = {}
    if path is not None:
        try:
            loaded = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError) as exc:
            raise ValueError(f"ADSH_PROMETHEUS_MAPPING_FILE {path}: {exc}") from None
        if not isinstance(loaded, dict):
            raise ValueError(f"ADSH_PROMETHEUS_MAPPING_FILE {path}: expected a mapping at the top")
        data = loaded
    if selector:
        data["selector"] = selector
    return PromQLMapping.model_validate(json.loads(json.dumps(data)))
