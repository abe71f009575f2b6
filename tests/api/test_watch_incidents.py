"""`adsh watch` opens incidents: proactive ones enter at the prediction and prevent the impact."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from agents.health import HealthReport
from agents.models import RiskLevel, TimelineEntry
from agents.predictor import Prediction
from api.app import create_app
from api.settings import ApiSettings
from api.targets import SandboxTargets
from api.watch import COOLDOWN_SECONDS, IncidentOpener, SandboxWatch, Watcher, new_watcher, run_loop
from graphs.lifecycle import Status
from graphs.runner import IncidentRunner, open_runner
from graphs.settings import Settings
from graphs.state import IncidentState, Trigger
from memory.feedback import FeedbackStore
from sandbox.environment import SandboxEnvironment
from sandbox.slow_burn import ENV_FAULTS, SLOW_BURNS, SlowBurn, get_slow_burn, start_in
from tests.api.support import Recorder, auth, disk_prediction, token_store
from tools.telemetry import Metric

DAY = 86_400
ENV = "watched"
SYMPTOM = {Metric.DISK: "errors", Metric.MEMORY: "errors", Metric.CPU: "latency"}
"""The user-facing symptom of each burn at the entry: errors, or queueing latency for CPU."""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "adsh")


@pytest.fixture
def runner(settings: Settings) -> Iterator[IncidentRunner]:
    with open_runner(settings, SandboxTargets(settings.sandbox_dir)) as run:
        yield run


def _watch_until_opened(
    settings: Settings, runner: IncidentRunner, checks: int
) -> tuple[Watcher, list[dict[str, Any]]]:
    opener = IncidentOpener(runner, {"kind": "sandbox", "env_id": ENV}, "adsh-watch")
    recorder = Recorder()
    watcher = Watcher(recorder, lambda s, g: 1.0, opener=opener)
    system = SandboxWatch(settings.sandbox_dir, ENV, 3600)
    store = FeedbackStore(settings.feedback_path)
    for _ in range(checks):
        report = system.report(store)
        if watcher.check(report, report.at):
            break
    return watcher, recorder.events


def _queue_disk_full_opened(settings: Settings, runner: IncidentRunner) -> list[dict[str, Any]]:
    """The queue's disk filled 15 minutes ago; what one watch check opened for it."""
    env = SandboxEnvironment.create(settings.sandbox_dir, ENV, seed=2)
    env.inject("disk_full", "queue")
    env.advance(900)
    env.save()
    _, events = _watch_until_opened(settings, runner, checks=1)
    return [e for e in events if e["kind"] == "anomaly" and e["service"] == "queue"]


def _symptom_onset(env: SandboxEnvironment, since: int, symptom: str) -> int | None:
    """First tick from `since` at which the entry shows the symptom (None: never)."""
    window = env.telemetry(since - DAY, env.now(), 0)
    entry = env.topology.entry
    wanted = Metric.ERROR_RATE if symptom == "errors" else Metric.LATENCY_P99
    series = next(s for s in window.metrics if s.service == entry and s.metric == wanted)
    times, values = np.asarray(series.timestamps()), np.asarray(series.values)
    baseline = float(np.median(values[times < since]))
    hit = values >= (0.05 if symptom == "errors" else 3 * baseline)
    hits = np.nonzero(hit & (times >= since))[0]
    return int(times[hits[0]]) if len(hits) else None


def _signal_crossing(env: SandboxEnvironment, burn: SlowBurn, since: int) -> int:
    """When the signal is past its threshold as the health report sees it: a 5-minute median
    (a one-minute noise spike grazing the threshold at a daily peak is not a crossing)."""
    window = env.telemetry(since, env.now(), 0)
    series = next(
        s for s in window.metrics if s.service == burn.service and str(s.metric) == burn.signal
    )
    values = np.asarray(series.values)
    medians = np.median(np.lib.stride_tricks.sliding_window_view(values, 5), axis=1)
    hits = np.nonzero(medians >= burn.threshold)[0]
    return series.start + (int(hits[0]) + 4) * series.step


RUNNABLE = [name for name, burn in SLOW_BURNS.items() if burn.signal in ENV_FAULTS]


@pytest.mark.parametrize("name", RUNNABLE)
def test_a_slow_burn_opens_a_proactive_incident_whose_fix_prevents_the_impact(
    name: str, settings: Settings, runner: IncidentRunner
) -> None:
    burn = get_slow_burn(name)
    env = SandboxEnvironment.create(settings.sandbox_dir, ENV, seed=3)
    start_in(env, burn)
    env.save()
    began = env.now()
    twin = env.fork("unwatched", began)  # the same system left alone

    _, events = _watch_until_opened(settings, runner, checks=150)

    assert [(e["kind"], e["service"], e["signal"]) for e in events] == [
        ("proactive", burn.service, burn.signal)
    ]
    incident = runner.get(events[0]["incident_id"])
    assert incident.trigger.kind == "proactive" and incident.status is Status.COMPLETED
    assert incident.timeline[0].node == "forecast" and "detect" not in {
        t.node for t in incident.timeline
    }
    assert incident.plan is not None and incident.plan.steps[0].name == burn.remedy
    assert incident.verification is not None and incident.verification.report.recovered
    assert incident.risk is not None and incident.risk.route in ("auto", "notify")
    if burn.signal in ("disk_util", "cpu_util"):  # capacity scaling: MEDIUM, notify then act
        assert incident.risk.level is RiskLevel.MEDIUM and incident.risk.route == "notify"

    end = began + 7 * DAY
    watched = SandboxEnvironment.load(settings.sandbox_dir, ENV)
    for system in (watched, twin):
        system.advance(end - system.now())
    impact = _symptom_onset(twin, began, SYMPTOM[burn.signal])
    assert impact is not None, "without the fix the burn must reach its users"
    assert _symptom_onset(watched, began, SYMPTOM[burn.signal]) is None, "the fix prevented it"
    assert incident.created_at < impact  # lead time > 0

    prediction = incident.trigger.prediction
    assert isinstance(prediction, Prediction)
    actual = _signal_crossing(twin, burn, began) - prediction.at
    assert abs(prediction.seconds_to_threshold - actual) <= 0.2 * actual


def test_an_alarm_whose_incident_is_still_open_joins_it() -> None:
    class Waiting:
        def __init__(self) -> None:
            self.started: list[str] = []

        def thread_ids(self) -> list[str]:
            return []

        def new_id(self, trigger: Any) -> str:
            return f"inc-{len(self.started)}"

        def start(self, incident_id: str, trigger: Any, requester: str) -> Any:
            self.started.append(incident_id)
            return self.get(incident_id)

        def get(self, incident_id: str) -> Any:
            state = IncidentState(id=incident_id, requester="w", trigger=Trigger(kind="manual"))
            entry = TimelineEntry(at=0, node="review", status="AWAITING_APPROVAL", message="m")
            return state.model_copy(
                update={"status": Status.AWAITING_APPROVAL, "timeline": [entry]}
            )

    fake = Waiting()
    opener = IncidentOpener(fake, {"kind": "sandbox", "env_id": ENV}, "adsh-watch")  # type: ignore[arg-type]
    event = {"kind": "proactive", "service": "queue", "signal": "disk_util", "at": 0,
             "prediction": disk_prediction("queue", 24).model_dump(mode="json")}  # fmt: skip
    assert opener(dict(event)) == "inc-0"
    confirmed = {"kind": "anomaly", "service": "queue", "signal": "disk_util", "at": 0}
    assert opener(confirmed) == "inc-0" and fake.started == ["inc-0"]  # one fix, not two
    assert opener.any_open()


def test_a_restarted_watch_joins_the_incident_its_predecessor_left_waiting(
    settings: Settings, runner: IncidentRunner
) -> None:
    env = SandboxEnvironment.create(settings.sandbox_dir, ENV, seed=1)
    env.save()
    target = {"kind": "sandbox", "env_id": ENV}
    first = IncidentOpener(runner, target, "adsh-watch")
    event = {"kind": "anomaly", "service": "auth", "signal": "error_rate", "at": 0}
    trigger = first.trigger(event)
    # what the first watch left behind: an incident on auth/error_rate waiting for approval
    incident_id = runner.new_id(trigger)
    env.inject("certificate_expiry", "auth")
    env.advance(900)
    env.save()
    assert runner.start(incident_id, trigger, "adsh-watch").status is Status.AWAITING_APPROVAL
    restarted = IncidentOpener(runner, target, "adsh-watch")
    assert restarted(dict(event)) == incident_id
    other_env = IncidentOpener(runner, {"kind": "sandbox", "env_id": "elsewhere"}, "adsh-watch")
    assert other_env.open == {}


def test_a_restarted_watch_keeps_the_cooldown_of_what_its_predecessor_opened(
    settings: Settings, runner: IncidentRunner
) -> None:
    [opened] = _queue_disk_full_opened(settings, runner)
    restarted = IncidentOpener(runner, {"kind": "sandbox", "env_id": ENV}, "adsh-watch")
    assert restarted.open == {}  # it completed: nothing to join
    at = runner.get(opened["incident_id"]).timeline[0].at
    assert restarted.opened_at["anomaly:queue/disk_util"] == at
    watcher = new_watcher(Recorder(), lambda s, g: 1.0, restarted)
    report = HealthReport(at=at + 600, anomalies=["queue/disk_util"], capacity_predictions=[],
                          failure_predictions=[], trends=[], recommendations=[])  # fmt: skip
    assert watcher.check(report, report.at) == []  # still cooling down
    later = watcher.check(report, at + COOLDOWN_SECONDS + 1)
    assert [e["signal"] for e in later] == ["disk_util"] and later[0]["incident_id"]


def test_an_anomaly_opens_an_investigation_that_heals_it(
    settings: Settings, runner: IncidentRunner
) -> None:
    opened = _queue_disk_full_opened(settings, runner)
    assert opened and opened[0]["signal"] == "disk_util"
    incident = runner.get(opened[0]["incident_id"])
    assert incident.trigger.kind == "manual" and incident.timeline[0].node == "detect"
    assert incident.status is Status.COMPLETED
    assert SandboxEnvironment.load(settings.sandbox_dir, ENV).is_healthy()


def test_incidents_opened_by_the_watch_are_listed_by_a_running_api(tmp_path: Path) -> None:
    api_settings = ApiSettings(data_dir=tmp_path / "adsh")
    with TestClient(create_app(api_settings, token_store())) as client:
        assert client.get("/v1/investigations", headers=auth("vera")).json() == []
        env = SandboxEnvironment.create(api_settings.sandbox_dir, ENV, seed=3)
        start_in(env, get_slow_burn("disk-filling-queue"))
        env.save()
        with open_runner(api_settings, SandboxTargets(api_settings.sandbox_dir)) as run:
            _, events = _watch_until_opened(api_settings, run, checks=150)
        rows = client.get("/v1/investigations", headers=auth("vera")).json()
        assert [(r["id"], r["kind"], r["status"]) for r in rows] == [
            (events[0]["incident_id"], "proactive", "COMPLETED")
        ]
        detail = client.get(f"/v1/investigations/{rows[0]['id']}", headers=auth("vera"))
        assert detail.status_code == 200


def test_the_watch_loop_opens_nothing_when_notify_only(settings: Settings) -> None:
    env = SandboxEnvironment.create(settings.sandbox_dir, ENV, seed=3)
    start_in(env, get_slow_burn("disk-filling-queue"))
    env.save()
    recorder = Recorder()
    watcher = Watcher(recorder, lambda s, g: 1.0)
    system = SandboxWatch(settings.sandbox_dir, ENV, 3600)
    store = FeedbackStore(settings.feedback_path)
    run_loop(watcher, lambda: system.report(store), 0.0, 100, threading.Event())
    assert recorder.events and all("incident_id" not in e for e in recorder.events)


def test_a_foreign_incident_is_filtered_by_its_current_status(tmp_path: Path) -> None:
    api_settings = ApiSettings(data_dir=tmp_path / "adsh")
    targets = SandboxTargets(api_settings.sandbox_dir)
    with TestClient(create_app(api_settings, token_store())) as client:
        with open_runner(api_settings, targets) as run:  # another process's runner
            incident_id = run.new_id(Trigger(scenario="certificate-expiry-auth", seed=1))
            trigger = targets.prepare(incident_id, "certificate-expiry-auth", 1)
            assert run.start(incident_id, trigger, "olga").status is Status.AWAITING_APPROVAL

            def listed(status: str) -> list[str]:
                time.sleep(1.1)  # lists look for foreign threads at most once a second
                rows = client.get(f"/v1/investigations?status={status}", headers=auth("vera"))
                return [r["id"] for r in rows.json()]

            assert listed("AWAITING_APPROVAL") == [incident_id]
            assert run.decide(incident_id, "ana", "approve").status is Status.COMPLETED
        assert listed("AWAITING_APPROVAL") == []
        assert listed("COMPLETED") == [incident_id]
