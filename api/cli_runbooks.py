"""`adsh resolve` and `adsh runbooks list|show|promote`: learning runbooks from humans."""

from __future__ import annotations

from typing import Annotated

import typer
import yaml

from api import render
from api.cli_support import JsonFlag, console, one_line_errors, runner
from api.resolution import Resolution, resolve
from graphs.settings import Settings
from memory.runbooks import load_catalog
from memory.runbooks.learned import LearnedRunbooks

runbooks_app = typer.Typer(help="Runbooks: the catalog and proposals learned from humans.",
                           no_args_is_help=True)  # fmt: skip


@one_line_errors
def resolve_command(
    incident_id: Annotated[str, typer.Argument(metavar="ID")],
    root_cause: Annotated[str, typer.Option("--root-cause", help="SERVICE:FAULT_TYPE")],
    fix: Annotated[str, typer.Option("--fix", help="ACTION[,ACTION] that fixed it")],
    resolver: Annotated[str, typer.Option("--as", help="Your name")] = "operator",
    notes: Annotated[str, typer.Option(help="What you found")] = "",
    json_output: JsonFlag = False,
) -> None:
    """Record how you resolved an ESCALATED incident; proposes a runbook for the pattern."""
    resolution = Resolution(
        root_cause=root_cause, fix=[a.strip() for a in fix.split(",") if a.strip()], notes=notes
    )
    with runner() as (run, _):
        proposal = resolve(run, incident_id, resolution, resolver.strip() or "operator")
    if json_output:
        render.print_json(console, proposal.model_dump(mode="json"))
        return
    console.print(f"remembered {incident_id} as {resolution.root_cause} fixed by {fix}")
    console.print(f"proposed runbook {proposal.runbook.id}: review, then")
    console.print(f"  adsh runbooks promote {proposal.runbook.id} --as NAME")


def _learned() -> LearnedRunbooks:
    return LearnedRunbooks(Settings().learned_runbooks_dir)


@runbooks_app.command("list")
@one_line_errors
def list_runbooks(json_output: JsonFlag = False) -> None:
    """The catalog (shipped + promoted) and the proposals waiting for promotion."""
    learned = _learned()
    catalog = learned.merged(load_catalog())
    promoted = {rb.id for rb in learned.overlay().runbooks}
    rows = [
        {"id": rb.id, "fault_type": rb.match.fault_type,
         "status": "promoted" if rb.id in promoted else "shipped",
         "steps": ",".join(s.action for s in rb.steps)}
        for rb in catalog.runbooks
    ] + [
        {"id": p.runbook.id, "fault_type": p.runbook.match.fault_type, "status": "proposed",
         "steps": ",".join(s.action for s in p.runbook.steps)}
        for p in learned.proposals() if p.status == "proposed"
    ]  # fmt: skip
    if json_output:
        render.print_json(console, rows)
        return
    table = render.Table(title="runbooks")
    for column in ("id", "fault_type", "status", "steps"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(row[c] for c in ("id", "fault_type", "status", "steps")))
    console.print(table)


@runbooks_app.command("show")
@one_line_errors
def show_runbook(
    runbook_id: Annotated[str, typer.Argument(metavar="ID")], json_output: JsonFlag = False
) -> None:
    """One runbook or proposal, as YAML (or JSON)."""
    learned = _learned()
    try:
        body = learned.merged(load_catalog()).get(runbook_id).model_dump(mode="json")
    except KeyError:
        body = learned.get(runbook_id).model_dump(mode="json")
    if json_output:
        render.print_json(console, body)
        return
    console.print(yaml.safe_dump(body, sort_keys=False), highlight=False, markup=False)


@runbooks_app.command("promote")
@one_line_errors
def promote(
    runbook_id: Annotated[str, typer.Argument(metavar="ID")],
    by: Annotated[str, typer.Option("--as", help="Your name")] = "operator",
) -> None:
    """Promote a proposal into the catalog overlay: the pattern is then remediated (L1/L2)."""
    learned = _learned()
    runbook = learned.promote(runbook_id, by.strip() or "operator", load_catalog())
    console.print(f"promoted {runbook.id} into {learned.overlay_path}")
