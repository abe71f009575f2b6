"""`adsh watch`: check the system's health on an interval; open investigations and proactive
incidents for what it finds (deduplicated, capped per check), until stopped."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer

from agents.health import HealthReport
from agents.predictor import Prediction, required_streak, should_alarm
from api.cli_support import console, one_line_errors, runner
from api.health_view import ensure_environment, environment_health, source_health
from api.prometheus_settings import PrometheusSettings
from api.prometheus_targets import PrometheusTargets
from graphs.errors import IncidentNotFound
from graphs.lifecycle import is_terminal
from graphs.process_heap import freeze_startup_heap
from graphs.runner import IncidentRunner
from graphs.settings import Settings
from graphs.state import Trigger
from memory.feedback import FeedbackStore
from tools.notify import LogNotifier, Notifier

COOLDOWN_SECONDS = 6 * 3600
ALARM_KEY = "alarm"
"""Target key naming the service/signal a watch incident is about (found again on restart)."""


Opener = Callable[[dict[str, Any]], str | None]
"""Opens the incident an alarm calls for; returns its id (None: nothing opened)."""


@dataclass
class Watcher:
    """Deduplicates alarms per kind+service+signal (cooldown); caps how many open per check."""

    notifier: Notifier
    sensitivity: Callable[[str, str], float]
    max_per_check: int = 3
    opener: Opener | None = None
    last_opened: dict[str, float] = field(default_factory=dict)
    streaks: dict[str, int] = field(default_factory=dict)
    """Consecutive checks each prediction has alarmed in (reset when it goes quiet)."""

    def check(self, report: HealthReport, now: float) -> list[dict[str, Any]]:
        """Open (notify) the alarms of one report that are new; return what was opened."""
        opened: list[dict[str, Any]] = []
        for event in self._candidates(report):
            # A prediction and the anomaly that later confirms it are separate alarms.
            key = f"{event['kind']}:{event['service']}/{event['signal']}"
            if now - self.last_opened.get(key, -COOLDOWN_SECONDS) < COOLDOWN_SECONDS:
                continue
            if len(opened) == self.max_per_check:
                break
            self.last_opened[key] = now
            if self.opener is not None:
                try:
                    event["incident_id"] = self.opener(event)
                except Exception as exc:  # one failed incident must not end the watch
                    event["error"] = f"{type(exc).__name__}: {exc}".splitlines()[0]
            self.notifier.notify(event)
            opened.append(event)
        return opened

    def _candidates(self, report: HealthReport) -> list[dict[str, Any]]:
        events = [_anomaly(a, report.at) for a in report.anomalies]
        predictions = report.capacity_predictions + report.failure_predictions
        scored = [(p, self.sensitivity(p.service, p.signal)) for p in predictions]
        alarming = [(p, s, f"{p.service}/{p.signal}") for p, s in scored if should_alarm(p, s)]
        self.streaks = {key: self.streaks.get(key, 0) + 1 for _, _, key in alarming}
        # after false alarms (sensitivity < 1) a prediction must hold for ⌈1/s⌉ checks
        held = [p for p, s, key in alarming if self.streaks[key] >= required_streak(s)]
        return events + [_proactive(p) for p in held]


def _anomaly(name: str, at: int) -> dict[str, Any]:
    service, signal_name = name.split("/", 1)
    return {"kind": "anomaly", "service": service, "signal": signal_name, "at": at}


def _proactive(p: Prediction) -> dict[str, Any]:
    return {"kind": "proactive", "service": p.service, "signal": p.signal, "at": p.at,
            "failure": p.failure, "seconds_to_threshold": p.seconds_to_threshold,
            "confidence": p.confidence, "remedy": p.remedy,
            "prediction": p.model_dump(mode="json")}  # fmt: skip


class IncidentOpener:
    """Opens watch alarms as incidents of one target and runs them (to the end, or to approval).

    An alarm whose earlier incident is still open (e.g. waiting for approval) joins it instead
    of opening a second one.
    """

    def __init__(self, runner: IncidentRunner, target: dict[str, str], requester: str) -> None:
        self.runner, self.target, self.requester = runner, target, requester
        self.open: dict[str, str] = {}
        self.opened_at: dict[str, float] = {}
        """When an earlier watch of this target last opened each alarm (Watcher's keys)."""
        self._from_before()

    def _from_before(self) -> None:
        """What an earlier watch of this target opened (a restart forgets nothing that
        matters): the incidents still open, joined instead of opened twice, and when each
        alarm was last opened, so its cooldown holds across the restart."""
        for incident_id in self.runner.thread_ids():
            try:
                state = self.runner.get(incident_id)
            except Exception:  # pruned meanwhile, or written by another version: not ours
                continue
            target = state.trigger.target
            alarm = target.get(ALARM_KEY)
            same = all(target.get(k) == v for k, v in self.target.items() if k != "services")
            if not (alarm and same and state.requester == self.requester):
                continue
            if not is_terminal(state.status):
                self.open[alarm] = state.id
            if state.timeline:
                kind = "proactive" if state.trigger.kind == "proactive" else "anomaly"
                key, at = f"{kind}:{alarm}", float(state.timeline[0].at)
                self.opened_at[key] = max(at, self.opened_at.get(key, at))

    def __call__(self, event: dict[str, Any]) -> str | None:
        key = f"{event['service']}/{event['signal']}"  # a prediction and its anomaly: one fix
        earlier = self.open.get(key)
        if earlier is not None and self._still_open(earlier):
            return earlier
        trigger = self.trigger(event)
        incident_id = self.runner.new_id(trigger)
        state = self.runner.start(incident_id, trigger, self.requester)
        self.open[key] = incident_id
        console.print(f"{incident_id}: {state.status.value} ({state.timeline[-1].message})",
                      markup=False)  # fmt: skip
        return incident_id

    def _still_open(self, incident_id: str) -> bool:
        try:
            return not is_terminal(self.runner.get(incident_id).status)
        except IncidentNotFound:  # pruned by retention
            return False

    def any_open(self) -> bool:
        """Whether an incident this watch opened is still running or waiting for approval."""
        return any(self._still_open(i) for i in set(self.open.values()))

    def trigger(self, event: dict[str, Any]) -> Trigger:
        """The trigger of one alarm: proactive (enters at the prediction) or an investigation."""
        where = f"{event['service']}/{event['signal']}"
        target = {**self.target, ALARM_KEY: where}
        if "services" in target:  # Prometheus: the investigation focuses on the alarm's service
            target["services"] = event["service"]
        if event["kind"] == "proactive":
            prediction = Prediction.model_validate(event["prediction"])
            hours = prediction.seconds_to_threshold / 3600
            summary = (
                f"adsh watch: {where} predicted to reach {prediction.threshold} in {hours:.1f} h"
            )
            return Trigger(kind="proactive", target=target, summary=summary, prediction=prediction)
        return Trigger(
            kind="manual", target=target, summary=f"adsh watch: {where} past its threshold"
        )


def new_watcher(
    notifier: Notifier, sensitivity: Callable[[str, str], float], opener: IncidentOpener | None
) -> Watcher:
    """A Watcher whose cooldowns start where an earlier watch of the target left them."""
    cooled = dict(opener.opened_at) if opener is not None else {}
    return Watcher(notifier, sensitivity, opener=opener, last_opened=cooled)


def stop_event() -> threading.Event:
    """An event set by SIGINT or SIGTERM, so the loop ends after the current check."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    return stop


@one_line_errors
def watch(
    source: Annotated[str, typer.Option(help="sandbox or prometheus")] = "sandbox",
    interval: Annotated[float, typer.Option(min=0.0, help="Seconds between checks")] = 60.0,
    env: Annotated[str, typer.Option(help="Sandbox environment id")] = "health",
    advance: Annotated[
        int | None,
        typer.Option(min=0, help="Sandbox: simulated seconds per check (default: the interval)"),
    ] = None,
    max_iterations: Annotated[int | None, typer.Option(min=1, help="Stop after N")] = None,
    notify_only: Annotated[
        bool, typer.Option("--notify-only", help="Only notify; open no incidents")
    ] = False,
) -> None:
    """Check health every INTERVAL seconds; open investigations (anomalies) and proactive
    incidents (predictions), deduplicated and capped per check, until SIGINT/SIGTERM."""
    if source not in ("sandbox", "prometheus"):
        raise ValueError(f"--source must be sandbox or prometheus, got {source!r}")
    settings = Settings()
    notifier = LogNotifier(settings.notifications_path)
    stop = stop_event()
    system: SandboxWatch | PrometheusWatch
    with runner() as (incident_runner, targets):
        store = incident_runner.stores.feedback
        if source == "prometheus":
            targets.prometheus = PrometheusTargets(PrometheusSettings(), settings.verify_seconds)
            system = PrometheusWatch(targets.prometheus)
        else:
            step = round(interval) if advance is None else advance
            if step == 0 and max_iterations != 1:
                raise ValueError("the sandbox's clock would never move: give --advance SECONDS")
            system = SandboxWatch(settings.sandbox_dir, env, step)
        opener = (
            None if notify_only else IncidentOpener(incident_runner, system.target, "adsh-watch")
        )
        if isinstance(system, SandboxWatch) and opener is not None:
            system.paused = opener.any_open
        watcher = new_watcher(notifier, store.sensitivity, opener)
        freeze_startup_heap()
        run_loop(watcher, lambda: system.report(store), interval, max_iterations, stop)


@dataclass
class SandboxWatch:
    """A sandbox environment watched in simulated time: its clock moves `step` per check."""

    directory: Path
    env_id: str
    step: int
    checks: int = 0
    paused: Callable[[], bool] = lambda: False
    """True while an incident acts on the environment: only one writer moves its clock."""

    @property
    def target(self) -> dict[str, str]:
        return {"kind": "sandbox", "env_id": self.env_id}

    def report(self, store: FeedbackStore) -> HealthReport:
        environment = ensure_environment(self.directory, self.env_id, 0)
        if self.checks and self.step and not self.paused():
            environment.advance(self.step)
            environment.save()
        self.checks += 1
        return environment_health(environment, store)


@dataclass
class PrometheusWatch:
    """The system behind ADSH_PROMETHEUS_URL, in wall-clock time."""

    targets: PrometheusTargets
    target: dict[str, str] = field(
        default_factory=lambda: {"kind": "prometheus", "services": "", "starts_at": ""}
    )

    def report(self, store: FeedbackStore) -> HealthReport:
        trigger = Trigger(kind="manual", target=self.target)
        return source_health(self.targets("watch", trigger).source, store)


def run_loop(
    watcher: Watcher,
    report: Callable[[], HealthReport],
    interval: float,
    max_iterations: int | None,
    stop: threading.Event,
) -> int:
    """Check until stopped or `max_iterations`; return how many checks ran."""
    done = 0
    while not stop.is_set() and (max_iterations is None or done < max_iterations):
        current = report()
        for event in watcher.check(current, current.at):
            opened = f" -> {event['incident_id']}" if event.get("incident_id") else ""
            line = f"{event['kind']}: {event['service']}/{event['signal']}{opened}"
            console.print(line, markup=False)
        done += 1
        stop.wait(interval)
    return done
