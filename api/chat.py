"""Answers to an operator's questions: the LLM when configured, else rules over the state."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from agents.llm.answering import answer_question
from agents.llm.gateway import LLMGateway
from agents.models import LLMCall
from graphs.state import IncidentState
from tools.analysis.models import Hypothesis

HELP = (
    "I answer from this incident's state. Try:\n"
    "- why <service>? / why this root cause? (the evidence behind a hypothesis)\n"
    "- what will the rollback do? (each step's undo)\n"
    "- show the errors for <service> (anomalies and error evidence)\n"
    "- what is the plan? / what is the risk? / who approved? / what is the status?"
)


@dataclass(frozen=True)
class Answer:
    topic: str
    text: str
    call: LLMCall | None = field(default=None, compare=False)
    """The model call behind the answer (also when the rules answered after it failed)."""


Handler = Callable[[IncidentState, str | None], str]


def answer(state: IncidentState, question: str, services: Iterable[str] = ()) -> Answer:
    """The first topic whose keywords the question contains; a help text otherwise."""
    text = question.lower()
    service = _service_in(text, {*services, *_services_of(state)})
    for topic, pattern, handler in _TOPICS:
        if re.search(pattern, text):
            return Answer(topic, handler(state, service))
    return Answer("help", HELP)


def answer_with(
    llm: LLMGateway | None, state: IncidentState, question: str, services: Iterable[str] = ()
) -> Answer:
    """The model's answer when one is configured and answers; the rules' answer otherwise."""
    if llm is None:
        return answer(state, question, services)
    reply = answer_question(llm, incident_context(state), question)
    if reply.text is not None:
        return Answer("llm", reply.text, reply.call)
    fallback = answer(state, question, services)
    note = f"(LLM unavailable: {reply.call.outcome}; answered by the rules)"
    return Answer(fallback.topic, f"{fallback.text}\n{note}", reply.call)


def incident_context(state: IncidentState) -> dict[str, Any]:
    """What the model is told about the incident (redacted by the caller before the prompt)."""
    causes = state.diagnosis.root_causes[:3] if state.diagnosis else []
    return {
        "id": state.id,
        "status": state.status.value,
        "root_causes": [
            {
                "service": h.service,
                "fault_type": h.fault_type,
                "score": h.score,
                "evidence": [e.summary for e in h.evidence[:5]],
            }
            for h in causes
        ],
        "plan": state.plan.summary if state.plan else None,
        "risk": state.risk.model_dump(mode="json", include={"level", "route", "violations"})
        if state.risk
        else None,
        # who approved is personal data the model does not need: approvers are numbered
        "approvals": [f"approver {n}: {d.decision}" for n, d in enumerate(state.approvals, 1)],
        "executions": [f"{r.phase} {r.action}({r.target}): {r.status}" for r in state.executions],
        "escalation_reason": state.escalation_reason,
        "timeline": [f"{e.node}: {e.message}" for e in state.timeline[-20:]],
    }


def _services_of(state: IncidentState) -> set[str]:
    found = {state.plan.target} if state.plan else set()
    if state.diagnosis:
        found |= {a.service for a in state.diagnosis.anomalies}
        found |= {h.service for h in state.diagnosis.root_causes}
    return found


def _service_in(text: str, services: set[str]) -> str | None:
    aliases = {"db": "database"}
    for word in re.findall(r"[a-z0-9_-]+", text):
        name = aliases.get(word, word)
        if name in services:
            return name
    return None


def _why(state: IncidentState, service: str | None) -> str:
    causes = state.diagnosis.root_causes if state.diagnosis else []
    if not causes:
        return "No diagnosis yet: the Monitor has not ranked any root cause."
    chosen = next((h for h in causes if h.service == service), None) if service else causes[0]
    if chosen is None:
        top = causes[0]
        return (
            f"{service} is not among the hypotheses. The top one is {top.fault_type} at"
            f" {top.service}.\n" + _evidence(top)
        )
    rank = causes.index(chosen) + 1
    head = f"#{rank} of {len(causes)}: {chosen.fault_type} at {chosen.service}"
    return f"{head} (score {chosen.score:.2f}), because:\n{_evidence(chosen)}"


def _evidence(hypothesis: Hypothesis) -> str:
    lines = [f"- [{e.kind}] {e.summary}" for e in hypothesis.evidence[:8]]
    return "\n".join(lines) or "- (no evidence recorded)"


def _rollback(state: IncidentState, _: str | None) -> str:
    if not state.plan or not state.plan.steps:
        return "There is no plan yet, so nothing to roll back."
    lines = []
    for n, step in enumerate(state.plan.steps, start=1):
        undo = f"undone by {step.rollback}" if step.rollback else "nothing to undo (no rollback)"
        lines.append(f"{n}. {step.name}({step.target}): {undo}")
    done = [r for r in state.executions if r.phase == "rollback"]
    tail = f"\n{len(done)} rollback step(s) already ran." if done else ""
    return (
        "If verification fails, the Executor undoes the executed steps newest first:\n"
        + "\n".join(lines)
        + tail
    )


def _errors(state: IncidentState, service: str | None) -> str:
    anomalies = state.diagnosis.anomalies if state.diagnosis else []
    picked = [a for a in anomalies if service in (None, a.service)]
    lines = [
        f"- {a.metric.value} on {a.service}: {a.observed:.4g} against {a.baseline:.4g}"
        f" expected (z {a.score:+.1f})"
        for a in picked
    ]
    evidence = [
        e
        for h in (state.diagnosis.root_causes if state.diagnosis else [])
        for e in h.evidence
        if e.kind in ("log", "trace") and service in (None, e.service)
    ]
    lines += [f"- [{e.kind}] {e.summary}" for e in evidence[:8]]
    who = service or "any service"
    if not lines:
        return f"No anomalies or error evidence for {who} in the diagnosis window."
    return f"Errors and anomalies for {who}:\n" + "\n".join(dict.fromkeys(lines))


def _plan(state: IncidentState, _: str | None) -> str:
    if not state.plan:
        return "No plan yet."
    steps = "\n".join(
        f"{n}. {s.name}({s.target}) {s.params or ''} {s.description}".rstrip()
        for n, s in enumerate(state.plan.steps, start=1)
    )
    why = f"\nJustification: {state.plan.justification}" if state.plan.justification else ""
    return f"{state.plan.summary} (source: {state.plan.source})\n{steps}{why}"


def _risk(state: IncidentState, _: str | None) -> str:
    if not state.risk:
        return "The Safeguard has not reviewed a plan yet."
    risk = state.risk
    factors = ", ".join(f"{k} {v}" for k, v in risk.factors.items())
    approved = sorted(state.counted_approvers())
    return (
        f"Risk {risk.level} (score {risk.score}: {factors}), {risk.healing_level}, route"
        f" {risk.route}. Approvals required: {risk.required_approvals};"
        f" counted so far: {', '.join(approved) or 'none'}."
        + (f"\nBlocked by: {'; '.join(risk.violations)}" if risk.violations else "")
    )


def _status(state: IncidentState, _: str | None) -> str:
    recent = "\n".join(f"- {e.node}: {e.message}" for e in state.timeline[-5:])
    return f"Status {state.status.value}. Latest steps:\n{recent or '- none yet'}"


def _verify(state: IncidentState, _: str | None) -> str:
    if not state.verification:
        return "Not verified yet: verification runs after the last action."
    return f"Verification: {state.verification.report.summary}"


_TOPICS: tuple[tuple[str, str, Handler], ...] = (
    ("rollback", r"roll ?back|undo|revert", _rollback),
    ("errors", r"error|log|fail", _errors),
    ("why", r"\bwhy\b|cause|evidence|reason|because", _why),
    ("verification", r"verif|recover", _verify),
    ("plan", r"plan|fix|remedi|step|action|\bdo\b", _plan),
    ("risk", r"risk|approv|who|sign", _risk),
    ("status", r"status|happen|timeline|progress|now", _status),
)
