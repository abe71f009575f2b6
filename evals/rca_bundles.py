"""Root-cause eval on labelled telemetry bundles: AC@1/AC@3 overall and by fault kind."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

from tools.analysis.bundle_rca import diagnose
from tools.bundle import read_bundle

# Fault kinds in labelled data -> the fault type the analysis names for them.
KIND_TO_FAULT = {
    "cpu_contention": "cpu_saturation",
    "cpu_consumed": "cpu_saturation",
    "cpu_saturation": "cpu_saturation",
    "network_delay": "network_delay",
    "memory_leak": "memory_leak",
}


class CaseOutcome(BaseModel):
    """One labelled case: where the truth ranked and how long the analysis took."""

    case: str
    service: str = Field(description="Labelled root-cause service")
    kind: str = Field(description="Labelled fault kind")
    ranked: list[str] = Field(description="Services as ranked, best first (top 5)")
    fault_type: str = Field(description="Fault type named for the top hypothesis")
    seconds: float

    @property
    def hit1(self) -> bool:
        return self.ranked[:1] == [self.service]

    @property
    def hit3(self) -> bool:
        return self.service in self.ranked[:3]


class KindScore(BaseModel):
    kind: str
    cases: int
    ac1: float
    ac3: float


class RcaReport(BaseModel):
    """Scores over every case of a labelled folder."""

    cases: int
    ac1: float
    ac3: float
    by_kind: list[KindScore]
    fault_type_accuracy: float = Field(description="Over kinds with a known fault-type name")
    mean_seconds: float
    max_seconds: float
    outcomes: list[CaseOutcome]


def load_truth(folder: Path) -> dict[str, dict[str, str]]:
    path = folder / "truth.json"
    if not path.exists():
        raise ValueError(f"{path}: missing; expected {{case: {{service, fault}}}} next to cases")
    truth = json.loads(path.read_text(encoding="utf-8"))
    for case, label in truth.items():
        if not isinstance(label, dict) or not {"service", "fault"} <= set(label):
            raise ValueError(f"{path}: case {case!r} needs 'service' and 'fault'")
    return dict(truth)


def run_case(folder: Path, case: str, label: dict[str, str]) -> CaseOutcome:
    began = time.perf_counter()
    diagnosis = diagnose(read_bundle(folder / case))
    top = diagnosis.root_causes[:5]
    return CaseOutcome(
        case=case,
        service=label["service"],
        kind=label["fault"],
        ranked=[h.service for h in top],
        fault_type=top[0].fault_type if top else "unknown",
        seconds=round(time.perf_counter() - began, 3),
    )


def _score(outcomes: list[CaseOutcome]) -> tuple[float, float]:
    n = max(1, len(outcomes))
    return sum(o.hit1 for o in outcomes) / n, sum(o.hit3 for o in outcomes) / n


def summarise(outcomes: list[CaseOutcome]) -> RcaReport:
    kinds = sorted({o.kind for o in outcomes})
    by_kind = []
    for kind in kinds:
        ac1, ac3 = _score([o for o in outcomes if o.kind == kind])
        count = sum(o.kind == kind for o in outcomes)
        by_kind.append(KindScore(kind=kind, cases=count, ac1=round(ac1, 3), ac3=round(ac3, 3)))
    typed = [o for o in outcomes if o.kind in KIND_TO_FAULT]
    right = sum(o.fault_type == KIND_TO_FAULT[o.kind] for o in typed)
    ac1, ac3 = _score(outcomes)
    seconds = [o.seconds for o in outcomes] or [0.0]
    return RcaReport(
        cases=len(outcomes),
        ac1=round(ac1, 3),
        ac3=round(ac3, 3),
        by_kind=by_kind,
        fault_type_accuracy=round(right / max(1, len(typed)), 3),
        mean_seconds=round(sum(seconds) / len(seconds), 3),
        max_seconds=max(seconds),
        outcomes=outcomes,
    )


def evaluate(
    folder: Path, progress: Callable[[int, int, CaseOutcome], None] | None = None
) -> RcaReport:
    """Analyze every labelled case in `folder` (FOLDER/<case>/ with FOLDER/truth.json)."""
    truth = load_truth(folder)
    outcomes = []
    for index, case in enumerate(sorted(truth), start=1):
        outcome = run_case(folder, case, truth[case])
        outcomes.append(outcome)
        if progress:
            progress(index, len(truth), outcome)
    return summarise(outcomes)
