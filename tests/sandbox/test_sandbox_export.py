"""`adsh sandbox export`: the bundle's files, its window, and that nothing is half-written."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from sandbox.export import ExportRequest, export_bundle
from sandbox.scenarios import get_scenario
from tools.bundle import read_bundle


def test_export_writes_a_bundle_the_reader_accepts(tmp_path: Path) -> None:
    out = tmp_path / "b"
    summary = export_bundle(ExportRequest("disk-full-queue", 3, 10, 5), out)
    assert sorted(p.name for p in out.iterdir()) == [
        "incident.json", "logs.jsonl", "metrics.csv", "spans.csv"
    ]  # fmt: skip
    incident = json.loads((out / "incident.json").read_text())
    assert incident["start"] == summary.start and incident["end"] == summary.start + 5 * 60
    assert ["checkout", "queue"] in incident["dependencies"]
    bundle = read_bundle(out)
    minutes = {m for series in bundle.metrics.sums.values() for m in series}
    assert min(minutes) == summary.start - 10 * 60 and max(minutes) == summary.start + 4 * 60
    assert bundle.start == summary.start and bundle.spans.lines == summary.spans > 0
    assert bundle.logs.lines == summary.log_lines > 0


def test_export_is_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        export_bundle(ExportRequest("cache-failure", 7, 5, 3), tmp_path / name)
    for file in ("metrics.csv", "logs.jsonl", "spans.csv", "incident.json"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_export_refuses_a_used_folder_and_leaves_nothing_behind(tmp_path: Path) -> None:
    out = tmp_path / "used"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match="already exists"):
        export_bundle(ExportRequest("cache-failure", 1, 5, 3), out)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["used"]


def test_cli_export_then_analyze_names_the_faulty_service(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    runner = CliRunner()
    result = runner.invoke(
        app, ["sandbox", "export", "--scenario", "bad-deploy-checkout", "--seed", "4",
              "--out", str(out), "--minutes-before", "30", "--minutes-after", "10"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"adsh analyze --bundle {out}" in result.stdout
    analyzed = runner.invoke(app, ["analyze", "--bundle", str(out), "--json"])
    top = json.loads(analyzed.stdout)["root_causes"][0]
    assert top["service"] == get_scenario("bad-deploy-checkout").service


def test_cli_export_rejects_an_unknown_scenario_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["sandbox", "export", "--scenario", "nope", "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 1
    assert "unknown scenario 'nope'; expected one of:" in result.output
    assert not (tmp_path / "x").exists()
