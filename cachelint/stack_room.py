"""Room on CPython's frame stack, so that the analysis's deep recursion stops mapping and
unmapping memory at every turn.

Why: since 3.11, CPython keeps the frames of Python calls on a per-thread stack made of
chunks (`Python/pystate.c`: `push_chunk`, `_PyThreadState_PopFrame`; still so in 3.13). A
call that does not fit in the current chunk gets a new 16 KiB chunk from `mmap`, and
returning from that call gives it back with `munmap` at once. The analysis is a recursive
interpreter whose depth goes up and down by hundreds of frames all the time: every crossing
of a chunk boundary cost an `mmap`, a `munmap` and page faults on fresh zeroed pages. On
crewai (538 files of corpus L) that was 180,000 pairs of calls and a fifth of the run's CPU
time spent in the kernel.

A chunk is as large as the frame it is made for needs (16 KiB, doubled until the frame and
1,000 words more fit), and the frames of the calls made from that frame go into the same
chunk while there is room. A function with ~66,000 local slots has a frame just over half a
MiB: it gets a 1 MiB chunk to itself and leaves ~500 KiB after its own frame, room for some
3,000 ordinary frames without a new chunk. `with_stack_room(run)` calls `run` from such a
frame; the command line runs inside it, and so do the worker processes it forks (they start
from the fork, above this frame). The cost is one chunk of 1 MiB and ~0.1 ms per call,
and ~1 MiB for the roomy function's code (its slots share one name).

Python 3.9 and 3.10 allocate each frame as an object of its own: there the call costs one
large frame object and changes nothing else. Where code objects cannot be rebuilt this way
(another implementation of Python), `run` is called directly.
"""

from __future__ import annotations

import types
from typing import Callable, Optional, TypeVar, Union

T = TypeVar("T")

#: Local slots of the roomy frame: 8 bytes each, so the frame plus the 1,000 words CPython
#: keeps free is just over 512 KiB and its chunk is 1 MiB, about half of it left for calls.
ROOMY_SLOTS = 66_000

#: the roomy function, once made; False: it cannot be made on this Python
_runner: "Union[Callable[..., object], bool, None]" = None


def with_stack_room(run: Callable[[], T]) -> T:
    """`run()`, called from a frame that leaves ~500 KiB of frame stack after itself."""
    runner = _roomy_runner()
    if runner is None:
        return run()
    return runner(run)  # type: ignore[return-value]


def _call(run):  # type: ignore[no-untyped-def]
    """The body of the roomy function: the slots added to its code are never used."""
    return run()


def _roomy_runner() -> Optional[Callable[..., object]]:
    global _runner
    if _runner is None:
        code = _call.__code__
        try:
            # one name for every slot: 66,000 distinct strings were 4 MiB of memory
            names = code.co_varnames + ("_room",) * ROOMY_SLOTS
            roomy = code.replace(co_varnames=names, co_nlocals=len(names))
            _runner = types.FunctionType(roomy, _call.__globals__, "with_stack_room_frame")
        except (AttributeError, TypeError, ValueError):  # not CPython's code objects
            _runner = False
    return _runner or None


__all__ = ["ROOMY_SLOTS", "with_stack_room"]
