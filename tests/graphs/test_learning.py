"""L4 learning: an unknown pattern escalates, a human resolves it, promotion makes it L1."""

import pytest

from api.resolution import NotEscalated, Resolution, resolve
from api.targets import SandboxTargets
from graphs.lifecycle import Status
from graphs.replay import replay
from graphs.runner import open_runner
from graphs.settings import Settings
from memory.runbooks import RunbookCatalog, load_catalog

from .conftest import sandbox_of, start_incident


def _without(fault_type: str) -> RunbookCatalog:
    kept = tuple(rb for rb in load_catalog().runbooks if rb.match.fault_type != fault_type)
    return RunbookCatalog(runbooks=kept)


def test_resolved_and_promoted_pattern_is_remediated_next_time(
    settings: Settings, targets: SandboxTargets
) -> None:
    with open_runner(settings, targets, catalog=_without("memory_leak")) as run:
        first = start_incident(run, targets, "memory-leak-catalog", 1)
        assert first.status is Status.ESCALATED
        assert first.executions == []
        resolution = Resolution(root_cause="catalog:memory_leak", fix=["restart_service"])
        proposal = resolve(run, first.id, resolution, "ana")
        assert proposal.runbook.id not in {rb.id for rb in run.catalog.runbooks}
        run.learned.promote(proposal.runbook.id, "bo", run.base_catalog)

        second = start_incident(run, targets, "memory-leak-catalog", 7)
        assert second.status is Status.COMPLETED, second.escalation_reason
        assert second.plan is not None and second.plan.runbook_id == proposal.runbook.id
        assert sandbox_of(settings, second).is_healthy()
        cited = [e for e in second.diagnosis.root_causes[0].evidence if e.kind == "memory"]  # type: ignore[union-attr]
        assert first.id in {e.detail["incident_id"] for e in cited}
        # The recall was a recorded effect: the replay never asks Chroma and matches.
        report = replay(run, second.id, verify=True)
        assert report.identical, report.divergence
        with pytest.raises(NotEscalated):
            resolve(run, second.id, resolution, "ana")


def test_memory_off_recalls_and_stores_nothing(tmp_path, targets: SandboxTargets) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path / "adsh", memory=False)
    off_targets = SandboxTargets(settings.sandbox_dir)
    with open_runner(settings, off_targets) as run:
        state = start_incident(run, off_targets, "memory-leak-catalog", 1)
    assert state.status is Status.COMPLETED
    assert not (settings.memory_dir).exists()
    assert not any(e.kind == "memory" for h in state.diagnosis.root_causes for e in h.evidence)  # type: ignore[union-attr]
