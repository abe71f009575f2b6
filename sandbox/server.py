"""The sandbox as its own HTTP process: /metrics, logs, spans, events and a control API."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from sandbox.environment import SandboxEnvironment
from sandbox.exposition import registry_for
from sandbox.faults import FaultTargetError
from sandbox.live import LiveSandbox
from tools.actions import ActionOutcome
from tools.telemetry import ChangeEvent, LogRecord, ServiceGraph, Span


class FaultRequest(BaseModel):
    fault_type: str = Field(description="One of the sandbox's fault types (adsh scenarios)")
    service: str = Field(description="The service to break")


class ActionRequest(BaseModel):
    action: str = Field(description="Remediation action name, e.g. restart_service")
    target: str = Field(description="Service the action applies to")
    params: dict[str, Any] = Field(default_factory=dict)
    idempotency_key: str = Field(min_length=1, max_length=512)


def create_live(seed: int, speed: float, data_dir: Path | None = None) -> LiveSandbox:
    """A fresh healthy environment (state saved under data_dir, a temp dir by default)."""
    directory = data_dir or Path(tempfile.mkdtemp(prefix="adsh-sandbox-"))
    return LiveSandbox(SandboxEnvironment.create(directory, "live", seed), speed)


def create_app(live: LiveSandbox) -> FastAPI:
    """The sandbox server; every timestamp it takes or returns is wall-clock epoch seconds."""
    app = FastAPI(title="ADSH sandbox", summary="A simulated microservice system, live")
    registry = registry_for(live)

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/clock")
    def clock() -> dict[str, Any]:
        """Wall time, simulated time, speed and the simulation's tick length."""
        return live.clock()

    @app.get("/v1/topology", response_model=ServiceGraph)
    def topology() -> ServiceGraph:
        return live.env.graph()

    _detail_routes(app, live)
    _control_routes(app, live)
    return app


def _detail_routes(app: FastAPI, live: LiveSandbox) -> None:
    start_q = Query(description="Window start, epoch seconds (inclusive)")
    end_q = Query(description="Window end, epoch seconds (exclusive)")

    @app.get("/v1/logs", response_model=list[LogRecord])
    def logs(start: float = start_q, end: float = end_q) -> list[LogRecord]:
        return live.detail(start, end).logs

    @app.get("/v1/spans", response_model=list[Span])
    def spans(start: float = start_q, end: float = end_q) -> list[Span]:
        return live.detail(start, end).spans

    @app.get("/v1/events", response_model=list[ChangeEvent])
    def events(start: float = start_q, end: float = end_q) -> list[ChangeEvent]:
        return live.detail(start, end).events


def _control_routes(app: FastAPI, live: LiveSandbox) -> None:
    @app.post("/v1/faults", status_code=201)
    def inject(body: FaultRequest) -> dict[str, Any]:
        """Start a fault now (see `adsh scenarios` for fault types and targets)."""
        try:
            fault = live.inject(body.fault_type, body.service)
        except FaultTargetError as exc:
            raise HTTPException(422, str(exc)) from None
        return {**fault.model_dump(), "wall_start": live.to_wall(fault.start)}

    @app.get("/v1/faults")
    def faults() -> list[dict[str, Any]]:
        """The faults still active (a correct remediation ends one)."""
        return [f.model_dump() for f in live.active_faults()]

    @app.post("/v1/actions", response_model=ActionOutcome)
    def perform(body: ActionRequest) -> ActionOutcome:
        """Perform a remediation once per idempotency key; a repeat answers 'duplicate'."""
        return live.perform(body.action, body.target, body.params, body.idempotency_key)
