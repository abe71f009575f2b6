"""Shared CLI plumbing: consoles, one-line errors, the runner over the configured data dir."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from api import render
from api.targets import SandboxTargets
from graphs.runner import (
    ApprovalRefused,
    IncidentNotFound,
    IncidentRunner,
    NotAwaitingApproval,
    open_runner,
)
from graphs.settings import Settings
from graphs.state import IncidentState
from memory.pg_store import DatabaseUnavailable
from sandbox.scenarios import UnknownScenarioError

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])
USER_ERRORS = (
    IncidentNotFound,
    NotAwaitingApproval,
    ApprovalRefused,
    UnknownScenarioError,
    ValidationError,
    ValueError,
    DatabaseUnavailable,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for other tools")]
SeedOption = Annotated[int, typer.Option("--seed", min=0, help="Sandbox seed")]
ScenarioOption = Annotated[str, typer.Option(help="Scenario name (see 'adsh scenarios')")]


def one_line_errors(func: F) -> F:
    """Turn expected failures into a one-line message and exit status 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except USER_ERRORS as exc:
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            errors.print(f"error: {message}".splitlines()[0], markup=False, highlight=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def runner() -> Iterator[tuple[IncidentRunner, SandboxTargets]]:
    settings = Settings()
    targets = SandboxTargets.from_settings(settings)
    with open_runner(settings, targets) as incident_runner:
        yield incident_runner, targets


def printer_for(json_output: bool) -> Callable[[IncidentState], None]:
    seen = {"n": 0}

    def on_update(state: IncidentState) -> None:
        if json_output:
            return
        for entry in state.timeline[seen["n"] :]:
            console.print(render.timeline_line(entry), highlight=False)
        seen["n"] = len(state.timeline)

    return on_update


def os_user() -> str:
    """Who runs the command, for requester and actor defaults."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"
