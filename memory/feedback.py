"""Operator feedback on detections and predictions: per service+signal sensitivity (LEARN)."""

from __future__ import annotations

import contextlib
import json
import logging
import math
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from memory.audit import AuditTrail
from memory.database import Database, Session
from memory.sqlite_store import SqliteStore

Verdict = Literal["false_alarm", "miss"]
FALSE_ALARM_FACTOR = 0.7
MISS_FACTOR = 1.3
SENSITIVITY_BOUNDS = (0.2, 2.0)
LEGACY_FILE_NAME = "feedback.json"  # where versions before feedback.sqlite kept them
_LOCK = "adsh-feedback"
log = logging.getLogger("adsh.feedback")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback_sensitivity (
    item TEXT PRIMARY KEY,
    sensitivity DOUBLE PRECISION NOT NULL
);
"""


class FeedbackStore(SqliteStore):
    """Sensitivities in the shared database (or a SQLite file in the data dir), so every API
    server and watcher of a deployment alarms alike; each change also goes to the audit trail.
    """

    SCHEMA = _SCHEMA

    def __init__(
        self, where: Path | Database, audit: Callable[[], AuditTrail] | None = None
    ) -> None:
        """`where`: a SQLite file of its own or the shared database; `audit` gives the trail
        a change is appended to (asked for only when feedback is recorded)."""
        super().__init__(where)
        self._audit = audit

    def sensitivity(self, service: str, signal: str) -> float:
        """1.0 until feedback moves it; lower means fewer, later alarms."""
        return _stored(self.db, _key(service, signal))

    def record(
        self, service: str, signal: str, verdict: Verdict, about: str = "", actor: str = ""
    ) -> float:
        """Apply one verdict and return the new sensitivity for service+signal."""
        if verdict not in ("false_alarm", "miss"):
            raise ValueError(f"verdict must be 'false_alarm' or 'miss', got {verdict!r}")
        if not service or not signal:
            raise ValueError("feedback needs a service and a signal (e.g. catalog, memory_util)")
        factor = FALSE_ALARM_FACTOR if verdict == "false_alarm" else MISS_FACTOR
        item = _key(service, signal)
        with self.db.transaction(lock=_LOCK) as session:  # two operators at once: both count
            before = _stored(session, item)
            after = _bounded(before * factor)
            session.execute(
                "INSERT INTO feedback_sensitivity (item, sensitivity) VALUES (?, ?)"
                " ON CONFLICT (item) DO UPDATE SET sensitivity = excluded.sensitivity",
                (item, after),
            )
        if self._audit is not None:
            body = {"kind": "feedback", "service": service, "signal": signal,
                    "verdict": verdict, "about": about, "actor": actor,
                    "before": before, "after": after}  # fmt: skip
            self._audit().append(f"feedback/{uuid.uuid4().hex}", about or "feedback", body)
        return after

    def adopt(self, legacy: Path) -> None:
        """Take over the sensitivities an earlier version kept in a feedback.json (once: the
        file is renamed after), without overwriting any recorded since. A file that is not
        a JSON object of finite numbers is left where it is, with a warning."""
        try:
            values = _legacy_values(legacy)
        except FileNotFoundError:  # none, or another process adopted it just now
            return
        except ValueError as exc:
            log.warning("not taking over %s: %s", legacy, exc)
            return
        with self.db.transaction(lock=_LOCK) as session:
            for item, value in values.items():
                session.execute(
                    "INSERT INTO feedback_sensitivity (item, sensitivity) VALUES (?, ?)"
                    " ON CONFLICT (item) DO NOTHING",
                    (item, _bounded(value)),
                )
        with contextlib.suppress(FileNotFoundError):
            legacy.replace(legacy.with_name(legacy.name + ".adopted"))


def _legacy_values(legacy: Path) -> dict[str, float]:
    """service/signal -> sensitivity from a feedback.json; ValueError naming what is wrong."""
    data = json.loads(legacy.read_text())  # JSONDecodeError is a ValueError
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    values = {}
    for item, value in data.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{item!r}: expected a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"{item!r}: expected a finite number, got {value!r}")
        values[str(item)] = float(value)
    return values


def _stored(session: Session, item: str) -> float:
    """The item's sensitivity as stored (1.0 when none), within the bounds."""
    row = session.fetchone("SELECT sensitivity FROM feedback_sensitivity WHERE item=?", (item,))
    return _bounded(float(row[0])) if row else 1.0


def _bounded(value: float) -> float:
    """Within SENSITIVITY_BOUNDS (a hand-set 0 would otherwise stop every alarm, or fail)."""
    return min(max(value, SENSITIVITY_BOUNDS[0]), SENSITIVITY_BOUNDS[1])


def _key(service: str, signal: str) -> str:
    return f"{service}/{signal}"
