"""Feedback sensitivities: concurrent verdicts are all kept, stored values stay in bounds,
and a deployment on PostgreSQL shares them (and their audit entries) across processes."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from graphs.settings import Settings
from graphs.stores import stores_of
from memory.audit import AuditTrail
from memory.feedback import FALSE_ALARM_FACTOR, MISS_FACTOR, SENSITIVITY_BOUNDS, FeedbackStore
from memory.pg_migrations import migrate
from memory.pg_store import PgDatabase, open_pool


def test_concurrent_verdicts_are_all_applied(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite"
    stores = [FeedbackStore(path) for _ in range(4)]  # as four API processes would
    together = threading.Barrier(len(stores))

    def mark(store: FeedbackStore) -> None:
        together.wait()
        store.record("cache", "memory_util", "false_alarm")

    threads = [threading.Thread(target=mark, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = FALSE_ALARM_FACTOR**4
    assert FeedbackStore(path).sensitivity("cache", "memory_util") == pytest.approx(expected)


def test_a_verdict_needs_a_known_verdict_and_a_target(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    with pytest.raises(ValueError, match="false_alarm"):
        store.record("cache", "memory_util", "meh")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="service and a signal"):
        store.record("", "memory_util", "miss")
    assert store.sensitivity("cache", "memory_util") == 1.0


def test_an_earlier_versions_file_is_adopted_once_within_bounds(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "adsh")
    settings.data_dir.mkdir()
    legacy = settings.data_dir / "feedback.json"
    legacy.write_text(json.dumps({"cache/memory_util": 0, "a/b": 50, "q/disk_util": 1.3}))
    with stores_of(settings) as stores:
        store = stores.feedback
        assert store.sensitivity("cache", "memory_util") == SENSITIVITY_BOUNDS[0]
        assert store.sensitivity("a", "b") == SENSITIVITY_BOUNDS[1]
        store.record("q", "disk_util", "miss", about="inc-9", actor="olga")
    assert not legacy.exists() and legacy.with_name("feedback.json.adopted").exists()
    legacy.write_text(json.dumps({"q/disk_util": 0.5}))  # restored by hand: never overwrites
    with stores_of(settings) as stores:
        assert stores.feedback.sensitivity("q", "disk_util") == pytest.approx(1.3 * MISS_FACTOR)
    [entry] = AuditTrail(settings.audit_path).entries("inc-9")
    assert (entry.body["kind"], entry.body["actor"]) == ("feedback", "olga")


def test_servers_sharing_postgresql_share_feedback_and_its_audit(
    pg_url: str, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "adsh", database_url=pg_url)
    with stores_of(settings) as one, stores_of(settings) as other:
        one.feedback.record("cache", "memory_util", "false_alarm", about="inc-1", actor="olga")
        other.feedback.record("cache", "memory_util", "false_alarm", about="inc-2", actor="pia")
        expected = FALSE_ALARM_FACTOR**2
        assert one.feedback.sensitivity("cache", "memory_util") == pytest.approx(expected)
    assert not (tmp_path / "adsh" / "feedback.sqlite").exists()
    database = PgDatabase(open_pool(pg_url, max_size=2))
    try:
        migrate(database, "memory")
        trail = AuditTrail(database)
        actors = [e.body["actor"] for i in ("inc-1", "inc-2") for e in trail.entries(i)]
        assert actors == ["olga", "pia"]
        assert trail.verify().ok
    finally:
        database.close()


@pytest.mark.parametrize("text", ["[1, 2]", '{"a/b": "x"}', '{"a/b": NaN}', "{not json"])
def test_a_malformed_earlier_file_is_left_alone_with_a_warning(
    tmp_path: Path, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data_dir=tmp_path / "adsh")
    settings.data_dir.mkdir()
    legacy = settings.data_dir / "feedback.json"
    legacy.write_text(text)
    with caplog.at_level("WARNING", "adsh.feedback"), stores_of(settings) as stores:
        assert stores.feedback.sensitivity("a", "b") == 1.0  # the stores still open
    assert legacy.read_text() == text  # kept for the operator to mend
    assert "not taking over" in caplog.text and "feedback.json" in caplog.text


def test_an_earlier_file_is_taken_over_into_postgresql_too(pg_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "adsh", database_url=pg_url)
    settings.data_dir.mkdir()
    (settings.data_dir / "feedback.json").write_text(json.dumps({"cache/memory_util": 0.49}))
    with stores_of(settings) as stores:
        assert stores.feedback.sensitivity("cache", "memory_util") == pytest.approx(0.49)
    assert (settings.data_dir / "feedback.json.adopted").exists()
