"""When recorded effects reach the store: reads together at the node's end, acts at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import TypeAdapter

from graphs.effect_session import EffectSession
from graphs.effects import EffectStore
from tools.telemetry import TelemetryWindow


@pytest.fixture
def store(tmp_path: Path) -> EffectStore:
    return EffectStore(tmp_path / "checkpoints.sqlite")


def test_reads_are_stored_in_one_write_when_the_node_ends(store: EffectStore) -> None:
    session = EffectSession(store, "inc-1", "detect", 0, "live")
    assert session.call("clock.now", {}, lambda: 1_000, int) == 1_000
    assert session.call("telemetry.step", {}, lambda: 60, int) == 60
    assert store.count("inc-1") == 0  # a crash now loses reads only: the re-run reads again
    session.flush()
    assert store.count("inc-1") == 2
    again = EffectSession(store, "inc-1", "detect", 0, "live")
    assert again.call("clock.now", {}, lambda: 2_000, int) == 1_000  # the recorded reading


def test_an_act_is_stored_at_once_with_the_reads_before_it(store: EffectStore) -> None:
    session = EffectSession(store, "inc-1", "execute", 0, "live")
    session.call("clock.now", {}, lambda: 1_000, int)
    acted: list[str] = []
    session.call("notify", {"event": "x"}, lambda: acted.append("sent") or "receipt-1", str)
    assert acted == ["sent"]
    assert store.count("inc-1") == 2  # the notification's receipt is durable before going on
    session.flush()
    assert store.count("inc-1") == 2


def test_a_replay_finds_every_flushed_read(store: EffectStore) -> None:
    live = EffectSession(store, "inc-1", "verify", 5, "live")
    live.call("telemetry.now", {}, lambda: 42, int)
    live.flush()
    replay = EffectSession(store, "inc-1", "verify", 5, "replay")
    assert replay.call("telemetry.now", {}, lambda: pytest.fail("read the world"), int) == 42


def test_a_frozen_result_read_again_is_encoded_once_and_recorded_alike(
    store: EffectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = TelemetryWindow(start=0, end=60, step=60, metrics=[])
    encoded: list[object] = []
    original = TypeAdapter.dump_json

    def counting(self: TypeAdapter[object], value: object, **kwargs: object) -> bytes:
        encoded.append(value)
        return original(self, value, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(TypeAdapter, "dump_json", counting)
    session = EffectSession(store, "inc-1", "detect", 0, "live")
    for _ in range(2):
        session.call("telemetry.metrics", {"start": 0}, lambda: window, TelemetryWindow)
    equal = window.model_copy()  # another object: encoded on its own
    session.call("telemetry.metrics", {"start": 0}, lambda: equal, TelemetryWindow)
    session.flush()
    assert [value is window for value in encoded] == [True, False]
    recorded = [store.get("inc-1", seq) for seq in range(3)]
    assert len({r.result_json for r in recorded if r is not None}) == 1
    assert len({digest for _, digest in session.calls}) == 1


def test_a_first_run_asks_the_store_once_and_a_re_run_finds_every_record(
    store: EffectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    lookups: list[int] = []
    original, original_last = EffectStore.get, EffectStore.last_seq
    asked: list[str] = []

    def counting(self: EffectStore, thread_id: str, seq: int) -> object:
        lookups.append(seq)
        return original(self, thread_id, seq)

    def last(self: EffectStore, thread_id: str) -> int | None:
        asked.append(thread_id)
        return original_last(self, thread_id)

    monkeypatch.setattr(EffectStore, "get", counting)
    monkeypatch.setattr(EffectStore, "last_seq", last)
    first = EffectSession(store, "inc-1", "detect", 0, "live")
    first.call("clock.now", {}, lambda: 1_000, int)
    assert first.recorded_kind() is None
    first.call("telemetry.step", {}, lambda: 60, int)
    first.flush()
    assert lookups == [] and asked == ["inc-1"]  # once: nothing at or after position 0
    rerun = EffectSession(store, "inc-1", "detect", 0, "live")
    assert rerun.recorded_kind() == "clock.now"
    assert rerun.call("clock.now", {}, lambda: 2_000, int) == 1_000
    assert rerun.call("telemetry.step", {}, lambda: 30, int) == 60
    assert rerun.call("clock.now", {}, lambda: 3_000, int) == 3_000  # past the record: live
    assert lookups == [0, 1, 2]
    after = EffectSession(store, "inc-1", "diagnose", 3, "live")
    after.call("clock.now", {}, lambda: 4_000, int)
    assert lookups == [0, 1, 2]  # a later node starts past every record
