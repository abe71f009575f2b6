"""Live events over Redis pub/sub: every process publishes there, every API process relays."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import redis

from api.events import Event, EventHub

log = logging.getLogger("adsh.fleet.pubsub")


class RedisEventHub(EventHub):
    """An EventHub whose publish goes to a Redis channel; `relay` feeds the local subscribers.

    Workers only publish. API processes publish too (accepted, override, messages) and run
    the relay, so a console connected to any of them sees what every process published.
    """

    def __init__(self, client: redis.Redis, channel: str) -> None:
        super().__init__()
        self.client = client
        self.channel = channel
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._subscribed = threading.Event()

    def publish(self, type_: str, incident: str | None, **data: Any) -> Event:
        message = {"type": type_, "incident": incident, "data": data}
        self.client.publish(self.channel, json.dumps(message, default=str))
        return Event(0, type_, incident, data)  # the local id is given when it is relayed

    def start_relay(self, timeout: float = 10.0) -> None:
        """Subscribe on a thread; returns once subscribed, so no later event is missed."""
        self._thread = threading.Thread(target=self._relay, name="adsh-event-relay", daemon=True)
        self._thread.start()
        if not self._subscribed.wait(timeout):
            raise RuntimeError(f"could not subscribe to Redis channel {self.channel}")

    def stop_relay(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def relay_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _relay(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except redis.RedisError:
                log.exception("event relay lost Redis; reconnecting")
                self._stop.wait(1.0)

    def _listen(self) -> None:
        pubsub = self.client.pubsub()
        pubsub.subscribe(self.channel)
        try:
            while not self._stop.is_set():
                message = pubsub.get_message(timeout=0.5)
                if message is None:
                    continue
                if message["type"] == "subscribe":
                    self._subscribed.set()  # confirmed by the server: nothing later is missed
                elif message["type"] == "message":
                    self._deliver(message["data"])
        finally:
            pubsub.close()

    def _deliver(self, raw: bytes | str) -> None:
        try:
            message = json.loads(raw)
            super().publish(message["type"], message["incident"], **message["data"])
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed event on %s: %.200r", self.channel, raw)
