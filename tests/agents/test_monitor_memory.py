"""The Monitor's memory prior and tie handling, with a fake recall (no model, no Chroma)."""

from agents.monitor import MIN_SIMILARITY, PRIOR_WEIGHT, apply_memory
from memory.models import IncidentRecord, MemoryMatch
from tools.analysis.models import Evidence, Hypothesis
from tools.analysis.signatures import Match


def _match(
    record_id: str,
    fault: str,
    similarity: float,
    *,
    confirmed: bool = True,
    service: str = "payment",
) -> MemoryMatch:
    record = IncidentRecord(
        id=record_id, title="t", summary="s", service=service, fault_type=fault,
        outcome="COMPLETED" if confirmed else "ESCALATED", confirmed=confirmed,
        runbook_id=f"rb-{fault}" if confirmed else "",
    )  # fmt: skip
    return MemoryMatch(record=record, similarity=similarity)


def _hypothesis(fault: str, score: float, service: str = "payment") -> Hypothesis:
    event = Evidence(kind="event", service=service, summary=f"{fault} evidence")
    return Hypothesis(service=service, fault_type=fault, score=score, evidence=[event])


def _ties(*faults: str):  # type: ignore[no-untyped-def]
    return lambda service: [Match(fault_type=f, confidence=0.9) for f in faults]


def _no_alternatives(service: str) -> list[Match]:
    return []


def test_confirmed_similar_cause_reorders_near_equal_hypotheses() -> None:
    causes = [_hypothesis("bad_deploy", 1.0), _hypothesis("config_error", 0.97)]
    ranked = apply_memory(causes, [_match("inc-1", "config_error", 0.8)], _no_alternatives)
    assert [h.fault_type for h in ranked] == ["config_error", "bad_deploy"]
    assert ranked[0].score == 1.0
    cited = [e for e in ranked[0].evidence if e.kind == "memory"]
    assert cited[0].detail["incident_id"] == "inc-1"
    assert cited[0].weight == round(PRIOR_WEIGHT * 0.8, 4)


def test_prior_never_overrides_a_clear_diagnosis() -> None:
    causes = [_hypothesis("bad_deploy", 1.0), _hypothesis("config_error", 0.5)]
    ranked = apply_memory(causes, [_match("inc-1", "config_error", 0.99)], _no_alternatives)
    assert ranked[0].fault_type == "bad_deploy"


def test_unconfirmed_or_dissimilar_incidents_are_no_prior() -> None:
    causes = [_hypothesis("bad_deploy", 1.0), _hypothesis("config_error", 0.99)]
    weak = _match("inc-1", "config_error", MIN_SIMILARITY - 0.01)
    suspected = _match("inc-2", "config_error", 0.9, confirmed=False)
    assert apply_memory(causes, [weak], _no_alternatives) == causes
    ranked = apply_memory(causes, [suspected], _no_alternatives)
    assert [h.fault_type for h in ranked] == ["bad_deploy", "config_error"]
    # Still cited, with no weight, on the top hypothesis.
    memory = [e for e in ranked[0].evidence if e.kind == "memory"]
    assert [(e.detail["incident_id"], e.weight) for e in memory] == [("inc-2", 0.0)]


def test_a_tie_lets_the_remembered_cause_in_and_the_prior_lifts_it() -> None:
    causes = [_hypothesis("bad_deploy", 1.0), _hypothesis("unknown", 0.1, "checkout")]
    memory = [_match("inc-1", "config_error", 0.8)]
    ranked = apply_memory(causes, memory, _ties("bad_deploy", "config_error"))
    assert [(h.service, h.fault_type) for h in ranked[:2]] == [
        ("payment", "config_error"),
        ("payment", "bad_deploy"),
    ]


def test_without_a_tie_the_remembered_cause_stays_out() -> None:
    causes = [_hypothesis("bad_deploy", 1.0)]
    memory = [_match("inc-1", "config_error", 0.8)]

    def weaker(service: str) -> list[Match]:
        return [Match("bad_deploy", 0.9), Match("config_error", 0.5)]

    ranked = apply_memory(causes, memory, weaker)
    assert [h.fault_type for h in ranked] == ["bad_deploy"]


def test_a_tie_with_equal_memory_for_both_causes_keeps_the_rules_choice() -> None:
    causes = [_hypothesis("bad_deploy", 1.0)]
    memory = [_match("inc-1", "config_error", 0.8), _match("inc-2", "bad_deploy", 0.8)]
    ranked = apply_memory(causes, memory, _ties("bad_deploy", "config_error"))
    assert [h.fault_type for h in ranked] == ["bad_deploy", "config_error"]
