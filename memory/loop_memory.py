"""What the incident loop asks of memory: recall, runbook statistics, remembering an outcome."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from memory.database import Database
from memory.incident_memory import IncidentMemory, MemoryConfig
from memory.models import IncidentRecord, MemoryMatch
from memory.runbook_stats import RunbookStats, RunbookStatsStore


class RunbookOutcome(BaseModel):
    """Whether one runbook healed the incident (False: it was rolled back)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    runbook_id: str
    healed: bool


class LoopMemory(Protocol):
    """The loop's view of memory; the graph records every call as an effect."""

    def recall(self, text: str, k: int, exclude: str) -> list[MemoryMatch]: ...

    def runbook_stats(self, fault_type: str) -> dict[str, RunbookStats]: ...

    def remember(self, record: IncidentRecord, outcomes: list[RunbookOutcome]) -> str: ...

    def close(self) -> None: ...


class DisabledMemory:
    """Memory switched off (ADSH_MEMORY=off): recalls nothing, remembers nothing."""

    def recall(self, text: str, k: int, exclude: str) -> list[MemoryMatch]:
        return []

    def runbook_stats(self, fault_type: str) -> dict[str, RunbookStats]:
        return {}

    def remember(self, record: IncidentRecord, outcomes: list[RunbookOutcome]) -> str:
        return "memory off"

    def close(self) -> None:
        return None


class IncidentMemoryService:
    """Chroma incident memory plus the SQLite runbook statistics of one data directory."""

    def __init__(self, incidents: IncidentMemory, stats: RunbookStatsStore) -> None:
        self.incidents, self.stats = incidents, stats

    def close(self) -> None:
        self.stats.close()

    def recall(self, text: str, k: int, exclude: str) -> list[MemoryMatch]:
        return self.incidents.search(text, k, exclude=exclude)

    def runbook_stats(self, fault_type: str) -> dict[str, RunbookStats]:
        return self.stats.stats(fault_type)

    def remember(self, record: IncidentRecord, outcomes: list[RunbookOutcome]) -> str:
        """Store the record (upsert by id) and count each runbook outcome once per incident."""
        self.incidents.add([record])
        for outcome in outcomes:
            self.stats.record(
                record.id,
                outcome.runbook_id,
                record.fault_type,
                record.service,
                healed=outcome.healed,
                at=record.ended_at,
            )
        return f"memory:{record.id}"


def open_loop_memory(config: MemoryConfig | None, stats_path: Path | Database) -> LoopMemory:
    """Chroma memory and runbook statistics, or DisabledMemory when config is None."""
    if config is None:
        return DisabledMemory()
    return IncidentMemoryService(IncidentMemory(config), RunbookStatsStore(stats_path))
