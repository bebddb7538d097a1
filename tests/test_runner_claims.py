"""Which worker of a pooled run lints which task (`cachelint.runner.claims`): each works
through a stretch of the plan of its own, in path order, so that the modules its files
import are parsed and run in one worker, not in every one; every task exactly once."""

from __future__ import annotations

import copy
import multiprocessing
from typing import Dict, List

import pytest

from cachelint.runner.claims import Claims, next_task


def test_the_task_at_the_cursor_when_it_is_free() -> None:
    assert next_task([0, 0, 0, 0], 2) == 2
    assert next_task([1, 1, 0, 0], 2) == 2


def test_past_its_stretch_a_worker_takes_the_second_half_of_the_longest_free_run() -> None:
    #                 0  1  2  3  4  5  6  7  8  9
    taken = bytearray([1, 0, 0, 1, 0, 0, 0, 0, 0, 1])
    assert next_task(taken, 3) == 4 + 5 // 2  # the run 4..8: its second half starts at 6
    assert next_task(taken, 10) == 6  # at the end of the plan
    assert next_task(bytearray([1, 0, 1, 1]), 2) == 1  # a run of one
    assert next_task(bytearray([0, 0, 1, 0, 0]), 2) == 1  # a tie: the earlier run


def test_no_free_task_is_an_error_not_a_task_linted_twice() -> None:
    with pytest.raises(LookupError):
        next_task(bytearray([1, 1, 1]), 0)
    with pytest.raises(LookupError):
        next_task(bytearray(), 0)


def _simulate(tasks: int, workers: int, speeds: List[int]) -> Dict[int, List[int]]:
    """Workers sharing one `Claims` (each its own copy, as each process has), claiming in
    turn; worker k claims `speeds[k]` tasks per turn."""
    shared = Claims(multiprocessing.get_context(), tasks, workers)
    views = [copy.copy(shared) for _ in range(workers)]
    for view in views:
        view.join()
    taken: Dict[int, List[int]] = {k: [] for k in range(workers)}
    claimed = 0
    while claimed < tasks:
        for k, view in enumerate(views):
            for _ in range(speeds[k]):
                if claimed < tasks:
                    taken[k].append(view.claim())
                    claimed += 1
    return taken


def test_two_workers_each_take_a_half_in_order_and_every_task_once() -> None:
    taken = _simulate(40, 2, [1, 1])
    assert taken[0] == list(range(0, 20)) and taken[1] == list(range(20, 40))


def test_a_faster_worker_helps_with_the_rest_of_the_slower_ones_stretch() -> None:
    taken = _simulate(40, 2, [1, 3])
    everything = sorted(taken[0] + taken[1])
    assert everything == list(range(40))
    # the slow worker went on in order from the start; the fast one, past its own half
    # (when the slow one had taken 0..6), took the second half of the 13 tasks left, in order
    assert taken[0] == list(range(len(taken[0])))
    assert taken[1][:20] == list(range(20, 40))
    assert taken[1][20:27] == list(range(13, 20))


def test_more_workers_than_tasks() -> None:
    taken = _simulate(3, 4, [1, 1, 1, 1])
    assert sorted(t for ts in taken.values() for t in ts) == [0, 1, 2]
