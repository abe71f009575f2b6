"""The crash test: three `adsh worker` processes, one SIGKILLed every few seconds, finish
200 investigations on PostgreSQL + Redis with no action run twice and no approval lost."""

from __future__ import annotations

import random
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from api.fleet.service import QueuedInvestigationService
from api.investigations import IncidentBusy
from api.settings import ApiSettings
from api.targets import SandboxTargets
from graphs.lifecycle import TERMINAL, Status
from graphs.runner import IncidentRunner, NotAwaitingApproval, open_runner
from sandbox.environment import SandboxEnvironment
from tests.fleet.support import fleet_env, spawn_worker, stop, wait_for

CHEAP = ["memory-leak-catalog", "cpu-saturation-inventory", "pool-exhaustion-inventory"]
NEEDS_APPROVAL = ["certificate-expiry-auth", "config-error-payment"]  # HIGH: one approval
TOTAL, APPROVED = 200, 20
WORKERS, KILL_EVERY = 3, 3.0


class Fleet:
    """Worker subprocesses; chaos() kills a random one every few seconds and starts another."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.log_of: dict[subprocess.Popen[bytes], Path] = {}
        self.workers = [self.spawn() for _ in range(WORKERS)]
        self.kills = 0
        self.done = threading.Event()
        self._turn = threading.Lock()  # a kill-and-respawn is never half done when stopping

    def spawn(self) -> subprocess.Popen[bytes]:
        log = self.logs / f"worker-{time.monotonic_ns()}.log"
        worker = spawn_worker(self.env, log)
        self.log_of[worker] = log
        return worker

    def chaos(self) -> None:
        rng = random.Random(8)
        while not self.done.wait(KILL_EVERY):
            with self._turn:
                if self.done.is_set():
                    return
                victim = self.workers.pop(rng.randrange(len(self.workers)))
                victim.kill()
                victim.wait()
                self.kills += 1
                self.workers.append(self.spawn())

    def stop(self) -> list[int]:
        """SIGTERM every worker once it is serving (one still starting has no handler yet:
        the signal would kill it before it could stop cleanly); their exit statuses."""
        self.done.set()
        with self._turn:
            for worker in self.workers:
                wait_for(lambda w=worker: self._serving(w), 120, "a respawned worker to start")
            return [stop(worker) for worker in self.workers]

    def _serving(self, worker: subprocess.Popen[bytes]) -> bool:
        return worker.poll() is not None or "adsh worker:" in self.log_of[worker].read_text()


@pytest.fixture
def crash_settings(fleet_settings: ApiSettings, pg_url: str) -> ApiSettings:
    fields = {**fleet_settings.model_dump(), "database_url": pg_url}
    return ApiSettings.model_validate({**fields, "worker_reclaim_idle_seconds": 3.0})


@pytest.fixture
def api(
    crash_settings: ApiSettings, client: redis.Redis
) -> Iterator[tuple[QueuedInvestigationService, IncidentRunner]]:
    targets = SandboxTargets(crash_settings.sandbox_dir)
    with open_runner(crash_settings, targets) as runner:
        service = QueuedInvestigationService(runner, targets, crash_settings, client)
        service.start()
        yield service, runner
        service.stop()


def approve_when_waiting(
    service: QueuedInvestigationService, waiting: set[str], sent: set[str], done: threading.Event
) -> None:
    """The test's approver: approve each HIGH incident once it waits, through the queue."""
    while not done.wait(0.2):
        for incident in sorted(waiting - sent):
            if service.board.status(incident) != Status.AWAITING_APPROVAL.value:
                continue
            try:
                service.decide(incident, "ana", "approve", "chaos approval")
            except (IncidentBusy, NotAwaitingApproval):
                continue  # a worker holds it right now: next round
            sent.add(incident)


@pytest.mark.slow
def test_workers_killed_at_random_lose_nothing_and_repeat_nothing(
    api: tuple[QueuedInvestigationService, IncidentRunner], crash_settings: ApiSettings,
    tmp_path: Path,
) -> None:  # fmt: skip
    service, runner = api
    fleet = Fleet(fleet_env(crash_settings), tmp_path)
    chaos = threading.Thread(target=fleet.chaos, daemon=True)
    chaos.start()
    waiting: set[str] = set()
    sent: set[str] = set()
    approver = threading.Thread(
        target=approve_when_waiting, args=(service, waiting, sent, fleet.done), daemon=True
    )
    approver.start()
    incidents = []
    try:
        for n in range(TOTAL):
            needs_approval = n % (TOTAL // APPROVED) == 0
            choices = NEEDS_APPROVAL if needs_approval else CHEAP
            scenario = choices[n % len(choices)]
            incident = service.trigger_scenario(scenario, n, "olga")
            incidents.append(incident)
            if needs_approval:
                waiting.add(incident)

        def all_final() -> bool:
            statuses = service.board.statuses()
            return all(
                statuses.get(i) in {s.value for s in TERMINAL} and not service.is_busy(i)
                for i in incidents
            )

        wait_for(all_final, 420, "every investigation to reach a final state", every=1.0)
    finally:
        codes = fleet.stop()
        chaos.join(10)
        approver.join(10)
    assert fleet.kills >= 5, f"the chaos loop only killed {fleet.kills} workers"
    logs = "".join(path.read_text() for path in tmp_path.glob("worker-*.log"))
    assert " reclaimed " in logs  # some kills hit a job in flight, and it was taken over
    assert all(code == 0 for code in codes), codes
    assert_every_incident_final(runner, incidents, waiting)
    assert_no_action_twice(runner, crash_settings, incidents)
    assert sent == waiting


def assert_every_incident_final(
    runner: IncidentRunner, incidents: list[str], approved: set[str]
) -> None:
    for incident in incidents:
        state = runner.get(incident)
        assert state.status in TERMINAL, f"{incident} ended {state.status}"
        assert runner.pending_request(incident) is None
        if incident in approved:  # no approval lost: counted, and the plan ran
            assert state.counted_approvers() == {"ana"}, incident
            assert state.status is Status.COMPLETED, f"{incident} ended {state.status}"


def assert_no_action_twice(
    runner: IncidentRunner, settings: ApiSettings, incidents: list[str]
) -> None:
    performed_total = 0
    for incident in incidents:
        env = SandboxEnvironment.load(settings.sandbox_dir, incident)
        performed = [a.idempotency_key for a in env.state.actions]
        assert len(performed) == len(set(performed)), f"{incident}: {performed}"
        logged = runner.log.for_incident(incident)
        assert {e.idempotency_key for e in logged} == set(performed), incident
        assert all(e.status != "started" for e in logged), incident
        performed_total += len(performed)
    assert performed_total >= len(incidents)  # every plan did something
