"""`--watch`: lint again whenever a linted file or a configuration file changes.

The screen looks like ruff 0.17.6's watch mode: the terminal is cleared, a timestamped
`Starting linter in watch mode...` (later `File change detected...`) line, then
`[time] Found N errors. Watching for file changes.` and the findings in the chosen format.
Everything goes to stdout (errors to stderr); Ctrl-C ends it with exit code 130, as ruff.

Changes are found by polling (no dependency, every platform): every `POLL_SECONDS` the
given paths are walked for `.py`, `.pyi` and `.ipynb` files and configuration files
(`pyproject.toml`, `cachelint.toml`, `.cachelint.toml`, also in the directories above),
skipping the default excludes, and their sizes and modification times compared with the
last run's. Each run resolves the configuration afresh, so an edited config applies at
once, and uses the result cache, so a run after one edit re-analyses only what changed.
With `--fix`, the files a run fixes are seen as changed and linted once more, as in ruff.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Tuple

import click

#: Seconds between two looks at the files (`CACHELINT_WATCH_POLL` sets it, for tests).
POLL_SECONDS = 0.5
CLEAR = "\x1b[H\x1b[2J\x1b[3J"  # what ruff writes: home, clear screen, clear scrollback
_WATCHED_SUFFIXES = (".py", ".pyi", ".ipynb")
_CONFIG_NAMES = ("pyproject.toml", "cachelint.toml", ".cachelint.toml")

Snapshot = Dict[str, Tuple[int, int]]


def stamp() -> str:
    """ruff's timestamp: `[%H:%M:%S %p]` (a 24-hour clock with AM/PM, as ruff prints it)."""
    return time.strftime("[%H:%M:%S %p]")


def _poll_seconds() -> float:
    try:
        return max(0.05, float(os.environ.get("CACHELINT_WATCH_POLL", POLL_SECONDS)))
    except ValueError:
        return POLL_SECONDS


def _stat(path: str, out: Snapshot) -> None:
    try:
        st = os.stat(path)
    except OSError:
        return
    out[path] = (st.st_mtime_ns, st.st_size)


def snapshot(paths: Iterable[str], cwd: Path) -> Snapshot:
    """Size and modification time of every file whose change starts a new run."""
    from cachelint.config.settings import DEFAULT_EXCLUDES

    skip = set(DEFAULT_EXCLUDES)
    out: Snapshot = {}
    seen_dirs = set()
    for given in paths:
        root = given if os.path.isabs(given) else os.path.join(str(cwd), given)
        # configuration files that apply to the path: in it and in every directory above
        directory = os.path.abspath(root if os.path.isdir(root) else os.path.dirname(root))
        while directory not in seen_dirs:
            seen_dirs.add(directory)
            for name in _CONFIG_NAMES:
                _stat(os.path.join(directory, name), out)
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
        if not os.path.isdir(root):
            _stat(root, out)
            continue
        stack = [root]
        while stack:
            current = stack.pop()
            try:
                with os.scandir(current) as entries:
                    for entry in entries:
                        try:
                            if entry.is_dir(follow_symlinks=False):
                                if entry.name not in skip:
                                    stack.append(entry.path)
                            elif entry.name.endswith(_WATCHED_SUFFIXES) or entry.name in _CONFIG_NAMES:
                                _stat(entry.path, out)
                        except OSError:
                            continue
            except OSError:
                continue
    return out


def say(text: str) -> None:
    click.echo(text, nl=False, color=True)  # the clear-screen sequence is written as is
    sys.stdout.flush()


def watch(paths: List[str], cwd: Path, run_once: Callable[[], None]) -> int:
    """Lint `paths` now and after every change, until interrupted; the exit code (130).

    `run_once` lints and prints once (the command line builds it: this module stays below
    the command line in the import graph)."""
    poll = _poll_seconds()
    message = "Starting linter in watch mode..."
    try:
        while True:
            before = snapshot(paths, cwd)
            say(f"{CLEAR}{stamp()} {message}\n\n")
            run_once()
            # What the run itself wrote (fixes) counts as a change, as ruff sees it.
            last = before
            while True:
                time.sleep(poll)
                current = snapshot(paths, cwd)
                if current != last:
                    break
            message = "File change detected..."
    except KeyboardInterrupt:
        return 130
