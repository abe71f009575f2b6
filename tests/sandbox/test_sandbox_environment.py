"""Sandbox environment: topology, determinism, persistence, clock and adapters."""

import time
from pathlib import Path

import pytest

from api.cli_support import runner
from sandbox.adapters import SandboxActionAdapter, SandboxClock, SandboxTelemetrySource
from sandbox.environment import SandboxEnvironment
from sandbox.faults import FaultTargetError
from sandbox.topology import UnknownTopologyError
from tools.telemetry import Metric


def test_default_topology_matches_the_catalog(tmp_path: Path) -> None:
    graph = SandboxEnvironment.create(tmp_path, "t", seed=1).graph()
    assert len(graph.services) == 9
    assert ("checkout", "payment") in graph.calls
    assert len(graph.calls) == 12
    assert graph.attributes["database"] == {
        "data_classification": "restricted",
        "compliance": "regulated",
        "kind": "datastore",
        "backup_verified": "false",
    }
    assert graph.attribute("auth", "compliance", "") == "critical_compliance"
    assert graph.dependents("database") >= {"frontend", "checkout", "payment"}


def test_wide_topology_and_unknown_names(tmp_path: Path) -> None:
    wide = SandboxEnvironment.create(tmp_path, "w", seed=1, topology="wide").graph()
    assert len(wide.services) == 12
    with pytest.raises(UnknownTopologyError, match="default, wide"):
        SandboxEnvironment.create(tmp_path, "x", seed=1, topology="huge")


def test_same_seed_and_history_give_identical_telemetry(tmp_path: Path) -> None:
    envs = [SandboxEnvironment.create(tmp_path / str(i), "e", seed=7) for i in range(2)]
    for env in envs:
        env.inject("memory_leak", "catalog")
        env.advance(600)
        env.perform("scale_out", "catalog", {"replicas": 5}, "key-1")
        env.advance(300)
    windows = [env.telemetry(env.now() - 3600, env.now()) for env in envs]
    assert windows[0] == windows[1]
    other = SandboxEnvironment.create(tmp_path / "other", "e", seed=8)
    other.advance(900)
    assert other.telemetry(other.now() - 3600, other.now()).metrics != windows[0].metrics


def test_any_window_is_a_slice_of_a_longer_one(tmp_path: Path) -> None:
    env = SandboxEnvironment.create(tmp_path, "e", seed=3)
    now = env.now()
    long = env.telemetry(now - 7200, now).series("payment", Metric.CPU)
    short = env.telemetry(now - 600, now).series("payment", Metric.CPU)
    assert long is not None and short is not None
    assert long.values[-10:] == short.values


def test_state_round_trips_through_the_file(tmp_path: Path) -> None:
    env = SandboxEnvironment.create(tmp_path, "persist", seed=5)
    env.inject("bad_deploy", "checkout")
    env.advance(600)
    env.perform("rollback_deploy", "checkout", {}, "rb-1")
    env.save()
    loaded = SandboxEnvironment.load(tmp_path, "persist")
    assert loaded.now() == env.now()
    assert loaded.state == env.state
    assert loaded.telemetry(env.now() - 1800, env.now()) == env.telemetry(
        env.now() - 1800, env.now()
    )
    assert not list(tmp_path.glob(".tmp-*"))


def test_load_of_a_missing_environment_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="create it first"):
        SandboxEnvironment.load(tmp_path, "nope")
    with pytest.raises(ValueError, match="env_id"):
        SandboxEnvironment.create(tmp_path, "../escape", seed=1)


def test_inject_rejects_impossible_targets(tmp_path: Path) -> None:
    env = SandboxEnvironment.create(tmp_path, "e", seed=1)
    with pytest.raises(FaultTargetError, match="valid targets: cache"):
        env.inject("cache_failure", "payment")
    with pytest.raises(FaultTargetError, match="unknown fault type"):
        env.inject("gremlins", "payment")


def test_adapters_expose_the_environment(tmp_path: Path) -> None:
    env = SandboxEnvironment.create(tmp_path, "e", seed=1)
    source, clock = SandboxTelemetrySource(env), SandboxClock(env)
    start = clock.now()
    clock.sleep(120)
    assert source.now() == start + 120 == SandboxEnvironment.load(tmp_path, "e").now()
    window = source.window(source.now() - 600, source.now())
    assert source.step() == 60
    assert len(window.metrics) == 9 * len(Metric)
    assert all(len(s.values) == 10 for s in window.metrics)
    assert window.logs and window.spans
    adapter = SandboxActionAdapter(env)
    assert "rollback_deploy" in adapter.supported_actions()
    adapter.perform("scale_out", "catalog", {"replicas": 4}, "k")
    assert SandboxEnvironment.load(tmp_path, "e").state.actions[0].idempotency_key == "k"


def test_window_detail_from_narrows_logs_and_spans_only(tmp_path: Path) -> None:
    env = SandboxEnvironment.create(tmp_path, "e", seed=1)
    env.deploy("catalog")
    env.advance(600)
    source = SandboxTelemetrySource(env)
    start, end = env.now() - 1200, env.now()
    whole, tail = source.window(start, end), source.window(start, end, detail_from=end - 300)
    assert tail.metrics == whole.metrics and tail.events == whole.events
    assert any(e.kind == "deploy" for e in tail.events)  # before detail_from, still there
    assert tail.logs == [r for r in whole.logs if r.ts >= end - 300]
    assert tail.spans == [s for s in whole.spans if s.start_ms >= (end - 300) * 1000]
    assert 0 < len(tail.spans) < len(whole.spans) and 0 < len(tail.logs) < len(whole.logs)


def test_long_history_window_is_fast(tmp_path: Path) -> None:
    env = SandboxEnvironment.create(tmp_path, "e", seed=1)
    started = time.perf_counter()
    window = SandboxTelemetrySource(env, detail_seconds=0).window(env.now() - 26 * 3600, env.now())
    assert time.perf_counter() - started < 1.0
    assert len(window.metrics[0].values) == 26 * 60
    assert window.events, "a day has routine deploys and reloads"


def test_a_read_takes_the_configured_latency_and_answers_the_same(tmp_path: Path) -> None:
    env = SandboxEnvironment.create(tmp_path, "e", seed=1)
    start, end = env.now() - 1800, env.now()
    slow = SandboxTelemetrySource(env, latency_seconds=0.05)
    began = time.perf_counter()
    window, metrics = slow.window(start, end), slow.metrics(start, end)
    assert time.perf_counter() - began >= 0.1  # both reads wait
    fast = SandboxTelemetrySource(env)
    assert window == fast.window(start, end) and metrics == fast.metrics(start, end)
    with pytest.raises(ValueError, match="latency_seconds must not be negative"):
        SandboxTelemetrySource(env, latency_seconds=-1)


def test_the_latency_setting_reaches_the_targets_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADSH_SANDBOX_LATENCY_MS", "250")
    monkeypatch.setenv("ADSH_DATA_DIR", str(tmp_path))
    with runner() as (_, targets):
        trigger = targets.prepare("env-1", "memory-leak-catalog", 1)
        source = targets("inc-1", trigger).source
    assert isinstance(source, SandboxTelemetrySource) and source.latency_seconds == 0.25
    monkeypatch.setenv("ADSH_SANDBOX_LATENCY_MS", "-5")
    with pytest.raises(ValueError, match="sandbox_latency_ms"), runner():
        pass
