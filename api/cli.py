"""The `adsh` command line: demo, investigate, approve/reject, show, history, list, scenarios."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated

import typer

from api import render
from api.cli_commands import register as register_extra_commands
from api.cli_history import audit_app, fork, replay
from api.cli_support import (
    USER_ERRORS,
    JsonFlag,
    ScenarioOption,
    SeedOption,
    console,
    errors,
    one_line_errors,
    os_user,
    printer_for,
    runner,
)
from api.scenario_catalog import scenario_rows
from api.targets import SandboxTargets
from graphs.lifecycle import Status
from graphs.runner import IncidentRunner
from graphs.state import IncidentState, Trigger
from sandbox.scenarios import DEFAULT_SCENARIO

app = typer.Typer(
    name="adsh",
    help="ADSH: detect, diagnose, remediate and verify incidents, with humans in the loop.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(replay)
app.command()(fork)
app.add_typer(audit_app, name="audit")
register_extra_commands(app)


def _start(
    run: IncidentRunner,
    targets: SandboxTargets,
    scenario: str,
    seed: int,
    requester: str,
    json_output: bool,
) -> tuple[IncidentState, Callable[..., None]]:
    incident_id = run.new_id(Trigger(scenario=scenario, seed=seed))
    trigger = targets.prepare(incident_id, scenario, seed)
    printer = printer_for(json_output)
    if not json_output:
        console.print(f"[bold]incident {incident_id}[/]: {trigger.summary} (seed {seed})")
    return run.start(incident_id, trigger, requester, printer), printer


@app.command()
@one_line_errors
def demo(
    scenario: ScenarioOption = DEFAULT_SCENARIO,
    seed: SeedOption = 1,
    approve_as: Annotated[
        list[str] | None, typer.Option("--approve-as", help="Approve as NAME (repeatable)")
    ] = None,
) -> None:
    """Inject a fault into the sandbox and run the whole self-healing loop."""
    with runner() as (run, targets):
        state, printer = _start(run, targets, scenario, seed, os_user(), False)
        names = list(approve_as or [])
        while state.status is Status.AWAITING_APPROVAL:
            name = names.pop(0) if names else _ask_approver(state)
            if name is None:
                console.print(f"waiting for approval: adsh approve {state.id} --as NAME")
                break
            state = run.decide(state.id, name, "approve", "approved from adsh demo", printer)
        render.show_incident(console, state) if state.status.value != "COMPLETED" else None
        console.print(f"\nincident {state.id} ended {render.styled(state.status.value)}")


def _ask_approver(state: IncidentState) -> str | None:
    if not sys.stdin.isatty():
        return None
    assert state.risk is not None and state.plan is not None
    console.print(f"[yellow]{state.risk.level} plan[/]: {state.plan.summary}")
    name = typer.prompt("approve as (empty to stop)", default="", show_default=False).strip()
    return name or None


@app.command()
@one_line_errors
def scenarios(json_output: JsonFlag = False) -> None:
    """List the sandbox fault scenarios with their fault type and risk."""
    rows = scenario_rows()
    if json_output:
        render.print_json(console, rows)
        return
    table = render.Table(title="scenarios")
    for column in ("name", "fault_type", "service", "risk_level", "description"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            *(str(row[c]) for c in ("name", "fault_type", "service", "risk_level", "description"))
        )
    console.print(table)


@app.command()
@one_line_errors
def investigate(
    scenario: ScenarioOption,
    seed: SeedOption = 1,
    requester: Annotated[str | None, typer.Option("--as", help="Requester name")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Run the loop until it completes or waits for approval."""
    with runner() as (run, targets):
        state, _ = _start(run, targets, scenario, seed, requester or os_user(), json_output)
        _report(run, state, json_output)


def _report(run: IncidentRunner, state: IncidentState, json_output: bool) -> None:
    if json_output:
        render.print_json(console, render.incident_json(state))
        return
    console.print(f"incident {state.id}: {render.styled(state.status.value)}")
    if run.pending_request(state.id) is not None:
        console.print(f"approve with: adsh approve {state.id} --as NAME")


@app.command()
@one_line_errors
def approve(
    incident_id: Annotated[str, typer.Argument(metavar="ID")],
    approver: Annotated[str, typer.Option("--as", help="Approver name")],
    comment: Annotated[str, typer.Option(help="Why")] = "",
    json_output: JsonFlag = False,
) -> None:
    """Approve the plan an incident waits on, and resume it."""
    _decide(incident_id, approver, "approve", comment, json_output)


@app.command()
@one_line_errors
def reject(
    incident_id: Annotated[str, typer.Argument(metavar="ID")],
    approver: Annotated[str, typer.Option("--as", help="Approver name")],
    comment: Annotated[str, typer.Option(help="Why")] = "",
    json_output: JsonFlag = False,
) -> None:
    """Reject the plan an incident waits on: it ends FAILED with nothing executed."""
    _decide(incident_id, approver, "reject", comment, json_output)


def _decide(incident_id: str, approver: str, decision: str, comment: str, as_json: bool) -> None:
    if not approver.strip():
        raise ValueError("--as needs a non-empty name")
    with runner() as (run, _):
        state = run.decide(incident_id, approver.strip(), decision, comment, printer_for(as_json))
        _report(run, state, as_json)


@app.command()
@one_line_errors
def resume(
    incident_id: Annotated[str, typer.Argument(metavar="ID")], json_output: JsonFlag = False
) -> None:
    """Continue an incident whose run was interrupted (crash, kill) from its last checkpoint."""
    with runner() as (run, _):
        state = run.get(incident_id)
        if state.status.value in {"COMPLETED", "FAILED", "ESCALATED", "RESOLVED_NO_ACTION"}:
            raise ValueError(f"incident {incident_id} already ended {state.status.value}")
        state = run.resume(incident_id, printer_for(json_output))
        _report(run, state, json_output)


@app.command()
@one_line_errors
def show(
    incident_id: Annotated[str, typer.Argument(metavar="ID")], json_output: JsonFlag = False
) -> None:
    """Show an incident: diagnosis, plan, risk, approvals, executions, timeline."""
    with runner() as (run, _):
        state = run.get(incident_id)
        if json_output:
            render.print_json(console, render.incident_json(state))
        else:
            render.show_incident(console, state)


@app.command()
@one_line_errors
def history(
    incident_id: Annotated[str, typer.Argument(metavar="ID")], json_output: JsonFlag = False
) -> None:
    """List an incident's checkpoints (id, node, status)."""
    with runner() as (run, _):
        items = run.history(incident_id)
        if json_output:
            render.print_json(console, [item.__dict__ for item in items])
        else:
            console.print(render.history_table(incident_id, items))


@app.command(name="list")
@one_line_errors
def list_incidents(json_output: JsonFlag = False) -> None:
    """List incidents with their status."""
    with runner() as (run, _):
        states = run.list()
        if json_output:
            render.print_json(
                console,
                [
                    {"id": s.id, "status": s.status.value, "scenario": s.trigger.scenario}
                    for s in states
                ],
            )
        else:
            console.print(render.incidents_table(states))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free one)")] = 8000,
) -> None:
    """Serve the HTTP API and the incident console (dev tokens when none are configured)."""
    from api.serve import run_server  # noqa: PLC0415 (FastAPI loads only for serve)

    try:
        run_server(host, port, console.print)
    except USER_ERRORS as exc:
        errors.print(f"error: {exc}".splitlines()[0], markup=False, highlight=False)
        raise typer.Exit(1) from None


def main() -> None:
    """Entry point: usage errors become one line on stderr with exit status 2."""
    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        errors.print("aborted")
        sys.exit(130)
    except Exception as exc:
        # typer vendors click and does not export UsageError: recognise it by its contract.
        if getattr(exc, "exit_code", None) == 2 and hasattr(exc, "format_message"):
            errors.print(f"error: {exc.format_message()}", markup=False, highlight=False)
            sys.exit(2)
        raise
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # python -m api.cli, the same as the adsh script
    main()
