"""What the runner refuses, as exceptions the CLI and the API map to messages and codes."""

from __future__ import annotations


class IncidentNotFound(KeyError):
    def __init__(self, incident_id: str) -> None:
        super().__init__(f"no incident {incident_id!r} (see 'adsh list')")


class NotAwaitingApproval(RuntimeError):
    """A decision arrived for an incident that is not waiting for one."""


class ApprovalRefused(ValueError):
    """A decision that cannot count: separation of duties or a repeat approver."""
