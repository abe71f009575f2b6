"""The paper's risk matrix: points, thresholds at every edge, approval counts."""

import itertools

import pytest

from agents.models import (
    BlastRadius,
    ComplianceImpact,
    DataSensitivity,
    Reversibility,
    RiskFacts,
    RiskLevel,
)
from agents.risk import (
    REQUIRED_APPROVALS,
    ApprovalPolicy,
    factor_points,
    level_for_score,
    risk_score,
)


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0, RiskLevel.LOW),
        (3, RiskLevel.LOW),
        (4, RiskLevel.MEDIUM),
        (7, RiskLevel.MEDIUM),
        (8, RiskLevel.HIGH),
        (12, RiskLevel.HIGH),
        (13, RiskLevel.CRITICAL),
        (20, RiskLevel.CRITICAL),
    ],
)
def test_threshold_edges(score: int, level: RiskLevel) -> None:
    assert level_for_score(score) is level


def test_negative_score_is_refused() -> None:
    with pytest.raises(ValueError, match="risk score"):
        level_for_score(-1)


def test_factor_points_follow_the_paper() -> None:
    facts = RiskFacts(
        data_sensitivity=DataSensitivity.CONFIDENTIAL,
        reversibility=Reversibility.PARTIALLY_REVERSIBLE,
        blast_radius=BlastRadius.ORGANIZATION,
        compliance_impact=ComplianceImpact.AUDIT_LOGGED,
    )
    assert factor_points(facts) == {
        "data_sensitivity": 3,
        "reversibility": 2,
        "blast_radius": 4,
        "compliance_impact": 1,
    }
    assert risk_score(facts) == 10


def _facts(d: DataSensitivity, r: Reversibility, b: BlastRadius, c: ComplianceImpact) -> RiskFacts:
    return RiskFacts(data_sensitivity=d, reversibility=r, blast_radius=b, compliance_impact=c)


def test_every_combination_lands_in_the_band_of_its_score() -> None:
    bands = {
        RiskLevel.LOW: (0, 3),
        RiskLevel.MEDIUM: (4, 7),
        RiskLevel.HIGH: (8, 12),
        RiskLevel.CRITICAL: (13, 20),
    }
    combos = itertools.product(DataSensitivity, Reversibility, BlastRadius, ComplianceImpact)
    seen = set()
    for combo in combos:
        score = risk_score(_facts(*combo))
        level = level_for_score(score)
        low, high = bands[level]
        assert low <= score <= high
        seen.add(score)
    assert {3, 4, 7, 8, 12, 13} <= seen  # every edge is reachable from real factors
    assert max(seen) == 20


def test_approval_counts_and_timeouts() -> None:
    assert REQUIRED_APPROVALS == {
        RiskLevel.LOW: 0,
        RiskLevel.MEDIUM: 0,
        RiskLevel.HIGH: 1,
        RiskLevel.CRITICAL: 3,
    }
    policy = ApprovalPolicy()
    assert policy.timeout_for(RiskLevel.HIGH) == 4 * 3600
    assert policy.timeout_for(RiskLevel.CRITICAL) == 8 * 3600
    assert policy.timeout_for(RiskLevel.MEDIUM) == 0
