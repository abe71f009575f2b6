"""Server-sent events: timeline lines, status changes, approval requests, chat, alerts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from api.deps import State, Viewer
from api.schemas import AUTH_ERRORS

router = APIRouter(prefix="/v1", tags=["events"], responses=AUTH_ERRORS)


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "An SSE stream"}},
)
def events(
    state: State,
    _: Viewer,
    incident: Annotated[str | None, Query(max_length=64, description="Only this one")] = None,
    last_event_id: Annotated[int, Header(ge=0, description="Resume after this id")] = 0,
) -> StreamingResponse:
    """Stream events as `text/event-stream`; reconnecting with Last-Event-ID replays the
    missed ones still in the server's buffer (the last 1000)."""
    stream = state.service.hub.stream(incident, last_event_id)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)
