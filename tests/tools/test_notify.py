"""Notifiers: the log file always, a webhook when configured, failures reported not raised."""

import json
from pathlib import Path

import httpx

from tools.notify import FanoutNotifier, LogNotifier, WebhookNotifier


def test_log_notifier_appends_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "n" / "notifications.jsonl"
    notifier = LogNotifier(path)
    notifier.notify({"event": "a", "incident_id": "inc-1"})
    receipt = notifier.notify({"event": "b"})
    assert receipt == f"logged to {path}"
    assert [json.loads(line)["event"] for line in path.read_text().splitlines()] == ["a", "b"]


def test_webhook_notifier_posts_json_and_reports_failures() -> None:
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(204 if len(seen) == 1 else 500)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    notifier = WebhookNotifier("http://hooks.test/adsh", client=client)
    assert notifier.notify({"event": "remediation_starting"}).endswith("answered 204")
    failed = notifier.notify({"event": "again"})
    assert "failed" in failed and "500" in failed
    assert seen[0] == {"event": "remediation_starting"}


def test_fanout_reaches_every_notifier(tmp_path: Path) -> None:
    first, second = LogNotifier(tmp_path / "a.jsonl"), LogNotifier(tmp_path / "b.jsonl")
    receipt = FanoutNotifier([first, second]).notify({"event": "x"})
    assert "a.jsonl" in receipt and "b.jsonl" in receipt
    assert (tmp_path / "b.jsonl").read_text().count("\n") == 1
