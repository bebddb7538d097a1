"""Colours, as ruff 0.17.6 prints them, and when to print them (`--color auto|always|never`).

Ruff colours the `full` and `concise` findings, the summary's `[*]` marker and "All checks
passed!", the `--statistics` table, the `--show-fixes` block and the `--diff` output; the
machine formats (json, sarif, ...) never. The escape sequences here are ruff's byte for byte
(`tests/test_cli_ruff_flags.py` compares them with the real ruff), so a terminal, a CI log
or a screenshot looks the same for both tools.

When: `always` and `never` say it; `auto` (the default) colours a stream that is a terminal,
unless `NO_COLOR` is set to something; `FORCE_COLOR` or `CLICOLOR_FORCE` set to something
colours a stream that is not one (a CI log). This is what ruff does with these variables.
A file written with `-o` never gets colours.
"""

from __future__ import annotations

import os
from typing import IO, Optional

#: The values of `--color`.
COLOR_CHOICES = ("auto", "always", "never")

RESET = "\x1b[0m"
BOLD = "\x1b[1m"


def use_color(choice: Optional[str], stream: Optional[IO[str]]) -> bool:
    """Whether output written to `stream` is coloured under `--color choice`."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR") or os.environ.get("CLICOLOR_FORCE"):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"
    except (OSError, ValueError):  # a closed or detached stream
        return False


def _wrap(codes: str, text: str, on: bool) -> str:
    return f"{codes}{text}{RESET}" if on and text else text


def bold(text: str, on: bool = True) -> str:
    return _wrap(BOLD, text, on)


def cyan(text: str, on: bool = True) -> str:
    return _wrap("\x1b[36m", text, on)


def red(text: str, on: bool = True) -> str:
    return _wrap("\x1b[31m", text, on)


def green(text: str, on: bool = True) -> str:
    return _wrap("\x1b[32m", text, on)


def bold_red(text: str, on: bool = True) -> str:
    """The rule code in `concise` output."""
    return _wrap("\x1b[1m\x1b[31m", text, on)


def bold_red_joined(text: str, on: bool = True) -> str:
    """The rule code in `--statistics` and `--show-fixes` (one SGR sequence, as ruff)."""
    return _wrap("\x1b[1;31m", text, on)


def bold_green_joined(text: str, on: bool = True) -> str:
    """"All checks passed!" and the `--show-fixes` title."""
    return _wrap("\x1b[1;32m", text, on)


# --- the `full` format (ruff's annotate-snippets renderer) -------------------------------------
def error_code(text: str, on: bool = True) -> str:
    return _wrap("\x1b[1m\x1b[91m", text, on)


def gutter(text: str, on: bool = True) -> str:
    """Line numbers, `|` and `-->`."""
    return _wrap("\x1b[1m\x1b[94m", text, on)


def help_label(text: str, on: bool = True) -> str:
    return _wrap("\x1b[1m\x1b[96m", text, on)


def note_label(text: str, on: bool = True) -> str:
    return _wrap("\x1b[1m\x1b[33m", text, on)


def fix_star(on: bool, *, full: bool = False) -> str:
    """The `[*]` marker: cyan `*` (bright and bold in `full`)."""
    if not on:
        return "[*]"
    return "[" + (_wrap("\x1b[1m\x1b[96m", "*", on) if full else cyan("*", on)) + "]"
