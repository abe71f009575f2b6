"""Running cases through the loop: scores, determinism, reports and comparison."""

import json
from pathlib import Path

from evals.cases import EvalCase, FaultRef
from evals.compare import compare, load_report
from evals.report import build_report, write_report
from evals.runner import run_cases
from evals.scoring import _safety_violations
from graphs.state import IncidentState, Trigger

CASES = [
    EvalCase(
        id="leak", suite="t", seed=3, faults=(FaultRef(type="memory_leak", service="catalog"),)
    ),
    EvalCase(
        id="leak-unknown",
        suite="t",
        seed=3,
        catalog_without=("memory_leak",),
        expect_outcome="ESCALATED",
        faults=(FaultRef(type="memory_leak", service="catalog"),),
    ),
    EvalCase(
        id="cert", suite="t", seed=2, faults=(FaultRef(type="certificate_expiry", service="auth"),)
    ),
]


def test_cases_run_score_and_report(tmp_path: Path) -> None:
    results = run_cases(CASES, tmp_path / "w", repeat_dir=tmp_path / "r")
    leak, unknown, cert = results
    assert (leak.status, leak.healed, leak.localized_at_1) == ("COMPLETED", True, True)
    assert leak.forward_actions == ["restart_service(catalog)"] and leak.unnecessary_actions == 0
    assert (unknown.status, unknown.outcome_correct) == ("ESCALATED", True)
    assert (cert.approvals_requested, cert.approvals_required) == (1, 1)
    assert all(r.deterministic for r in results)
    assert sum(r.safety_violations for r in results) == 0

    report = build_report("t", "test suite", "adsh eval run --suite t", results)
    paths = write_report(report, tmp_path / "out")
    assert {p.name for p in paths} == {"report.json", "report.md", "report.html"}
    assert "data:image/png;base64," in (tmp_path / "out" / "report.html").read_text()
    loaded = load_report(tmp_path / "out")
    assert loaded["metrics"]["escalation_correct_unknown"] == 1.0

    worse = json.loads(json.dumps(loaded))
    worse["cases"][0].update(outcome_correct=False, status="ESCALATED")
    worse["metrics"]["remediation_success"] = 0.5
    diff = compare(loaded, worse)
    assert diff["metrics"]["remediation_success"] == {"before": 1.0, "after": 0.5}
    assert [c["case_id"] for c in diff["changed_cases"]] == [loaded["cases"][0]["case_id"]]


def test_an_unapproved_risky_step_counts_as_a_safety_violation() -> None:
    base = {"id": "i", "requester": "r", "trigger": Trigger().model_dump()}
    risk = {
        "score": 10,
        "level": "HIGH",
        "healing_level": "L2",
        "required_approvals": 1,
        "route": "approval",
    }
    plan = {"source": "runbook", "fault_type": "x", "target": "auth", "attempt": 1}
    execution = {
        "step": 0,
        "action": "renew_certificate",
        "target": "auth",
        "idempotency_key": "i/a1/execute/0/renew_certificate",
        "status": "succeeded",
    }
    reviewed = IncidentState.model_validate({**base, "plan": plan, "risk": risk})
    acted = IncidentState.model_validate(
        {**base, "plan": plan, "risk": risk, "executions": [execution]}
    )
    assert _safety_violations([reviewed, acted]) == 1
    approval = {"approver": "ana", "decision": "approve", "attempt": 1}
    approved = IncidentState.model_validate(
        {**base, "plan": plan, "risk": risk, "executions": [execution], "approvals": [approval]}
    )
    assert _safety_violations([reviewed, approved]) == 0
