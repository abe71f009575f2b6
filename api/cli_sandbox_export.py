"""`adsh sandbox export`: a sandbox incident's telemetry written as a telemetry bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli_support import ScenarioOption, SeedOption, console, one_line_errors
from sandbox.export import ExportRequest, export_bundle
from sandbox.scenarios import DEFAULT_SCENARIO


@one_line_errors
def export(
    scenario: ScenarioOption = DEFAULT_SCENARIO,
    seed: SeedOption = 1,
    out: Annotated[
        Path | None, typer.Option("--out", help="Bundle folder (default: ./bundle-SCENARIO-sSEED)")
    ] = None,
    minutes_before: Annotated[
        int, typer.Option("--minutes-before", min=2, help="Minutes before the fault (baseline)")
    ] = 60,
    minutes_after: Annotated[
        int, typer.Option("--minutes-after", min=1, help="Minutes after the fault is injected")
    ] = 20,
) -> None:
    """Inject a scenario's fault and write its telemetry as a bundle for 'adsh analyze'."""
    request = ExportRequest(scenario, seed, minutes_before, minutes_after)
    target = out if out is not None else Path(f"bundle-{scenario}-s{seed}")
    summary = export_bundle(request, target)
    console.print(
        f"wrote {summary.path}: {summary.metric_rows} metric rows, {summary.log_lines} log "
        f"lines, {summary.spans} spans; fault injected at {summary.start}",
        highlight=False,
    )
    console.print(f"analyze it: adsh analyze --bundle {summary.path}", highlight=False)
