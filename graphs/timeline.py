"""Helpers nodes use to tell the incident's story and move its lifecycle."""

from __future__ import annotations

from typing import Any

from agents.models import TimelineEntry
from graphs.lifecycle import Status, transition
from graphs.state import IncidentState


def note(at: int, node: str, status: Status, message: str) -> TimelineEntry:
    return TimelineEntry(at=at, node=node, status=status.value, message=message)


def move(
    state: IncidentState, target: Status, at: int, node: str, message: str, **fields: Any
) -> dict[str, Any]:
    """A partial update that changes status (checked) and adds one timeline line."""
    status = transition(state.status, target)
    return {"status": status, "timeline": [note(at, node, status, message)], **fields}


def stay(state: IncidentState, at: int, node: str, message: str, **fields: Any) -> dict[str, Any]:
    """A partial update that keeps the status and adds one timeline line."""
    return {"timeline": [note(at, node, state.status, message)], **fields}
