"""Health, readiness, Prometheus metrics, the caller's identity, the scenario list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from api.deps import State, Viewer
from api.errors import error_response
from api.fleet.backends import database_problem
from api.scenario_catalog import scenario_rows
from api.schemas import AUTH_ERRORS, Me, ScenarioRow, error_responses

router = APIRouter(tags=["system"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses=error_responses(503))
def readyz(state: State) -> Any:
    """Ready when the graph worker (or Redis and its relay) and the database answer."""
    problems = state.service.ready_problems()
    database = database_problem(state.settings)
    if database:
        problems.append(database)
    probe = state.settings.data_dir / ".ready"
    try:
        probe.write_text("ok")
    except OSError as exc:
        problems.append(f"data dir not writable: {exc}")
    if problems:
        return error_response(503, "; ".join(problems))
    return {"status": "ready"}


@router.get("/metrics", response_class=Response)
def metrics(state: State) -> Response:
    """Prometheus exposition: investigations by status, step latency, approvals pending."""
    body = state.service.metrics.exposition()
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")


_scenarios: list[dict[str, Any]] = []


@router.get("/v1/me", response_model=Me, responses=AUTH_ERRORS)
def me(caller: Viewer) -> Me:
    """Who the token belongs to and its roles."""
    return Me(name=caller.name, roles=sorted(r.value for r in caller.roles))


@router.get("/v1/scenarios", response_model=list[ScenarioRow], responses=AUTH_ERRORS)
def scenarios(_: Viewer) -> list[dict[str, Any]]:
    """Sandbox fault scenarios with the risk of their fix."""
    if not _scenarios:
        _scenarios.extend(scenario_rows())
    return _scenarios
