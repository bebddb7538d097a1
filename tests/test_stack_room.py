"""The analysis runs from a frame with room after it on CPython's frame stack
(`cachelint.stack_room`): deep recursion going up and down must not map a fresh chunk of
stack memory at every turn, which cost a fifth of a cold run's CPU time in the kernel."""

from __future__ import annotations

import resource
import sys

import pytest

from cachelint import stack_room
from cachelint.stack_room import ROOMY_SLOTS, with_stack_room


def _down(depth: int) -> int:
    return 0 if depth == 0 else _down(depth - 1) + 1


def _up_and_down() -> int:
    """Recursion 30 to 430 frames deep, 3,000 times: it crosses the boundaries of 16 KiB
    stack chunks again and again, as the abstract interpreter does."""
    total = 0
    for i in range(3000):
        total += _down(30 + (i % 5) * 100)
    return total


def _page_faults(run) -> int:  # type: ignore[no-untyped-def]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    run()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_the_call_returns_what_the_function_returns_and_raises_what_it_raises() -> None:
    assert with_stack_room(lambda: 42) == 42

    def fail() -> None:
        raise KeyError("x")

    with pytest.raises(KeyError):
        with_stack_room(fail)


def test_the_function_runs_in_a_frame_with_the_roomy_slots() -> None:
    caller = with_stack_room(lambda: sys._getframe(1).f_code)
    assert caller.co_nlocals == ROOMY_SLOTS + 1


@pytest.mark.skipif(sys.version_info < (3, 11), reason="frames are heap objects before Python 3.11")
def test_deep_recursion_in_the_room_maps_no_fresh_stack_memory() -> None:
    _up_and_down()  # warm: the code's caches, the result's integers
    with_stack_room(lambda: None)  # the roomy function is made at its first use
    bare = _page_faults(_up_and_down)
    if bare < 3000:
        pytest.skip(f"this Python does not map stack chunks per crossing ({bare} page faults without room)")
    roomy = _page_faults(lambda: with_stack_room(_up_and_down))
    # the room itself is one 1 MiB chunk: ~130 pages of the frame's own slots, once
    assert roomy < 400, (bare, roomy)


def test_a_python_whose_code_objects_cannot_grow_runs_the_function_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stack_room, "_runner", False)
    assert with_stack_room(lambda: sys._getframe(1).f_code.co_name) == "with_stack_room"


def test_the_command_line_runs_in_the_room(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes are forked from inside `main`, so they inherit the room too."""
    from cachelint import __main__, cli

    seen = []

    def fake_main() -> None:
        frame = sys._getframe()
        while frame is not None:
            seen.append(frame.f_code.co_nlocals)
            frame = frame.f_back  # type: ignore[assignment]

    monkeypatch.setattr(cli, "main", fake_main)
    monkeypatch.setattr(cli, "KEPT_UNTIL_EXIT", None)  # `console` sets it; put back afterwards
    __main__.console()
    assert ROOMY_SLOTS + 1 in seen
