"""Recorded effects on both backends: round trip, AES at rest, fork copies, pruning GC."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from Crypto.Cipher import AES

from graphs.effects import EffectRecord, EffectStore, EffectStoreLocked
from memory.database import Database
from memory.pg_migrations import migrate
from memory.pg_store import PgDatabase, open_pool

KEY = b"k" * 32


@pytest.fixture
def pg_database(pg_url: str) -> Iterator[PgDatabase]:
    database = PgDatabase(open_pool(pg_url, max_size=2))
    migrate(database, "memory")
    yield database
    database.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Path | Database:
    if request.param == "sqlite":
        return tmp_path / "checkpoints.sqlite"
    return request.getfixturevalue("pg_database")


def _record(thread: str, seq: int, result: bytes) -> EffectRecord:
    return EffectRecord(thread, seq, "diagnose", "metrics", {"q": seq}, f"h{seq}", result)


def test_effects_round_trip_encrypted(where: Path | Database) -> None:
    store = EffectStore(where, KEY)
    store.put(_record("inc-1", 0, b'{"cpu": 0.93}'))
    store.put(_record("inc-1", 0, b'{"cpu": "other"}'))  # a position is recorded once
    got = store.get("inc-1", 0)
    assert got is not None and got.result_json == b'{"cpu": 0.93}'
    assert got.request == {"q": 0} and store.get("inc-1", 1) is None
    body = store.db.fetchone("SELECT body FROM effect_blobs")
    assert body is not None and bytes(body[0]).startswith(b"AES1")
    with pytest.raises(EffectStoreLocked, match="ADSH_CHECKPOINT_KEY"):
        EffectStore(where).get("inc-1", 0)


def test_the_last_position_and_what_is_recorded_there(where: Path | Database) -> None:
    store = EffectStore(where)
    assert store.last_seq("inc-1") is None and store.recorded_at("inc-1", 0) is None
    store.put(_record("inc-1", 0, b"a"), _record("inc-1", 3, b"b"), _record("inc-2", 7, b"c"))
    assert store.last_seq("inc-1") == 3 and store.last_seq("inc-2") == 7
    assert store.recorded_at("inc-1", 3) == ("metrics", {"q": 3})
    assert store.recorded_at("inc-1", 1) is None


def test_many_records_in_one_put_store_each_position_and_each_result_once(
    where: Path | Database,
) -> None:
    store = EffectStore(where)
    store.put(_record("inc-0", 0, b"r1"))  # stored before: its blob is not sealed again
    sealed: list[bytes] = []
    seal = store._seal
    store._seal = lambda body: sealed.append(body) or seal(body)  # type: ignore[method-assign]
    results = [f"r{seq % 7}".encode() for seq in range(250)]  # more than one batch
    store.put(*(_record("inc-1", seq, result) for seq, result in enumerate(results)))
    assert store.count("inc-1") == 250
    assert sorted(sealed) == [f"r{n}".encode() for n in (0, 2, 3, 4, 5, 6)]
    for seq in (0, 99, 100, 249):
        got = store.get("inc-1", seq)
        assert got is not None and got.result_json == results[seq]
        assert got.request == {"q": seq} and got.request_hash == f"h{seq}"
    blobs = store.db.fetchone("SELECT COUNT(*) FROM effect_blobs")
    assert blobs == (7,)


def test_pruning_a_thread_keeps_blobs_a_fork_still_uses(where: Path | Database) -> None:
    store = EffectStore(where)
    store.put(_record("inc-1", 0, b"shared"))
    store.put(_record("inc-1", 1, b"only-inc-1"))
    store.copy_thread("inc-1", "inc-1-f1", below_seq=1)
    assert (store.count("inc-1"), store.count("inc-1-f1")) == (2, 1)
    assert store.delete_threads(["inc-1"]) == 2
    assert store.count("inc-1") == 0
    kept = store.get("inc-1-f1", 0)
    assert kept is not None and kept.result_json == b"shared"
    blobs = store.db.fetchall("SELECT hash FROM effect_blobs")
    assert len(blobs) == 1  # the result only inc-1 used is gone


@pytest.mark.parametrize("key", [None, KEY])
def test_results_recorded_with_zlib_before_zstandard_still_open(
    where: Path | Database, key: bytes | None
) -> None:
    store = EffectStore(where, key)
    store.put(_record("inc-1", 0, b'{"cpu": 0.93}'))
    sealed = store.db.fetchone("SELECT body FROM effect_blobs")
    assert sealed is not None
    if key is None:
        assert bytes(sealed[0]).startswith(b"\x28\xb5\x2f\xfd")  # new ones are Zstandard
    old = zlib.compress(b'{"cpu": 0.5}', 1)
    if key is not None:
        cipher = AES.new(key, AES.MODE_EAX)
        ciphertext, tag = cipher.encrypt_and_digest(old)
        old = b"AES1" + cipher.nonce + tag + ciphertext
    store.db.execute("UPDATE effect_blobs SET body = ?", (old,))
    got = store.get("inc-1", 0)
    assert got is not None and got.result_json == b'{"cpu": 0.5}'
