"""Runs incident threads: start, resume with a decision, continue after a crash, inspect."""

# The refusals and CheckpointInfo are re-exported: callers import them from here.

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command

from agents.llm.gateway import LLMConfig, LLMGateway
from agents.monitor import MonitorConfig
from agents.risk import ApprovalPolicy
from graphs.checkpoint_info import CheckpointInfo, checkpoint_info
from graphs.checkpointer import DURABILITY, open_checkpointer, thread_ids
from graphs.context import LoopContext
from graphs.errors import ApprovalRefused, IncidentNotFound, NotAwaitingApproval
from graphs.incident import builder
from graphs.lifecycle import Status
from graphs.recording import Unavailable
from graphs.settings import Settings
from graphs.state import IncidentState, Trigger
from graphs.stores import Stores, default_notifier, open_stores
from graphs.timeline import move
from memory.loop_memory import DisabledMemory, LoopMemory, open_loop_memory
from memory.runbooks import RunbookCatalog, load_catalog
from memory.runbooks.learned import LearnedRunbooks
from tools.actions import ActionAdapter, Clock
from tools.notify import Notifier
from tools.telemetry import TelemetrySource, TelemetryUnavailable


@dataclass
class Target:
    """The system an incident concerns, seen through the loop's interfaces."""

    source: TelemetrySource
    adapter: ActionAdapter
    clock: Clock
    monitor: MonitorConfig | None = None
    """Windows for this target (a Prometheus keeps less history); None: the defaults."""


TargetFactory = Callable[[str, Trigger], Target]
"""(incident id, trigger) -> the target; the API layer knows the sandbox, graphs do not."""

UpdateCallback = Callable[[IncidentState], None]


class IncidentRunner:
    """Owns the checkpointer and action log for one data directory."""

    def __init__(
        self,
        saver: BaseCheckpointSaver[Any],
        stores: Stores,
        settings: Settings,
        targets: TargetFactory,
        notifier: Notifier,
        catalog: RunbookCatalog | None = None,
        memory: LoopMemory | None = None,
        llm: LLMGateway | None = None,
    ) -> None:
        self.settings = settings
        self.llm = llm or gateway_from_settings(settings)
        self.base_catalog = catalog or load_catalog()
        self.learned = LearnedRunbooks(settings.learned_runbooks_dir)
        self.memory: LoopMemory = memory or DisabledMemory()
        self.targets = targets
        self.notifier = notifier
        self.stores = stores
        self._reserved: set[str] = set()
        self._ids = threading.Lock()
        self.log = stores.action_log
        self.saver = saver
        self.app = builder.compile(checkpointer=saver)

    @property
    def catalog(self) -> RunbookCatalog:
        """The base catalog plus the runbooks humans promoted (read at every run)."""
        return self.learned.merged(self.base_catalog)

    def new_id(self, trigger: Trigger) -> str:
        """Deterministic for a given store (data dir or database): scenario, seed, count.

        The count is of ids ever claimed, not of threads: pruning lowers the thread count,
        and numbering from it would retry every pruned incident's id (alert-opened incidents
        share one probe, so after 1000 pruned ones no id could be allocated at all).
        """
        count = max(self.stores.ids.count(), len(thread_ids(self.saver)))
        return self.claim_id(
            "inc-"
            + hashlib.sha256(f"{trigger.scenario}:{trigger.seed}:{n}".encode()).hexdigest()[:8]
            for n in range(count, count + 1000)
        )

    def claim_id(self, candidates: Iterable[str]) -> str:
        """The first candidate no thread uses and no process claimed before (atomic claim)."""
        with self._ids:
            taken = set(thread_ids(self.saver)) | self._reserved
            for candidate in candidates:
                if candidate not in taken and self.stores.ids.claim(candidate):
                    self._reserved.add(candidate)
                    return candidate
        raise RuntimeError("could not allocate an incident id")

    def start(
        self,
        incident_id: str,
        trigger: Trigger,
        requester: str,
        on_update: UpdateCallback | None = None,
    ) -> IncidentState:
        initial = IncidentState(id=incident_id, requester=requester, trigger=trigger)
        return self._run(incident_id, initial, trigger, on_update)

    def decide(
        self,
        incident_id: str,
        approver: str,
        decision: str,
        comment: str = "",
        on_update: UpdateCallback | None = None,
    ) -> IncidentState:
        """Resume a waiting incident with an approve/reject decision."""
        state = self.get(incident_id)
        if self.pending_request(incident_id) is None:
            raise NotAwaitingApproval(
                f"incident {incident_id} is not waiting for approval (status {state.status})"
            )
        if decision == "approve":
            self.check_eligible(state, approver)
        payload = {"approver": approver, "decision": decision, "comment": comment}
        return self._run(incident_id, Command(resume=payload), state.trigger, on_update)

    def override(
        self,
        incident_id: str,
        admin: str,
        reason: str,
        on_update: UpdateCallback | None = None,
    ) -> IncidentState:
        """An admin's emergency approval: stands for every missing approval, with a reason.

        Hard-constraint blocks never reach approval, so an override cannot bypass them.
        """
        state = self.get(incident_id)
        if self.pending_request(incident_id) is None:
            raise NotAwaitingApproval(
                f"incident {incident_id} is not waiting for approval (status {state.status})"
            )
        if not reason.strip():
            raise ApprovalRefused("an emergency override needs a reason")
        if admin == state.requester:
            raise ApprovalRefused(f"{admin} requested incident {state.id} and cannot override it")
        payload = {"approver": admin, "decision": "override", "comment": reason.strip()}
        return self._run(incident_id, Command(resume=payload), state.trigger, on_update)

    @staticmethod
    def check_eligible(state: IncidentState, approver: str) -> None:
        """Separation of duties: the requester never approves; an approver counts once."""
        if approver == state.requester:
            raise ApprovalRefused(f"{approver} requested incident {state.id} and cannot approve it")
        if approver in state.counted_approvers():
            raise ApprovalRefused(f"{approver} already approved incident {state.id}")

    def expire(self, incident_id: str) -> IncidentState:
        """Resume a waiting incident with a timeout (a scheduler's deadline check)."""
        state = self.get(incident_id)
        if self.pending_request(incident_id) is None:
            raise NotAwaitingApproval(f"incident {incident_id} is not waiting for approval")
        return self._run(incident_id, Command(resume={"decision": "timeout"}), state.trigger)

    def resume(self, incident_id: str, on_update: UpdateCallback | None = None) -> IncidentState:
        """Continue an interrupted run (e.g. after a crash) from its last checkpoint."""
        state = self.get(incident_id)
        return self._run(incident_id, None, state.trigger, on_update)

    def get(self, incident_id: str) -> IncidentState:
        snapshot = self.app.get_state(_config(incident_id))
        # a start stopped (a worker killed) before its input was applied leaves a checkpoint
        # of empty channels: the incident does not exist yet, and starting it again is right
        if not snapshot.values or "id" not in snapshot.values:
            raise IncidentNotFound(incident_id)
        return IncidentState.model_validate(snapshot.values)

    def pending_request(self, incident_id: str) -> dict[str, Any] | None:
        """The approval request an incident waits on, if any."""
        snapshot = self.app.get_state(_config(incident_id))
        for task in snapshot.tasks:
            for item in task.interrupts:
                return dict(item.value)
        return None

    def history(self, incident_id: str) -> list[CheckpointInfo]:
        """Checkpoints oldest first."""
        self.get(incident_id)
        snapshots = list(reversed(list(self.app.get_state_history(_config(incident_id)))))
        producers = ["input", *(s.next[0] if s.next else "" for s in snapshots)]
        return [checkpoint_info(s, node) for s, node in zip(snapshots, producers, strict=False)]

    def thread_ids(self) -> list[str]:
        """Every incident with checkpoints in the store, oldest first."""
        return thread_ids(self.saver)

    def list(self) -> list[IncidentState]:
        return [self.get(i) for i in thread_ids(self.saver)]

    def _run(
        self,
        incident_id: str,
        payload: Any,
        trigger: Trigger,
        on_update: UpdateCallback | None = None,
    ) -> IncidentState:
        context = self._context(incident_id, trigger)
        config = _config(incident_id)
        try:
            for _ in self.app.stream(
                payload, config, context=context, durability=DURABILITY, stream_mode="values"
            ):
                if on_update is not None:
                    on_update(self.get(incident_id))
        except TelemetryUnavailable as exc:
            self._record_blind(incident_id, str(exc), context.clock)
            if on_update is not None:
                on_update(self.get(incident_id))
        return self.get(incident_id)

    def _record_blind(self, incident_id: str, reason: str, clock: Clock) -> None:
        """The target's telemetry failed: end FAILED with the reason recorded, never a guess."""
        state = self.get(incident_id)
        message = f"telemetry unavailable: {reason}"
        update = move(state, Status.FAILED, clock.now(), "fail", message)
        self.app.update_state(
            _config(incident_id), {**update, "escalation_reason": message}, as_node="fail"
        )
        self.notifier.notify(
            {"event": "telemetry_unavailable", "incident_id": incident_id, "reason": reason}
        )

    def context_for_replay(self) -> LoopContext:
        """The settings-derived parts of a context (policy, catalog, stores), no target."""
        return self._build_context(None)

    def _context(self, incident_id: str, trigger: Trigger) -> LoopContext:
        return self._build_context(self.targets(incident_id, trigger))

    def _build_context(self, target: Target | None) -> LoopContext:
        policy = ApprovalPolicy(
            high_timeout_seconds=self.settings.approval_timeout_high_seconds,
            critical_timeout_seconds=self.settings.approval_timeout_critical_seconds,
        )
        if target is None:
            target = Target(
                Unavailable("telemetry source"),
                Unavailable("action adapter"),
                Unavailable("clock"),
            )
        return LoopContext(
            source=target.source,
            adapter=target.adapter,
            clock=target.clock,
            action_log=self.log,
            effects=self.stores.effects,
            audit=self.stores.audit,
            notifier=self.notifier,
            policy=policy,
            catalog=self.catalog,
            monitor=target.monitor or MonitorConfig(verify_seconds=self.settings.verify_seconds),
            memory=self.memory,
            llm=self.llm,
        )


def _config(incident_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": incident_id}}


@contextmanager
def open_runner(
    settings: Settings,
    targets: TargetFactory,
    notifier: Notifier | None = None,
    catalog: RunbookCatalog | None = None,
    llm: LLMGateway | None = None,
) -> Iterator[IncidentRunner]:
    """An IncidentRunner over the settings' backend (data dir or PostgreSQL), closed on exit."""
    stores = open_stores(settings)
    memory = open_loop_memory(
        settings.memory_config() if settings.memory else None,
        stores.runbook_stats_source(settings),
    )
    try:
        with open_checkpointer(settings, stores.database) as saver:
            notify = notifier or default_notifier(settings)
            yield IncidentRunner(saver, stores, settings, targets, notify, catalog, memory, llm)
    finally:
        stores.close()
        memory.close()


def gateway_from_settings(settings: Settings) -> LLMGateway | None:
    """The model gateway of ADSH_LLM_* settings; None when no model is configured."""
    if not settings.llm_model:
        return None
    return LLMGateway(
        LLMConfig(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key,
            timeout_seconds=settings.llm_timeout_seconds,
            max_retries=settings.llm_max_retries,
            requests_per_minute=settings.llm_requests_per_minute,
            seed=settings.llm_seed,
            circuit_failures=settings.llm_circuit_failures,
            circuit_reset_seconds=settings.llm_circuit_reset_seconds,
            prices=settings.llm_prices,
        )
    )
