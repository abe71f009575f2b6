"""HttpDetailSource asks the sandbox server only for the logs and spans it will keep."""

from __future__ import annotations

import httpx

from tools.http_telemetry import HttpDetailSource


def test_logs_and_spans_from_detail_from_and_events_of_the_whole_window() -> None:
    asked: dict[str, dict[str, str]] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        asked[request.url.path] = dict(request.url.params)
        return httpx.Response(200, json=[])

    http = httpx.Client(transport=httpx.MockTransport(handler))
    HttpDetailSource("http://sandbox", http).detail(100, 200, detail_from=150)
    assert asked["/v1/logs"] == asked["/v1/spans"] == {"start": "150", "end": "200"}
    assert asked["/v1/events"] == {"start": "100", "end": "200"}
    HttpDetailSource("http://sandbox", http).detail(100, 200)
    assert asked["/v1/logs"] == {"start": "100", "end": "200"}
