"""Operator chat on an investigation, answered from its state (LLM or rules)."""

from __future__ import annotations

from fastapi import APIRouter

from api import chat, views
from api.deps import AppState, IncidentId, Operator, State, Viewer
from api.schemas import ChatMessage, Question, error_responses
from graphs.state import IncidentState

router = APIRouter(
    prefix="/v1/investigations",
    tags=["chat"],
    responses=error_responses(401, 403, 404, 409, 413, 422),
)


@router.get("/{incident_id}/messages", response_model=list[ChatMessage])
def transcript(incident_id: IncidentId, state: State, _: Viewer) -> list[ChatMessage]:
    """Questions asked so far with their answers, oldest first."""
    views.loaded(state, incident_id)
    return [ChatMessage(**row) for row in state.messages.for_incident(incident_id)]


@router.post("/{incident_id}/messages", status_code=201, response_model=ChatMessage)
def ask(incident_id: IncidentId, body: Question, state: State, caller: Operator) -> ChatMessage:
    """Ask a question; the LLM (when configured) or the rules answer from the incident's state."""
    incident = views.loaded(state, incident_id)
    llm = state.service.runner.llm
    reply = chat.answer_with(llm, incident, body.text, _services(state, incident))
    row = state.messages.add(
        incident_id,
        caller.name,
        body.text,
        reply.text,
        reply.topic,
        len(incident.timeline),
        reply.call,
    )
    state.service.hub.publish("message", incident_id, message_id=row["id"], author=caller.name)
    return ChatMessage(**row)


def _services(state: AppState, incident: IncidentState) -> list[str]:
    try:
        return state.service.targets(incident.id, incident.trigger).source.topology().services
    except (ValueError, FileNotFoundError):
        return []
