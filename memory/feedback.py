"""Operator feedback on detections and predictions: per service+signal sensitivity (LEARN)."""

from __future__ import annotations

import fcntl
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from memory.audit import AuditTrail
from tools.files import write_atomically

Verdict = Literal["false_alarm", "miss"]
FALSE_ALARM_FACTOR = 0.7
MISS_FACTOR = 1.3
SENSITIVITY_BOUNDS = (0.2, 2.0)


class FeedbackStore:
    """Sensitivities in `<dir>/feedback.json`; each change also goes to the audit trail."""

    def __init__(self, directory: Path, audit: AuditTrail | None = None) -> None:
        self.path = Path(directory) / "feedback.json"
        self.audit = audit

    def sensitivity(self, service: str, signal: str) -> float:
        """1.0 until feedback moves it; lower means fewer, later alarms."""
        return float(self._load().get(_key(service, signal), 1.0))

    def record(
        self, service: str, signal: str, verdict: Verdict, about: str = "", actor: str = ""
    ) -> float:
        """Apply one verdict and return the new sensitivity for service+signal."""
        if verdict not in ("false_alarm", "miss"):
            raise ValueError(f"verdict must be 'false_alarm' or 'miss', got {verdict!r}")
        if not service or not signal:
            raise ValueError("feedback needs a service and a signal (e.g. catalog, memory_util)")
        with self._exclusive():  # two operators at once: neither verdict is lost
            values = self._load()
            before = values.get(_key(service, signal), 1.0)
            factor = FALSE_ALARM_FACTOR if verdict == "false_alarm" else MISS_FACTOR
            after = _bounded(before * factor)
            values[_key(service, signal)] = after
            write_atomically(self.path, json.dumps(values, indent=2, sort_keys=True))
        if self.audit is not None:
            body = {
                "kind": "feedback",
                "service": service,
                "signal": signal,
                "verdict": verdict,
                "about": about,
                "actor": actor,
                "before": before,
                "after": after,
            }
            self.audit.append(f"feedback/{uuid.uuid4().hex}", about or "feedback", body)
        return after

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _load(self) -> dict[str, float]:
        """The stored sensitivities, each kept within SENSITIVITY_BOUNDS (a hand-edited 0
        would otherwise stop every alarm of that signal, or fail)."""
        if not self.path.exists():
            return {}
        return {str(k): _bounded(float(v)) for k, v in json.loads(self.path.read_text()).items()}


def _bounded(value: float) -> float:
    return min(max(value, SENSITIVITY_BOUNDS[0]), SENSITIVITY_BOUNDS[1])


def _key(service: str, signal: str) -> str:
    return f"{service}/{signal}"
