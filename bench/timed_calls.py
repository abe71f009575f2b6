"""Seconds spent inside chosen functions while a block runs (what the loop bench bills to
the sandbox rather than to ADSH)."""

from __future__ import annotations

import functools
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


Wrap = Callable[[int, Callable[..., Any]], Callable[..., Any]]
"""(index of the place, its function) -> what runs in its stead."""


def _wrapped(original: Any, wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> Any:
    if isinstance(original, staticmethod | classmethod):
        return type(original)(wrap(original.__func__))
    if inspect.isfunction(original) or inspect.isbuiltin(original):
        return wrap(original)
    raise TypeError(f"can time functions and static or class methods, not {original!r}")


@contextmanager
def patched(places: list[Place], wrap: Wrap) -> Iterator[None]:
    """Each place's function replaced by `wrap(index, function)` while the block runs
    (static, class and plain methods alike); on exit each place is as it was (a method a
    class inherits is inherited again), also when a later place cannot be patched."""
    applied: list[tuple[Any, str, Any, bool]] = []
    try:
        for index, (owner, name) in enumerate(places):
            original = inspect.getattr_static(owner, name)
            replacement = _wrapped(original, functools.partial(wrap, index))
            applied.append((owner, name, original, name in vars(owner)))
            setattr(owner, name, replacement)
        yield
    finally:
        for owner, name, original, own in reversed(applied):
            if own:
                setattr(owner, name, original)
            else:
                delattr(owner, name)


@contextmanager
def timed_calls(places: list[Place]) -> Iterator[list[float]]:
    """Seconds of every outermost call to these functions, appended as each returns."""
    spent: list[float] = []
    outer = _Outermost()
    with patched(places, lambda _, original: _timed(original, spent, outer)):
        yield spent
