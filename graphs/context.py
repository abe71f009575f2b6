"""Per-run dependencies of the incident graph, passed as LangGraph runtime context."""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.monitor import MonitorConfig
from agents.risk import ApprovalPolicy
from memory.action_log import ActionLog
from memory.runbooks import RunbookCatalog, load_catalog
from tools.actions import ActionAdapter, Clock
from tools.notify import Notifier
from tools.telemetry import TelemetrySource


@dataclass
class LoopContext:
    """What the nodes act through: telemetry, actions, time, durable logs, policy."""

    source: TelemetrySource
    adapter: ActionAdapter
    clock: Clock
    action_log: ActionLog
    notifier: Notifier
    catalog: RunbookCatalog = field(default_factory=load_catalog)
    policy: ApprovalPolicy = field(default_factory=ApprovalPolicy)
    monitor: MonitorConfig = field(default_factory=MonitorConfig)
    max_attempts: int = 2
