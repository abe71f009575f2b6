"""Eval suites as data: they load, expand and fail clearly when malformed."""

import pytest

from evals.cases import SuiteError, available_suites, load_suite, parse_seeds
from evals.gates import gate_failures


def test_shipped_suites_expand_as_promised() -> None:
    assert {"smoke", "default", "hard", "unknown"} <= set(available_suites())
    _, default = load_suite("default")
    fault_types = {case.faults[0].type for case in default}
    assert len(fault_types) == 10
    assert {case.topology for case in default} == {"default", "wide"}
    assert len(default) >= 10 * 10 * 2
    _, unknown = load_suite("unknown")
    assert all(case.expect_outcome == "ESCALATED" and case.catalog_without for case in unknown)
    _, hard = load_suite("hard")
    assert any(len(case.faults) == 2 for case in hard)
    assert any(case.red_herring_deploy for case in hard)
    assert len({case.id for case in default}) == len(default)


def test_seeds_cap_and_parse() -> None:
    _, capped = load_suite("default", seeds=2)
    assert {case.seed for case in capped} == {1, 2}
    assert parse_seeds("3-5") == [3, 4, 5]
    with pytest.raises(ValueError, match="seeds must look like"):
        parse_seeds("a-b")
    with pytest.raises(ValueError, match="empty"):
        parse_seeds("5-3")


def test_unknown_suite_names_the_choices() -> None:
    with pytest.raises(SuiteError, match=r"unknown suite 'nope'; available: .*default"):
        load_suite("nope")


def test_gates_report_each_failing_metric() -> None:
    good = {
        "localization_ac1": 1.0,
        "fault_type_accuracy": 1.0,
        "remediation_success": 1.0,
        "auto_resolution_known": 1.0,
        "escalation_correct_unknown": 1.0,
        "determinism": 1.0,
        "safety_violations": 0,
    }
    assert gate_failures("smoke", good) == []
    bad = {**good, "localization_ac1": 0.5, "safety_violations": 1}
    failures = gate_failures("smoke", bad)
    assert any("localization_ac1 = 0.5" in f for f in failures)
    assert any("safety_violations = 1" in f for f in failures)
    assert gate_failures("no-such-suite", bad) == []
