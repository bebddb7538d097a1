"""Signals during a run: SIGTERM unwinds like Ctrl-C, and short critical steps hold both.

By default SIGTERM (what `timeout`, CI runners, docker stop and editors send) kills the
process on the spot, so a `--fix` interrupted between creating its temporary file and
renaming it left a `.cachelint-*.tmp` next to the user's file. During a run, the main
process turns SIGTERM into the `Terminated` exception instead: it unwinds through the
same `finally` blocks as a KeyboardInterrupt and ends the run with one line.

A few steps must not be cut in half at all (writing one fixed file, forking the pool's
workers): `held()` blocks SIGINT and SIGTERM around them with `pthread_sigmask`; a signal
arriving meanwhile is delivered as soon as the step is done.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

#: The exit code of a run ended by SIGTERM, as a shell reports it (128 + 15).
EXIT_TERMINATED = 128 + signal.SIGTERM

#: The signals `held()` holds: Ctrl-C and SIGTERM.
HELD = frozenset({signal.SIGINT, signal.SIGTERM})


class Terminated(BaseException):
    """SIGTERM arrived. A BaseException, as KeyboardInterrupt, so that `except Exception`
    in the code it passes through does not swallow it."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


@contextmanager
def sigterm_unwinds() -> Iterator[None]:
    """While inside, SIGTERM raises `Terminated` in the main thread; then the previous
    handler is back (a second SIGTERM while the run reports the first kills it).

    Only the main thread can install signal handlers; elsewhere (an editor integration
    running cachelint in a thread) this does nothing. Forked pool workers inherit the
    handler and reset it (see `cachelint.runner.lint`).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


@contextmanager
def held() -> Iterator[None]:
    """Block SIGINT and SIGTERM inside; a signal that arrived is delivered on leaving.

    A no-op where signal masks do not exist (Windows).
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def release_in_worker() -> None:
    """In a freshly forked pool worker: undo what it inherited from the main process.

    Ctrl-C is ignored (the terminal signals the whole process group; the main process
    alone reports it and ends the workers), SIGTERM kills (the main process's handler is
    not for a worker), and the signals held during the fork are unblocked.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD)
