"""`adsh health` and `adsh feedback`: the predicted health of a system and operator verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from agents.predictor import check_signal
from api.cli_support import console, one_line_errors, os_user
from api.health_view import sandbox_health
from evals.proactive_report import run_proactive
from graphs.settings import Settings
from graphs.stores import stores_of
from memory.feedback import Verdict


@one_line_errors
def health(
    env: Annotated[str, typer.Option(help="Sandbox environment id")] = "health",
    seed: Annotated[int, typer.Option(help="Seed when the environment is created")] = 0,
    json_output: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Current anomalies, capacity and failure predictions, trends and recommended actions."""
    settings = Settings()
    with stores_of(settings) as stores:
        report = sandbox_health(settings.sandbox_dir, env, seed, stores.feedback)
    if json_output:
        console.print_json(report.model_dump_json())
        return
    console.print(f"anomalies: {', '.join(report.anomalies) or 'none'}")
    for p in report.capacity_predictions + report.failure_predictions:
        low, high = p.interval_seconds
        console.print(
            f"{p.service}/{p.signal}: {p.current:.2f} → {p.threshold} in "
            f"{p.seconds_to_threshold / 3600:.1f} h (95%: {low / 3600:.1f} to "
            f"{'open' if high is None else f'{high / 3600:.1f}'} h, confidence {p.confidence:.2f})",
            markup=False,
        )
    for r in report.recommendations:
        console.print(f"[{r.type} {r.risk_level} {r.urgency}] {r.description}", markup=False)


@one_line_errors
def feedback(
    about: Annotated[str, typer.Argument(help="Incident or prediction id the verdict is about")],
    service: Annotated[str, typer.Option(help="Service of the detection or prediction")],
    signal: Annotated[str, typer.Option(help="Signal, e.g. memory_util")],
    false_alarm: Annotated[
        bool, typer.Option("--false-alarm", help="It was a false alarm")
    ] = False,
    miss: Annotated[bool, typer.Option("--miss", help="A real problem was missed")] = False,
    actor: Annotated[
        str | None, typer.Option("--as", help="Who gives the verdict (default: OS user)")
    ] = None,
) -> None:
    """Mark a detection or prediction as a false alarm or a miss; sensitivity adapts."""
    if false_alarm == miss:
        raise ValueError("give exactly one of --false-alarm or --miss")
    check_signal(signal)
    verdict: Verdict = "false_alarm" if false_alarm else "miss"
    with stores_of(Settings()) as stores:
        after = stores.feedback.record(service, signal, verdict, about, actor=actor or os_user())
    console.print(f"{service}/{signal}: sensitivity now {after:.2f}", markup=False)


def eval_proactive(suite: str, out: Path, seeds: int | None) -> list[str]:
    """Run a proactive suite for `adsh eval run`; print where the report went."""
    report, failures = run_proactive(suite, out, seeds)
    for name, value in report["metrics"].items():
        console.print(f"{name}: {value:.3f}", markup=False)
    console.print(f"report: {out / 'report.md'}", markup=False)
    console.print(json.dumps(report["feedback"]), markup=False)
    return failures
