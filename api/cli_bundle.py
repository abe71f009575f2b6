"""`adsh analyze --bundle` and `adsh eval rca`: root-cause analysis on telemetry bundles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli_support import JsonFlag, console, errors
from evals.rca_bundles import CaseOutcome, RcaReport, evaluate
from tools.analysis.bundle_rca import BundleDiagnosis, diagnose
from tools.bundle import BundleError, read_bundle

BundleDir = Annotated[Path, typer.Option("--bundle", help="Telemetry bundle folder")]
DataDir = Annotated[Path, typer.Option("--data", help="Folder of cases with truth.json")]


def _fail(message: str) -> typer.Exit:
    errors.print(f"error: {message}", markup=False, highlight=False)
    return typer.Exit(1)


def diagnosis_json(diagnosis: BundleDiagnosis) -> dict[str, object]:
    return {
        "anomalous_services": diagnosis.anomalous_services,
        "root_causes": [
            {
                "service": h.service,
                "score": h.score,
                "fault_type": h.fault_type,
                "evidence": [e.summary for e in h.evidence],
            }
            for h in diagnosis.root_causes
        ],
    }


def _diagnosis_table(diagnosis: BundleDiagnosis) -> Table:
    table = Table(title="Root causes, most likely first")
    for column in ("#", "service", "score", "fault type", "evidence"):
        table.add_column(column)
    for rank, h in enumerate(diagnosis.root_causes[:10], start=1):
        evidence = "\n".join(e.summary for e in h.evidence[:3])
        table.add_row(str(rank), h.service, f"{h.score:.2f}", h.fault_type, evidence)
    return table


def analyze(bundle: BundleDir, json_output: JsonFlag = False) -> None:
    """Detect anomalies and rank root causes in a telemetry bundle (docs/telemetry-bundle.md)."""
    try:
        diagnosis = diagnose(read_bundle(bundle))
    except BundleError as exc:
        raise _fail(str(exc)) from None
    if json_output:
        typer.echo(json.dumps(diagnosis_json(diagnosis), indent=2))
        return
    names = ", ".join(diagnosis.anomalous_services) or "none"
    console.print(f"[bold]anomalous services[/]: {names}")
    console.print(_diagnosis_table(diagnosis))


def _progress(index: int, total: int, outcome: CaseOutcome) -> None:
    mark = "top-1" if outcome.hit1 else ("top-3" if outcome.hit3 else "miss")
    errors.print(
        f"[{index}/{total}] {outcome.case} {outcome.kind} {outcome.service}: {mark} "
        f"({outcome.seconds:.2f}s)",
        markup=False,
        highlight=False,
    )


def _report_table(report: RcaReport) -> Table:
    table = Table(title=f"Root cause on {report.cases} cases")
    for column in ("fault kind", "cases", "AC@1", "AC@3"):
        table.add_column(column)
    for row in report.by_kind:
        table.add_row(row.kind, str(row.cases), f"{row.ac1:.3f}", f"{row.ac3:.3f}")
    table.add_row("all", str(report.cases), f"{report.ac1:.3f}", f"{report.ac3:.3f}", style="bold")
    return table


def eval_rca(data: DataDir, json_output: JsonFlag = False) -> None:
    """Run `analyze` on every labelled case and report AC@1/AC@3 overall and by fault kind."""
    try:
        report = evaluate(data, _progress)
    except (BundleError, ValueError) as exc:
        raise _fail(str(exc)) from None
    if json_output:
        typer.echo(report.model_dump_json(indent=2))
        return
    console.print(_report_table(report))
    console.print(
        f"fault type right on {report.fault_type_accuracy:.0%} of cases with a named kind; "
        f"{report.mean_seconds:.2f}s per case on average (max {report.max_seconds:.2f}s)"
    )
