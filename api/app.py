"""The FastAPI application factory: routes, auth, error bodies, body limit, console."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from api.alerts import AlertIntake
from api.alerts_store import AlertStore
from api.auth import TokenStore, load_tokens
from api.db import open_api_database
from api.deps import AppState
from api.errors import BodyLimit, install_error_handlers
from api.fleet.backends import redis_client
from api.fleet.service import QueuedInvestigationService
from api.investigations import InvestigationService
from api.messages_store import MessageStore
from api.prometheus_targets import PrometheusTargets
from api.routes import (
    alerts,
    approvals,
    events,
    health,
    history,
    investigations,
    messages,
    resolutions,
    system,
)
from api.settings import ApiSettings
from api.targets import SandboxTargets
from graphs.process_heap import freeze_startup_heap
from graphs.runner import IncidentRunner, open_runner

CONSOLE = Path(__file__).parent / "console"


def create_app(settings: ApiSettings, tokens: TokenStore | None = None) -> FastAPI:
    """The API over settings.data_dir; tokens default to the configured (hashed) ones."""
    store = (
        tokens if tokens is not None else load_tokens(settings.api_tokens, settings.api_tokens_file)
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with ExitStack() as stack:
            app.state.adsh = _open(settings, store, stack)
            app.state.adsh.service.start()
            stack.callback(app.state.adsh.service.stop)
            yield
            app.state.adsh = None

    app = FastAPI(
        title="ADSH API",
        version="1",
        summary="Incident investigations, approvals, alerts, chat and live events",
        lifespan=lifespan,
    )
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    install_error_handlers(app)
    for module in (investigations, approvals, history, messages, alerts, events, system):
        app.include_router(module.router)
    app.include_router(resolutions.router)
    app.include_router(health.router)
    _mount_console(app)
    return app


def _open(settings: ApiSettings, tokens: TokenStore, stack: ExitStack) -> AppState:
    prometheus = PrometheusTargets.configured(settings, settings.verify_seconds)
    targets = SandboxTargets.from_settings(settings, prometheus)
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # PostgreSQL mode creates no file there
    runner = stack.enter_context(open_runner(settings, targets))
    db = open_api_database(settings.api_db_path, runner.stores.database)
    stack.callback(db.close)
    service = _service(settings, runner, targets, stack)
    freeze_startup_heap()  # a server: its full collections skip what it built to start
    return AppState(
        settings=settings,
        tokens=tokens,
        service=service,
        alerts=AlertIntake(AlertStore(db), service),
        messages=MessageStore(db),
    )


def _service(
    settings: ApiSettings, runner: IncidentRunner, targets: SandboxTargets, stack: ExitStack
) -> InvestigationService:
    """In-process by default; with ADSH_REDIS_URL, jobs for `adsh worker` processes."""
    if not settings.redis_url:
        return InvestigationService(runner, targets, settings)
    client = redis_client(settings)
    stack.callback(client.close)
    return QueuedInvestigationService(runner, targets, settings, client)


def _mount_console(app: FastAPI) -> None:
    app.mount("/console", StaticFiles(directory=CONSOLE), name="console")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(CONSOLE / "index.html", headers={"Cache-Control": "no-store"})
