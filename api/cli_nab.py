"""NAB commands: `adsh detect` (streaming scores per series) and `adsh eval nab` (NAB score)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api import render
from api.cli_support import JsonFlag, console, errors, one_line_errors
from evals.nab import GroupScore, NabReport
from evals.nab_run import DETECTOR, detect_corpus, report_dict, score_corpus


def _progress(done: int, total: int, name: str) -> None:
    errors.print(f"[{done}/{total}] {name}", markup=False, highlight=False)


@one_line_errors
def detect(
    nab_dir: Annotated[
        Path, typer.Option("--nab-dir", help="NAB data: DATA/<category>/<file>.csv")
    ],
    out: Annotated[Path, typer.Option("--out", help="Results root (NAB layout)")],
) -> None:
    """Score every NAB series online; write RESULTS/adsh/<category>/adsh_<file>.csv."""
    written = detect_corpus(nab_dir, out, _progress)
    console.print(f"wrote {len(written)} result files under {out / DETECTOR}")


@one_line_errors
def eval_nab(
    data: Annotated[Path, typer.Option("--data", help="NAB data: DATA/<category>/<file>.csv")],
    labels: Annotated[Path, typer.Option("--labels", help="combined_windows.json")],
    results: Annotated[
        Path | None,
        typer.Option("--results", help="Results root from 'adsh detect' (default: run in memory)"),
    ] = None,
    detector: Annotated[
        str, typer.Option("--detector", help="Detector folder under RESULTS to score")
    ] = DETECTOR,
    profile: Annotated[
        str,
        typer.Option(help="standard, reward_low_FP_rate or reward_low_FN_rate"),
    ] = "standard",
    json_output: JsonFlag = False,
) -> None:
    """NAB score (null detector 0, perfect 100), one threshold for the corpus, per category."""
    report = score_corpus(data, labels, results, detector, profile, _progress)
    if json_output:
        render.print_json(console, report_dict(report, detector))
        return
    _show(report, detector)


def _normalised(group: GroupScore) -> str:
    return "n/a" if group.normalised is None else f"{group.normalised:.2f}"


def _show(report: NabReport, detector: str) -> None:
    table = render.Table(title=f"NAB {report.profile} profile: {detector}")
    columns = ("set", "files", "score", "raw", "windows", "detected", "missed", "false pos.")
    for column in columns:
        table.add_column(column)
    for group in [*report.categories, report.overall]:
        table.add_row(
            group.name,
            str(group.files),
            _normalised(group),
            f"{group.raw:.2f}",
            str(group.windows),
            str(group.detected),
            str(group.missed),
            str(group.false_positives),
        )
    console.print(table)
    console.print(f"threshold {report.threshold:.6f} (optimised once over all files)")
