"""`adsh checkpoints prune` on PostgreSQL: dry run lists, a real run deletes, no period refused."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.targets import SandboxTargets
from graphs.checkpointer import thread_ids
from graphs.runner import open_runner
from graphs.settings import Settings
from tests.graphs.conftest import start_incident


@pytest.fixture
def settings(tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("ADSH_DATA_DIR", str(tmp_path / "adsh"))
    monkeypatch.setenv("ADSH_DATABASE_URL", pg_url)
    monkeypatch.delenv("ADSH_CHECKPOINT_RETENTION_DAYS", raising=False)
    return Settings()


def _prune(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["checkpoints", "prune", *args])
    return result.exit_code, result.output


def test_prune_dry_run_then_prune(settings: Settings) -> None:
    targets = SandboxTargets(settings.sandbox_dir)
    with open_runner(settings, targets) as run:
        done = start_incident(run, targets, "memory-leak-catalog", 1)
    time.sleep(1.0)  # 0.00001 days = 0.86 s: the incident is now "finished long ago"
    code, output = _prune("--older-than-days", "0.00001", "--dry-run", "--json")
    assert code == 0, output
    listed = json.loads(output)
    assert [row["incident_id"] for row in listed["incidents"]] == [done.id]
    assert listed["dry_run"] is True
    code, output = _prune("--older-than-days", "0.00001")
    assert code == 0 and f"pruned {done.id} (COMPLETED" in output
    with open_runner(settings, targets) as run:
        assert thread_ids(run.saver) == []


def test_prune_without_a_period_says_how_to_give_one(settings: Settings) -> None:
    code, output = _prune()
    assert code == 1
    assert "--older-than-days" in output and "ADSH_CHECKPOINT_RETENTION_DAYS" in output
    code, output = _prune("--older-than-days", "0")
    assert code == 1 and "must be more than 0, got 0" in output
