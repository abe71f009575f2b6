"""Incident memory records: what is stored per incident, and what a recall returns."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Source = Literal["loop", "resolution", "import"]


class IncidentRecord(BaseModel):
    """One past incident: a summary document (embedded) plus metadata (filtered on)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, description="Stable id: the incident id, or the import's")
    title: str = Field(description="One line")
    summary: str = Field(description="Symptoms, evidence, root cause, actions, outcome, TTR")
    service: str = Field(default="", description="Root-cause service ('' when unknown)")
    fault_type: str = Field(default="", description="Root-cause fault type ('' when unknown)")
    outcome: str = Field(default="", description="COMPLETED, ESCALATED, FAILED, RESOLVED...")
    confirmed: bool = Field(
        default=False, description="Root cause confirmed (by recovery or by a human)"
    )
    runbook_id: str = Field(default="", description="Runbook that ran last ('' for none)")
    actions: list[str] = Field(default_factory=list, description="Actions taken, in order")
    failed_runbooks: list[str] = Field(default_factory=list, description="Rolled back ones")
    started_at: int = Field(default=0, description="Epoch seconds")
    ended_at: int = Field(default=0, description="Epoch seconds")
    source: Source = "loop"
    tags: list[str] = Field(default_factory=list)

    def metadata(self) -> dict[str, Any]:
        """Chroma metadata: scalars only (lists are joined with commas)."""
        data = self.model_dump(exclude={"id", "summary"})
        for key in ("actions", "failed_runbooks", "tags"):
            data[key] = ",".join(data[key])
        return data

    @classmethod
    def from_stored(cls, record_id: str, document: str, meta: dict[str, Any]) -> IncidentRecord:
        data = dict(meta)
        for key in ("actions", "failed_runbooks", "tags"):
            data[key] = [v for v in str(data.get(key, "")).split(",") if v]
        return cls.model_validate({**data, "id": record_id, "summary": document})


class MemoryMatch(BaseModel):
    """A recalled past incident and how similar it is to the query (cosine, 0..1)."""

    model_config = ConfigDict(extra="forbid")

    record: IncidentRecord
    similarity: float = Field(description="1 - cosine distance, rounded to 4 places")


class MemoryStats(BaseModel):
    """How much the memory holds."""

    model_config = ConfigDict(extra="forbid")

    incidents: int = 0
    by_outcome: dict[str, int] = Field(default_factory=dict)
    by_source: dict[str, int] = Field(default_factory=dict)
    location: str = ""
    embeddings: str = ""
