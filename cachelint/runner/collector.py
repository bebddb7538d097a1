"""How Python's cyclic garbage collector runs in a lint run's processes.

A full collection walks every object alive in the process, and a worker holds the syntax
trees of the few hundred modules its files import: each full collection of a file with a
wide import closure costs a third of a second, and the default thresholds ran thirteen of
them on litellm's `main.py` alone. They found next to nothing, because the analysis makes
no reference cycles that outlive a file (`tests/test_no_cycles.py` keeps it so): a parsed
module does not refer to itself through its classes, an unknown value is not its own root,
the interpreter drops its closures' frames when a file is done. Everything else it drops is
freed by reference counting the moment it is dropped, whatever the collector does.

So the full collections are made rare, not switched off: a cycle that some future change
makes (or one in a library) is still collected, after a thousand collections of the middle
generation instead of ten. The young generations are collected as before; they are cheap.
Only cachelint's own runs are tuned: the command, for its duration, and its workers, and
the language server (`cachelint server`), which holds a project's trees for as long as the
editor runs; never a program that imports cachelint as a library.

Measured with `benchmarks/gc_cost.py` on litellm (`-j2`, 2 cores): 60.1 s and a 387 MiB
largest process with the default thresholds, 39.7 s and 387 MiB with these.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator

#: Middle-generation collections between two full collections (Python's default: 10).
FULL_COLLECTION_EVERY = 1000


def tune_for_lint_run() -> None:
    """Make full collections rare in this process (and in the workers it forks)."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)


@contextlib.contextmanager
def tuned_for_lint_run() -> Iterator[None]:
    """`tune_for_lint_run` for the time of a run, then the thresholds as they were: the
    command can be run in-process (tests, a program calling `main`), and that process's
    own cycles are not cachelint's to leave uncollected."""
    before = gc.get_threshold()
    tune_for_lint_run()
    try:
        yield
    finally:
        gc.set_threshold(*before)
