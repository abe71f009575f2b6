"""The alert store on both backends: dedupe by fingerprint, look-ups by incident and service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.alerts_store import AlertNotice, AlertStore
from api.db import open_api_database
from memory.pg_store import PgDatabase, open_pool


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AlertStore]:
    shared = None
    if request.param == "postgresql":
        shared = PgDatabase(open_pool(request.getfixturevalue("pg_url"), max_size=2))
    db = open_api_database(tmp_path / "api.sqlite", shared)
    yield AlertStore(db)
    db.close()
    if shared is not None:
        shared.close()


def notice(fingerprint: str, service: str, status: str = "firing") -> AlertNotice:
    labels = {"alertname": "HighErrorRate", "service": service, "severity": "page"}
    return AlertNotice(fingerprint, "HighErrorRate", status, labels, "2026-01-02T03:00:00", None)


def test_a_repeat_bumps_the_row_and_services_find_their_incidents(store: AlertStore) -> None:
    store.record(notice("fp-1", "queue"), "inc-a")
    store.record(notice("fp-1", "queue"), "inc-a")
    store.record(notice("fp-2", "queue-worker"), "inc-b")
    store.record(notice("fp-3", "queue"), "inc-c")
    assert store.incidents_for("fp-1") == ["inc-a"]
    assert [row["times_seen"] for row in store.for_incident("inc-a")] == [2]
    # newest first; a service whose name contains another's is not mistaken for it
    assert store.incidents_for_service("queue") == ["inc-c", "inc-a"]
    assert store.incidents_for_service("queue-worker") == ["inc-b"]
    assert store.incidents_for_service("worker") == []
