"""`adsh analyze --bundle` on bundles exported from the sandbox: every scenario, two seeds."""

from pathlib import Path

import pytest

from sandbox.export import ExportRequest, export_bundle
from sandbox.scenarios import SCENARIOS
from tools.analysis.bundle_rca import diagnose
from tools.bundle import read_bundle


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_analyze_ranks_the_injected_service_first(tmp_path: Path, name: str, seed: int) -> None:
    export_bundle(ExportRequest(name, seed), tmp_path / "bundle")
    diagnosis = diagnose(read_bundle(tmp_path / "bundle"))
    service = SCENARIOS[name].service
    assert diagnosis.root_causes[0].service == service
    assert service in diagnosis.anomalous_services
