"""Rich rendering of incidents, timelines and checkpoint histories for the terminal."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from agents.llm.accounting import usage_of
from agents.models import LLMCall, TimelineEntry
from graphs.runner import CheckpointInfo
from graphs.state import IncidentState

STATUS_STYLE = {
    "COMPLETED": "bold green",
    "RESOLVED_NO_ACTION": "green",
    "AWAITING_APPROVAL": "bold yellow",
    "FAILED": "bold red",
    "ESCALATED": "bold magenta",
    "ROLLED_BACK": "yellow",
}


def clock(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S")


def styled(status: str, width: int = 0) -> str:
    style = STATUS_STYLE.get(status, "cyan")
    return f"[{style}]{status:<{width}}[/]"


def timeline_line(entry: TimelineEntry) -> str:
    return f"{clock(entry.at)}  {entry.node:<16} {styled(entry.status, 18)} {entry.message}"


def incident_json(state: IncidentState, chat_calls: Iterable[LLMCall] = ()) -> dict[str, Any]:
    """The incident as other tools read it: id, status, root_causes, plan, risk, approvals...
    (`llm_usage` sums the loop's model calls and the chat's, when given)."""
    data = state.model_dump(mode="json")
    data["root_causes"] = data["diagnosis"]["root_causes"] if data.get("diagnosis") else []
    data["llm_usage"] = usage_of([*state.llm_calls, *chat_calls]).model_dump(mode="json")
    return data


def print_json(console: Console, data: Any) -> None:
    console.print_json(json.dumps(data, sort_keys=True, default=str))


def show_incident(console: Console, state: IncidentState) -> None:
    console.print(f"[bold]Incident {state.id}[/]  {styled(state.status.value)}")
    if state.trigger.summary:
        console.print(f"trigger: {state.trigger.kind} {state.trigger.scenario or ''}")
    _show_causes(console, state)
    if state.plan:
        console.print(f"plan: {state.plan.summary}")
    if state.risk:
        risk = state.risk
        console.print(
            f"risk: {risk.level} score {risk.score} {risk.factors} -> {risk.healing_level},"
            f" route {risk.route}, approvals required {risk.required_approvals}"
        )
    for decision in state.approvals:
        counted = "" if decision.counted else f" (not counted: {decision.note})"
        console.print(f"approval: {decision.approver} {decision.decision}{counted}")
    for record in state.executions:
        console.print(f"{record.phase}: {record.action}({record.target}) {record.status}")
    if state.escalation_reason:
        console.print(f"escalation: {state.escalation_reason}")
    console.print("[bold]timeline[/]")
    for entry in state.timeline:
        console.print("  " + timeline_line(entry))


def _show_causes(console: Console, state: IncidentState) -> None:
    if not state.diagnosis or not state.diagnosis.root_causes:
        return
    table = Table(title="root-cause hypotheses", show_lines=False)
    for column in ("#", "service", "fault type", "score", "evidence"):
        table.add_column(column)
    for rank, cause in enumerate(state.diagnosis.root_causes[:3], start=1):
        evidence = "\n".join(e.summary for e in cause.evidence[:4])
        table.add_row(str(rank), cause.service, cause.fault_type, f"{cause.score:.2f}", evidence)
    console.print(table)


def incidents_table(states: list[IncidentState]) -> Table:
    table = Table(title="incidents")
    for column in ("id", "status", "trigger", "top cause", "risk", "created"):
        table.add_column(column)
    for state in states:
        top = (
            state.diagnosis.root_causes[0]
            if state.diagnosis and state.diagnosis.root_causes
            else None
        )
        table.add_row(
            state.id,
            styled(state.status.value),
            state.trigger.scenario or state.trigger.kind,
            f"{top.fault_type}@{top.service}" if top else "-",
            state.risk.level.value if state.risk else "-",
            clock(state.created_at) if state.created_at else "-",
        )
    return table


def history_table(incident_id: str, items: list[CheckpointInfo]) -> Table:
    table = Table(title=f"checkpoints of {incident_id}")
    table.add_column("step")
    table.add_column("checkpoint", no_wrap=True, min_width=36)  # ids are copied into commands
    for column in ("node", "status", "next"):
        table.add_column(column)
    for item in items:
        table.add_row(
            str(item.step), item.checkpoint_id, item.node, item.status, ",".join(item.next)
        )
    return table
