"""In-process event fan-out for server-sent events, with a short replay buffer."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    """One thing that happened: a timeline line, a status change, an approval request..."""

    id: int
    type: str
    incident: str | None
    data: dict[str, Any]
    at: float = field(default_factory=time.time)

    def sse(self) -> str:
        body = json.dumps({"incident": self.incident, "at": self.at, **self.data}, default=str)
        return f"id: {self.id}\nevent: {self.type}\ndata: {body}\n\n"


@dataclass
class _Subscriber:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Event]
    incident: str | None


class EventHub:
    """Publish from any thread; each subscriber gets events on its own asyncio queue."""

    def __init__(self, buffer: int = 1000, queue_size: int = 1000) -> None:
        self._ids = itertools.count(1)
        self._recent: deque[Event] = deque(maxlen=buffer)
        self._subscribers: list[_Subscriber] = []
        self._lock = threading.Lock()
        self._queue_size = queue_size

    def publish(self, type_: str, incident: str | None, **data: Any) -> Event:
        with self._lock:
            event = Event(next(self._ids), type_, incident, data)
            self._recent.append(event)
            subscribers = list(self._subscribers)
        for sub in subscribers:
            if sub.incident in (None, incident):
                sub.loop.call_soon_threadsafe(_offer, sub.queue, event)
        return event

    def recent(self, after: int, incident: str | None = None) -> list[Event]:
        with self._lock:
            return [e for e in self._recent if e.id > after and incident in (None, e.incident)]

    async def stream(
        self, incident: str | None, last_id: int, heartbeat: float = 15.0
    ) -> AsyncIterator[str]:
        """SSE text: missed events after last_id first, then live ones; comments keep alive."""
        sub = _Subscriber(asyncio.get_running_loop(), asyncio.Queue(self._queue_size), incident)
        with self._lock:
            self._subscribers.append(sub)
        try:
            yield "retry: 2000\n\n"
            for event in self.recent(last_id, incident):
                last_id = event.id
                yield event.sse()
            while True:
                try:
                    event = await asyncio.wait_for(sub.queue.get(), heartbeat)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if event.id > last_id:
                    yield event.sse()
        finally:
            with self._lock:
                self._subscribers.remove(sub)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)


def _offer(queue: asyncio.Queue[Event], event: Event) -> None:
    # A subscriber too slow to drain 1000 events loses the oldest, never blocks publishers.
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(event)
