"""Compare two eval reports: metric deltas and cases whose outcome changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class ReportError(ValueError):
    """A report file that is missing or not an ADSH eval report."""


def load_report(path: Path) -> dict[str, Any]:
    file = path / "report.json" if path.is_dir() else path
    try:
        report = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ReportError(f"cannot read eval report {file}: {exc}") from exc
    if not isinstance(report, dict) or "metrics" not in report or "cases" not in report:
        raise ReportError(f"{file} is not an ADSH eval report (no metrics/cases)")
    return report


def compare(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    metrics = {
        key: {"before": before["metrics"].get(key), "after": value}
        for key, value in after["metrics"].items()
        if before["metrics"].get(key) != value
    }
    old = {c["case_id"]: c for c in before["cases"]}
    changed = [
        {
            "case_id": c["case_id"],
            "before": old[c["case_id"]]["status"],
            "after": c["status"],
            "now_correct": c["outcome_correct"],
        }
        for c in after["cases"]
        if c["case_id"] in old and _outcome(old[c["case_id"]]) != _outcome(c)
    ]
    new_ids = sorted({c["case_id"] for c in after["cases"]} - set(old))
    return {"metrics": metrics, "changed_cases": changed, "new_cases": new_ids}


def _outcome(case: dict[str, Any]) -> tuple[bool, str]:
    return case["outcome_correct"], case["status"]
