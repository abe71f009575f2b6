"""Incident lifecycle states and the transitions between them; illegal ones raise."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    INITIATED = "INITIATED"
    ANALYZING = "ANALYZING"
    PLANNING = "PLANNING"
    AWAITING_APPROVAL = "AWAITING_APPROVAL"
    EXECUTING = "EXECUTING"
    VALIDATING = "VALIDATING"
    COMPLETED = "COMPLETED"
    ROLLED_BACK = "ROLLED_BACK"
    FAILED = "FAILED"
    ESCALATED = "ESCALATED"
    RESOLVED_NO_ACTION = "RESOLVED_NO_ACTION"


TERMINAL: frozenset[Status] = frozenset(
    {Status.COMPLETED, Status.FAILED, Status.ESCALATED, Status.RESOLVED_NO_ACTION}
)

ALLOWED: dict[Status, frozenset[Status]] = {
    Status.INITIATED: frozenset({Status.ANALYZING, Status.FAILED}),
    Status.ANALYZING: frozenset(
        {
            Status.PLANNING,
            Status.RESOLVED_NO_ACTION,
            Status.ESCALATED,
            Status.FAILED,
            Status.VALIDATING,  # a re-diagnosis after a partial fix found nothing left
        }
    ),
    Status.PLANNING: frozenset(
        {Status.AWAITING_APPROVAL, Status.EXECUTING, Status.ESCALATED, Status.FAILED}
    ),
    Status.AWAITING_APPROVAL: frozenset(
        {Status.AWAITING_APPROVAL, Status.EXECUTING, Status.FAILED, Status.ESCALATED}
    ),
    Status.EXECUTING: frozenset(
        {Status.EXECUTING, Status.VALIDATING, Status.ROLLED_BACK, Status.FAILED}
    ),
    Status.VALIDATING: frozenset(
        {Status.COMPLETED, Status.ROLLED_BACK, Status.FAILED, Status.ANALYZING}
    ),
    Status.ROLLED_BACK: frozenset(
        {Status.ROLLED_BACK, Status.PLANNING, Status.ESCALATED, Status.FAILED}
    ),
    Status.COMPLETED: frozenset(),
    Status.FAILED: frozenset(),
    Status.ESCALATED: frozenset(),
    Status.RESOLVED_NO_ACTION: frozenset(),
}


class IllegalTransition(ValueError):
    """A lifecycle change the state machine does not allow."""

    def __init__(self, current: Status, target: Status) -> None:
        allowed = ", ".join(sorted(ALLOWED[current])) or "none (terminal)"
        super().__init__(f"illegal transition {current} -> {target}; allowed: {allowed}")
        self.current = current
        self.target = target


def transition(current: Status, target: Status) -> Status:
    """Return target if the lifecycle allows current -> target, else raise IllegalTransition."""
    if target not in ALLOWED[current]:
        raise IllegalTransition(current, target)
    return target


def is_terminal(status: Status) -> bool:
    return status in TERMINAL
