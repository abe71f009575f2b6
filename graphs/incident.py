"""The incident graph: detect, diagnose, plan, review, approve, execute, verify, learn.

Node names equal their function names. Export: `builder` (uncompiled), so tests, the CLI and
the API compile it with their own checkpointer; `graph` is compiled without one for
LangGraph's own tooling (langgraph.json).
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from agents import monitor, proactive
from agents.llm.planning import propose_plan
from agents.llm.risk_floor import apply_model_floor, vouched
from agents.models import Plan
from agents.planner import plan_remediation
from agents.predictor import FIT_WINDOW
from agents.safeguard import review as safeguard_review
from graphs.approval import await_approval, record_decision, request_approval, route_decision
from graphs.context import LoopContext
from graphs.execution import (
    execute,
    rollback,
    route_after_execute,
    route_after_rollback,
    route_after_verify,
    verify,
)
from graphs.learning import incident_record, runbook_outcomes
from graphs.lifecycle import Status
from graphs.provenance import with_effects
from graphs.state import IncidentState
from graphs.timeline import move, stay


def detect(state: IncidentState, runtime: Runtime[LoopContext]) -> dict[str, Any]:
    """Look for anomalies in the incident window against the baseline before it.

    After a partial recovery (a fix healed its target, something else is still wrong) the
    window starts once the fix settled, and the baseline stays the one before the incident.
    """
    ctx = runtime.context
    now = ctx.clock.now()
    step = ctx.source.step()
    history_start, start, end = monitor.windows(now, ctx.monitor, step)
    history_end = start
    if state.executions:
        history_start, history_end = state.history_start, state.history_end or state.window_start
        settled = max(r.at for r in state.executions) + ctx.monitor.settle_seconds
        start = max(start, settled - settled % step)
    anomalies = monitor.detect(ctx.source, history_start, start, end, history_end=history_end)
    services = sorted({a.service for a in anomalies})
    message = f"{len(anomalies)} anomalous signals" + (
        f" on {', '.join(services)}" if services else ""
    )
    if state.executions:
        message = "diagnosing again after a partial recovery: " + message
    return move(
        state,
        Status.ANALYZING,
        now,
        "detect",
        message,
        created_at=state.created_at or now,
        history_start=history_start,
        history_end=history_end,
        window_start=start,
        window_end=end,
        diagnosis_rounds=state.diagnosis_rounds + 1,
        diagnosis=monitor.Diagnosis(window_start=start, window_end=end, anomalies=anomalies),
    )


def forecast(state: IncidentState, runtime: Runtime[LoopContext]) -> dict[str, Any]:
    """A proactive incident: the prediction that opened it is the diagnosis; nothing failed."""
    ctx = runtime.context
    prediction = state.trigger.prediction
    assert prediction is not None
    now = ctx.clock.now()
    diagnosis = proactive.diagnosis_from(prediction, now)
    return move(
        state,
        Status.ANALYZING,
        now,
        "forecast",
        diagnosis.summary,
        created_at=state.created_at or now,
        history_start=prediction.at - FIT_WINDOW,
        history_end=prediction.at,
        window_start=prediction.at,
        window_end=now,
        diagnosis_rounds=state.diagnosis_rounds + 1,
        diagnosis=diagnosis,
    )


def route_start(state: IncidentState) -> Literal["detect", "forecast"]:
    """Proactive incidents enter at the prediction; every other trigger at detection."""
    return "forecast" if state.trigger.prediction is not None else "detect"


def route_after_detect(state: IncidentState) -> Literal["diagnose", "close", "verify"]:
    assert state.diagnosis is not None
    if state.diagnosis.anomalies:
        return "diagnose"
    return "verify" if state.executions else "close"  # re-diagnosis found nothing left


def close(state: IncidentState, runtime: Runtime[LoopContext]) -> dict[str, Any]:
    """L0: nothing anomalous (or a blip): log it and stop."""
    ctx = runtime.context
    receipt = ctx.notifier.notify({"event": "no_incident", "incident_id": state.id})
    return move(
        state,
        Status.RESOLVED_NO_ACTION,
        ctx.clock.now(),
        "close",
        "no persistent anomaly: alert only (L0)",
        notifications=[receipt],
    )


def diagnose(state: IncidentState, runtime: Runtime[LoopContext]) -> dict[str, Any]:
    """Rank root-cause hypotheses with evidence."""
    ctx = runtime.context
    assert state.diagnosis is not None
    diagnosis = monitor.diagnose(
        ctx.source,
        state.history_start,
        state.window_start,
        state.window_end,
        state.diagnosis.anomalies,
        recall=ctx.memory.recall,
        incident_id=state.id,
        history_end=state.history_end or None,
    )
    top = diagnosis.root_causes[0] if diagnosis.root_causes else None
    message = (
        f"top hypothesis {top.fault_type} at {top.service} ({top.score:.2f})"
        if top
        else ("no root-cause hypothesis")
    )
    return stay(state, ctx.clock.now(), "diagnose", message, diagnosis=diagnosis)


def plan(state: IncidentState, runtime: Runtime[LoopContext]) -> dict[str, Any]:
    """Choose a remediation (runbook) for the top hypothesis, or an escalation."""
    ctx = runtime.context
    assert state.diagnosis is not None
    attempt = state.plan.attempt + 1 if state.plan else 1
    top = state.diagnosis.root_causes[0] if state.diagnosis.root_causes else None
    proposal = plan_remediation(
        state.diagnosis,
        ctx.source.topology(),
        ctx.catalog,
        attempt=attempt,
        exclude=frozenset(state.failed_runbooks),
        stats=ctx.memory.runbook_stats(top.fault_type) if top else {},
    )
    llm: dict[str, Any] = {}
    message = proposal.summary
    if proposal.source == "escalation" and ctx.model().model():
        proposal, llm, message = _ask_model(state, ctx, proposal, attempt)
    return move(
        state,
        Status.PLANNING,
        ctx.clock.now(),
        "plan",
        message,
        **llm,
        plan=proposal,
        risk=None,
        next_step=0,
        rollback_step=0,
        verification=None,
        approval_deadline=None,
        approval_outcome="none",
    )


def _ask_model(
    state: IncidentState, ctx: LoopContext, rules: Plan, attempt: int
) -> tuple[Plan, dict[str, Any], str]:
    """Unknown pattern, LLM configured: its plan if valid, else the rules' escalation + reason."""
    assert state.diagnosis is not None
    outcome = propose_plan(ctx.model(), state.id, state.diagnosis, ctx.source.topology(), attempt)
    update = {"llm_calls": [outcome.call]}
    if outcome.plan is None:
        return rules, update, f"{rules.summary} (LLM {outcome.call.outcome})"
    return outcome.plan, update, outcome.plan.summary


def review(state: IncidentState, runtime: Runtime[LoopContext]) -> dict[str, Any]:
    """Guardrails and risk classification; decide the route."""
    ctx = runtime.context
    assert state.plan is not None
    risk = safeguard_review(state.plan, ctx.policy)
    if state.plan.source == "llm":
        vouched_for = vouched(
            state.plan, state.diagnosis, ctx.source.topology(), ctx.catalog, state.failed_runbooks
        )
        risk = apply_model_floor(state.plan, risk, ctx.policy, vouched_for)
    if state.trigger.prediction is not None:
        risk = proactive.proactive_risk(risk, state.trigger.prediction)
    now = ctx.clock.now()
    message = f"risk {risk.level} (score {risk.score}, {risk.healing_level}): route {risk.route}"
    if risk.violations:
        message += "; blocked: " + "; ".join(risk.violations)
    if risk.route == "escalate":
        return stay(state, now, "review", message, risk=risk)
    if risk.route == "approval":
        deadline = now + risk.approval_timeout_seconds
        return move(
            state,
            Status.AWAITING_APPROVAL,
            now,
            "review",
            message,
            risk=risk,
            approval_deadline=deadline,
            approval_outcome="pending",
        )
    return move(state, Status.EXECUTING, now, "review", message, risk=risk)


def route_after_review(
    state: IncidentState,
) -> Literal["execute", "notify", "request_approval", "escalate"]:
    assert state.risk is not None
    routes: dict[str, Literal["execute", "notify", "request_approval", "escalate"]] = {
        "auto": "execute",
        "notify": "notify",
        "approval": "request_approval",
        "escalate": "escalate",
    }
    return routes[state.risk.route]


def notify(state: IncidentState, runtime: Runtime[LoopContext]) -> dict[str, Any]:
    """MEDIUM risk: tell the on-call what is about to happen, then proceed."""
    ctx = runtime.context
    assert state.plan is not None and state.risk is not None
    event = {
        "event": "remediation_starting",
        "incident_id": state.id,
        "plan": state.plan.summary,
        "risk_level": state.risk.level.value,
    }
    receipt = ctx.notifier.notify(event)
    return stay(
        state, ctx.clock.now(), "notify", f"on-call notified ({receipt})", notifications=[receipt]
    )


def learn(state: IncidentState, runtime: Runtime[LoopContext]) -> dict[str, Any]:
    """Recovered: close the incident, report what healed it, and remember it."""
    ctx = runtime.context
    assert state.plan is not None
    event = {"event": "incident_resolved", "incident_id": state.id, "plan": state.plan.summary}
    receipt = ctx.notifier.notify(event)
    now = ctx.clock.now()
    remember(state, ctx, Status.COMPLETED, now)
    return move(
        state,
        Status.COMPLETED,
        now,
        "learn",
        f"healed by {state.plan.summary}",
        notifications=[receipt],
    )


def remember(state: IncidentState, ctx: LoopContext, outcome: Status, now: int) -> None:
    """Store the finished incident in memory and count its runbook outcomes (an effect)."""
    ctx.memory.remember(incident_record(state, outcome, now), runbook_outcomes(state, outcome))


def escalate(state: IncidentState, runtime: Runtime[LoopContext]) -> dict[str, Any]:
    """Hand the incident to humans with the diagnostic summary (L4 or blocked plan)."""
    ctx = runtime.context
    reason = _escalation_reason(state)
    event = {"event": "incident_escalated", "incident_id": state.id, "reason": reason}
    receipt = ctx.notifier.notify(event)
    now = ctx.clock.now()
    remember(state.model_copy(update={"escalation_reason": reason}), ctx, Status.ESCALATED, now)
    return move(
        state,
        Status.ESCALATED,
        now,
        "escalate",
        reason,
        escalation_reason=reason,
        notifications=[receipt],
    )


def _escalation_reason(state: IncidentState) -> str:
    if state.approval_outcome == "expired":
        return "approval deadline passed without the required approvals"
    if state.status is Status.ROLLED_BACK:
        summary = state.plan.summary if state.plan else ""
        return f"remediation did not heal and was rolled back; {summary}"
    if state.risk and state.risk.violations:
        return "plan blocked: " + "; ".join(state.risk.violations)
    return state.plan.summary if state.plan else "escalated"


def fail(state: IncidentState, runtime: Runtime[LoopContext]) -> dict[str, Any]:
    """A human rejected the plan: nothing is executed."""
    ctx = runtime.context
    rejecter = next((d.approver for d in reversed(state.approvals) if d.decision == "reject"), "?")
    now = ctx.clock.now()
    remember(state, ctx, Status.FAILED, now)
    return move(state, Status.FAILED, now, "fail", f"plan rejected by {rejecter}")


def build_graph() -> StateGraph[IncidentState, LoopContext, IncidentState, IncidentState]:
    """The uncompiled incident graph."""
    graph = StateGraph(IncidentState, context_schema=LoopContext)
    for node in (
        forecast,
        detect,
        close,
        diagnose,
        plan,
        review,
        notify,
        request_approval,
        await_approval,
        record_decision,
        execute,
        verify,
        rollback,
        learn,
        escalate,
        fail,
    ):
        graph.add_node(node.__name__, with_effects(node))
    graph.add_conditional_edges(START, route_start)
    graph.add_edge("forecast", "plan")
    graph.add_conditional_edges("detect", route_after_detect)
    graph.add_edge("diagnose", "plan")
    graph.add_edge("plan", "review")
    graph.add_conditional_edges("review", route_after_review)
    graph.add_edge("notify", "execute")
    graph.add_edge("request_approval", "await_approval")
    graph.add_edge("await_approval", "record_decision")
    graph.add_conditional_edges("record_decision", route_decision)
    graph.add_conditional_edges("execute", route_after_execute)
    graph.add_conditional_edges("verify", route_after_verify)
    graph.add_conditional_edges("rollback", route_after_rollback)
    for terminal in ("close", "learn", "escalate", "fail"):
        graph.add_edge(terminal, END)
    return graph


builder = build_graph()
graph = builder.compile()
