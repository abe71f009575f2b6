"""The risk matrix of the design paper: factor points, score thresholds and approval counts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from agents.models import (
    BlastRadius,
    ComplianceImpact,
    DataSensitivity,
    Reversibility,
    RiskFacts,
    RiskLevel,
)

DATA_SENSITIVITY_POINTS = {
    DataSensitivity.PUBLIC: 0,
    DataSensitivity.INTERNAL: 1,
    DataSensitivity.CONFIDENTIAL: 3,
    DataSensitivity.RESTRICTED: 5,
}
REVERSIBILITY_POINTS = {
    Reversibility.FULLY_REVERSIBLE: 0,
    Reversibility.PARTIALLY_REVERSIBLE: 2,
    Reversibility.IRREVERSIBLE: 5,
}
BLAST_RADIUS_POINTS = {
    BlastRadius.SINGLE_USER: 0,
    BlastRadius.TEAM: 1,
    BlastRadius.DEPARTMENT: 2,
    BlastRadius.ORGANIZATION: 4,
    BlastRadius.EXTERNAL: 5,
}
COMPLIANCE_POINTS = {
    ComplianceImpact.NONE: 0,
    ComplianceImpact.AUDIT_LOGGED: 1,
    ComplianceImpact.REGULATED: 3,
    ComplianceImpact.CRITICAL_COMPLIANCE: 5,
}

LOW_MAX = 3
MEDIUM_MAX = 7
HIGH_MAX = 12

REQUIRED_APPROVALS = {
    RiskLevel.LOW: 0,
    RiskLevel.MEDIUM: 0,
    RiskLevel.HIGH: 1,
    RiskLevel.CRITICAL: 3,
}


class ApprovalPolicy(BaseModel):
    """Approval timeouts per level (seconds); after them the incident escalates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    high_timeout_seconds: int = Field(default=4 * 3600, gt=0)
    critical_timeout_seconds: int = Field(default=8 * 3600, gt=0)

    def timeout_for(self, level: RiskLevel) -> int:
        if level is RiskLevel.CRITICAL:
            return self.critical_timeout_seconds
        if level is RiskLevel.HIGH:
            return self.high_timeout_seconds
        return 0


def factor_points(facts: RiskFacts) -> dict[str, int]:
    """Points of each factor of the matrix."""
    return {
        "data_sensitivity": DATA_SENSITIVITY_POINTS[facts.data_sensitivity],
        "reversibility": REVERSIBILITY_POINTS[facts.reversibility],
        "blast_radius": BLAST_RADIUS_POINTS[facts.blast_radius],
        "compliance_impact": COMPLIANCE_POINTS[facts.compliance_impact],
    }


def risk_score(facts: RiskFacts) -> int:
    return sum(factor_points(facts).values())


def level_for_score(score: int) -> RiskLevel:
    """<=3 LOW, <=7 MEDIUM, <=12 HIGH, else CRITICAL."""
    if score < 0:
        raise ValueError(f"risk score must be >= 0, got {score}")
    if score <= LOW_MAX:
        return RiskLevel.LOW
    if score <= MEDIUM_MAX:
        return RiskLevel.MEDIUM
    if score <= HIGH_MAX:
        return RiskLevel.HIGH
    return RiskLevel.CRITICAL
