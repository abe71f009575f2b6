"""`adsh sandbox ...`: the simulated system as its own HTTP process."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli_support import one_line_errors

sandbox_app = typer.Typer(help="The simulated system: a live HTTP process, slow burns.",
                          no_args_is_help=True)  # fmt: skip


def serve(
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on")] = 9100,
    seed: Annotated[int, typer.Option(help="Seed of the simulation")] = 0,
    speed: Annotated[
        float, typer.Option(min=0.01, max=3600, help="Simulated seconds per wall second")
    ] = 1.0,
    data_dir: Annotated[
        Path | None, typer.Option(help="Where to keep its state (default: a temp dir)")
    ] = None,
) -> None:
    """Serve /metrics (Prometheus), /v1/logs|spans|events and the control API /v1/faults,
    /v1/actions, /v1/clock."""
    import uvicorn  # noqa: PLC0415 (only serve needs the server stack)

    from sandbox.server import create_app, create_live  # noqa: PLC0415

    live = create_live(seed, speed, data_dir)
    typer.echo(f"sandbox: http://{host}:{port}/metrics  speed {speed}x  seed {seed}")
    uvicorn.run(create_app(live), host=host, port=port, log_level="warning")


sandbox_app.command("serve")(serve)


@one_line_errors
def slow_burn(
    name: Annotated[str, typer.Argument(help="e.g. disk-filling-queue")],
    env: Annotated[str, typer.Option(help="Sandbox environment id (what adsh watch reads)")] = (
        "health"
    ),
    seed: Annotated[int, typer.Option(help="Seed when the environment is created")] = 0,
) -> None:
    """Start a slow burn in a sandbox environment now (created healthy if missing)."""
    from api.health_view import ensure_environment  # noqa: PLC0415
    from graphs.settings import Settings  # noqa: PLC0415
    from sandbox.slow_burn import get_slow_burn, start_in  # noqa: PLC0415

    try:
        burn = get_slow_burn(name)
    except KeyError as exc:
        raise ValueError(exc.args[0]) from None
    environment = ensure_environment(Settings().sandbox_dir, env, seed)
    fault = start_in(environment, burn)
    environment.save()
    rate = fault.detail["rate_per_day"]
    typer.echo(f"{name}: {fault.fault_type} on {fault.service} ramping {rate}/day "
               f"from {fault.start} in environment {env}")  # fmt: skip


sandbox_app.command("slow-burn")(slow_burn)
