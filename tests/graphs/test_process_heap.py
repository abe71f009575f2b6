"""A long-running process leaves its startup heap out of later garbage collections."""

import gc

import graphs.process_heap
from graphs.process_heap import freeze_startup_heap


def test_the_startup_heap_is_frozen_once_per_process() -> None:
    freeze_startup_heap()
    frozen = gc.get_freeze_count()
    assert frozen > 10_000 and graphs.process_heap._FROZEN.is_set()
    later = [[n] for n in range(50_000)]  # live objects made after: a 2nd call leaves them
    freeze_startup_heap()
    assert gc.get_freeze_count() < frozen + len(later) // 2  # (frozen ones may have died)
