"""A window cut from a longer simulation is the window simulated on its own, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

import sandbox.frame_cache
import sandbox.window
from api.targets import SandboxTargets
from sandbox.environment import SandboxEnvironment
from sandbox.window import build_window


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
