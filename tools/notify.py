"""Notifiers: tell people what the loop did or is about to do (log file, webhook)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Protocol

import httpx

logger = logging.getLogger("adsh.notify")


class Notifier(Protocol):
    """Sends one notification; must not raise for delivery problems it can report."""

    def notify(self, event: dict[str, Any]) -> str:
        """Deliver the event; returns a one-line delivery receipt."""
        ...


class LogNotifier:
    """Appends notifications as JSON lines to a file and to the 'adsh.notify' logger."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def notify(self, event: dict[str, Any]) -> str:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(event, sort_keys=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        logger.info("notification: %s", line)
        return f"logged to {self.path}"


class WebhookNotifier:
    """POSTs notifications as JSON to a webhook URL (Slack-style receivers, chat bridges)."""

    def __init__(self, url: str, client: httpx.Client | None = None, timeout: float = 5.0) -> None:
        self.url = url
        self.client = client or httpx.Client(timeout=timeout)

    def notify(self, event: dict[str, Any]) -> str:
        try:
            response = self.client.post(self.url, json=event)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            logger.warning("webhook %s failed: %s", self.url, exc)
            return f"webhook {self.url} failed: {exc}"
        return f"webhook {self.url} answered {response.status_code}"


class FanoutNotifier:
    """Sends each notification to several notifiers."""

    def __init__(self, notifiers: list[Notifier]) -> None:
        self.notifiers = notifiers

    def notify(self, event: dict[str, Any]) -> str:
        return "; ".join(notifier.notify(event) for notifier in self.notifiers)
