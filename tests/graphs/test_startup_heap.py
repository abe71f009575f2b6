"""Opening a runner leaves the process's startup heap out of later garbage collections."""

import gc

from api.targets import SandboxTargets
from graphs.settings import Settings
from tests.graphs.conftest import make_runner


def test_opening_a_runner_freezes_the_startup_heap_once(
    settings: Settings, targets: SandboxTargets
) -> None:
    """A full collection then skips modules, validators and the compiled graph."""
    with make_runner(settings, targets):
        frozen = gc.get_freeze_count()
    assert frozen > 10_000
    later = [[n] for n in range(50_000)]  # live objects made after: a 2nd runner leaves them
    with make_runner(settings, targets):
        assert gc.get_freeze_count() < frozen + len(later) // 2  # (frozen ones may have died)
    assert len(later) == 50_000
