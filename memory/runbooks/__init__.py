"""Runbook catalog: fault signatures mapped to remediation steps, loaded from YAML data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_CATALOG = Path(__file__).with_name("catalog.yaml")


class RunbookMatch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fault_type: str
    service_kinds: tuple[str, ...] = ()


class RunbookStep(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    action: str
    target: str = Field(default="{service}", description="'{service}' = the diagnosed service")
    params: dict[str, Any] = Field(default_factory=dict)


class Runbook(BaseModel):
    """One remediation recipe for a fault signature."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    match: RunbookMatch
    description: str
    justification: str
    steps: tuple[RunbookStep, ...] = Field(min_length=1)

    def applies_to(self, fault_type: str, service_kind: str) -> bool:
        if self.match.fault_type != fault_type:
            return False
        return not self.match.service_kinds or service_kind in self.match.service_kinds


class RunbookCatalog(BaseModel):
    """The ordered list of runbooks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    runbooks: tuple[Runbook, ...]

    def candidates(self, fault_type: str, service_kind: str) -> list[Runbook]:
        return [rb for rb in self.runbooks if rb.applies_to(fault_type, service_kind)]

    def get(self, runbook_id: str) -> Runbook:
        for runbook in self.runbooks:
            if runbook.id == runbook_id:
                return runbook
        raise KeyError(f"unknown runbook {runbook_id!r}")


class CatalogError(ValueError):
    """The runbook file is missing or malformed."""


def load_catalog(path: Path = DEFAULT_CATALOG) -> RunbookCatalog:
    """Load and validate a runbook catalog; errors name the file and the bad entry."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"cannot read runbook catalog {path}: {exc}") from exc
    if not isinstance(raw, list):
        raise CatalogError(f"runbook catalog {path} must be a YAML list of runbooks")
    try:
        catalog = RunbookCatalog(runbooks=tuple(Runbook.model_validate(item) for item in raw))
    except ValidationError as exc:
        raise CatalogError(f"invalid runbook in {path}: {exc}") from exc
    ids = [rb.id for rb in catalog.runbooks]
    if len(ids) != len(set(ids)):
        raise CatalogError(f"duplicate runbook ids in {path}")
    return catalog
