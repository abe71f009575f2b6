"""PrometheusSource over httpx.MockTransport: PromQL built, grids, and loud failures."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tools.prometheus import PrometheusSource
from tools.prometheus_api import PrometheusClient
from tools.promql import PromQLMapping
from tools.telemetry import (
    ChangeEvent,
    LogRecord,
    Metric,
    ServiceGraph,
    Span,
    TelemetryUnavailable,
    TelemetryWindow,
)

URL = "http://prometheus.test"
Handler = Callable[[httpx.Request], httpx.Response]


def matrix(series: dict[str, list[tuple[int, float]]]) -> dict[str, Any]:
    result = [
        {"metric": {"service": name}, "values": [[ts, str(v)] for ts, v in points]}
        for name, points in series.items()
    ]
    return {"status": "success", "data": {"resultType": "matrix", "result": result}}


def source(handler: Handler, focus: list[str] | None = None, **kw: Any) -> PrometheusSource:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = PrometheusClient(URL, http, timeout=1, attempts=3, backoff=0)
    return PrometheusSource(client, step=10, focus=focus, detail=kw.get("detail"))


def test_one_range_query_per_metric_grouped_by_service_on_the_step_grid() -> None:
    seen: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.url.params))
        return httpx.Response(200, json=matrix({"api": [(100, 1.0), (120, 3.0)]}))

    window = source(handler).window(95, 130)
    assert [p["start"] for p in seen] == ["100"] * len(Metric)
    assert {(p["end"], p["step"]) for p in seen} == {("120", "10")}
    assert all(q["query"].count("by (service)") >= 1 for q in seen)
    series = window.series("api", Metric.CPU)
    assert series is not None and series.start == 100 and series.values[0] == 1.0
    assert math.isnan(series.values[1]) and series.values[2] == 3.0  # a gap stays a gap


def test_promql_mapping_filters_services_and_adds_the_selector() -> None:
    mapping = PromQLMapping(selector='job="shop"', service_label="app")
    query = mapping.query(Metric.ERROR_RATE, ["api", "db.main"], 40)
    assert 'rate(sandbox_request_errors_total{job="shop",app=~"api|db\\\\.main"}[40s])' in query
    assert query.count("sum by (app)") == 2
    with pytest.raises(ValueError, match="not a Prometheus label"):
        PromQLMapping(service_label="bad-label")


class Topology:
    def topology(self) -> ServiceGraph:
        return ServiceGraph(
            services=["web", "api", "db", "other"], calls=[("web", "api"), ("api", "db")]
        )

    def detail(self, start: int, end: int, detail_from: int | None = None) -> TelemetryWindow:
        return TelemetryWindow(start=start, end=end, step=1, metrics=[])


def test_an_alerted_service_is_examined_with_everything_it_calls() -> None:
    queries: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        queries.append(request.url.params["query"])
        points = [(100, 1.0)]
        return httpx.Response(200, json=matrix(dict.fromkeys(["api", "db"], points)))

    source(handler, focus=["api"], detail=Topology()).window(100, 110)
    assert all('service=~"api|db"' in q for q in queries)


class Detail(Topology):
    def detail(self, start: int, end: int, detail_from: int | None = None) -> TelemetryWindow:
        return TelemetryWindow(
            start=start,
            end=end,
            step=1,
            metrics=[],
            logs=[LogRecord(ts=ts, service="api", level="INFO", message="ok") for ts in (100, 105)],
            spans=[_span(ts * 1000) for ts in (101, 106)],
            events=[ChangeEvent(ts=101, service="api", kind="deploy", detail="v2")],
        )


def _span(start_ms: int) -> Span:
    return Span(trace_id="t", span_id=str(start_ms), service="api", operation="GET",
                start_ms=start_ms, duration_ms=1.0)  # fmt: skip


def test_detail_from_keeps_the_later_logs_and_spans_and_every_event() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=matrix({"api": [(100, 1.0)], "db": [(100, 1.0)]}))

    window = source(handler, focus=["api"], detail=Detail()).window(100, 110, detail_from=105)
    assert [r.ts for r in window.logs] == [105]
    assert [s.start_ms for s in window.spans] == [106_000]
    assert [e.ts for e in window.events] == [101]  # the deploy before it still counts


def test_server_errors_are_retried_then_reported_with_what_to_check() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503, json={"status": "error", "error": "overloaded"})

    with pytest.raises(TelemetryUnavailable, match=r"after 3 attempts: HTTP 503: overloaded"):
        source(handler).window(100, 110)
    assert len(calls) == 3


def test_a_transient_failure_is_retried_to_success() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused")
        return httpx.Response(200, json=matrix({"api": [(100, 1.0)]}))

    assert source(handler).window(100, 110).series("api", Metric.CPU) is not None


def test_timeouts_and_a_down_prometheus_say_so() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(TelemetryUnavailable, match=r"timed out after 1s.*ADSH_PROMETHEUS_URL"):
        source(slow).window(100, 110)

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(TelemetryUnavailable, match="cannot connect"):
        source(down).window(100, 110)


def test_a_bad_query_is_not_retried_and_names_the_mapping() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(400, json={"status": "error", "error": "parse error"})

    with pytest.raises(TelemetryUnavailable, match=r"rejected.*parse error.*PromQL mapping"):
        source(handler).window(100, 110)
    assert len(calls) == 1


def test_partial_data_names_the_missing_services_instead_of_an_empty_diagnosis() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=matrix({"api": [(100, 1.0)]}))

    with pytest.raises(TelemetryUnavailable, match=r"no data for db .*partial data"):
        source(handler, focus=["api"], detail=Topology()).window(100, 110)

    def empty(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=matrix({}))

    with pytest.raises(TelemetryUnavailable, match="no data for any service"):
        source(empty).window(100, 110)


def test_a_non_prometheus_answer_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"status": "success", "data": {"resultType": "vector"}})

    with pytest.raises(TelemetryUnavailable, match="expected 'matrix'"):
        source(handler).window(100, 110)


def test_too_many_points_asks_for_a_coarser_step() -> None:
    with pytest.raises(ValueError, match="ADSH_PROMETHEUS_STEP_SECONDS"):
        source(lambda r: httpx.Response(500)).window(0, 10 * 20_000)


def test_without_a_companion_the_services_come_from_prometheus() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/query"
        result = [{"metric": {"service": s}, "value": [1, "1"]} for s in ("b", "a")]
        return httpx.Response(
            200, json={"status": "success", "data": {"resultType": "vector", "result": result}}
        )

    assert source(handler).topology() == ServiceGraph(services=["a", "b"], calls=[])
