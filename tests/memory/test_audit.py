"""Audit trail: appends chain; editing, deleting or reordering any entry is detected."""

import json
import sqlite3
from pathlib import Path

import pytest

from memory.audit import AuditTrail


@pytest.fixture
def trail(tmp_path: Path) -> AuditTrail:
    trail = AuditTrail(tmp_path / "audit.sqlite")
    for i in range(1, 6):
        trail.append(f"inc-1#{i}", "inc-1", {"node": f"n{i}", "at": i, "human": None})
    return trail


def _sql(trail: AuditTrail, statement: str, *params: object) -> None:
    trail._conn.execute(statement, params)


def test_intact_chain_verifies_and_appends_are_idempotent(trail: AuditTrail) -> None:
    assert trail.append("inc-1#3", "inc-1", {"node": "other"}).seq == 3
    report = trail.verify()
    assert (report.ok, report.entries) == (True, 5)
    assert [e.body["node"] for e in trail.entries("inc-1")] == ["n1", "n2", "n3", "n4", "n5"]


@pytest.mark.parametrize("seq", [1, 3, 5])
def test_an_edited_entry_is_named(trail: AuditTrail, seq: int) -> None:
    body = json.dumps({"node": "forged", "at": seq, "human": None}, sort_keys=True)
    _sql(trail, "UPDATE audit_log SET body=? WHERE seq=?", body, seq)
    report = trail.verify()
    assert (report.ok, report.first_broken) == (False, seq)
    assert "edited" in report.reason


@pytest.mark.parametrize("seq", [1, 3, 5])
def test_a_deleted_entry_is_detected(trail: AuditTrail, seq: int) -> None:
    _sql(trail, "DELETE FROM audit_log WHERE seq=?", seq)
    report = trail.verify()
    assert not report.ok
    assert report.first_broken == seq + (1 if seq < 5 else 0)


def test_reordered_entries_are_detected(trail: AuditTrail) -> None:
    rows = trail._conn.execute("SELECT key, body, prev_hash, hash FROM audit_log "
                               "WHERE seq IN (2, 4) ORDER BY seq").fetchall()  # fmt: skip
    _sql(trail, "UPDATE audit_log SET key='swapping' WHERE seq=2")
    for seq, row in zip((4, 2), rows, strict=True):
        _sql(trail, "UPDATE audit_log SET key=?, body=?, prev_hash=?, hash=? WHERE seq=?",
             *row, seq)  # fmt: skip
    report = trail.verify()
    assert (report.ok, report.first_broken) == (False, 2)


def test_tampering_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite"
    trail = AuditTrail(path)
    trail.append("k1", "inc", {"n": 1})
    trail.append("k2", "inc", {"n": 2})
    trail.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE audit_log SET incident_id='other' WHERE seq=1")
    assert AuditTrail(path).verify().first_broken == 1
