"""The loop's audit trail lives in the checkpoints' file; a chain from its own file moves in."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from graphs.settings import Settings
from graphs.stores import LoopAuditTrail, open_audit_trail, open_stores
from memory.audit import AuditTrail


def _old_layout(data_dir: Path, entries: int) -> list[str]:
    """An audit.sqlite of its own, as earlier versions kept it; the hashes it holds."""
    trail = AuditTrail(data_dir / "audit.sqlite")
    hashes = [trail.append(f"inc-1#{i}", "inc-1", {"node": f"n{i}"}).hash for i in range(entries)]
    trail.close()  # its WAL still holds the entries until folded in
    return hashes


def test_a_chain_from_its_own_file_moves_in_whole_and_grows_from_its_head(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path)
    hashes = _old_layout(tmp_path, 3)
    stores = open_stores(settings)
    try:
        assert isinstance(stores.audit, LoopAuditTrail)
        assert [e.hash for e in stores.audit.entries()] == hashes
        receipt = stores.audit.append("inc-2#0", "inc-2", {"node": "detect"})
        assert (receipt.seq, stores.audit.verify().ok) == (4, True)
    finally:
        stores.close()
    assert not (tmp_path / "audit.sqlite").exists()
    assert (tmp_path / "audit.sqlite.moved").exists()
    with sqlite3.connect(settings.checkpoint_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM audit_log").fetchone() == (4,)
    again = open_audit_trail(settings)  # nothing left to move: opens as it is
    assert again.verify().entries == 4
    again.close()


def test_a_move_interrupted_before_the_rename_finishes_on_the_next_open(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    _old_layout(tmp_path, 2)
    open_audit_trail(settings).close()
    (tmp_path / "audit.sqlite.moved").rename(tmp_path / "audit.sqlite")  # as if not renamed
    trail = open_audit_trail(settings)
    assert (trail.verify().ok, trail.verify().entries) == (True, 2)
    trail.close()
    assert not (tmp_path / "audit.sqlite").exists()


def test_two_different_chains_are_refused_not_merged(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    fresh = open_audit_trail(settings)
    fresh.append("other#0", "other", {"node": "detect"})
    fresh.close()
    _old_layout(tmp_path, 2)
    with pytest.raises(RuntimeError, match="two audit trails"):
        open_audit_trail(settings)
    assert (tmp_path / "audit.sqlite").exists()  # nothing was lost or renamed
