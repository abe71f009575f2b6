"""Runbook catalog: the shipped catalog loads; bad files fail with a clear message."""

from pathlib import Path

import pytest

from agents.action_catalog import CATALOG
from memory.runbooks import CatalogError, load_catalog
from tools.analysis.models import FAULT_TYPES


def test_shipped_catalog_covers_every_fault_type_with_registered_actions() -> None:
    catalog = load_catalog()
    assert {rb.match.fault_type for rb in catalog.runbooks} == set(FAULT_TYPES)
    for runbook in catalog.runbooks:
        assert all(step.action in CATALOG for step in runbook.steps), runbook.id
        assert runbook.justification


def test_service_kind_narrows_candidates() -> None:
    catalog = load_catalog()
    assert [rb.id for rb in catalog.candidates("disk_full", "queue")] == ["rb-disk-full-rotate"]
    assert catalog.candidates("disk_full", "datastore")[0].id == "rb-disk-full-purge-database"


def test_malformed_catalog_names_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: x\n  match: {fault_type: a}\n  description: d\n  steps: []\n")
    with pytest.raises(CatalogError, match="invalid runbook"):
        load_catalog(bad)
    bad.write_text("not: a list\n")
    with pytest.raises(CatalogError, match="must be a YAML list"):
        load_catalog(bad)
