"""A small Prometheus HTTP API client: retries transient failures, explains the rest."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from tools.telemetry import TelemetryUnavailable

log = logging.getLogger("adsh.prometheus")


class _Transient(Exception):
    """A failure worth retrying: connection refused, timeout, 5xx, 429."""


class PrometheusClient:
    """GET /api/v1/query and /api/v1/query_range; raises TelemetryUnavailable when it fails."""

    def __init__(
        self,
        url: str,
        client: httpx.Client | None = None,
        timeout: float = 10.0,
        attempts: int = 3,
        backoff: float = 0.2,
    ) -> None:
        self.url = url.rstrip("/")
        self.http = client or httpx.Client(timeout=timeout)
        self.timeout, self.attempts, self.backoff = timeout, attempts, backoff

    def query(self, promql: str, at: float | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"query": promql}
        if at is not None:
            params["time"] = at
        return self._get("/api/v1/query", params, "vector")

    def query_range(self, promql: str, start: int, end: int, step: int) -> list[dict[str, Any]]:
        params = {"query": promql, "start": start, "end": end, "step": step}
        return self._get("/api/v1/query_range", params, "matrix")

    def _get(self, path: str, params: dict[str, Any], kind: str) -> list[dict[str, Any]]:
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.backoff, max=5),
            retry=retry_if_exception_type(_Transient),
            reraise=True,
        )
        try:
            body = retrying(self._once, path, params)
        except _Transient as exc:
            raise TelemetryUnavailable(
                f"Prometheus at {self.url} failed {path} after {self.attempts} attempts: {exc};"
                " check that Prometheus is up and ADSH_PROMETHEUS_URL points at it"
            ) from None
        data = body.get("data") or {}
        if data.get("resultType") != kind:
            raise TelemetryUnavailable(
                f"Prometheus at {self.url} answered {path} with {data.get('resultType')!r},"
                f" expected {kind!r}; is ADSH_PROMETHEUS_URL a Prometheus HTTP API?"
            )
        for warning in body.get("warnings") or []:
            log.warning("Prometheus warning for %s: %s", params["query"], warning)
        return list(data.get("result") or [])

    def _once(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.http.get(self.url + path, params=params, timeout=self.timeout)
        except httpx.TimeoutException:
            raise _Transient(f"timed out after {self.timeout:g}s") from None
        except httpx.TransportError as exc:
            raise _Transient(f"cannot connect ({type(exc).__name__}: {exc})") from None
        if response.status_code >= 500 or response.status_code == 429:
            raise _Transient(f"HTTP {response.status_code}: {_error_of(response)}")
        if response.status_code >= 400:
            raise TelemetryUnavailable(
                f"Prometheus at {self.url} rejected {path} (HTTP {response.status_code}:"
                f" {_error_of(response)}) for query {params['query']!r}; check the PromQL mapping"
            )
        try:
            body: dict[str, Any] = response.json()
        except ValueError:
            raise _Transient(f"HTTP {response.status_code} with a body that is not JSON") from None
        if body.get("status") != "success":
            raise _Transient(f"status {body.get('status')!r}: {body.get('error', '')}")
        return body


def _error_of(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    return str(body.get("error") or body)[:200]
