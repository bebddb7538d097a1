"""`concise` output: one line per finding, `path:row:col: CODE [*] message`, as ruff prints it.

This is the format editors' problem matchers and `grep` understand, so it never wraps and
never shows source: a control character of the path or message (a newline in a `ttl` value)
is escaped, so each finding stays one line and nothing reaches the terminal raw.
"""

from __future__ import annotations

from typing import Sequence

from cachelint.diagnostics import Diagnostic, sort_diagnostics
from cachelint.output import OutputContext, display_path, terminal_safe


def fix_marker(diagnostic: Diagnostic, unsafe_fixes: bool) -> str:
    """`"[*] "` when `--fix` (with or without `--unsafe-fixes`, as set) would fix it."""
    return "[*] " if diagnostic.fixable(unsafe_fixes) else ""


def concise_line(diagnostic: Diagnostic, ctx: OutputContext) -> str:
    loc = diagnostic.location
    return (
        f"{terminal_safe(display_path(diagnostic.path, ctx.cwd))}:{loc.row}:{loc.column}: "
        f"{diagnostic.code} {fix_marker(diagnostic, ctx.unsafe_fixes)}"
        f"{terminal_safe(diagnostic.message)}"
    )


def render_concise(diagnostics: Sequence[Diagnostic], ctx: OutputContext) -> str:
    return "".join(concise_line(d, ctx) + "\n" for d in sort_diagnostics(list(diagnostics)))
