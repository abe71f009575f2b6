"""Learned runbooks: proposals from human resolutions, promoted into a data-dir overlay."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from memory.runbooks import CatalogError, Runbook, RunbookCatalog, load_catalog


class Proposal(BaseModel):
    """A runbook a human's resolution suggests, waiting for promotion."""

    model_config = ConfigDict(extra="forbid")

    runbook: Runbook
    incident_id: str = Field(description="The escalated incident it was learned from")
    root_cause: str = Field(description="service:fault_type, as the human recorded it")
    resolved_by: str
    notes: str = ""
    status: Literal["proposed", "promoted"] = "proposed"
    promoted_by: str | None = None


class LearnedRunbooks:
    """`proposals.yaml` and the promoted overlay `catalog.yaml` under one directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.proposals_path = directory / "proposals.yaml"
        self.overlay_path = directory / "catalog.yaml"

    def proposals(self) -> list[Proposal]:
        raw = _read_list(self.proposals_path)
        try:
            return [Proposal.model_validate(item) for item in raw]
        except ValidationError as exc:
            raise CatalogError(f"invalid proposal in {self.proposals_path}: {exc}") from exc

    def get(self, runbook_id: str) -> Proposal:
        for proposal in self.proposals():
            if proposal.runbook.id == runbook_id:
                return proposal
        raise KeyError(f"no proposed runbook {runbook_id!r} (see 'adsh runbooks list')")

    def propose(self, proposal: Proposal) -> Proposal:
        """Add or replace (same runbook id) a proposal; a promoted one is never replaced."""
        kept = [p for p in self.proposals() if p.runbook.id != proposal.runbook.id]
        if (
            len(kept) != len(self.proposals())
            and self.get(proposal.runbook.id).status != "proposed"
        ):
            raise ValueError(f"runbook {proposal.runbook.id} is already promoted")
        _write_list(self.proposals_path, [p.model_dump(mode="json") for p in [*kept, proposal]])
        return proposal

    def promote(self, runbook_id: str, by: str, base: RunbookCatalog) -> Runbook:
        """Append the proposal to the overlay catalog and mark it promoted."""
        proposal = self.get(runbook_id)
        if proposal.status == "promoted":
            raise ValueError(f"runbook {runbook_id} is already promoted")
        if any(rb.id == runbook_id for rb in base.runbooks):
            raise ValueError(f"runbook id {runbook_id} already exists in the catalog")
        overlay = [rb.model_dump(mode="json") for rb in self.overlay().runbooks]
        _write_list(self.overlay_path, [*overlay, proposal.runbook.model_dump(mode="json")])
        updated = proposal.model_copy(update={"status": "promoted", "promoted_by": by})
        rows = [updated if p.runbook.id == runbook_id else p for p in self.proposals()]
        _write_list(self.proposals_path, [p.model_dump(mode="json") for p in rows])
        return proposal.runbook

    def overlay(self) -> RunbookCatalog:
        if not self.overlay_path.exists():
            return RunbookCatalog(runbooks=())
        return load_catalog(self.overlay_path)

    def merged(self, base: RunbookCatalog) -> RunbookCatalog:
        """The base catalog then the promoted runbooks (tried after the shipped ones)."""
        extra = self.overlay().runbooks
        if not extra:
            return base
        ids = {rb.id for rb in base.runbooks}
        clashes = sorted(rb.id for rb in extra if rb.id in ids)
        if clashes:
            raise CatalogError(f"{self.overlay_path} redefines runbooks {clashes}")
        return RunbookCatalog(runbooks=(*base.runbooks, *extra))


def _read_list(path: Path) -> list[Any]:
    if not path.exists():
        return []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"cannot read {path}: {exc}") from exc
    if not isinstance(raw, list):
        raise CatalogError(f"{path} must be a YAML list")
    return raw


def _write_list(path: Path, items: list[Any]) -> None:
    """Write atomically: a temp file in the same directory, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            yaml.safe_dump(items, out, sort_keys=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
