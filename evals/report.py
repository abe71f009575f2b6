"""Eval reports: report.json (data), report.md (summary), report.html (with plots)."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: reports are files
import matplotlib.pyplot as plt

from evals.scoring import CaseResult, aggregate, by_fault_type, confusion
from tools.files import write_atomically


def build_report(
    suite: str, description: str, command: str, results: list[CaseResult]
) -> dict[str, Any]:
    return {
        "suite": suite,
        "description": description,
        "command": command,
        "metrics": aggregate(results),
        "by_fault_type": by_fault_type(results),
        "confusion": confusion(results),
        "cases": [r.model_dump() for r in results],
    }


def write_report(report: dict[str, Any], out: Path) -> list[Path]:
    """Write the three files atomically; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    files = {
        out / "report.json": json.dumps(report, indent=2, sort_keys=True),
        out / "report.md": markdown(report),
        out / "report.html": html_page(report),
    }
    for path, text in files.items():
        write_atomically(path, text)
    return list(files)


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Eval report: {report['suite']}",
        "",
        report["description"],
        "",
        f"Command: `{report['command']}`",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in report["metrics"].items()]
    lines += ["", "| fault type | cases | AC@1 | fault type | outcome |", "|---|---|---|---|---|"]
    for fault, row in report["by_fault_type"].items():
        lines.append(
            f"| {fault} | {row['cases']} | {row['ac1']} | {row['fault_type']} | {row['outcome']} |"
        )
    failures = [c for c in report["cases"] if not c["outcome_correct"]]
    lines += ["", f"## Cases not handled as expected ({len(failures)})", ""]
    lines += [
        f"- {c['case_id']}: {c['status']} (expected {c['expect_outcome']}), top cause"
        f" {c['top_fault_type']}@{c['top_service']}, actions {c['forward_actions']}"
        for c in failures
    ] or ["none"]
    return "\n".join(lines) + "\n"


def html_page(report: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>"
        for k, v in report["metrics"].items()
    )
    plots = "".join(
        f'<figure><img alt="{html.escape(title)}" src="data:image/png;base64,{png}">'
        f"<figcaption>{html.escape(title)}</figcaption></figure>"
        for title, png in _plots(report)
    )
    return (
        f"<!doctype html><meta charset=utf-8><title>ADSH eval: {html.escape(report['suite'])}"
        f"</title><style>body{{font:14px system-ui;margin:2em}}td{{padding:2px 8px}}"
        f"img{{max-width:560px}}</style><h1>ADSH eval: {html.escape(report['suite'])}</h1>"
        f"<p>{html.escape(report['description'])}</p><p><code>{html.escape(report['command'])}"
        f"</code></p><table>{rows}</table>{plots}"
    )


def _plots(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("Accuracy by fault type", _accuracy_plot(report["by_fault_type"])),
        ("Time to recover (seconds)", _ttr_plot(report["cases"])),
        (
            "Fault-type confusion (true rows, predicted columns)",
            _confusion_plot(report["confusion"]),
        ),
    ]


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def _accuracy_plot(rows: dict[str, dict[str, Any]]) -> str:
    figure, axes = plt.subplots(figsize=(7, 3))
    names = list(rows)
    axes.bar(names, [rows[n]["fault_type"] or 0 for n in names], color="#3b7dd8")
    axes.set_ylim(0, 1.05)
    axes.tick_params(axis="x", rotation=45)
    axes.set_ylabel("fault-type accuracy")
    return _png(figure)


def _ttr_plot(cases: list[dict[str, Any]]) -> str:
    figure, axes = plt.subplots(figsize=(7, 3))
    values = [c["time_to_recover"] for c in cases if c["time_to_recover"] is not None]
    axes.hist(values or [0], bins=20, color="#2a9d62")
    axes.set_xlabel("seconds from fault to verified recovery")
    return _png(figure)


def _confusion_plot(table: dict[str, dict[str, int]]) -> str:
    labels = sorted(set(table) | {p for row in table.values() for p in row})
    matrix = [[table.get(t, {}).get(p, 0) for p in labels] for t in labels]
    figure, axes = plt.subplots(figsize=(6, 6))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=90)
    axes.set_yticks(range(len(labels)), labels)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                axes.text(j, i, str(count), ha="center", va="center", fontsize=8)
    return _png(figure)
