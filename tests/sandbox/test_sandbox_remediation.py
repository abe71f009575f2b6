"""Remediation actions: idempotency, undo data, real state changes, refusals."""

from pathlib import Path

import pytest

from sandbox.environment import SandboxEnvironment
from sandbox.scenarios import SCENARIOS, UnknownScenarioError, get_scenario
from tools.telemetry import Metric


@pytest.fixture
def env(tmp_path: Path) -> SandboxEnvironment:
    return SandboxEnvironment.create(tmp_path, "r", seed=2)


def test_repeated_idempotency_key_is_a_duplicate(env: SandboxEnvironment) -> None:
    first = env.perform("scale_out", "catalog", {"replicas": 5}, "same")
    again = env.perform("scale_out", "catalog", {"replicas": 9}, "same")
    assert first.status == "succeeded"
    assert again.status == "duplicate" and again.data == first.data
    assert [c.value for c in env.state.changes_of("catalog", "replicas")] == [5]
    assert len(env.state.actions) == 1


def test_scale_out_then_undo_restores_replicas(env: SandboxEnvironment) -> None:
    out = env.perform("scale_out", "inventory", {"replicas": 6}, "a")
    assert out.data["previous_replicas"] == 3
    env.advance(60)
    back = env.perform("scale_in", "inventory", {"replicas": out.data["previous_replicas"]}, "b")
    assert back.status == "succeeded" and back.data["previous_replicas"] == 6


def test_rollback_and_redeploy_restore_versions(env: SandboxEnvironment) -> None:
    fault = env.inject("bad_deploy", "checkout")
    env.advance(300)
    out = env.perform("rollback_deploy", "checkout", {}, "rb")
    assert out.data["previous_version"] == fault.detail["bad_version"]
    assert env.is_healthy()
    env.advance(60)
    redo = env.perform("deploy_version", "checkout", {"version": out.data["version"]}, "dv")
    assert redo.data["previous_version"] == out.data["version"]


def test_config_and_pool_and_limit_report_previous_values(env: SandboxEnvironment) -> None:
    env.inject("config_error", "payment")
    out = env.perform("revert_config", "payment", {}, "rc")
    assert out.data["previous_revision"] != out.data["revision"]
    pool = env.perform("set_pool_size", "inventory", {"size": 80}, "ps")
    assert pool.data == {"previous_size": 50, "size": 80}
    limit = env.perform("rate_limit", "frontend", {"rps": 220}, "rl")
    assert limit.data["previous_limit"] is None
    assert env.perform("remove_rate_limit", "frontend", {}, "rr").data["previous_limit"] == 220


def test_actions_really_change_telemetry(env: SandboxEnvironment) -> None:
    before = env.telemetry(env.now() - 300, env.now()).series("catalog", Metric.CPU)
    env.perform("scale_out", "catalog", {"replicas": 9}, "s")
    env.advance(300)
    after = env.telemetry(env.now() - 300, env.now()).series("catalog", Metric.CPU)
    assert before is not None and after is not None
    assert max(after.values) < min(before.values)


def test_wrong_remedy_does_not_heal(env: SandboxEnvironment) -> None:
    env.inject("memory_leak", "catalog")
    env.perform("scale_out", "catalog", {"replicas": 6}, "w1")
    env.perform("flush_cache", "cache", {}, "w2")
    assert not env.is_healthy()
    env.perform("restart_service", "catalog", {}, "right")
    assert env.is_healthy()


def test_refusals_say_what_is_wrong(env: SandboxEnvironment) -> None:
    assert "unknown action" in env.perform("reboot_world", "cache", {}, "1").detail
    assert "unknown service" in env.perform("restart_service", "nope", {}, "2").detail
    refused = env.perform("flush_cache", "payment", {}, "3")
    assert refused.status == "failed" and "cache services only" in refused.detail
    shrink = env.perform("scale_out", "catalog", {"replicas": 1}, "4")
    assert shrink.status == "failed" and "above current" in shrink.detail
    assert not env.state.changes


def test_scenarios_are_valid_and_lookup_is_helpful(tmp_path: Path) -> None:
    for i, scenario in enumerate(SCENARIOS.values()):
        env = SandboxEnvironment.create(tmp_path, f"s{i}", seed=1)
        env.inject(scenario.fault_type, scenario.service)
    assert get_scenario("memory-leak-catalog").lead_seconds == 600
    with pytest.raises(UnknownScenarioError, match="bad-deploy-checkout") as err:
        get_scenario("nope")
    assert isinstance(err.value, KeyError)
