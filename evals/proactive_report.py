"""`adsh eval run --suite proactive`: run the proactive suite and write report.json/.md."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml

from evals.cases import SUITES_DIR, parse_seeds
from evals.proactive import false_alarms_per_day, run_burn
from evals.proactive_feedback import feedback_test
from sandbox.slow_burn import SLOW_BURNS
from tools.files import write_atomically

SUITE = "proactive"


def is_proactive(suite: str) -> bool:
    """True for suites that the proactive runner handles (`kind: proactive`)."""
    path = SUITES_DIR / f"{suite}.yaml"
    return path.exists() and yaml.safe_load(path.read_text(encoding="utf-8")).get("kind") == SUITE


def run_proactive(
    suite: str, out: Path, seeds_cap: int | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Run the suite, write the reports under `out`, return (report, gate failures)."""
    spec = yaml.safe_load((SUITES_DIR / f"{suite}.yaml").read_text(encoding="utf-8"))
    names = list(SLOW_BURNS) if spec["scenarios"] == "all" else list(spec["scenarios"])
    seeds = parse_seeds(str(spec["seeds"]))[: seeds_cap or None]
    results = run_suite(names, seeds, parse_seeds(str(spec["week_seeds"])))
    command = f"adsh eval run --suite {suite}" + (f" --seeds {seeds_cap}" if seeds_cap else "")
    metrics = _metrics(results)
    report = {"suite": suite, "command": command, **results, "metrics": metrics}
    failures = _gate(metrics, spec.get("gates", {}))
    out.mkdir(parents=True, exist_ok=True)
    write_atomically(out / "report.json", json.dumps(report, indent=2))
    write_atomically(out / "report.md", render_markdown(report, failures))
    return report, failures


def run_suite(scenarios: list[str], seeds: list[int], week_seeds: list[int]) -> dict[str, Any]:
    """Every scenario x seed, the normal weeks and the feedback test, as one report dict."""
    burns = []
    for name in scenarios:
        for seed in seeds:
            result = run_burn(SLOW_BURNS[name], seed)
            burns.append(asdict(result) | {"passed": result.passed})
    weeks = []
    for seed in week_seeds:
        per_day, alarms = false_alarms_per_day(seed)
        weeks.append({"seed": seed, "per_day": per_day, "alarms": alarms})
    return {"burns": burns, "weeks": weeks, "feedback": feedback_test(seeds[0])}


def _metrics(results: dict[str, Any]) -> dict[str, float]:
    burns, weeks = results["burns"], results["weeks"]
    errors = [b["relative_error"] for b in burns if b["relative_error"] is not None]
    leads = [b["lead_seconds"] for b in burns if b["lead_seconds"] is not None]
    return {
        "burns_passed": sum(b["passed"] for b in burns) / len(burns),
        "predicted_before_threshold": sum(b["alarmed"] for b in burns) / len(burns),
        "prevented": sum(b["prevented"] for b in burns) / len(burns),
        "max_relative_error": max(errors, default=float("inf")),
        "min_lead_hours": min(leads, default=0.0) / 3600,
        "max_false_alarms_per_day": max(w["per_day"] for w in weeks),
        "feedback_passed": float(results["feedback"]["passed"]),
    }


def _gate(metrics: dict[str, float], gates: dict[str, float]) -> list[str]:
    failures = [f"{name} = {metrics[name]:.3f} > {limit}" for name, limit in gates.items()
                if metrics[name] > limit]  # fmt: skip
    for name in ("burns_passed", "feedback_passed"):
        if metrics[name] < 1.0:
            failures.append(f"{name} = {metrics[name]:.3f} < 1.0")
    return failures


def render_markdown(report: dict[str, Any], failures: list[str]) -> str:
    """The report as Markdown: one line per slow burn run, the weeks, the feedback test."""
    lines = [f"# Eval report: {report['suite']}", "", f"Command: `{report['command']}`", "",
             "| scenario | seed | alarmed | lead (h) | predicted (h) | error | prevented "
             "| impact without action |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for b in report["burns"]:
        lead = "-" if b["lead_seconds"] is None else f"{b['lead_seconds'] / 3600:.1f}"
        pred = "-" if b["predicted_seconds"] is None else f"{b['predicted_seconds'] / 3600:.1f}"
        err = "-" if b["relative_error"] is None else f"{b['relative_error']:.1%}"
        lines.append(f"| {b['scenario']} | {b['seed']} | {b['alarmed']} | {lead} | {pred} | {err} "
                     f"| {b['prevented']} | {b['impact_without_action']} |")  # fmt: skip
    lines += ["", "| normal week seed | false alarms / day | alarms |", "|---|---|---|"]
    for w in report["weeks"]:
        lines.append(f"| {w['seed']} | {w['per_day']:.2f} | {', '.join(w['alarms']) or '-'} |")
    fb = report["feedback"]
    lines += ["", f"Feedback on {fb['signal']}: false alarms {fb['false_alarms_before']} → "
              f"{fb['false_alarms_after']} (sensitivity {fb['sensitivity']:.2f}); injected leak "
              f"detected: {fb['fault_detected']} "
              f"(lead {(fb['fault_lead_seconds'] or 0) / 3600:.1f} h)",
              "", "## Metrics", ""]  # fmt: skip
    lines += [f"- {name}: {value:.3f}" for name, value in report["metrics"].items()]
    lines += ["", "Gates: " + ("all passed" if not failures else "; ".join(failures)), ""]
    return "\n".join(lines)
