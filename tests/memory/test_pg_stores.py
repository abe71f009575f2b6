"""The durable stores on both backends, and their PostgreSQL migrations and cross-process races."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from memory.action_log import ActionLog
from memory.audit import AuditTrail
from memory.database import Database, LockTimeout
from memory.incident_ids import IncidentIds
from memory.pg_migrations import migrate, migrations_of
from memory.pg_store import PgDatabase, describe, open_pool, ping
from memory.runbook_stats import RunbookStatsStore
from memory.sqlite_store import SqliteDatabase
from tests.memory.pg_workers import append_audit, claim_keys, start_up


@pytest.fixture
def pg_database(pg_url: str) -> Iterator[PgDatabase]:
    database = PgDatabase(open_pool(pg_url, max_size=4))
    migrate(database, "memory")
    yield database
    database.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Path | Database:
    """A SQLite file path, or the migrated PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "store.sqlite"
    return request.getfixturevalue("pg_database")


def _begin(log: ActionLog, key: str, at: int = 10) -> bool:
    _, created = log.begin(
        key,
        incident_id="inc-1",
        phase="execute",
        step=0,
        action="restart_service",
        target="api",
        params={"a": 1},
        at=at,
    )
    return created


def test_action_log_begins_a_key_once(where: Path | Database) -> None:
    log = ActionLog(where)
    assert _begin(log, "k2", at=10) is True
    assert _begin(log, "k1", at=10) is True
    assert _begin(log, "k2", at=12) is False
    log.finish("k2", "succeeded", "done", {"previous": 2}, 11)
    entry = log.get("k2")
    assert entry is not None
    assert (entry.status, entry.data, entry.finished_at) == ("succeeded", {"previous": 2}, 11)
    assert [e.idempotency_key for e in log.for_incident("inc-1")] == ["k2", "k1"]
    with pytest.raises(KeyError, match="no entry 'nope'"):
        log.finish("nope", "failed", "", {}, 1)


def test_audit_chain_on_both_backends(where: Path | Database) -> None:
    trail = AuditTrail(where)
    for i in range(1, 5):
        trail.append(f"inc-1#{i}", "inc-1", {"node": f"n{i}", "at": i})
    assert trail.append("inc-1#2", "inc-1", {"node": "again"}).seq == 2
    assert trail.verify().ok and trail.verify().entries == 4
    trail.db.execute("UPDATE audit_log SET body=? WHERE seq=?", ('{"node": "forged"}', 3))
    report = trail.verify()
    assert (report.ok, report.first_broken) == (False, 3)


def test_runbook_outcomes_count_once(where: Path | Database) -> None:
    stats = RunbookStatsStore(where)
    stats.record("inc-1", "rb-a", "memory_leak", "api", healed=False, at=1)
    stats.record("inc-1", "rb-a", "memory_leak", "api", healed=True, at=2)
    stats.record("inc-2", "rb-a", "memory_leak", "api", healed=False, at=3)
    stats.record("inc-2", "rb-b", "cpu", "api", healed=True, at=3)
    got = stats.stats("memory_leak")
    assert list(got) == ["rb-a"] and (got["rb-a"].successes, got["rb-a"].failures) == (1, 1)


def test_incident_ids_are_claimed_once(where: Path | Database) -> None:
    ids = IncidentIds(where)
    assert ids.claim("inc-a") is True
    assert ids.claim("inc-a") is False
    assert IncidentIds(where).claim("inc-b") is True


def test_migrations_applied_twice_are_a_no_op(pg_url: str) -> None:
    database = PgDatabase(open_pool(pg_url, max_size=2))
    try:
        first = migrate(database, "memory")
        assert [m.version for m in first] == [m.version for m in migrations_of("memory")]
        assert migrate(database, "memory") == []
        rows = database.fetchall("SELECT component, version FROM schema_migrations")
        assert rows == [("memory", m.version) for m in first]
        assert ping(pg_url)["schema_version"] == first[-1].version
    finally:
        database.close()


def test_ping_names_the_server_never_the_password() -> None:
    url = "postgresql://adsh:s3cret@127.0.0.1:1/nothing"
    health = ping(url, timeout_seconds=1)
    assert health["ok"] is False and "s3cret" not in str(health)
    assert describe(url) == "127.0.0.1:1/nothing"


def _spawn(target, args_per_process):  # type: ignore[no-untyped-def]
    processes = [multiprocessing.get_context("spawn").Process(target=target, args=args)
                 for args in args_per_process]  # fmt: skip
    for process in processes:
        process.start()
    return processes


def test_two_processes_racing_on_keys_each_key_wins_once(
    pg_url: str, pg_database: PgDatabase
) -> None:
    context = multiprocessing.get_context("spawn")
    barrier, wins = context.Barrier(2), context.Queue()
    keys = [f"inc-race/a1/execute/{i}/restart" for i in range(40)]
    processes = _spawn(claim_keys, [(pg_url, keys, barrier, wins)] * 2)
    won = [wins.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert sorted(won[0] + won[1]) == sorted(keys)  # every key won, none twice
    assert len(ActionLog(pg_database).for_incident("inc-race")) == len(keys)


def test_concurrent_appends_from_two_processes_keep_one_chain(
    pg_url: str, pg_database: PgDatabase
) -> None:
    barrier = multiprocessing.get_context("spawn").Barrier(2)
    processes = _spawn(append_audit, [(pg_url, name, 25, barrier) for name in ("a", "b")])
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    report = AuditTrail(pg_database).verify()
    assert (report.ok, report.entries) == (True, 50), report.reason


def test_processes_starting_together_migrate_once(pg_url: str, pg_database: PgDatabase) -> None:
    barrier = multiprocessing.get_context("spawn").Barrier(3)
    processes = _spawn(start_up, [(pg_url, barrier)] * 3)
    for process in processes:
        process.join(timeout=90)
        assert process.exitcode == 0
    versions = [(m.version,) for m in migrations_of("memory")]
    assert pg_database.fetchall("SELECT version FROM schema_migrations") == versions
    assert pg_database.fetchone("SELECT COUNT(*) FROM checkpoint_migrations") not in (None, (0,))


def test_an_exclusive_lock_holds_against_another_opener_of_the_database(
    where: Path | Database,
) -> None:
    """Two processes open the same SQLite file (or PostgreSQL) with their own connections."""
    opened = [SqliteDatabase(where, "") for _ in range(2)] if isinstance(where, Path) else []
    first, second = opened or [where, where]
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with first.exclusive("adsh-test"):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        with (
            pytest.raises(LockTimeout, match="adsh-test"),
            second.exclusive("adsh-test", timeout_seconds=0.3),
        ):
            pass
    finally:
        release.set()
        holder.join(10)
    with second.exclusive("adsh-test", timeout_seconds=5):
        assert second.fetchone("SELECT 1") == (1,)  # the block runs its own statements
    for database in opened:
        database.close()
