"""Lifecycle: legal transitions pass, illegal ones raise with what is allowed."""

import itertools

import pytest

from graphs.lifecycle import ALLOWED, TERMINAL, IllegalTransition, Status, transition


def test_happy_path_is_legal() -> None:
    path = [
        Status.INITIATED,
        Status.ANALYZING,
        Status.PLANNING,
        Status.AWAITING_APPROVAL,
        Status.EXECUTING,
        Status.VALIDATING,
        Status.COMPLETED,
    ]
    for current, target in itertools.pairwise(path):
        assert transition(current, target) is target


def test_rollback_then_replan_is_legal() -> None:
    assert transition(Status.VALIDATING, Status.ROLLED_BACK) is Status.ROLLED_BACK
    assert transition(Status.ROLLED_BACK, Status.PLANNING) is Status.PLANNING


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.INITIATED, Status.EXECUTING),
        (Status.PLANNING, Status.COMPLETED),
        (Status.AWAITING_APPROVAL, Status.COMPLETED),
        (Status.COMPLETED, Status.EXECUTING),
        (Status.FAILED, Status.PLANNING),
    ],
)
def test_illegal_transitions_raise(current: Status, target: Status) -> None:
    with pytest.raises(IllegalTransition, match=f"{current} -> {target}"):
        transition(current, target)


def test_terminal_states_have_no_way_out() -> None:
    for status in TERMINAL:
        assert ALLOWED[status] == frozenset()
    assert set(ALLOWED) == set(Status)
