"""Execution nodes: one action per step, verification, and step-by-step rollback."""

from __future__ import annotations

from typing import Any, Literal

from langgraph.runtime import Runtime

from agents import monitor, proactive
from agents.action_catalog import rollback_for
from agents.executor import Phase, idempotency_key, run_step
from agents.guardrails import hard_violations
from agents.models import Action, ExecutionRecord
from graphs.context import LoopContext
from graphs.lifecycle import Status
from graphs.state import IncidentState
from graphs.timeline import move, stay
from tools.analysis.models import RecoveryReport


class ExecutionRefused(RuntimeError):
    """The executor's last line of defence: an action reached it without its clearance."""


def execute(state: IncidentState, runtime: Runtime[LoopContext]) -> dict[str, Any]:
    """Run the next step of the plan under its idempotency key."""
    ctx = runtime.context
    assert state.plan is not None
    action = state.plan.steps[state.next_step]
    _check_clearance(state, action)
    key = idempotency_key(state.id, state.plan.attempt, "execute", state.next_step, action.name)
    record = _perform(
        ctx, state.id, key, "execute", state.next_step, action.name, action.target, action.params
    )
    message = f"step {state.next_step + 1}/{len(state.plan.steps)} {action.name}({action.target})"
    message += f": {record.status}" + (f" - {record.detail}" if record.detail else "")
    fields = {"executions": [record], "next_step": state.next_step + 1}
    if state.status is Status.EXECUTING:
        return stay(state, ctx.clock.now(), "execute", message, **fields)
    return move(state, Status.EXECUTING, ctx.clock.now(), "execute", message, **fields)


def _check_clearance(state: IncidentState, action: Action) -> None:
    if violations := hard_violations([action]):
        raise ExecutionRefused("; ".join(violations))
    assert state.risk is not None
    if not state.approval_satisfied():
        raise ExecutionRefused(
            f"{action.name} needs {state.risk.required_approvals} approval(s),"
            f" has {len(state.counted_approvers())}"
        )


def route_after_execute(state: IncidentState) -> Literal["execute", "verify", "rollback"]:
    assert state.plan is not None
    if state.executions and state.executions[-1].status == "failed":
        return "rollback"
    return "execute" if state.next_step < len(state.plan.steps) else "verify"


def verify(state: IncidentState, runtime: Runtime[LoopContext]) -> dict[str, Any]:
    """Wait out the verification window (logical time in the sandbox), then check recovery."""
    ctx = runtime.context
    acted_at = max(record.at for record in _forward_steps(state))
    wait = acted_at + ctx.monitor.verify_seconds - ctx.clock.now()
    if wait > 0:
        ctx.clock.sleep(wait)
    now = ctx.clock.now()
    if state.trigger.prediction is not None:
        result = proactive.verify_prediction(
            ctx.source, state.trigger.prediction, acted_at, now, ctx.monitor.verify_seconds
        )
    else:
        result = monitor.verify(
            ctx.source,
            state.history_start,
            state.history_end or state.window_start,
            acted_at,
            now,
            ctx.monitor,
        )
    verdict = "recovered" if result.report.recovered else "not recovered"
    if _partial(state, result.report):
        verdict = f"partially recovered ({state.plan.target if state.plan else '?'} is back)"
    message = f"{verdict}: {result.report.summary}".rstrip(": ")
    return move(state, Status.VALIDATING, now, "verify", message, verification=result)


MAX_DIAGNOSIS_ROUNDS = 3
"""A partial recovery may send the loop back to diagnosis this many times in all."""


def route_after_verify(state: IncidentState) -> Literal["learn", "rollback", "detect"]:
    """Recovered: learn. The fix healed its target but something else is wrong: diagnose
    again (keeping the fix). Otherwise the fix did not help: roll it back."""
    assert state.verification is not None
    report = state.verification.report
    if report.recovered:
        return "learn"
    if _partial(state, report) and state.diagnosis_rounds < MAX_DIAGNOSIS_ROUNDS:
        return "detect"
    return "rollback"


def _partial(state: IncidentState, report: RecoveryReport) -> bool:
    """The plan's target is back within baseline while other services are not."""
    if state.plan is None or report.recovered or not report.still_anomalous:
        return False
    return state.plan.target not in {a.service for a in report.still_anomalous}


def rollback(state: IncidentState, runtime: Runtime[LoopContext]) -> dict[str, Any]:
    """Undo the next executed step, newest first (one step per visit)."""
    ctx = runtime.context
    assert state.plan is not None
    done = list(reversed(_forward_steps(state)))
    fields: dict[str, Any] = {"rollback_step": state.rollback_step + 1}
    if state.rollback_step == 0 and state.plan.runbook_id:
        fields["failed_runbooks"] = [*state.failed_runbooks, state.plan.runbook_id]
    if state.rollback_step >= len(done):
        fields["rollback_step"] = state.rollback_step
        return _rolled_back(state, ctx, "no executed step to undo", fields)
    record = done[state.rollback_step]
    undo = rollback_for(state.plan.steps[record.step], record.data)
    if undo is None:
        message = f"nothing to undo for {record.action}({record.target})"
    else:
        fields["executions"] = [_undo(state, ctx, record, *undo)]
        message = f"rolled back {record.action}({record.target}) with {undo[0]}"
    return _rolled_back(state, ctx, message, fields)


def _rolled_back(
    state: IncidentState, ctx: LoopContext, message: str, fields: dict[str, Any]
) -> dict[str, Any]:
    if state.status is Status.ROLLED_BACK:
        return stay(state, ctx.clock.now(), "rollback", message, **fields)
    return move(state, Status.ROLLED_BACK, ctx.clock.now(), "rollback", message, **fields)


def _undo(
    state: IncidentState,
    ctx: LoopContext,
    record: ExecutionRecord,
    name: str,
    params: dict[str, Any],
) -> ExecutionRecord:
    assert state.plan is not None
    key = idempotency_key(state.id, state.plan.attempt, "rollback", record.step, name)
    return _perform(ctx, state.id, key, "rollback", record.step, name, record.target, params)


def _perform(
    ctx: LoopContext,
    incident_id: str,
    key: str,
    phase: Phase,
    step: int,
    action: str,
    target: str,
    params: dict[str, Any],
) -> ExecutionRecord:
    """One idempotent step as a recorded effect: a replay gets the record, never the action."""
    request = {"key": key, "action": action, "target": target, "params": params}
    return ctx.effect_session().call(
        "action",
        request,
        lambda: run_step(
            incident_id=incident_id,
            key=key,
            phase=phase,
            step=step,
            action=action,
            target=target,
            params=params,
            adapter=ctx.adapter,
            log=ctx.action_log,
            clock=ctx.unrecorded_clock(),
        ),
        ExecutionRecord,
    )


def _forward_steps(state: IncidentState) -> list[ExecutionRecord]:
    """Succeeded forward steps of the current plan attempt."""
    assert state.plan is not None
    marker = f"/a{state.plan.attempt}/execute/"
    return [r for r in state.executions if marker in r.idempotency_key and r.status != "failed"]


def route_after_rollback(
    state: IncidentState, runtime: Runtime[LoopContext]
) -> Literal["rollback", "plan", "escalate"]:
    assert state.plan is not None
    if state.rollback_step < len(_forward_steps(state)):
        return "rollback"
    return "plan" if state.plan.attempt < runtime.context.max_attempts else "escalate"
