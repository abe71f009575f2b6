"""Action log: one row per idempotency key, durable across connections."""

from pathlib import Path

from memory.action_log import ActionLog


def _begin(log: ActionLog, key: str) -> bool:
    _, created = log.begin(
        key,
        incident_id="inc-1",
        phase="execute",
        step=0,
        action="restart_service",
        target="api",
        params={"a": 1},
        at=10,
    )
    return created


def test_a_key_is_begun_once(tmp_path: Path) -> None:
    log = ActionLog(tmp_path / "a.sqlite")
    assert _begin(log, "k1") is True
    assert _begin(log, "k1") is False
    log.finish("k1", "succeeded", "done", {"previous": 2}, 11)
    entry = log.get("k1")
    assert entry is not None
    assert (entry.status, entry.data, entry.finished_at) == ("succeeded", {"previous": 2}, 11)
    assert len(log.for_incident("inc-1")) == 1


def test_entries_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    log = ActionLog(path)
    _begin(log, "k1")
    log.close()
    reopened = ActionLog(path)
    assert _begin(reopened, "k1") is False
    assert reopened.for_incident("inc-1")[0].status == "started"
