"""`adsh memory import|search --json` and `adsh runbooks list --json`, in process."""

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app

PAST = [
    {"id": "pm-1", "title": "orders-db connection pool exhausted",
     "summary": "Connection pool exhausted on orders-db; requests queued waiting for a "
                "connection. Raised the pool size.", "service": "orders-db",
     "fault_type": "db_pool_exhaustion", "outcome": "RESOLVED", "confirmed": True},
    {"id": "pm-2", "title": "catalog memory leak",
     "summary": "catalog memory grew until OOM kills; restarted it.", "service": "catalog",
     "fault_type": "memory_leak", "outcome": "RESOLVED", "confirmed": True},
]  # fmt: skip


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, minilm: Any) -> CliRunner:
    monkeypatch.setenv("ADSH_DATA_DIR", str(tmp_path / "adsh"))
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def test_memory_search_json_ranks_the_similar_incident_first(
    cli: CliRunner, tmp_path: Path
) -> None:
    past = tmp_path / "past.jsonl"
    past.write_text("\n".join(json.dumps(p) for p in PAST), encoding="utf-8")
    imported = cli.invoke(app, ["memory", "import", str(past)])
    assert imported.exit_code == 0, imported.output
    found = cli.invoke(app, ["memory", "search", "db pool saturated", "--k", "2", "--json"])
    assert found.exit_code == 0, found.output
    matches = json.loads(found.stdout)
    assert [m["record"]["id"] for m in matches] == ["pm-1", "pm-2"]
    assert matches[0]["similarity"] > matches[1]["similarity"]


def test_runbooks_list_json_shows_shipped_runbooks(cli: CliRunner) -> None:
    listed = cli.invoke(app, ["runbooks", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert {"id", "fault_type", "status", "steps"} <= set(rows[0])
    assert {r["status"] for r in rows} == {"shipped"}
    leak = [r for r in rows if r["fault_type"] == "memory_leak"]
    assert leak and "restart_service" in leak[0]["steps"]


def test_memory_search_when_memory_is_off_is_one_line(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADSH_MEMORY", "off")
    result = cli.invoke(app, ["memory", "search", "anything"])
    assert result.exit_code == 1
    assert "memory is off" in result.output
