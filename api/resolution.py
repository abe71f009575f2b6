"""Human resolution of an escalated incident: remembered as confirmed, proposed as a runbook."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agents.action_catalog import CATALOG
from graphs.learning import incident_record
from graphs.lifecycle import Status
from graphs.runner import IncidentRunner
from memory.runbooks import Runbook, RunbookMatch, RunbookStep
from memory.runbooks.learned import Proposal

_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


class Resolution(BaseModel):
    """What a human found and did: the root cause and the actions that fixed it."""

    model_config = ConfigDict(extra="forbid")

    root_cause: str = Field(description="SERVICE:FAULT_TYPE, e.g. catalog:memory_leak")
    fix: list[str] = Field(min_length=1, description="Actions that fixed it, in order")
    notes: str = Field(default="", max_length=2000)

    @field_validator("root_cause")
    @classmethod
    def _service_fault(cls, value: str) -> str:
        service, _, fault = value.strip().partition(":")
        if not _NAME.match(service) or not _NAME.match(fault):
            raise ValueError(f"root_cause must look like SERVICE:FAULT_TYPE, got {value!r}")
        return f"{service}:{fault}"

    @field_validator("fix")
    @classmethod
    def _known_actions(cls, value: list[str]) -> list[str]:
        unknown = [a for a in value if a not in CATALOG]
        if unknown:
            raise ValueError(f"unknown actions {unknown}; known: {', '.join(sorted(CATALOG))}")
        return value

    @property
    def service(self) -> str:
        return self.root_cause.partition(":")[0]

    @property
    def fault_type(self) -> str:
        return self.root_cause.partition(":")[2]


class NotEscalated(ValueError):
    """Only an escalated incident is resolved by a human."""


def resolve(
    runner: IncidentRunner, incident_id: str, resolution: Resolution, resolver: str
) -> Proposal:
    """Remember the confirmed cause and fix, and propose a runbook for the pattern."""
    state = runner.get(incident_id)
    if state.status is not Status.ESCALATED:
        raise NotEscalated(
            f"incident {incident_id} is {state.status.value}; only ESCALATED ones are resolved"
        )
    ended = state.timeline[-1].at if state.timeline else state.created_at
    record = incident_record(state, Status.ESCALATED, ended)
    fix = ", ".join(f"{a}({resolution.service})" for a in resolution.fix)
    summary = (
        f"{record.summary}\nResolved by {resolver}: root cause {resolution.fault_type} at "
        f"{resolution.service} (confirmed by a human); fix: {fix}. {resolution.notes}".strip()
    )
    runner.memory.remember(
        record.model_copy(
            update={
                "title": f"RESOLVED: {resolution.fault_type} at {resolution.service}",
                "summary": summary,
                "service": resolution.service,
                "fault_type": resolution.fault_type,
                "outcome": "RESOLVED",
                "confirmed": True,
                "actions": [f"{a}({resolution.service})" for a in resolution.fix],
                "source": "resolution",
            }
        ),
        [],
    )
    return runner.learned.propose(_proposal(incident_id, resolution, resolver))


def _proposal(incident_id: str, resolution: Resolution, resolver: str) -> Proposal:
    slug = "-".join([resolution.fault_type, *resolution.fix]).replace("_", "-")
    runbook = Runbook(
        id=f"rb-learned-{slug}",
        match=RunbookMatch(fault_type=resolution.fault_type),
        description=f"Learned from {incident_id}: {', '.join(resolution.fix)} for "
        f"{resolution.fault_type}. {resolution.notes}".strip(),
        justification=f"{resolver} resolved {incident_id} ({resolution.root_cause}) with "
        f"{', '.join(resolution.fix)}; promoted by a human after review.",
        steps=tuple(RunbookStep(action=a) for a in resolution.fix),
    )
    return Proposal(
        runbook=runbook,
        incident_id=incident_id,
        root_cause=resolution.root_cause,
        resolved_by=resolver,
        notes=resolution.notes,
    )
