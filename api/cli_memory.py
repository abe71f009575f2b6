"""`adsh memory search|import|stats`: the incident memory from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api import render
from api.cli_support import JsonFlag, console, one_line_errors
from graphs.settings import Settings
from memory.importer import MemoryImportError, load_records
from memory.incident_memory import IncidentMemory
from memory.models import MemoryMatch

memory_app = typer.Typer(help="Incident memory: search, import, stats.", no_args_is_help=True)


def _memory() -> IncidentMemory:
    settings = Settings()
    if not settings.memory:
        raise ValueError("incident memory is off (ADSH_MEMORY=off)")
    return IncidentMemory(settings.memory_config())


@memory_app.command("search")
@one_line_errors
def search(
    text: Annotated[str, typer.Argument(help="Symptoms, in any words")],
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many")] = 5,
    json_output: JsonFlag = False,
) -> None:
    """Past incidents most similar to TEXT, with their similarity (cosine, 0..1)."""
    matches = _memory().search(text, k)
    if json_output:
        render.print_json(console, [m.model_dump(mode="json") for m in matches])
        return
    if not matches:
        console.print("no similar incident in memory")
    console.print(_table(matches))


def _table(matches: list[MemoryMatch]) -> render.Table:
    table = render.Table(title="similar incidents")
    for column in ("similarity", "id", "title", "outcome", "runbook"):
        table.add_column(column)
    for m in matches:
        r = m.record
        table.add_row(f"{m.similarity:.3f}", r.id, r.title, r.outcome, r.runbook_id or "-")
    return table


@memory_app.command("import")
@one_line_errors
def import_file(
    path: Annotated[Path, typer.Argument(metavar="FILE", help=".jsonl records or .md postmortem")],
    json_output: JsonFlag = False,
) -> None:
    """Import past incidents (JSONL) or a Markdown postmortem with YAML front matter."""
    try:
        records = load_records(path)
    except MemoryImportError as exc:
        raise ValueError(str(exc)) from None
    _memory().add(records)
    if json_output:
        render.print_json(console, {"imported": len(records), "ids": [r.id for r in records]})
        return
    console.print(f"imported {len(records)} incident(s) from {path} (secrets redacted)")


@memory_app.command("stats")
@one_line_errors
def stats(json_output: JsonFlag = False) -> None:
    """How many incidents memory holds, by outcome and source."""
    result = _memory().stats()
    if json_output:
        render.print_json(console, result.model_dump(mode="json"))
        return
    console.print(f"{result.incidents} incident(s) in {result.location} ({result.embeddings})")
    for label, counts in (("outcome", result.by_outcome), ("source", result.by_source)):
        if counts:
            pairs = ", ".join(f"{k or '-'} {v}" for k, v in sorted(counts.items()))
            console.print(f"by {label}: {pairs}")
