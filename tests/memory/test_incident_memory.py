"""Incident memory on the real Chroma (persistent, temp dir) with the real MiniLM model."""

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from memory.importer import load_records
from memory.incident_memory import IncidentMemory, MemoryConfig
from memory.models import IncidentRecord

PAST = [
    ("inc-pool", "connection pool exhausted on orders-db",
     "orders-db ran out of connections; requests queued waiting for the pool", "orders-db"),
    ("inc-leak", "memory leak in catalog after release",
     "catalog heap grew steadily until the OOM killer restarted it", "catalog"),
    ("inc-cert", "TLS certificate expired on auth",
     "clients failed the TLS handshake towards auth; logins failed", "auth"),
    ("inc-disk", "disk full on queue broker",
     "the queue host's volume filled with logs; writes were rejected", "queue"),
]  # fmt: skip


def _records() -> list[IncidentRecord]:
    return [
        IncidentRecord(id=i, title=t, summary=f"{t}\n{s}", service=svc, outcome="COMPLETED")
        for i, t, s, svc in PAST
    ]


def test_paraphrased_symptoms_find_the_right_incident(
    open_memory: Callable[[], IncidentMemory],
) -> None:
    memory = open_memory()
    memory.add(_records())
    queries = {
        "db pool saturated": "inc-pool",
        "heap keeps growing until the process is killed": "inc-leak",
        "ssl handshake errors on login": "inc-cert",
        "no space left on device for the message broker": "inc-disk",
    }
    for query, expected in queries.items():
        matches = memory.search(query, k=2)
        assert matches[0].record.id == expected, (query, matches)
        assert matches[0].similarity > matches[1].similarity


def test_persists_and_upserts_by_deterministic_id(
    open_memory: Callable[[], IncidentMemory],
) -> None:
    open_memory().add(_records())
    again = open_memory()
    again.add(_records()[:1])
    assert again.stats().incidents == len(PAST)
    stored = again.get("inc-pool")
    assert stored is not None and stored.service == "orders-db"


def test_secrets_are_redacted_before_storage(
    open_memory: Callable[[], IncidentMemory], tmp_path: Path
) -> None:
    record = IncidentRecord(
        id="inc-secret",
        title="payment failing, password=hunter2 in the logs",
        summary="postgres://pay:topsecret@payments-db/pay; Authorization: Bearer abcdefgh12345678",
    )
    memory = open_memory()
    memory.add([record])
    stored = memory.get("inc-secret")
    assert stored is not None
    for secret in ("hunter2", "topsecret", "abcdefgh12345678"):
        assert secret not in stored.title + stored.summary
    raw = b"".join(p.read_bytes() for p in (tmp_path / "memory").rglob("*") if p.is_file())
    assert b"hunter2" not in raw and b"topsecret" not in raw
    conn = sqlite3.connect(tmp_path / "memory" / "chroma.sqlite3")
    assert "[REDACTED]" in json.dumps(conn.execute("SELECT * FROM embedding_metadata").fetchall())


def test_empty_memory_recalls_nothing_without_creating_a_store(tmp_path: Path) -> None:
    memory = IncidentMemory(MemoryConfig(directory=tmp_path / "never"))
    assert memory.search("anything") == []
    assert not (tmp_path / "never").exists()


def test_import_jsonl_and_postmortem(
    open_memory: Callable[[], IncidentMemory], tmp_path: Path
) -> None:
    jsonl = tmp_path / "past.jsonl"
    jsonl.write_text(
        json.dumps({"title": "checkout 500s after deploy", "summary": "rolled back v2.3",
                    "service": "checkout", "fault_type": "bad_deploy", "tags": ["deploy"]})
        + "\n\n"
        + json.dumps({"id": "pm-7", "title": "cache stampede", "summary": "cache flushed"})
        + "\n"
    )  # fmt: skip
    postmortem = tmp_path / "pm.md"
    postmortem.write_text(
        "---\ntitle: Search latency spike\nsummary: index node lost its disk\n"
        "categories: [storage, latency]\n---\n\nWe moved the shard. token=abc123secret\n"
    )
    records = load_records(jsonl) + load_records(postmortem)
    assert [r.id for r in records][1] == "pm-7"
    assert records[2].tags == ["storage", "latency"]
    memory = open_memory()
    memory.add(records)
    assert memory.search("search index slow because a node lost storage")[0].record.title == (
        "Search latency spike"
    )
    stored = memory.get(records[2].id)
    assert stored is not None and "abc123secret" not in stored.summary
    assert memory.stats().by_source == {"import": 3}
