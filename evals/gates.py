"""Threshold gates kept in the repo (evals/thresholds.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

THRESHOLDS = Path(__file__).with_name("thresholds.yaml")


def gate_failures(suite: str, metrics: dict[str, Any], path: Path = THRESHOLDS) -> list[str]:
    """Each metric outside its threshold, as a readable line; [] when the suite passes."""
    gates = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(suite)
    if not gates:
        return []
    failures = []
    for name, minimum in (gates.get("min") or {}).items():
        value = metrics.get(name)
        if value is None or value < minimum:
            failures.append(f"{name} = {value}, needs >= {minimum}")
    for name, maximum in (gates.get("max") or {}).items():
        value = metrics.get(name)
        if value is None or value > maximum:
            failures.append(f"{name} = {value}, needs <= {maximum}")
    return failures


def has_gates(suite: str, path: Path = THRESHOLDS) -> bool:
    return bool((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(suite))
