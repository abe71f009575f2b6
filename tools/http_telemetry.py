"""The sandbox server's logs, spans, events and call graph over HTTP (a DetailSource)."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import TypeAdapter

from tools.telemetry import (
    ChangeEvent,
    LogRecord,
    ServiceGraph,
    Span,
    TelemetryUnavailable,
    TelemetryWindow,
)

_LOGS = TypeAdapter(list[LogRecord])
_SPANS = TypeAdapter(list[Span])
_EVENTS = TypeAdapter(list[ChangeEvent])


class HttpDetailSource:
    """GET /v1/topology, /v1/logs, /v1/spans, /v1/events of `adsh sandbox serve`."""

    def __init__(self, url: str, client: httpx.Client | None = None, timeout: float = 10.0):
        self.url = url.rstrip("/")
        self.http = client or httpx.Client(timeout=timeout)

    def topology(self) -> ServiceGraph:
        return ServiceGraph.model_validate(self._get("/v1/topology", {}))

    def detail(self, start: int, end: int, detail_from: int | None = None) -> TelemetryWindow:
        """Events of [start, end); logs and spans only from `detail_from` on, when given."""
        window = {"start": start, "end": end}
        recent = window if detail_from is None else {"start": max(start, detail_from), "end": end}
        return TelemetryWindow(
            start=start,
            end=end,
            step=1,
            metrics=[],
            logs=_LOGS.validate_python(self._get("/v1/logs", recent)),
            spans=_SPANS.validate_python(self._get("/v1/spans", recent)),
            events=_EVENTS.validate_python(self._get("/v1/events", window)),
        )

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        try:
            response = self.http.get(self.url + path, params=params)
            if response.is_success:
                return response.json()
            problem = f"HTTP {response.status_code}: {response.text[:200]}"
        except (httpx.HTTPError, ValueError) as exc:
            problem = f"{type(exc).__name__}: {exc}"
        raise TelemetryUnavailable(
            f"telemetry companion at {self.url} failed {path} ({problem});"
            " check ADSH_SANDBOX_URL and that the sandbox server runs"
        )
