"""Seconds spent inside chosen functions while a block runs (what the loop bench bills to
the sandbox rather than to ADSH)."""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Place = tuple[Any, str]
"""(module or class, attribute name) of a function the code under test calls through it."""


class _Outermost(threading.local):
    depth = 0


def _timed(original: Callable[..., Any], spent: list[float], outer: _Outermost) -> Any:
    def run(*args: Any, **kwargs: Any) -> Any:
        outer.depth += 1
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            outer.depth -= 1
            if outer.depth == 0:  # a timed call inside another is already counted
                spent.append(time.perf_counter() - began)

    return run


@contextmanager
def timed_calls(places: list[Place]) -> Iterator[list[float]]:
    """Seconds of every outermost call to these functions, appended as each returns
    (static, class and plain methods alike); the originals are put back on exit."""
    spent: list[float] = []
    outer = _Outermost()
    originals = [(owner, name, inspect.getattr_static(owner, name)) for owner, name in places]
    for owner, name, original in originals:
        if isinstance(original, staticmethod | classmethod):
            wrapped = type(original)(_timed(original.__func__, spent, outer))
        else:
            wrapped = _timed(original, spent, outer)
        setattr(owner, name, wrapped)
    try:
        yield spent
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
