"""Shared builders for agent tests: a small service graph and typed actions."""

import pytest

from tools.telemetry import ServiceGraph


@pytest.fixture
def topology() -> ServiceGraph:
    return ServiceGraph(
        services=["web", "api", "db", "leaf"],
        calls=[("web", "api"), ("api", "db")],
        attributes={
            "web": {"kind": "web", "data_classification": "public", "compliance": "none"},
            "api": {"kind": "api", "data_classification": "internal", "compliance": "none"},
            "db": {
                "kind": "datastore",
                "data_classification": "restricted",
                "compliance": "regulated",
                "backup_verified": "false",
            },
            "leaf": {
                "kind": "api",
                "data_classification": "confidential",
                "compliance": "critical_compliance",
            },
        },
    )
