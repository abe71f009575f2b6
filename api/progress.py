"""Turns each state the graph streams into events (timeline, status, approval) and metrics."""

from __future__ import annotations

import time
from collections.abc import Callable

from api.events import EventHub
from api.metrics import ApiMetrics
from graphs.lifecycle import Status
from graphs.state import IncidentState


class ProgressObserver:
    """The on_update callback for one run: publishes what is new since the last state."""

    def __init__(
        self,
        hub: EventHub,
        metrics: ApiMetrics,
        on_status: Callable[[str, str], None],
        seen_entries: int = 0,
        status: str = "",
    ) -> None:
        self.hub = hub
        self.metrics = metrics
        self.on_status = on_status
        self.seen = seen_entries
        self.status = status
        self.last = time.perf_counter()

    def __call__(self, state: IncidentState) -> None:
        now = time.perf_counter()
        new = state.timeline[self.seen :]
        node = new[-1].node if new else "checkpoint"
        self.metrics.observe_step(node, now - self.last)
        self.last = now
        for offset, entry in enumerate(new, start=self.seen):
            self.hub.publish("timeline", state.id, index=offset, **entry.model_dump(mode="json"))
        self.seen = len(state.timeline)
        if state.status.value != self.status:
            self._status_changed(state)

    def _status_changed(self, state: IncidentState) -> None:
        self.status = state.status.value
        self.on_status(state.id, self.status)
        self.hub.publish("status", state.id, status=self.status)
        if state.status is Status.AWAITING_APPROVAL and state.risk is not None:
            self.hub.publish(
                "approval_requested",
                state.id,
                level=state.risk.level.value,
                required=state.risk.required_approvals,
                approvals=sorted(state.counted_approvers()),
            )
