"""The Planner's runbook order from memory: similar incidents first, then success rates."""

from agents.planner import rank_runbooks
from memory.runbook_stats import RunbookStats
from memory.runbooks import Runbook, RunbookMatch, RunbookStep
from tools.analysis.models import Evidence, Hypothesis


def _runbook(runbook_id: str) -> Runbook:
    return Runbook(
        id=runbook_id,
        match=RunbookMatch(fault_type="memory_leak"),
        description="d",
        justification="j",
        steps=(RunbookStep(action="restart_service"),),
    )


RUNBOOKS = [_runbook("rb-a"), _runbook("rb-b"), _runbook("rb-c")]


def _top(*memories: dict[str, object]) -> Hypothesis:
    evidence = [
        Evidence(kind="memory", service="catalog", summary="past", detail=dict(m)) for m in memories
    ]
    return Hypothesis(service="catalog", fault_type="memory_leak", score=1.0, evidence=evidence)


def _ids(runbooks: list[Runbook]) -> list[str]:
    return [rb.id for rb in runbooks]


def test_catalog_order_without_memory() -> None:
    assert _ids(rank_runbooks(RUNBOOKS, _top(), {})) == ["rb-a", "rb-b", "rb-c"]


def test_runbook_that_healed_similar_incidents_goes_first_failed_one_last() -> None:
    healed = {"fault_type": "memory_leak", "confirmed": True, "runbook_id": "rb-c"}
    failed = {"fault_type": "memory_leak", "confirmed": False, "failed_runbooks": ["rb-a"]}
    assert _ids(rank_runbooks(RUNBOOKS, _top(healed, failed), {})) == ["rb-c", "rb-b", "rb-a"]


def test_similar_incidents_of_another_fault_type_are_ignored() -> None:
    other = {"fault_type": "cpu_saturation", "confirmed": True, "runbook_id": "rb-c"}
    assert _ids(rank_runbooks(RUNBOOKS, _top(other), {})) == ["rb-a", "rb-b", "rb-c"]


def test_success_rate_orders_the_rest_untried_counts_as_even() -> None:
    stats = {"rb-a": RunbookStats(successes=0, failures=3), "rb-c": RunbookStats(successes=4)}
    assert _ids(rank_runbooks(RUNBOOKS, _top(), stats)) == ["rb-c", "rb-b", "rb-a"]


def test_similar_incidents_outrank_statistics() -> None:
    healed = {"fault_type": "memory_leak", "confirmed": True, "runbook_id": "rb-b"}
    stats = {"rb-a": RunbookStats(successes=9)}
    assert _ids(rank_runbooks(RUNBOOKS, _top(healed), stats)) == ["rb-b", "rb-a", "rb-c"]
