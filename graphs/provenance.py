"""Wraps every node: binds its recorded effects, records provenance, appends the audit entry."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from langgraph.runtime import Runtime
from pydantic_core import to_jsonable_python

from agents.models import DecisionRecord
from agents.monitor import ANALYSIS_RULES
from agents.proactive import FORECAST_RULES
from agents.safeguard import RISK_POLICY
from graphs.context import LoopContext
from graphs.effect_session import EffectSession
from graphs.effects import canonical, digest
from graphs.state import IncidentState
from memory.audit import AuditReceipt

NodeFn = Callable[..., dict[str, Any]]

AGENTS: dict[str, Any] = {
    "forecast": "monitor",  # the Monitor owns prediction (PREDICT)
    "detect": "monitor",
    "diagnose": "monitor",
    "verify": "monitor",
    "close": "monitor",
    "plan": "planner",
    "review": "safeguard",
    "execute": "executor",
    "rollback": "executor",
    "request_approval": "approval",
    "await_approval": "approval",
    "record_decision": "approval",
    "notify": "loop",
    "learn": "loop",
    "escalate": "loop",
    "fail": "loop",
}


def with_effects(node: NodeFn) -> NodeFn:
    """The node as the graph runs it: effects recorded, decision audited."""
    name = node.__name__
    takes_runtime = len(inspect.signature(node).parameters) == 2

    def run(state: IncidentState, runtime: Runtime[LoopContext]) -> dict[str, Any]:
        ctx = runtime.context
        session = EffectSession(ctx.effects, state.id, name, state.effect_seq, ctx.mode)
        bound = runtime.override(context=ctx.bind(session))
        try:
            update = node(state, bound) if takes_runtime else node(state)
        finally:  # before LangGraph checkpoints the node's end (or its interrupt)
            session.flush()
        record = _decision(name, state, update, session, ctx)
        key = f"{state.id}#{state.effect_seq}"
        body = {
            **record.model_dump(mode="json"),
            "incident_id": state.id,
            "message": _message(update),
            "at": _at(update),
        }
        receipt = session.call(
            "audit", {"key": key}, lambda: ctx.audit.append(key, state.id, body), AuditReceipt
        )
        record = record.model_copy(update={"audit_seq": receipt.seq})
        return {**update, "effect_seq": session.seq, "provenance": [record]}

    # Not functools.wraps: LangGraph reads the signature to decide whether to pass runtime.
    run.__name__, run.__qualname__, run.__doc__ = name, name, node.__doc__
    return run


def _decision(
    name: str,
    state: IncidentState,
    update: dict[str, Any],
    session: EffectSession,
    ctx: LoopContext,
) -> DecisionRecord:
    before = canonical(state.model_dump(mode="json"))
    status = update.get("status", state.status)
    return DecisionRecord(
        node=name,
        agent=AGENTS.get(name, "loop"),
        status=str(getattr(status, "value", status)),
        inputs_hash=digest(before + session.inputs_hash()),
        outputs_hash=digest(canonical(to_jsonable_python(update))),
        rule=_rule(name, update, ctx),
        model=update["llm_calls"][-1].model if update.get("llm_calls") else None,
        human=_human(name, update),
    )


def _rule(name: str, update: dict[str, Any], ctx: LoopContext) -> str:
    if name == "forecast":
        return FORECAST_RULES
    if name in {"detect", "diagnose", "verify", "close"}:
        return ANALYSIS_RULES
    if name == "plan":
        plan = update["plan"]
        if update.get("llm_calls"):
            call = update["llm_calls"][-1]
            used = "llm" if plan.source == "llm" else f"planner:escalation, LLM {call.outcome}"
            return f"{used}; prompt {call.template} sha256:{call.prompt_hash}"
        if plan.runbook_id:
            return f"runbook:{plan.runbook_id}@{_catalog_version(ctx)}"
        return "planner:escalation"
    if name == "review":
        return RISK_POLICY
    if name in {"execute", "rollback"} and update.get("executions"):
        return f"action:{update['executions'][-1].action}"
    return "loop"


def _catalog_version(ctx: LoopContext) -> str:
    return digest(ctx.catalog.model_dump_json())[:12]


def _human(name: str, update: dict[str, Any]) -> str | None:
    if name == "record_decision" and update.get("approvals"):
        return str(update["approvals"][-1].approver)
    return None


def _message(update: dict[str, Any]) -> str:
    timeline = update.get("timeline") or []
    return str(timeline[-1].message) if timeline else ""


def _at(update: dict[str, Any]) -> int:
    timeline = update.get("timeline") or []
    return int(timeline[-1].at) if timeline else 0
