"""Assembles the commands that live in their own modules (eval, analyze, detect, ...)."""

from __future__ import annotations

import typer

from api.cli_bundle import analyze, eval_rca
from api.cli_checkpoints import checkpoints_app
from api.cli_eval_memory import eval_memory
from api.cli_evals_run import eval_compare, eval_run
from api.cli_health import feedback, health
from api.cli_memory import memory_app
from api.cli_nab import detect, eval_nab
from api.cli_runbooks import resolve_command, runbooks_app
from api.cli_sandbox import sandbox_app
from api.cli_sandbox_export import export
from api.cli_worker import worker
from api.watch import watch

eval_app = typer.Typer(help="Offline evals: scenario suites, real-telemetry RCA, NAB.",
                       no_args_is_help=True)  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add the eval and sandbox groups and the offline-analysis commands to the main CLI."""
    app.add_typer(eval_app, name="eval")
    eval_app.command("run")(eval_run)
    eval_app.command("compare")(eval_compare)
    eval_app.command("memory")(eval_memory)
    app.command("analyze")(analyze)
    eval_app.command("rca")(eval_rca)
    app.command("detect")(detect)
    eval_app.command("nab")(eval_nab)
    app.add_typer(sandbox_app, name="sandbox")
    sandbox_app.command("export")(export)
    app.add_typer(memory_app, name="memory")
    app.add_typer(runbooks_app, name="runbooks")
    app.add_typer(checkpoints_app, name="checkpoints")
    app.command("resolve")(resolve_command)
    app.command("worker")(worker)
    app.command("health")(health)
    app.command("feedback")(feedback)
    app.command("watch")(watch)
