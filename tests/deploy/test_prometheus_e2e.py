"""End to end with Debian's Prometheus and Alertmanager: fault -> alert -> ADSH -> healed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from graphs.lifecycle import TERMINAL, Status
from tests.deploy.stack import Stack, missing_binaries, running_stack, wait_for

SPEED = 60.0  # one simulated minute (a tick) per wall second
FAULTS = (
    ("cpu_saturation", "inventory"),
    ("disk_full", "queue"),
    ("db_pool_exhaustion", "inventory"),
)
ADSH_ENV = {
    "ADSH_VERIFY_SECONDS": "20",
    "ADSH_PROMETHEUS_STEP_SECONDS": "1",
    "ADSH_PROMETHEUS_HISTORY_SECONDS": "60",
    "ADSH_PROMETHEUS_LEAD_SECONDS": "20",
    "ADSH_PROMETHEUS_MIN_WINDOW_SECONDS": "30",
    "ADSH_PROMETHEUS_SETTLE_SECONDS": "5",
    "ADSH_PROMETHEUS_TIMEOUT_SECONDS": "5",
}
WARMUP_SAMPLES = 35


@pytest.mark.slow
@pytest.mark.timeout(360)
def test_alerts_from_prometheus_heal_three_fault_types(tmp_path: Path) -> None:
    if missing := missing_binaries():
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install {' '.join(missing)})")
    started = time.monotonic()
    with running_stack(tmp_path, SPEED, ADSH_ENV) as stack:
        wait_for("healthy history in Prometheus", lambda: _samples(stack) >= WARMUP_SAMPLES, 90)
        seen: set[str] = set()
        for fault_type, service in FAULTS:
            _heal(stack, fault_type, service, seen)
    assert time.monotonic() - started < 330


def _heal(stack: Stack, fault_type: str, service: str, seen: set[str]) -> None:
    what = f"{fault_type} on {service}"
    response = stack.http.post(
        stack.sandbox + "/v1/faults", json={"fault_type": fault_type, "service": service}
    )
    assert response.status_code == 201, response.text
    incident = wait_for(
        f"an alert-opened incident for {what}", lambda: _new(stack, seen), 60, stack
    )
    seen.add(incident)
    body = wait_for(
        f"incident {incident} ({what}) to end", lambda: _ended(stack, incident), 120, stack
    )
    story = "\n".join(f"{t['node']}: {t['message']}" for t in body["timeline"])
    story += f"\ntrigger: {body['trigger']}\nalerts: {body['alerts']}"
    assert body["status"] == Status.COMPLETED, f"{what}: {body['status']}\n{story}\n{stack.tail()}"
    assert body["trigger"]["target"]["kind"] == "prometheus"
    assert body["root_causes"][0]["service"] == service, story
    assert body["executions"] and all(e["status"] == "succeeded" for e in body["executions"])
    assert stack.http.get(stack.sandbox + "/v1/faults").json() == [], "the fault is still active"
    resolved = wait_for(
        f"the alert of {incident} to resolve", lambda: _resolved(stack, incident), 60, stack
    )
    assert all(a["ends_at"] for a in resolved)


def _samples(stack: Stack) -> int:
    query = 'count_over_time(sandbox_cpu_utilization_ratio{service="frontend"}[5m])'
    body = stack.http.get(stack.prometheus + "/api/v1/query", params={"query": query}).json()
    result = body["data"]["result"]
    return int(float(result[0]["value"][1])) if result else 0


def _new(stack: Stack, seen: set[str]) -> str | None:
    fresh = [row["id"] for row in stack.adsh_get("/v1/investigations") if row["id"] not in seen]
    return fresh[0] if fresh else None


def _ended(stack: Stack, incident: str) -> dict[str, Any] | None:
    body: dict[str, Any] = stack.adsh_get(f"/v1/investigations/{incident}")
    done = not body["busy"] and body["status"] in {s.value for s in TERMINAL}
    return body if done else None


def _resolved(stack: Stack, incident: str) -> list[dict[str, Any]] | None:
    alerts = stack.adsh_get(f"/v1/investigations/{incident}")["alerts"]
    return alerts if alerts and all(a["status"] == "resolved" for a in alerts) else None
