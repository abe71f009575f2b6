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


def _wrapped(original: Any, spent: list[float], outer: _Outermost) -> Any:
    if isinstance(original, staticmethod | classmethod):
        return type(original)(_timed(original.__func__, spent, outer))
    if inspect.isfunction(original) or inspect.isbuiltin(original):
        return _timed(original, spent, outer)
    raise TypeError(f"can time functions and static or class methods, not {original!r}")


@contextmanager
def timed_calls(places: list[Place]) -> Iterator[list[float]]:
    """Seconds of every outermost call to these functions, appended as each returns
    (static, class and plain methods alike); on exit each place is as it was (a method a
    class inherits is inherited again)."""
    spent: list[float] = []
    outer = _Outermost()
    applied: list[tuple[Any, str, Any, bool]] = []
    try:
        for owner, name in places:
            original = inspect.getattr_static(owner, name)
            wrapped = _wrapped(original, spent, outer)
            applied.append((owner, name, original, name in vars(owner)))
            setattr(owner, name, wrapped)
        yield spent
    finally:
        for owner, name, original, own in reversed(applied):
            if own:
                setattr(owner, name, original)
            else:
                delattr(owner, name)
