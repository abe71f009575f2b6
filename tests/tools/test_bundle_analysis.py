"""`adsh analyze --bundle` and `adsh eval rca` on sample bundles cut from real incidents."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from evals.rca_bundles import evaluate

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "bundles"
RCA_DEV = Path(__file__).resolve().parents[3] / "shared" / "data" / "rca-dev"
TRUTH = json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", sorted(TRUTH))
def test_analyze_ranks_the_faulty_service_first(case: str) -> None:
    result = CliRunner().invoke(app, ["analyze", "--bundle", str(SAMPLES / case), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    top = report["root_causes"][0]
    assert top["service"] == TRUTH[case]["service"]
    assert top["score"] == 1.0 and top["evidence"]
    assert TRUTH[case]["service"] in report["anomalous_services"]


def test_analyze_prints_a_table_without_json() -> None:
    result = CliRunner().invoke(app, ["analyze", "--bundle", str(SAMPLES / "2022-08-22_04")])
    assert result.exit_code == 0 and "cartservice" in result.stdout


def test_analyze_reports_a_bad_bundle_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["analyze", "--bundle", str(tmp_path)])
    assert result.exit_code == 1
    assert "metrics.csv: missing" in result.output


def test_eval_rca_scores_the_samples() -> None:
    result = CliRunner().invoke(app, ["eval", "rca", "--data", str(SAMPLES), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["cases"] == 3 and report["ac1"] == 1.0


@pytest.mark.slow
@pytest.mark.skipif(not RCA_DEV.exists(), reason="needs ../shared/data/rca-dev")
def test_rca_dev_accuracy_stays_where_it_was_measured() -> None:
    report = evaluate(RCA_DEV)
    # Measured 0.875 / 0.911 (docs/evals.md); below the 0.9 / 0.97 goal, guarded here.
    assert report.ac1 >= 0.875
    assert report.ac3 >= 0.91
