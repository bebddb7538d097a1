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
from typing import Any, Dict, Iterable, List, Optional, Tuple

import click

#: Seconds between two looks at the files (`CACHELINT_WATCH_POLL` sets it, for tests).
POLL_SECONDS = 0.5
CLEAR = "\x1b[H\x1b[2J\x1b[3J"  # what ruff writes: home, clear screen, clear scrollback
_WATCHED_SUFFIXES = (".py", ".pyi", ".ipynb")
_CONFIG_NAMES = ("pyproject.toml", "cachelint.toml", ".cachelint.toml")

Snapshot = Dict[str, Tuple[int, int]]


def _stamp() -> str:
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
    from cachelint.settings import DEFAULT_EXCLUDES

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


def _say(text: str) -> None:
    click.echo(text, nl=False, color=True)  # the clear-screen sequence is written as is
    sys.stdout.flush()


def run_once(paths: List[str], cwd: Path, overrides: Any, force_exclude: Optional[bool], options: Dict[str, Any],
             verbose: bool, talk: bool) -> None:
    """One lint of `paths`, printed the way watch mode prints it."""
    from cachelint.cli import Fail, Session, _err_line, _warn, fix_modes
    from cachelint.config import ConfigResolver
    from cachelint.registry import UnknownSelector
    from cachelint.settings import ConfigError

    try:
        resolver = ConfigResolver(cwd, overrides, warn=_warn if talk else None)
        session = Session(resolver, overrides, cwd, verbose=verbose, color=options["color"])
        fix, fix_only = fix_modes(options["fix"], options["fix_only"], resolver.default_settings)

        def header(count: int) -> None:
            _say(f"{_stamp()} Found {count} error{'' if count == 1 else 's'}. Watching for file changes.\n")
            if count and not (options["silent"] or fix_only):
                _say("\n")

        session.before_findings = header
        files = session.discover(paths, force_exclude, defer_generated=True)
        session.check(files, fix=fix or options["diff"], write=not options["diff"], diff=options["diff"],
                      unsafe=options["unsafe"], show_fixes=options["show_fixes"], statistics=False,
                      exit_zero=True, exit_non_zero_on_fix=False, output_format=options["output_format"],
                      output_file=options["output_file"], use_cache=options["use_cache"],
                      cache_dir=options["cache_dir"], add_ignore=None, jobs=options["jobs"], quiet=True,
                      silent=options["silent"], fix_only=fix_only)
    except (ConfigError, UnknownSelector, Fail) as exc:  # fix the config and save: it runs again
        _err_line(f"cachelint: error: {exc}")


def watch(paths: List[str], cwd: Path, overrides: Any, force_exclude: Optional[bool], options: Dict[str, Any],
          verbose: bool = False, talk: bool = True) -> int:
    """Lint `paths` now and after every change, until interrupted; the exit code (130)."""
    poll = _poll_seconds()
    message = "Starting linter in watch mode..."
    try:
        while True:
            before = snapshot(paths, cwd)
            _say(f"{CLEAR}{_stamp()} {message}\n\n")
            run_once(paths, cwd, overrides, force_exclude, options, verbose, talk)
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
