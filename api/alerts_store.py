"""Alert records: which investigation each Alertmanager fingerprint is attached to."""

from __future__ import annotations

import json
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from memory.database import Database

RECENT_ROWS = 500


@dataclass(frozen=True)
class AlertNotice:
    """The fields of one Alertmanager alert that the store keeps."""

    fingerprint: str
    alertname: str
    status: str
    labels: dict[str, str]
    starts_at: str
    ends_at: str | None


class AlertStore:
    """One row per (fingerprint, investigation); a repeat firing bumps times_seen."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def intake(self) -> AbstractContextManager[None]:
        """Held while one webhook call is taken in, against every API process of the
        deployment: duplicates of a notification that reach two of them at once (an
        Alertmanager pair, a retry) open one investigation, not two."""
        return self.db.exclusive("adsh-alert-intake")

    def incidents_for(self, fingerprint: str) -> list[str]:
        """Investigations this fingerprint was attached to, newest first."""
        rows = self.db.fetchall(
            "SELECT incident_id FROM alerts WHERE fingerprint = ? AND incident_id IS NOT NULL"
            " ORDER BY received_at DESC",
            (fingerprint,),
        )
        return [row[0] for row in rows]

    def incidents_for_service(self, service: str) -> list[str]:
        """Investigations that recent alerts labelled with this service went to, newest first.

        Recent: the last RECENT_ROWS such alerts by time received (a repeat firing renews
        it), which bounds the scan; an open investigation's alerts are among them.
        """
        # Labels are stored as sorted-key JSON: LIKE narrows the rows, the parse decides.
        rows = self.db.fetchall(
            "SELECT incident_id, labels FROM alerts WHERE incident_id IS NOT NULL"
            " AND labels LIKE ? ORDER BY received_at DESC LIMIT ?",
            (f"%{json.dumps(service)}%", RECENT_ROWS),
        )
        found = [row[0] for row in rows if json.loads(row[1]).get("service") == service]
        return list(dict.fromkeys(found))

    def record(self, notice: AlertNotice, incident_id: str | None) -> None:
        # The lock keeps two API processes from both inserting the same fingerprint.
        with self.db.transaction(lock="adsh-alerts") as conn:
            updated = conn.execute(
                "UPDATE alerts SET status = ?, ends_at = ?, received_at = ?,"
                " times_seen = times_seen + 1"
                " WHERE fingerprint = ? AND incident_id IS NOT DISTINCT FROM ?",
                (notice.status, notice.ends_at, time.time(), notice.fingerprint, incident_id),
            )
            if not updated:
                conn.execute(
                    "INSERT INTO alerts (fingerprint, incident_id, alertname, status, labels,"
                    " starts_at, ends_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        notice.fingerprint,
                        incident_id,
                        notice.alertname,
                        notice.status,
                        json.dumps(notice.labels, sort_keys=True),
                        notice.starts_at,
                        notice.ends_at,
                        time.time(),
                    ),
                )

    def for_incident(self, incident_id: str) -> list[dict[str, Any]]:
        rows = self.db.fetchdicts(
            "SELECT * FROM alerts WHERE incident_id = ? ORDER BY received_at", (incident_id,)
        )
        return [{**row, "labels": json.loads(row["labels"])} for row in rows]
