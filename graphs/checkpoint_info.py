"""A checkpoint as people read it: id, step, the node that produced it, status, next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphs.lifecycle import Status


@dataclass(frozen=True)
class CheckpointInfo:
    checkpoint_id: str
    step: int
    node: str
    status: str
    next: tuple[str, ...]
    created_at: str


def checkpoint_info(snapshot: Any, node: str) -> CheckpointInfo:
    """One checkpoint; `node` is the node whose step produced it."""
    values = snapshot.values or {}
    status = values.get("status", "")
    return CheckpointInfo(
        checkpoint_id=snapshot.config["configurable"]["checkpoint_id"],
        step=(snapshot.metadata or {}).get("step", -1),
        node=str(node),
        status=str(status.value if isinstance(status, Status) else status),
        next=tuple(snapshot.next),
        created_at=snapshot.created_at or "",
    )
