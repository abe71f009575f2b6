"""The adsh CLI as a user runs it: JSON shapes, approvals, one-line errors, exit codes."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def adsh(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ADSH_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def test_scenarios_json_lists_fault_type_service_and_risk(tmp_path: Path) -> None:
    result = adsh(tmp_path, "scenarios", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len({row["fault_type"] for row in rows}) >= 10
    for row in rows:
        assert {"name", "fault_type", "service", "risk_level"} <= set(row)
    levels = {row["name"]: row["risk_level"] for row in rows}
    assert levels["memory-leak-catalog"] == "LOW"
    assert levels["network-delay-database"] == "CRITICAL"
    assert levels["disk-full-database"] == "BLOCKED"


def test_demo_default_completes_without_approval(tmp_path: Path) -> None:
    result = adsh(tmp_path, "demo")
    assert result.returncode == 0, result.stderr
    assert "ended COMPLETED" in result.stdout
    assert "restart_service(catalog)" in result.stdout


def test_investigate_waits_then_approve_completes(tmp_path: Path) -> None:
    result = adsh(tmp_path, "investigate", "--scenario", "certificate-expiry-auth", "--json")
    assert result.returncode == 0, result.stderr
    incident = json.loads(result.stdout)
    assert incident["status"] == "AWAITING_APPROVAL"
    for key in ("id", "root_causes", "plan", "risk", "approvals", "executions"):
        assert key in incident
    top = incident["root_causes"][0]
    assert {"service", "fault_type", "score", "evidence"} <= set(top)
    assert (top["service"], top["fault_type"]) == ("auth", "certificate_expiry")

    listed = json.loads(adsh(tmp_path, "list", "--json").stdout)
    assert [row["status"] for row in listed] == ["AWAITING_APPROVAL"]

    approved = adsh(tmp_path, "approve", incident["id"], "--as", "ana", "--json")
    assert approved.returncode == 0, approved.stderr
    assert json.loads(approved.stdout)["status"] == "COMPLETED"

    shown = json.loads(adsh(tmp_path, "show", incident["id"], "--json").stdout)
    assert shown["executions"][0]["action"] == "renew_certificate"
    history = json.loads(adsh(tmp_path, "history", incident["id"], "--json").stdout)
    assert {"checkpoint_id", "node", "status"} <= set(history[0])
    assert history[-1]["status"] == "COMPLETED"


def test_demo_with_approvers_completes_a_critical_incident(tmp_path: Path) -> None:
    result = adsh(tmp_path, "demo", "--scenario", "network-delay-database",
                  "--approve-as", "ana", "--approve-as", "bo", "--approve-as", "cy")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "ended COMPLETED" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (("show", "inc-nope"), 1, "no incident 'inc-nope'"),
        (("approve", "inc-nope", "--as", "ana"), 1, "no incident 'inc-nope'"),
        (("investigate", "--scenario", "bogus"), 1, "unknown scenario 'bogus'"),
        (("demo", "--seed", "-3"), 2, "--seed"),
        (("list", "--bogus"), 2, "No such option"),
        (("frobnicate",), 2, "No such command"),
    ],
)
def test_errors_are_one_line_with_nonzero_exit(
    tmp_path: Path, args: tuple[str, ...], code: int, fragment: str
) -> None:
    result = adsh(tmp_path, *args)
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert fragment in lines[0]


def test_replay_fork_and_audit_commands(tmp_path: Path) -> None:
    incident = json.loads(
        adsh(tmp_path, "investigate", "--scenario", "certificate-expiry-auth", "--json").stdout
    )
    assert adsh(tmp_path, "approve", incident["id"], "--as", "ana").returncode == 0
    replayed = adsh(tmp_path, "replay", incident["id"], "--verify", "--json")
    assert replayed.returncode == 0, replayed.stderr
    verdict = json.loads(replayed.stdout)
    assert (verdict["identical"], verdict["actions_executed"]) == (True, 0)

    history = json.loads(adsh(tmp_path, "history", incident["id"], "--json").stdout)
    waiting = next(h["checkpoint_id"] for h in history if "await_approval" in h["next"])
    forked = adsh(tmp_path, "fork", incident["id"], "--at", waiting, "--decision", "reject",
                  "--as", "bo", "--json")  # fmt: skip
    assert forked.returncode == 0, forked.stderr
    assert json.loads(forked.stdout)["status"] == "FAILED"
    assert json.loads(adsh(tmp_path, "show", incident["id"], "--json").stdout)["status"] == (
        "COMPLETED"
    )

    assert adsh(tmp_path, "audit", "verify").returncode == 0
    out = tmp_path / "record.json"
    assert adsh(tmp_path, "audit", "export", incident["id"], "--out", str(out)).returncode == 0
    record = json.loads(out.read_text())
    assert {e["body"]["node"] for e in record["audit"]} >= {"detect", "record_decision", "execute"}
    approval = next(e for e in record["audit"] if e["body"]["node"] == "record_decision")
    assert approval["body"]["human"] == "ana"

    with sqlite3.connect(tmp_path / "checkpoints.sqlite") as conn:  # the trail lives there
        conn.execute("UPDATE audit_log SET body = json_set(body, '$.message', 'x') WHERE seq = 3")
    broken = adsh(tmp_path, "audit", "verify")
    assert broken.returncode == 1
    assert "broken at entry 3" in broken.stderr
