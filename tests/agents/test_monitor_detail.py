"""Diagnosis reads logs and spans from the first onset on, and concludes the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents import monitor
from api.targets import SandboxTargets
from sandbox.adapters import SandboxTelemetrySource
from sandbox.environment import SandboxEnvironment
from tools.analysis.features import detail_since
from tools.telemetry import TelemetryWindow


class WholeDetail(SandboxTelemetrySource):
    """Reads every window's logs and spans from its start, as diagnosis did before."""

    def window(self, start: int, end: int, detail_from: int | None = None) -> TelemetryWindow:
        return super().window(start, end)


@pytest.mark.parametrize("scenario", ["bad-deploy-checkout", "certificate-expiry-auth"])
def test_a_narrower_read_gives_the_same_diagnosis(tmp_path: Path, scenario: str) -> None:
    SandboxTargets(tmp_path).prepare("env", scenario, 2)
    env = SandboxEnvironment.load(tmp_path, "env")
    narrow, whole = SandboxTelemetrySource(env), WholeDetail(env)
    history_start, start, end = monitor.windows(env.now(), monitor.MonitorConfig(), 60)
    anomalies = monitor.detect(narrow, history_start, start, end)
    assert anomalies and min(a.onset for a in anomalies) > start  # something to leave out
    found = [
        monitor.diagnose(source, history_start, start, end, anomalies).model_dump_json()
        for source in (narrow, whole)
    ]
    assert found[0] == found[1]
    read = narrow.window(start, end, detail_since(anomalies, start))
    assert len(read.spans) < len(whole.window(start, end).spans)
