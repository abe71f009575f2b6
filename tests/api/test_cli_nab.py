"""`adsh detect` and `adsh eval nab` end to end on a NAB sample, plus their one-line errors."""

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "nab-sample"
NAB_DEV = Path(os.environ.get("ADSH_NAB_DEV", ROOT.parent / "shared" / "data" / "nab-dev"))
MEASURED_ON_NAB_DEV = 54.89  # docs/evals.md, "NAB (streaming detection)"


def adsh(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
        check=False,
    )


def _eval(data: Path, labels: Path, *extra: str | Path) -> dict:
    result = adsh("eval", "nab", "--data", data, "--labels", labels, "--json", *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_detect_writes_every_row_with_a_score_in_nab_layout(tmp_path: Path) -> None:
    result = adsh("detect", "--nab-dir", SAMPLE / "data", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "[3/3]" in result.stderr
    for source in (SAMPLE / "data").glob("*/*.csv"):
        written = tmp_path / "adsh" / source.parent.name / f"adsh_{source.name}"
        with written.open() as handle:
            rows = list(csv.DictReader(handle))
        with source.open() as handle:
            assert len(rows) == len(list(csv.DictReader(handle)))
        assert list(rows[0]) == ["timestamp", "value", "anomaly_score"]
        assert all(0.0 <= float(r["anomaly_score"]) <= 1.0 for r in rows)
    assert not list(tmp_path.rglob(".*.tmp"))


def test_eval_nab_scores_the_written_results_like_an_in_memory_run(tmp_path: Path) -> None:
    assert adsh("detect", "--nab-dir", SAMPLE / "data", "--out", tmp_path).returncode == 0
    labels = SAMPLE / "combined_windows.json"
    from_files = _eval(SAMPLE / "data", labels, "--results", tmp_path)
    in_memory = _eval(SAMPLE / "data", labels)
    assert from_files["overall"] == in_memory["overall"]
    assert from_files["overall"]["normalised"] > 90  # both windows caught early, no false alarm
    assert [c["name"] for c in from_files["categories"]] == [
        "artificialNoAnomaly",
        "artificialWithAnomaly",
        "realAWSCloudwatch",
    ]
    assert from_files["categories"][0]["normalised"] is None


def test_missing_data_folder_is_a_one_line_error(tmp_path: Path) -> None:
    result = adsh("detect", "--nab-dir", tmp_path / "nope", "--out", tmp_path)
    assert result.returncode == 1
    assert "does not exist" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_malformed_value_names_the_file_and_line(tmp_path: Path) -> None:
    data = tmp_path / "data" / "cat"
    data.mkdir(parents=True)
    (data / "f.csv").write_text("timestamp,value\n2015-01-01 00:00:00,1\n2015-01-01 00:05:00,abc\n")
    result = adsh("detect", "--nab-dir", tmp_path / "data", "--out", tmp_path / "out")
    assert result.returncode == 1
    assert "f.csv line 3: value 'abc' is not a number" in result.stderr
    assert not (tmp_path / "out" / "adsh" / "cat" / "adsh_f.csv").exists()


def test_missing_results_point_at_adsh_detect(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SAMPLE / "data", data)
    result = adsh(
        "eval", "nab", "--data", data, "--labels", SAMPLE / "combined_windows.json",
        "--results", tmp_path / "empty",
    )  # fmt: skip
    assert result.returncode == 1
    assert "run `adsh detect` first" in result.stderr


@pytest.mark.slow
@pytest.mark.skipif(not NAB_DEV.is_dir(), reason="needs ../shared/data/nab-dev")
def test_nab_dev_standard_score_is_what_docs_report(tmp_path: Path) -> None:
    result = adsh("detect", "--nab-dir", NAB_DEV / "data", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    report = _eval(NAB_DEV / "data", NAB_DEV / "combined_windows.json", "--results", tmp_path)
    assert report["overall"]["normalised"] == pytest.approx(MEASURED_ON_NAB_DEV, abs=0.01)
    assert report["overall"]["windows"] == 36
