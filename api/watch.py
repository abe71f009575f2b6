"""`adsh watch`: check the system's health on an interval and raise proactive alarms."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Annotated, Any

import typer

from agents.health import HealthReport
from agents.predictor import Prediction, required_streak, should_alarm
from api.cli_support import console, one_line_errors
from api.health_view import sandbox_health
from graphs.settings import Settings
from memory.feedback import FeedbackStore
from tools.notify import LogNotifier, Notifier

COOLDOWN_SECONDS = 6 * 3600


@dataclass
class Watcher:
    """Deduplicates alarms per kind+service+signal (cooldown); caps how many open per check."""

    notifier: Notifier
    sensitivity: Callable[[str, str], float]
    max_per_check: int = 3
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
            "confidence": p.confidence, "remedy": p.remedy}  # fmt: skip


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
    source: Annotated[str, typer.Option(help="sandbox (prometheus: not yet)")] = "sandbox",
    interval: Annotated[float, typer.Option(min=0.0, help="Seconds between checks")] = 60.0,
    env: Annotated[str, typer.Option(help="Sandbox environment id")] = "health",
    max_iterations: Annotated[int | None, typer.Option(min=1, help="Stop after N")] = None,
) -> None:
    """Check health every INTERVAL seconds; notify anomalies and proactive alarms (deduped)."""
    if source != "sandbox":
        raise ValueError(f"--source {source!r} is not supported yet; use --source sandbox")
    settings = Settings()
    store = FeedbackStore(settings.data_dir)
    watcher = Watcher(LogNotifier(settings.notifications_path), store.sensitivity)
    run_loop(watcher, lambda: sandbox_health(settings.sandbox_dir, env, 0, store),
             interval, max_iterations, stop_event())  # fmt: skip


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
            console.print(f"{event['kind']}: {event['service']}/{event['signal']}", markup=False)
        done += 1
        stop.wait(interval)
    return done
