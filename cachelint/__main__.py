"""`python -m cachelint` (what the tests, CI images and editors run) and the `cachelint`
console script (what pre-commit and a shell run): both start in `console`.

Two things are special about Ctrl-C under `-m`:

* It can land while `cachelint.cli` is still being imported, before `main` handles it:
  that is one line and exit 130 here too, not a traceback.
* When the KeyboardInterrupt ended a string `exec` on its way (dataclasses and namedtuples
  build their methods that way, and `main` imports modules lazily), CPython marks it
  unhandled even though `main` caught it, and `python -m` then replaces the exit code 130
  with a death by SIGINT (`run_eval_code_obj` sets the flag that `Py_RunMain` checks; a
  script, such as the `cachelint` console script, does not take that path). So 130 is
  returned with `os._exit`, after flushing, once everything else is done.
"""

import os
import sys

EXIT_INTERRUPTED = 130


def _exit_now(code: int) -> None:
    """Flush what was printed and leave with `code`, bypassing CPython's exit handling."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a closed pipe: nothing more can be said
            pass
    os._exit(code)


def console() -> None:
    """Run the command line and leave with its exit code."""
    try:
        from cachelint import cli
        from cachelint.cli import main
        from cachelint.stack_room import with_stack_room
    except KeyboardInterrupt:
        sys.stderr.write("cachelint: interrupted\n")
        _exit_now(EXIT_INTERRUPTED)
    # The run's engine is kept to the end and the process leaves with `os._exit`: freeing
    # the syntax trees it holds one object at a time would only delay the exit (0.1 s
    # after linting a 3 MB module). Nothing is left to do by then: the output is written
    # and flushed, the worker pool shut down, temporary files removed (`finally` blocks).
    cli.KEPT_UNTIL_EXIT = []
    try:
        # the analysis recurses deeply; without room on the frame stack, CPython maps and
        # unmaps a chunk of it at every crossing (`cachelint.stack_room`)
        with_stack_room(main)
    except SystemExit as exc:
        if exc.code == EXIT_INTERRUPTED:
            _exit_now(EXIT_INTERRUPTED)
        if cli.KEPT_UNTIL_EXIT and isinstance(exc.code, int):
            _exit_now(exc.code)
        raise


if __name__ == "__main__":
    console()
