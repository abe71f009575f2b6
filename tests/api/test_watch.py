"""`adsh watch`: alarms deduplicated and capped, the loop stops when told."""

from __future__ import annotations

import threading
from typing import Any

from agents.health import HealthReport
from agents.predictor import Prediction, required_streak, should_alarm
from api.watch import COOLDOWN_SECONDS, Watcher, run_loop
from tests.api.support import Recorder, disk_prediction


def _report(*predictions: Prediction, anomalies: tuple[str, ...] = ()) -> HealthReport:
    return HealthReport(at=0, anomalies=list(anomalies), capacity_predictions=list(predictions),
                        failure_predictions=[], trends=[], recommendations=[])  # fmt: skip


def test_alarms_are_deduplicated_within_the_cooldown_and_capped_per_check() -> None:
    recorder = Recorder()
    watcher = Watcher(recorder, lambda s, g: 1.0, max_per_check=2)
    report = _report(disk_prediction("a", 5), disk_prediction("b", 5), disk_prediction("c", 5),
                     disk_prediction("far", 200), anomalies=("queue/disk_util",))  # fmt: skip
    first = watcher.check(report, now=0)
    assert [(e["kind"], e["service"]) for e in first] == [("anomaly", "queue"), ("proactive", "a")]
    second = watcher.check(report, now=60)
    assert [e["service"] for e in second] == ["b", "c"]
    assert watcher.check(report, now=120) == []
    again = watcher.check(report, now=COOLDOWN_SECONDS + 1)
    assert [e["service"] for e in again] == ["queue", "a"]
    assert len(recorder.events) == 6


def test_an_anomaly_confirming_a_prediction_is_not_swallowed_by_its_cooldown() -> None:
    recorder = Recorder()
    watcher = Watcher(recorder, lambda s, g: 1.0)
    assert len(watcher.check(_report(disk_prediction("queue", 5)), now=0)) == 1
    filled = watcher.check(_report(anomalies=("queue/disk_util",)), now=2 * 3600)
    assert [(e["kind"], e["service"], e["signal"]) for e in filled] == [
        ("anomaly", "queue", "disk_util")
    ]


def test_after_false_alarms_a_prediction_must_hold_for_several_checks() -> None:
    sensitivity = 0.5  # two false alarms' worth: required_streak(0.5) == 2
    near = disk_prediction("queue", 5)
    assert should_alarm(near, sensitivity) and required_streak(sensitivity) == 2
    watcher = Watcher(Recorder(), lambda s, g: sensitivity)
    assert watcher.check(_report(near), now=0) == []
    assert watcher.check(_report(), now=60) == []  # it went quiet: the streak starts again
    assert watcher.check(_report(near), now=120) == []
    assert [e["service"] for e in watcher.check(_report(near), now=180)] == ["queue"]


def test_the_loop_runs_max_iterations_and_stops_on_the_event() -> None:
    watcher = Watcher(Recorder(), lambda s, g: 1.0)
    assert run_loop(watcher, _report, 0.0, 3, threading.Event()) == 3
    stop = threading.Event()
    stop.set()
    assert run_loop(watcher, _report, 0.0, None, stop) == 0


def test_a_failing_incident_is_reported_on_its_alarm_and_the_watch_goes_on() -> None:
    def broken(event: dict[str, Any]) -> str | None:
        raise RuntimeError("adapter down")

    recorder = Recorder()
    watcher = Watcher(recorder, lambda s, g: 1.0, opener=broken)
    [event] = watcher.check(_report(disk_prediction("queue", 5)), now=0)
    assert event["error"] == "RuntimeError: adapter down" and recorder.events == [event]
