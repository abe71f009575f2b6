"""Executor: a step runs once per idempotency key, even when asked again."""

from pathlib import Path
from typing import Any

from agents.executor import idempotency_key, run_step
from memory.action_log import ActionLog
from tools.actions import ActionOutcome


class CountingAdapter:
    """Records every perform call; dedupes keys like a well-behaved target."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.done: dict[str, ActionOutcome] = {}

    def supported_actions(self) -> list[str]:
        return ["restart_service"]

    def perform(
        self, action: str, target: str, params: dict[str, Any], idempotency_key: str
    ) -> ActionOutcome:
        self.calls.append(idempotency_key)
        if idempotency_key in self.done:
            return self.done[idempotency_key].model_copy(update={"status": "duplicate"})
        self.done[idempotency_key] = ActionOutcome(status="succeeded", data={"n": 1})
        return self.done[idempotency_key]


class FixedClock:
    def now(self) -> int:
        return 100

    def sleep(self, seconds: int) -> None:
        return None


def _run(log: ActionLog, adapter: CountingAdapter, key: str) -> Any:
    return run_step(
        incident_id="inc",
        key=key,
        phase="execute",
        step=0,
        action="restart_service",
        target="api",
        params={},
        adapter=adapter,
        log=log,
        clock=FixedClock(),
    )


def test_finished_step_is_not_performed_again(tmp_path: Path) -> None:
    log, adapter = ActionLog(tmp_path / "a.sqlite"), CountingAdapter()
    key = idempotency_key("inc", 1, "execute", 0, "restart_service")
    first = _run(log, adapter, key)
    again = _run(log, adapter, key)
    assert adapter.calls == [key]
    assert first == again
    assert first.status == "succeeded"


def test_step_started_before_a_crash_is_asked_again_under_the_same_key(tmp_path: Path) -> None:
    log, adapter = ActionLog(tmp_path / "a.sqlite"), CountingAdapter()
    key = "inc/a1/execute/0/restart_service"
    adapter.perform("restart_service", "api", {}, key)  # the target did it, then we crashed
    log.begin(
        key,
        incident_id="inc",
        phase="execute",
        step=0,
        action="restart_service",
        target="api",
        params={},
        at=1,
    )
    record = _run(log, adapter, key)
    assert record.status == "succeeded"
    assert len(adapter.done) == 1  # the target applied it once


def test_keys_differ_per_step_phase_and_attempt() -> None:
    keys = {
        idempotency_key("inc", 1, "execute", 0, "a"),
        idempotency_key("inc", 1, "execute", 1, "a"),
        idempotency_key("inc", 2, "execute", 0, "a"),
        idempotency_key("inc", 1, "rollback", 0, "a"),
    }
    assert len(keys) == 4
