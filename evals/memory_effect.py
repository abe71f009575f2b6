"""The learning effect: diagnosis accuracy on ambiguous cases with empty vs filled memory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, computed_field

from api.resolution import Resolution, resolve
from evals.cases import ACCEPTABLE, EvalCase, load_suite
from evals.runner import SuiteRun, suite_run
from evals.scoring import CaseResult

FILL_SEED_OFFSET = 1000
"""Earlier runs use seeds FILL_SEED_OFFSET + 1, + 2, ...: never a seed that is measured."""
RESOLVER = "eval-oncall"

Progress = Callable[[str, EvalCase, CaseResult], None]
"""(phase, case, result) after every run."""


class Accuracy(BaseModel):
    """How many cases the diagnosis got right (top hypothesis: injected service and type)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    suite: str
    cases: int
    correct: int
    completed: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def accuracy(self) -> float:
        return round(self.correct / self.cases, 4) if self.cases else 0.0


class MemoryEffect(BaseModel):
    """Empty memory (A0) against memory filled from earlier, confirmed runs (A1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    suite: str
    seeds: int
    fill_runs: int
    resolved_by_human: int
    empty: Accuracy
    filled: Accuracy
    distractors: Accuracy | None = None

    def summary(self) -> dict[str, object]:
        """The numbers, for --json and the docs."""
        data = self.model_dump(mode="json")
        data["A0"], data["A1"] = self.empty.accuracy, self.filled.accuracy
        if self.distractors is not None:
            data["distractor_accuracy_filled"] = self.distractors.accuracy
        return data


def measure(
    work_dir: Path,
    suite: str = "ambiguous",
    seeds: int = 5,
    fill: int = 3,
    distractors: str | None = None,
    progress: Progress | None = None,
) -> MemoryEffect:
    """A0: each case alone on an empty memory. A1: the same cases after earlier runs of the
    same patterns (other seeds) filled memory, escalated ones resolved by a human (the eval,
    from the injected truth) exactly as `adsh resolve` does."""
    _, cases = load_suite(suite, seeds)
    others = load_suite(distractors, seeds)[1] if distractors else []
    empty = [_alone(work_dir / "empty" / f"{i}", case, progress) for i, case in enumerate(cases)]
    with suite_run(work_dir / "filled", memory=True) as run:
        earlier = [_earlier(case, n) for case in _patterns(cases) for n in range(1, fill + 1)]
        earlier += [_earlier(case, n) for case in _patterns(others) for n in range(1, fill + 1)]
        resolved = sum(_fill(run, case, progress) for case in earlier)
        filled = [_run(run, "filled", case, progress) for case in cases]
        distracted = [_run(run, "distractor", case, progress) for case in others]
    return MemoryEffect(
        suite=suite,
        seeds=seeds,
        fill_runs=len(earlier),
        resolved_by_human=resolved,
        empty=_accuracy(suite, empty),
        filled=_accuracy(suite, filled),
        distractors=_accuracy(distractors, distracted) if distractors else None,
    )


def _alone(work_dir: Path, case: EvalCase, progress: Progress | None) -> CaseResult:
    """One case in its own fresh data directory: nothing in memory to recall."""
    with suite_run(work_dir, memory=True) as run:
        return _run(run, "empty", case, progress)


def _run(run: SuiteRun, phase: str, case: EvalCase, progress: Progress | None) -> CaseResult:
    result = run.run(case)
    if progress:
        progress(phase, case, result)
    return result


def _patterns(cases: list[EvalCase]) -> list[EvalCase]:
    """One case per pattern (the first seed of each case id prefix)."""
    seen: dict[str, EvalCase] = {}
    for case in cases:
        seen.setdefault(case.id.rsplit("/", 1)[0], case)
    return list(seen.values())


def _earlier(case: EvalCase, n: int) -> EvalCase:
    seed = FILL_SEED_OFFSET + n
    prefix = case.id.rsplit("/", 1)[0]
    return case.model_copy(update={"id": f"{prefix}/s{seed}", "seed": seed})


def _fill(run: SuiteRun, case: EvalCase, progress: Progress | None) -> bool:
    """Run an earlier incident; when it escalated, resolve it with the true cause and fix.

    Returns whether a human resolution was needed. A run that healed is already in memory
    as confirmed by recovery."""
    result = _run(run, "fill", case, progress)
    if result.status != "ESCALATED":
        return False
    runner = run.runner(case.catalog_without)
    incident = next(
        s for s in runner.list() if s.trigger.scenario == case.id and s.trigger.seed == case.seed
    )
    fault = case.faults[0]
    truth = Resolution(
        root_cause=f"{fault.service}:{fault.type}",
        fix=[ACCEPTABLE[fault.type][0]],
        notes="eval: the injected fault, as the on-call found it",
    )
    resolve(runner, incident.id, truth, RESOLVER)
    return True


def _accuracy(suite: str, results: list[CaseResult]) -> Accuracy:
    return Accuracy(
        suite=suite,
        cases=len(results),
        correct=sum(r.fault_type_correct for r in results),
        completed=sum(r.status == "COMPLETED" for r in results),
    )
