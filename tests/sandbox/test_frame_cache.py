"""A window cut from a longer simulation is the window simulated on its own, byte for byte."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

import sandbox.frame_cache
import sandbox.window
from api.targets import SandboxTargets
from sandbox.environment import SandboxEnvironment
from sandbox.model import ServiceFrame
from sandbox.scenarios import SCENARIOS
from sandbox.window import build_window, tick_times
from tools.telemetry import Metric


def _forget() -> None:
    sandbox.frame_cache._frames.clear()
    sandbox.window._windows.clear()


@pytest.mark.parametrize("scenario", ["memory-leak-catalog", "certificate-expiry-auth"])
def test_a_window_inside_a_kept_simulation_is_the_same_as_one_simulated_alone(
    tmp_path: Path, scenario: str
) -> None:
    SandboxTargets(tmp_path).prepare("env", scenario, 5)
    env = SandboxEnvironment.load(tmp_path, "env")
    end = env.now() - env.now() % 60
    for start, stop, detail in [(end - 1800, end, 1800), (end - 3001, end - 599, 900)]:
        _forget()
        alone = build_window(env.state, env.topology, start, stop, detail)
        _forget()
        build_window(env.state, env.topology, end - 4 * 3600, end + 600, 0)
        cut = build_window(env.state, env.topology, start, stop, detail)
        assert cut is not alone
        assert cut.model_dump_json() == alone.model_dump_json()
        assert cut.spans and cut.logs and cut.metrics


def test_a_changed_state_is_simulated_again(tmp_path: Path) -> None:
    SandboxTargets(tmp_path).prepare("env", "memory-leak-catalog", 5)
    env = SandboxEnvironment.load(tmp_path, "env")
    end = env.now() - env.now() % 60
    _forget()
    before = build_window(env.state, env.topology, end - 1800, end + 1800, 0)
    env.perform("restart_service", "catalog", {}, "key-1")  # changes the ticks after now
    after = build_window(env.state, env.topology, end - 1800, end + 1800, 0)
    assert after.model_dump_json() != before.model_dump_json()


def _fresh(env: SandboxEnvironment, start: int, stop: int) -> str:
    _forget()
    return build_window(env.state, env.topology, start, stop, 0).model_dump_json()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_what_happens_later_does_not_change_earlier_ticks(tmp_path: Path, name: str) -> None:
    """The model is causal: the past of a state after an action and a wait simulates like
    the state before them, so a window kept from before the action is still right."""
    scenario = SCENARIOS[name]
    SandboxTargets(tmp_path).prepare("env", name, 3)
    env = SandboxEnvironment.load(tmp_path, "env")
    acted = env.now() - env.now() % 60
    windows = [(acted - 9000, acted - 1800), (acted - 1800, acted), (acted - 95400, acted - 86280)]
    before = [_fresh(env, a, b) for a, b in windows]
    env.perform(scenario.wrong_remedy, scenario.service, scenario.wrong_params, "wrong")
    env.perform(scenario.remedy, scenario.service, scenario.remedy_params, "right")
    env.deploy(next(s for s in env.topology.services if s != scenario.service))
    env.advance(600)
    assert [_fresh(env, a, b) for a, b in windows] == before


def test_a_window_from_before_an_action_is_handed_out_again_after_it(tmp_path: Path) -> None:
    SandboxTargets(tmp_path).prepare("env", "memory-leak-catalog", 5)
    env = SandboxEnvironment.load(tmp_path, "env")
    end = env.now() - env.now() % 60
    _forget()
    baseline = build_window(env.state, env.topology, end - 9000, end - 1800, 0)
    window = build_window(env.state, env.topology, end - 1800, end, 0)
    assert len(sandbox.frame_cache._frames) == 1  # the baseline's simulation ran on to now
    env.perform("restart_service", "catalog", {}, "key-1")
    env.advance(600)
    assert build_window(env.state, env.topology, end - 9000, end - 1800, 0) is baseline
    assert build_window(env.state, env.topology, end - 1800, end, 0) is window
    later = build_window(env.state, env.topology, end - 1800, end + 600, 0)
    assert later.model_dump_json() == _fresh(env, end - 1800, end + 600)


def test_a_longer_read_of_a_stretch_long_before_now_is_cut_from_the_first(
    tmp_path: Path,
) -> None:
    """Verification reads the stretch a period back again, a few minutes longer."""
    SandboxTargets(tmp_path).prepare("env", "memory-leak-catalog", 5)
    env = SandboxEnvironment.load(tmp_path, "env")
    start = env.now() - env.now() % 60 - 86_400
    _forget()
    build_window(env.state, env.topology, start, start + 9000, 0)
    longer = build_window(env.state, env.topology, start, start + 9600, 0)
    assert len(sandbox.frame_cache._frames) == 2  # the stretch, and the recent past
    assert longer.model_dump_json() == _fresh(env, start, start + 9600)


def test_a_metrics_only_window_is_the_window_without_its_events(tmp_path: Path) -> None:
    SandboxTargets(tmp_path).prepare("env", "bad-deploy-checkout", 5)
    env = SandboxEnvironment.load(tmp_path, "env")
    end = env.now() - env.now() % 60
    _forget()
    metrics = sandbox.window.metrics_window(env.state, env.topology, end - 7200, end, False)
    full = sandbox.window.metrics_window(env.state, env.topology, end - 7200, end)
    assert full.events and not metrics.events
    assert full.metrics is metrics.metrics
    assert metrics.model_dump_json() == full.model_copy(update={"events": []}).model_dump_json()


def test_a_cut_shares_the_kept_simulation_and_cannot_change_it(tmp_path: Path) -> None:
    SandboxTargets(tmp_path).prepare("env", "memory-leak-catalog", 5)
    env = SandboxEnvironment.load(tmp_path, "env")
    end = env.now() - env.now() % 60
    _forget()
    sandbox.frame_cache.frame_at(env.state, env.topology, tick_times(end - 7200, end))
    cut = sandbox.frame_cache.frame_at(env.state, env.topology, tick_times(end - 1800, end))
    kept = sandbox.frame_cache._frames[-1].frame.services["catalog"]
    own = cut.services["catalog"]
    assert own.self_ms.base is kept.self_ms  # a view, nothing copied
    assert own.effects is not None and own.effects.mem_add.base is not None
    with pytest.raises(ValueError, match="read-only"):
        own.metrics[Metric.CPU][0] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        own.effects.mem_add += 1.0


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_read_long_before_now_simulates_the_recent_past_in_the_same_batch(
    tmp_path: Path, name: str
) -> None:
    """Detection reads a stretch a day back, then the recent past: one simulation of both,
    each byte for byte what it is simulated alone."""
    SandboxTargets(tmp_path).prepare("env", name, 4)
    env = SandboxEnvironment.load(tmp_path, "env")
    end = env.now() - env.now() % 60
    day_ago = (end - 86_400 - 9000, end - 86_400)
    recent = (end - 9000, end)
    alone = [_fresh(env, *day_ago), _fresh(env, *recent)]
    _forget()
    together = [build_window(env.state, env.topology, a, b, 0).model_dump_json()
                for a, b in (day_ago, recent)]  # fmt: skip
    assert together == alone
    assert len(sandbox.frame_cache._frames) == 2  # one simulation, kept as its two runs
    assert sandbox.frame_cache._frames[0].frame.times.base is not None


def test_a_read_whose_recent_past_follows_it_directly_is_kept_as_one_run(
    tmp_path: Path,
) -> None:
    """100 ticks ending 150 before the clock: the batch runs on to the clock without a gap,
    so a later read of the last 100 ticks is a cut of it, not another simulation."""
    SandboxTargets(tmp_path).prepare("env", "memory-leak-catalog", 5)
    env = SandboxEnvironment.load(tmp_path, "env")
    end = env.now() - env.now() % 60
    _forget()
    early = build_window(env.state, env.topology, end - 250 * 60, end - 150 * 60, 0)
    assert len(sandbox.frame_cache._frames) == 1
    late = build_window(env.state, env.topology, end - 100 * 60, end, 0)
    assert len(sandbox.frame_cache._frames) == 1
    assert len(early.metrics[0].values) == 100 == len(late.metrics[0].values)
    assert late.model_dump_json() == _fresh(env, end - 100 * 60, end)


def test_a_cut_carries_every_field_of_a_service_frame(tmp_path: Path) -> None:
    SandboxTargets(tmp_path).prepare("env", "certificate-expiry-auth", 5)
    env = SandboxEnvironment.load(tmp_path, "env")
    end = env.now() - env.now() % 60
    _forget()
    whole = sandbox.frame_cache.frame_at(env.state, env.topology, tick_times(end - 7200, end))
    cut = sandbox.frame_cache._sliced(whole, slice(10, 40))
    for service, own in whole.services.items():
        for item in fields(ServiceFrame):
            kept, got = getattr(own, item.name), getattr(cut.services[service], item.name)
            if isinstance(kept, dict):
                assert list(got) == list(kept)
                assert all(np.array_equal(got[k], kept[k][10:40]) for k in kept)
            elif isinstance(kept, np.ndarray):
                assert np.array_equal(got, kept[10:40])
            elif kept is not None:  # effects
                assert all(
                    np.array_equal(getattr(got, f.name), getattr(kept, f.name)[10:40])
                    for f in fields(kept)
                    if f.name != "size"
                )
                assert got.size == 30
