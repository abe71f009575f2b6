"""`adsh watch --source prometheus`: a real Prometheus holding two days of a slow burn.

The history is backfilled with promtool (OpenMetrics written from a sandbox environment,
shifted so that the environment's "now" is the wall clock's), so the test needs no hours of
scraping; the watch then reads it through the same PrometheusSource alerts use.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from agents.predictor import should_alarm
from api.health_view import HISTORY_SECONDS, sandbox_health
from api.prometheus_settings import PrometheusSettings
from api.prometheus_targets import PrometheusTargets
from api.targets import SandboxTargets
from api.watch import IncidentOpener, PrometheusWatch, Watcher
from graphs.lifecycle import Status
from graphs.runner import open_runner
from graphs.settings import Settings
from memory.feedback import FeedbackStore
from sandbox.environment import SandboxEnvironment
from sandbox.exposition import GAUGES, PREFIX
from sandbox.slow_burn import get_slow_burn, start_in
from tests.api.support import Recorder
from tests.deploy.stack import free_port, wait_for

pytestmark = pytest.mark.skipif(
    shutil.which("prometheus") is None or shutil.which("promtool") is None,
    reason="needs prometheus and promtool (apt-get install prometheus)",
)


def _openmetrics(env: SandboxEnvironment, wall_now: int) -> str:
    """The environment's gauges over the last HISTORY_SECONDS, timestamped in wall time."""
    shift = wall_now - env.now()
    window = env.telemetry(env.now() - HISTORY_SECONDS, env.now(), 0)
    lines: list[str] = []
    for metric, (suffix, _) in GAUGES.items():
        name = f"{PREFIX}_{suffix}"
        lines.append(f"# TYPE {name} gauge")
        for series in (s for s in window.metrics if s.metric == metric):
            for ts, value in zip(series.timestamps(), series.values, strict=True):
                lines.append(f'{name}{{service="{series.service}"}} {value} {ts + shift}')
    return "\n".join([*lines, "# EOF", ""])


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[tuple[str, SandboxEnvironment]]:
    env = SandboxEnvironment.create(tmp_path / "sandbox", "burning", seed=3)
    start_in(env, get_slow_burn("disk-filling-queue"))
    env.advance(40 * 3600)
    env.save()
    wall_now = int(time.time()) // 60 * 60
    source = tmp_path / "history.om"
    source.write_text(_openmetrics(env, wall_now))
    tsdb = tmp_path / "tsdb"
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(source),
                    str(tsdb)], check=True, capture_output=True, timeout=120)  # fmt: skip
    config = tmp_path / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 60s\nscrape_configs: []\n")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "prometheus.log").open("w")
    process = subprocess.Popen(
        ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tsdb}",
         f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=30d"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for("prometheus ready", lambda: httpx.get(f"{url}/-/ready").status_code == 200, 60)
        yield url, env
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_the_prometheus_watch_predicts_the_burn_and_opens_a_proactive_incident(
    prometheus: tuple[str, SandboxEnvironment], tmp_path: Path
) -> None:
    url, env = prometheus
    config = PrometheusSettings(prometheus_url=url, prometheus_attempts=2)
    targets = PrometheusTargets(config, 60)
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    report = PrometheusWatch(targets).report(store)

    [seen] = [p for p in report.capacity_predictions if p.service == "queue"]
    direct = sandbox_health(env.directory, "burning", 3, store)
    [truth] = [p for p in direct.capacity_predictions if p.service == "queue"]
    assert seen.signal == truth.signal == "disk_util"
    assert should_alarm(seen)
    assert seen.seconds_to_threshold == pytest.approx(truth.seconds_to_threshold, rel=0.05)

    settings = Settings(data_dir=tmp_path / "adsh")
    with open_runner(settings, SandboxTargets(settings.sandbox_dir, targets)) as runner:
        opener = IncidentOpener(runner, PrometheusWatch(targets).target, "adsh-watch")
        watcher = Watcher(Recorder(), lambda s, g: 1.0, opener=opener)
        opened = watcher.check(report, report.at)
        proactive = [e for e in opened if e["kind"] == "proactive" and e["service"] == "queue"]
        assert proactive, opened
        incident = runner.get(proactive[0]["incident_id"])
    assert incident.trigger.kind == "proactive"
    assert incident.trigger.target == {
        "kind": "prometheus",
        "services": "queue",
        "starts_at": "",
        "alarm": "queue/disk_util",
    }
    assert [t.node for t in incident.timeline][:3] == ["forecast", "plan", "review"]
    plans = [t.message for t in incident.timeline if t.node == "plan"]
    assert "rotate_logs(queue)" in plans[0]
    # no ADSH_SANDBOX_URL: no adapter can act, so after the fix fails it goes to humans
    assert incident.status is Status.ESCALATED
