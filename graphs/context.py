"""Per-run dependencies of the incident graph, passed as LangGraph runtime context."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from agents.llm.gateway import LLMGateway
from agents.monitor import MonitorConfig
from agents.risk import ApprovalPolicy
from graphs.effect_session import EffectSession, Mode
from graphs.effects import EffectStore
from graphs.recording import (
    RecordedClock,
    RecordedLLM,
    RecordedMemory,
    RecordedNotifier,
    RecordedSource,
)
from memory.action_log import ActionLog
from memory.audit import AuditTrail
from memory.loop_memory import DisabledMemory, LoopMemory
from memory.runbooks import RunbookCatalog, load_catalog
from tools.actions import ActionAdapter, Clock
from tools.notify import Notifier
from tools.telemetry import TelemetrySource


@dataclass
class LoopContext:
    """What the nodes act through: telemetry, actions, time, memory, durable logs, policy."""

    source: TelemetrySource
    adapter: ActionAdapter
    clock: Clock
    action_log: ActionLog
    notifier: Notifier
    effects: EffectStore
    audit: AuditTrail
    mode: Mode = "live"
    catalog: RunbookCatalog = field(default_factory=load_catalog)
    policy: ApprovalPolicy = field(default_factory=ApprovalPolicy)
    monitor: MonitorConfig = field(default_factory=MonitorConfig)
    max_attempts: int = 2
    memory: LoopMemory = field(default_factory=DisabledMemory)
    session: EffectSession | None = None
    raw_clock: Clock | None = None
    llm: LLMGateway | None = None
    recorded_llm: RecordedLLM | None = None

    def bind(self, session: EffectSession) -> LoopContext:
        """The context one node execution sees: every outside input goes through effects."""
        return dataclasses.replace(
            self,
            source=RecordedSource(self.source, session),
            clock=RecordedClock(self.clock, session),
            notifier=RecordedNotifier(self.notifier, session),
            memory=RecordedMemory(self.memory, session),
            session=session,
            raw_clock=self.clock,
            recorded_llm=RecordedLLM(self.llm, session),
        )

    def unrecorded_clock(self) -> Clock:
        """The clock for code that already runs inside an effect (never nest effects)."""
        return self.raw_clock or self.clock

    def model(self) -> RecordedLLM:
        """The recorded model client of this node execution."""
        if self.recorded_llm is None:
            raise RuntimeError("node ran outside with_effects: no recorded LLM bound")
        return self.recorded_llm

    def effect_session(self) -> EffectSession:
        if self.session is None:
            raise RuntimeError("node ran outside with_effects: no effect session bound")
        return self.session
