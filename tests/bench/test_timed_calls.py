"""bench.timed_calls: outermost calls timed once, every kind of method, originals restored."""

from __future__ import annotations

import time

import pytest

from bench.timed_calls import timed_calls


class Thing:
    calls = 0

    def plain(self, seconds: float) -> str:
        time.sleep(seconds)
        return "plain"

    def outer(self) -> str:
        return self.plain(0.02) + "+outer"

    @staticmethod
    def static(value: int) -> int:
        return value * 2

    @classmethod
    def made(cls) -> Thing:
        cls.calls += 1
        return cls()


def test_each_outermost_call_is_timed_once() -> None:
    thing = Thing()
    with timed_calls([(Thing, "plain"), (Thing, "outer")]) as spent:
        assert thing.outer() == "plain+outer"  # plain runs inside outer: one entry
        assert thing.plain(0.0) == "plain"
    assert len(spent) == 2
    assert spent[0] >= 0.02 and spent[1] < spent[0]


def test_static_and_class_methods_keep_their_binding() -> None:
    with timed_calls([(Thing, "static"), (Thing, "made")]) as spent:
        assert Thing.static(3) == 6 and Thing().static(4) == 8
        assert isinstance(Thing.made(), Thing)
    assert len(spent) == 3


def test_originals_are_back_after_the_block() -> None:
    before = (Thing.__dict__["plain"], Thing.__dict__["static"], Thing.__dict__["made"])
    try:
        with timed_calls([(Thing, "plain"), (Thing, "static"), (Thing, "made")]):
            raise RuntimeError("the block fails")
    except RuntimeError:
        pass
    assert (Thing.__dict__["plain"], Thing.__dict__["static"], Thing.__dict__["made"]) == before


class Child(Thing):
    pass


def test_an_inherited_method_is_inherited_again_after_the_block() -> None:
    with timed_calls([(Child, "plain")]) as spent:
        assert Child().plain(0.0) == "plain"
    assert len(spent) == 1 and "plain" not in vars(Child)
    assert Child.plain is Thing.plain


def test_what_is_not_a_function_is_refused_and_nothing_stays_patched() -> None:
    class WithProperty:
        @property
        def value(self) -> int:
            return 1

    before = Thing.__dict__["plain"]
    places = [(Thing, "plain"), (WithProperty, "value")]
    with pytest.raises(TypeError, match="can time functions"), timed_calls(places):
        pass
    assert Thing.__dict__["plain"] is before and WithProperty().value == 1
