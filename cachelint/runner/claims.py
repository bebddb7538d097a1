"""Which worker lints which task of a pooled run: each worker works through a stretch of
the plan of its own, in path order, and helps another only when its stretch is done.

Why: the files of a project in path order are neighbours that import the same modules, and
each worker process parses and interprets the modules its files import once, as long as its
module cache keeps them. Handed out one after the other from one queue, consecutive tasks
went to alternating workers, so both met every package and both parsed (and ran) every
shared module: on corpus L, two workers spent 128 cpu-s where one process spent 104, and
parsed 15,109 modules where one parsed 11,299.

Worker k of n starts at the k-th n-th of the plan (`cachelint.runner.lint.plan_chunks`:
the costly files first, then the rest in path order) and goes forward. When the task at its
cursor is taken (it reached the next worker's stretch, or the end), it takes the second half
of the longest run of tasks nobody has taken yet, leaving the first half to whoever is
working towards it, and goes on forward from there. Every task is claimed exactly once: the
pool runs one `claim` per task of the plan.
"""

from __future__ import annotations

from typing import Any, Sequence


class Claims:
    """The run's record of taken tasks, shared by its worker processes (made in the main
    process before the pool, handed to each worker at its start)."""

    def __init__(self, context: Any, tasks: int, workers: int) -> None:
        self._lock = context.Lock()
        self._taken = context.RawArray("b", tasks)  # all zero: nothing taken
        self._joined = context.RawValue("i", 0)
        self._workers = max(1, workers)
        #: where this process goes on (set by `join` in each worker)
        self._cursor = 0

    def join(self) -> None:
        """Called once in each worker: take the next worker number and its stretch."""
        with self._lock:
            number = self._joined.value
            self._joined.value = number + 1
        self._cursor = (number % self._workers) * len(self._taken) // self._workers

    def claim(self) -> int:
        """The index of the task this worker lints next (never one another worker has)."""
        with self._lock:
            index = next_task(self._taken, self._cursor)
            self._taken[index] = 1
        self._cursor = index + 1
        return index


def next_task(taken: Sequence[int], cursor: int) -> int:
    """The task at `cursor` when it is free, else the start of the second half of the
    longest run of free tasks (the earliest such run on a tie). LookupError when none is
    free: the pool ran more claims than the plan has tasks."""
    if 0 <= cursor < len(taken) and not taken[cursor]:
        return cursor
    flags = bytes(taken)
    best_start, best_length = -1, 0
    start = flags.find(0)
    while start >= 0:
        end = flags.find(1, start)
        end = len(flags) if end < 0 else end
        if end - start > best_length:
            best_start, best_length = start, end - start
        start = flags.find(0, end)
    if best_length == 0:
        raise LookupError("every task of the plan is taken")
    return best_start + best_length // 2


__all__ = ["Claims", "next_task"]
