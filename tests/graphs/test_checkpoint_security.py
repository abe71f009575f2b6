"""Checkpoints: strict deserialization (only our types) and optional encryption at rest."""

import sqlite3
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from graphs.checkpointer import checkpoint_serializer, strict_serializer
from graphs.lifecycle import Status
from graphs.runner import IncidentRunner
from graphs.settings import Settings
from tests.graphs.conftest import make_runner, start_incident


class Foreign(BaseModel):
    """A model that is not part of the incident state."""

    x: int = 1


def test_strict_serializer_revives_our_types_only() -> None:
    serde = strict_serializer()
    revived = serde.loads_typed(serde.dumps_typed(Status.COMPLETED))
    assert revived is Status.COMPLETED
    assert not isinstance(serde.loads_typed(serde.dumps_typed(Foreign())), Foreign)


def test_encrypted_checkpoints_hide_the_incident(tmp_path: Path, targets) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path / "enc", checkpoint_key="k" * 32)
    with make_runner(settings, targets) as run:
        state = start_incident(run, targets, "memory-leak-catalog", 1)
        assert state.status is Status.COMPLETED
        assert run.get(state.id).plan is not None  # reads back through the key
    raw = b"".join(
        row[0] for row in sqlite3.connect(settings.checkpoint_path).execute(
            "SELECT checkpoint FROM checkpoints")
    )  # fmt: skip
    assert b"restart_service" not in raw and b"memory_leak" not in raw
    blobs = sqlite3.connect(settings.checkpoint_path).execute("SELECT body FROM effect_blobs")
    assert all(row[0].startswith(b"AES1") for row in blobs)


def test_wrong_key_cannot_read(tmp_path: Path, targets) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path / "enc", checkpoint_key="k" * 16)
    with make_runner(settings, targets) as run:
        incident = start_incident(run, targets, "memory-leak-catalog", 1).id
    wrong = Settings(data_dir=tmp_path / "enc", checkpoint_key="w" * 16)
    with make_runner(wrong, targets) as run, pytest.raises(ValueError):
        IncidentRunner.get(run, incident)


def test_bad_key_length_is_refused() -> None:
    with pytest.raises(ValidationError, match="16, 24 or 32 bytes"):
        Settings(checkpoint_key="short")
    assert checkpoint_serializer(None) is not None
