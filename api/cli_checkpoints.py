"""`adsh checkpoints prune`: retention for the checkpoints of finished incidents."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from api import render
from api.cli_support import JsonFlag, console, errors, one_line_errors, runner
from graphs.retention import prune_checkpoints
from graphs.settings import Settings
from memory.pg_store import DatabaseUnavailable

checkpoints_app = typer.Typer(help="Checkpoints: retention of finished incidents.",
                              no_args_is_help=True)  # fmt: skip


@checkpoints_app.command("prune")
@one_line_errors
def prune(
    older_than_days: Annotated[
        float | None,
        typer.Option(
            "--older-than-days",
            help="Finished this many days ago (default: ADSH_CHECKPOINT_RETENTION_DAYS)",
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List, delete nothing")] = False,
    json_output: JsonFlag = False,
) -> None:
    """Delete checkpoints and recorded effects of incidents finished long ago (audit stays)."""
    days = older_than_days if older_than_days is not None else Settings().checkpoint_retention_days
    if days is None:
        raise ValueError("give --older-than-days D or set ADSH_CHECKPOINT_RETENTION_DAYS")
    if days <= 0:
        raise ValueError(f"--older-than-days must be more than 0, got {days:g}")
    try:
        with runner() as (run, _):
            pruned = prune_checkpoints(run, timedelta(days=days), dry_run=dry_run)
    except DatabaseUnavailable as exc:
        errors.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    if json_output:
        rows = [{"incident_id": p.incident_id, "status": p.status,
                 "finished_at": p.finished_at.isoformat()} for p in pruned]  # fmt: skip
        render.print_json(console, {"dry_run": dry_run, "older_than_days": days, "incidents": rows})
        return
    verb = "would prune" if dry_run else "pruned"
    for item in pruned:
        console.print(
            f"{verb} {item.incident_id} ({item.status}, finished {item.finished_at:%Y-%m-%d %H:%M})"
        )
    console.print(f"{verb} {len(pruned)} incident(s) finished more than {days:g} day(s) ago")
