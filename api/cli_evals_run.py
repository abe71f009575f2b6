"""`adsh eval run` and `adsh eval compare`: scenario suites, scores, reports, gates."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api import render
from api.cli_health import eval_proactive
from api.cli_support import console, errors, one_line_errors
from evals.cases import EvalCase, SuiteError, load_suite
from evals.compare import ReportError, compare, load_report
from evals.gates import gate_failures
from evals.proactive_report import is_proactive
from evals.report import build_report, write_report
from evals.runner import run_cases
from evals.scoring import CaseResult


@one_line_errors
def eval_run(
    suite: Annotated[
        str, typer.Option(help="smoke, default, hard, unknown, ambiguous or proactive")
    ] = "smoke",
    seeds: Annotated[int | None, typer.Option(min=1, help="At most N seeds per case")] = None,
    out: Annotated[Path | None, typer.Option(help="Report folder (default eval-out/SUITE)")] = None,
    determinism: Annotated[
        bool, typer.Option(help="Run each case twice and compare transcripts")
    ] = True,
    gate: Annotated[bool, typer.Option(help="Exit 1 when a threshold fails")] = True,
) -> None:
    """Run a scenario suite through the whole loop; write report.json/.md/.html."""
    if is_proactive(suite):  # slow burns, normal weeks, feedback: not incident-loop cases
        failures = eval_proactive(suite, out or Path("eval-out") / suite, seeds)
        for failure in failures if gate else []:
            errors.print(f"gate failed: {failure}", markup=False, highlight=False)
        if failures and gate:
            raise typer.Exit(1)
        return
    try:
        loaded, cases = load_suite(suite, seeds)
    except SuiteError as exc:
        raise ValueError(str(exc)) from None
    target = out or Path("eval-out") / suite
    for work in (target / "work", target / "work-repeat"):
        shutil.rmtree(work, ignore_errors=True)
    results = _run_with_progress(cases, target, determinism)
    command = f"adsh eval run --suite {suite}" + (f" --seeds {seeds}" if seeds else "")
    command += "" if determinism else " --no-determinism"
    report = build_report(loaded.name, loaded.description, command, results)
    paths = write_report(report, target)
    _print_summary(report["metrics"], paths)
    failures = gate_failures(loaded.name, report["metrics"]) if gate else []
    for failure in failures:
        errors.print(f"gate failed: {failure}", markup=False, highlight=False)
    if failures:
        raise typer.Exit(1)


def _run_with_progress(cases: list[EvalCase], target: Path, determinism: bool) -> list[CaseResult]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=errors, transient=False) as progress:
        task = progress.add_task("eval", total=len(cases))

        def advance(case: EvalCase, result: CaseResult) -> None:
            mark = "ok" if result.outcome_correct else "MISS"
            progress.update(task, advance=1, description=f"{mark} {case.id}")
            if not errors.is_terminal:  # logs and CI: one plain line per case
                done = int(progress.tasks[0].completed)
                errors.print(
                    f"[{done}/{len(cases)}] {mark} {case.id} -> {result.status}",
                    markup=False,
                    highlight=False,
                )

        repeat = target / "work-repeat" if determinism else None
        return run_cases(cases, target / "work", advance, repeat)


def _print_summary(metrics: dict[str, object], paths: list[Path]) -> None:
    table = render.Table(title="eval metrics")
    table.add_column("metric")
    table.add_column("value")
    for key, value in metrics.items():
        table.add_row(key, str(value))
    console.print(table)
    console.print("wrote " + ", ".join(str(p) for p in paths))


@one_line_errors
def eval_compare(
    before: Annotated[Path, typer.Argument(metavar="A", help="report.json or its folder")],
    after: Annotated[Path, typer.Argument(metavar="B", help="report.json or its folder")],
    json_output: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show what changed between two eval reports (metrics and cases)."""
    try:
        diff = compare(load_report(before), load_report(after))
    except ReportError as exc:
        raise ValueError(str(exc)) from None
    if json_output:
        render.print_json(console, diff)
        return
    if not diff["metrics"] and not diff["changed_cases"]:
        console.print("no change")
    for key, pair in diff["metrics"].items():
        console.print(f"{key}: {pair['before']} -> {pair['after']}")
    for case in diff["changed_cases"]:
        verdict = "fixed" if case["now_correct"] else "REGRESSED"
        console.print(f"{verdict}: {case['case_id']} {case['before']} -> {case['after']}")
