"""`adsh eval memory`: diagnosis accuracy on ambiguous cases with empty vs filled memory."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from api import render
from api.cli_support import JsonFlag, console, errors, one_line_errors
from evals.cases import EvalCase, SuiteError
from evals.memory_effect import Accuracy, MemoryEffect, measure
from evals.scoring import CaseResult


@one_line_errors
def eval_memory(
    seeds: Annotated[int, typer.Option(min=1, help="Measured seeds per case")] = 5,
    fill: Annotated[int, typer.Option(min=1, help="Earlier runs per pattern that fill memory")] = 3,
    suite: Annotated[str, typer.Option(help="The ambiguous cases")] = "ambiguous",
    distractors: Annotated[
        str | None, typer.Option(help="A suite whose earlier runs also fill memory")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Keep the data directories here")] = None,
    json_output: JsonFlag = False,
) -> None:
    """A0 (empty memory) and A1 (memory filled from earlier, confirmed runs) on SUITE."""
    work = out or Path(tempfile.mkdtemp(prefix="adsh-eval-memory-"))
    shutil.rmtree(work / "empty", ignore_errors=True)
    shutil.rmtree(work / "filled", ignore_errors=True)
    try:
        effect = measure(work, suite, seeds, fill, distractors, _progress)
    except SuiteError as exc:
        raise ValueError(str(exc)) from None
    finally:
        if out is None:
            shutil.rmtree(work, ignore_errors=True)
    if json_output:
        render.print_json(console, effect.summary())
        return
    console.print(_table(effect))


def _progress(phase: str, case: EvalCase, result: CaseResult) -> None:
    mark = "ok" if result.fault_type_correct else "MISS"
    line = f"{phase:<10} {mark:<4} {case.id} -> {result.top_fault_type} ({result.status})"
    errors.print(line, markup=False, highlight=False)


def _table(effect: MemoryEffect) -> render.Table:
    table = render.Table(
        title=f"memory effect: {effect.fill_runs} earlier runs filled memory "
        f"({effect.resolved_by_human} resolved by a human)"
    )
    for column in ("memory", "suite", "cases", "diagnosis accuracy", "completed"):
        table.add_column(column)
    rows: list[tuple[str, Accuracy | None]] = [
        ("empty (A0)", effect.empty),
        ("filled (A1)", effect.filled),
        ("filled, distractors", effect.distractors),
    ]
    for name, acc in rows:
        if acc is not None:
            table.add_row(
                name, acc.suite, str(acc.cases), f"{acc.accuracy:.2f}", str(acc.completed)
            )
    return table
