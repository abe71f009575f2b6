"""CLI for the record: replay (with verification), fork (what-if), and the audit trail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from api import render
from api.cli_support import JsonFlag, console, errors, one_line_errors, runner
from graphs.fork import ForkError, parse_assignments
from graphs.fork import fork as fork_incident
from graphs.replay import CheckpointNotFound, ReplayReport
from graphs.replay import replay as replay_incident
from graphs.runner import IncidentRunner
from tools.files import write_atomically

IdArgument = Annotated[str, typer.Argument(metavar="ID")]
audit_app = typer.Typer(
    help="Verify and export the hash-chained audit trail.", no_args_is_help=True
)


@one_line_errors
def replay(
    incident_id: IdArgument,
    from_checkpoint: Annotated[
        str | None, typer.Option("--from", help="Checkpoint id to start from (default: first)")
    ] = None,
    verify: Annotated[bool, typer.Option("--verify", help="Compare every state")] = False,
    json_output: JsonFlag = False,
) -> None:
    """Re-run an incident on its recorded effects; never acts. Exit 1 on divergence."""
    with runner() as (run, _):
        try:
            report = replay_incident(run, incident_id, from_checkpoint, verify)
        except CheckpointNotFound as exc:
            raise ValueError(exc.args[0]) from None
    _print_replay(report, json_output)
    if not report.identical:
        raise typer.Exit(1)


def _print_replay(report: ReplayReport, json_output: bool) -> None:
    if json_output:
        render.print_json(console, _replay_json(report))
        return
    head = f"replayed {report.checkpoints} checkpoints of {report.incident_id}"
    head += f" from {report.from_checkpoint} in {report.seconds:.2f}s, ended {report.final_status}"
    console.print(head, highlight=False)
    if report.divergence is None:
        verdict = "identical to the original run" if report.verified else "no divergence"
        console.print(f"[green]{verdict}[/]; no action executed")
        return
    d = report.divergence
    console.print(
        f"[bold red]DIVERGED[/] at checkpoint {d.checkpoint_id or '(none)'}, node {d.node},"
        f" field {d.path}: expected {d.expected!r}, got {d.got!r}",
        highlight=False,
    )


def _replay_json(report: ReplayReport) -> dict[str, Any]:
    divergence = report.divergence.__dict__ if report.divergence else None
    return {
        "incident_id": report.incident_id,
        "from_checkpoint": report.from_checkpoint,
        "checkpoints": report.checkpoints,
        "identical": report.identical,
        "verified": report.verified,
        "final_status": report.final_status,
        "seconds": round(report.seconds, 4),
        "divergence": divergence,
        "actions_executed": 0,
    }


@one_line_errors
def fork(
    incident_id: IdArgument,
    at: Annotated[str, typer.Option("--at", help="Checkpoint id to branch from")],
    assignments: Annotated[
        list[str] | None, typer.Option("--set", help="KEY=VALUE change (repeatable)")
    ] = None,
    decision: Annotated[
        Literal["approve", "reject"] | None, typer.Option(help="Decide the pending approval")
    ] = None,
    approver: Annotated[str | None, typer.Option("--as", help="Who decides")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Branch a new incident from an earlier checkpoint with a changed input (what-if)."""
    if decision and not (approver or "").strip():
        raise ValueError("--decision needs --as NAME")
    payload = {"approver": approver, "decision": decision} if decision else None
    with runner() as (run, targets):
        try:
            state = fork_incident(
                run, targets, incident_id, at, parse_assignments(assignments or []), payload
            )
        except (CheckpointNotFound, ForkError) as exc:
            raise ValueError(exc.args[0]) from None
    if json_output:
        render.print_json(console, render.incident_json(state))
        return
    console.print(
        f"fork {state.id} of {incident_id} at {at}: {render.styled(state.status.value)}"
        f" (the original history is unchanged)"
    )


@audit_app.command("verify")
def audit_verify(json_output: JsonFlag = False) -> None:
    """Check the whole hash chain; name the first broken entry. Exit 1 when broken."""
    with runner() as (run, _):
        report = run.stores.audit.verify()
    if json_output:
        render.print_json(console, report.model_dump())
    elif report.ok:
        console.print(f"[green]audit chain intact[/]: {report.entries} entries")
    else:
        errors.print(
            f"error: audit chain broken at entry {report.first_broken}: {report.reason}",
            markup=False,
            highlight=False,
        )
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("export")
@one_line_errors
def audit_export(
    incident_id: IdArgument,
    out: Annotated[Path | None, typer.Option("--out", help="Write here (default: stdout)")] = None,
) -> None:
    """Write an incident's full record as JSON: state, checkpoints, audit, actions."""
    with runner() as (run, _):
        record = incident_record(run, incident_id)
    text = json.dumps(record, indent=2, sort_keys=True, default=str)
    if out is None:
        console.print_json(text)
        return
    write_atomically(out, text)
    console.print(f"wrote {out} ({len(record['audit'])} audit entries)")


def incident_record(run: IncidentRunner, incident_id: str) -> dict[str, Any]:
    state = run.get(incident_id)
    return {
        "incident": render.incident_json(state),
        "checkpoints": [item.__dict__ for item in run.history(incident_id)],
        "audit": [e.model_dump() for e in run.stores.audit.entries(incident_id)],
        "actions": [e.model_dump() for e in run.log.for_incident(incident_id)],
    }
