"""Classifier rules on hand-built features; log mining and trace summaries on small inputs."""

import numpy as np

from tools.analysis.features import IncidentFeatures, ServiceFeatures
from tools.analysis.logs import log_shifts
from tools.analysis.models import UNKNOWN_FAULT, Anomaly
from tools.analysis.signatures import classify
from tools.analysis.traces import summarise
from tools.telemetry import ChangeEvent, LogRecord, Metric, ServiceGraph, Span

GRAPH = ServiceGraph(
    services=["web", "api", "db", "cache"],
    calls=[("web", "api"), ("api", "db"), ("api", "cache")],
    attributes={"db": {"kind": "datastore"}, "cache": {"kind": "cache"}},
)
ONSET = 10_000


def _anomaly(service: str, metric: Metric, score: float = 10.0) -> Anomaly:
    return Anomaly(service=service, metric=metric, onset=ONSET, score=score, baseline=0, observed=1)


def _ctx(**features: ServiceFeatures) -> IncidentFeatures:
    services = {s: features.get(s, ServiceFeatures(s)) for s in GRAPH.services}
    return IncidentFeatures(GRAPH, services, ONSET - 1200)


def _features(service: str, **values: tuple[float, float]) -> ServiceFeatures:
    f = ServiceFeatures(service)
    for name, (expected, level) in values.items():
        metric = Metric(name)
        f.expected[metric], f.level[metric] = expected, level
        f.delta[metric] = f.peak_delta[metric] = level - expected
        f.ratio[metric] = level / expected
        if abs(level - expected) > 0.05 * max(expected, 1e-3):
            f.anomalies[metric] = _anomaly(service, metric, 10 if level > expected else -10)
    return f


def test_deploy_then_errors_is_a_bad_deploy() -> None:
    f = _features("api", error_rate=(0.01, 0.2))
    f.changes.append(ChangeEvent(ts=ONSET - 60, service="api", kind="deploy", detail="version v9"))
    match = classify("api", _ctx(api=f))
    assert match.fault_type == "bad_deploy"
    assert "version v9" in match.evidence[0].summary


def test_errors_without_a_change_or_resource_are_unknown() -> None:
    f = _features("api", error_rate=(0.01, 0.2))
    assert classify("api", _ctx(api=f)).fault_type == UNKNOWN_FAULT


def test_saturated_resource_outranks_a_coincidental_deploy() -> None:
    f = _features("api", cpu_util=(0.3, 0.97), throughput_rps=(100, 101), error_rate=(0.01, 0.05))
    f.changes.append(ChangeEvent(ts=ONSET - 60, service="api", kind="deploy"))
    assert classify("api", _ctx(api=f)).fault_type == "cpu_saturation"


def test_busy_cpu_from_more_traffic_is_not_saturation() -> None:
    f = _features("api", cpu_util=(0.3, 0.97), throughput_rps=(100, 250))
    assert classify("api", _ctx(api=f)).fault_type == UNKNOWN_FAULT
    web = _features("web", throughput_rps=(100, 250))
    assert classify("web", _ctx(web=web)).fault_type == "traffic_surge"


def test_callee_dropping_while_callers_fail_at_it_is_certificate_expiry() -> None:
    api = _features("api", throughput_rps=(100, 5), error_rate=(0.01, 0.01))
    api.blamed_by.add("web")
    web = _features("web", error_rate=(0.01, 0.4))
    assert classify("api", _ctx(api=api, web=web)).fault_type == "certificate_expiry"
    api.blamed_by.clear()
    assert classify("api", _ctx(api=api, web=web)).fault_type == UNKNOWN_FAULT


def test_pool_saturation_behind_a_slow_database_is_not_pool_exhaustion() -> None:
    api = _features("api", pool_util=(0.3, 0.99), throughput_rps=(100, 100))
    assert classify("api", _ctx(api=api)).fault_type == "db_pool_exhaustion"
    db = _features("db", latency_p50_ms=(5, 400))
    assert classify("api", _ctx(api=api, db=db)).fault_type == UNKNOWN_FAULT


def test_log_shifts_find_new_error_templates_and_whom_they_name() -> None:
    history = [
        LogRecord(ts=i * 60, service="web", level="WARN", message=f"GC pause {40 + i}ms")
        for i in range(60)
    ]
    window = [
        LogRecord(
            ts=4000 + i,
            service="web",
            level="WARN",
            message=f"upstream api timed out after {900 + i}ms",
        )
        for i in range(10)
    ]
    window += [LogRecord(ts=4000, service="web", level="WARN", message="GC pause 51ms")]
    [shift] = log_shifts(window, history, ["web", "api", "db"])
    assert shift.is_new and shift.window_count == 10
    assert shift.mentions == {"api": 10}
    assert "<NUM>" in shift.template or "<*>" in shift.template


def test_trace_summary_finds_origin_and_self_time() -> None:
    spans = [
        Span(
            trace_id="t",
            span_id="1",
            service="web",
            operation="GET",
            start_ms=0,
            duration_ms=120,
            error=True,
            status_message="call to api failed",
        ),
        Span(
            trace_id="t",
            span_id="2",
            parent_id="1",
            service="api",
            operation="read",
            start_ms=5,
            duration_ms=100,
            error=True,
        ),
        Span(
            trace_id="t",
            span_id="3",
            parent_id="2",
            service="db",
            operation="SELECT",
            start_ms=10,
            duration_ms=80,
        ),
    ]
    summary = summarise(spans, ["web", "api", "db"])
    assert summary.error_origins == {"api": 1}
    assert summary.error_edges == {("web", "api"): 1}
    assert summary.self_time_ms == {"web": 20, "api": 20, "db": 80}


def test_trace_self_time_is_numpys_median_of_the_spans_own_time() -> None:
    durations = {"web": [3.0, 1.5, 7.25, 2.1], "db": [0.1, 0.7, 0.2]}
    spans = [
        Span(trace_id=f"{s}{i}", span_id="1", service=s, operation="op", start_ms=0, duration_ms=d)
        for s, ds in durations.items()
        for i, d in enumerate(ds)
    ]
    summary = summarise(spans, list(durations))
    assert summary.self_time_ms == {s: float(np.median(ds)) for s, ds in durations.items()}
    assert summary.spans == {"web": 4, "db": 3}
