"""Runs eval cases through the real loop against a fresh sandbox per case."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from api.targets import SandboxTargets
from evals.cases import EvalCase
from evals.scoring import CaseResult, score_case
from graphs.lifecycle import Status
from graphs.process_heap import freeze_startup_heap
from graphs.runner import IncidentRunner, open_runner
from graphs.settings import Settings
from graphs.state import IncidentState, Trigger
from memory.runbooks import RunbookCatalog, load_catalog
from sandbox.environment import SandboxEnvironment
from sandbox.model import seconds_until

LEAD_SECONDS = 600
HERRING_DELAY_SECONDS = 60
APPROVERS = ("eval-approver-1", "eval-approver-2", "eval-approver-3")

Progress = Callable[[EvalCase, CaseResult], None]


class SuiteRun:
    """One data directory, one runner per catalog variant, kept open for the whole suite."""

    def __init__(self, work_dir: Path, memory: bool | None = None) -> None:
        settings = Settings(data_dir=work_dir)
        self.settings = (
            settings if memory is None else settings.model_copy(update={"memory": memory})
        )
        self.targets = SandboxTargets(self.settings.sandbox_dir)
        self._stack = contextlib.ExitStack()
        self._runners: dict[tuple[str, ...], IncidentRunner] = {}

    def close(self) -> None:
        self._stack.close()

    def runner(self, without: tuple[str, ...]) -> IncidentRunner:
        if without not in self._runners:
            catalog = _catalog_without(load_catalog(), without)
            self._runners[without] = self._stack.enter_context(
                open_runner(self.settings, self.targets, catalog=catalog)
            )
            freeze_startup_heap()  # a suite runs hundreds of investigations in this process
        return self._runners[without]

    def run(self, case: EvalCase) -> CaseResult:
        run = self.runner(case.catalog_without)
        incident_id = run.new_id(Trigger(scenario=case.id, seed=case.seed))
        fault_start = self._prepare(incident_id, case)
        trigger = Trigger(
            kind="scenario",
            scenario=case.id,
            seed=case.seed,
            target={"kind": "sandbox", "env_id": incident_id},
            summary=f"eval case {case.id}",
        )
        state = _drive(run, run.start(incident_id, trigger, "eval-requester"))
        env = SandboxEnvironment.load(self.settings.sandbox_dir, incident_id)
        return score_case(case, state, _history(run, incident_id), env.is_healthy(), fault_start)

    def _prepare(self, env_id: str, case: EvalCase) -> int:
        env = SandboxEnvironment.create(
            self.settings.sandbox_dir, env_id, case.seed, topology=case.topology
        )
        env.state.noise_scale = case.noise
        if case.load != "steady":
            env.advance(seconds_until(env.now(), case.load))
        start = env.now()
        for fault in case.faults:
            env.inject(fault.type, fault.service)
        if case.red_herring_deploy:
            env.advance(HERRING_DELAY_SECONDS)
            env.deploy(case.red_herring_deploy)
            env.advance(LEAD_SECONDS - HERRING_DELAY_SECONDS)
        else:
            env.advance(LEAD_SECONDS)
        env.save()
        return start


def _drive(run: IncidentRunner, state: IncidentState) -> IncidentState:
    """Approve as distinct eval approvers until the incident stops waiting."""
    approvers = iter(APPROVERS)
    while state.status is Status.AWAITING_APPROVAL:
        state = run.decide(state.id, next(approvers), "approve", "eval policy: approve")
    return state


def _history(run: IncidentRunner, incident_id: str) -> list[IncidentState]:
    snapshots = list(run.app.get_state_history({"configurable": {"thread_id": incident_id}}))
    return [
        IncidentState.model_validate(s.values)
        for s in reversed(snapshots)
        if s.values and s.values.get("id")
    ]


def _catalog_without(catalog: RunbookCatalog, fault_types: tuple[str, ...]) -> RunbookCatalog:
    kept = tuple(rb for rb in catalog.runbooks if rb.match.fault_type not in fault_types)
    return RunbookCatalog(runbooks=kept)


@contextlib.contextmanager
def suite_run(work_dir: Path, memory: bool | None = None) -> Iterator[SuiteRun]:
    """A SuiteRun closed on exit; `memory` overrides ADSH_MEMORY when given."""
    run = SuiteRun(work_dir, memory)
    try:
        yield run
    finally:
        run.close()


def run_cases(
    cases: list[EvalCase],
    work_dir: Path,
    progress: Progress | None = None,
    repeat_dir: Path | None = None,
) -> list[CaseResult]:
    """Run every case; with repeat_dir, run each again there and record determinism."""
    results = []
    with suite_run(work_dir) as first, contextlib.ExitStack() as stack:
        second = stack.enter_context(suite_run(repeat_dir)) if repeat_dir else None
        for case in cases:
            result = first.run(case)
            if second is not None:
                again = second.run(case)
                result = result.model_copy(
                    update={"deterministic": again.transcript_hash == result.transcript_hash}
                )
            results.append(result)
            if progress:
                progress(case, result)
    return results
