"""`concise` output: one line per finding, `path:row:col: CODE [*] message`, as ruff prints it
(`path:cell 3:row:col: ...` in a notebook).

This is the format editors' problem matchers and `grep` understand, so it never wraps and
never shows source: a control character of the path or message (a newline in a `ttl` value)
is escaped, so each finding stays one line and nothing reaches the terminal raw.
"""

from __future__ import annotations

from typing import Sequence

from cachelint.diagnostics import Diagnostic, sort_diagnostics
from cachelint.output import OutputContext, display_path, style, terminal_safe


def fix_marker(diagnostic: Diagnostic, unsafe_fixes: bool, color: bool = False, *, full: bool = False) -> str:
    """`"[*] "` when `--fix` (with or without `--unsafe-fixes`, as set) would fix it."""
    return style.fix_star(color, full=full) + " " if diagnostic.fixable(unsafe_fixes) else ""


def concise_line(diagnostic: Diagnostic, ctx: OutputContext) -> str:
    """`path:row:col: CODE [*] message` (`path:cell N:row:col: ...` in a notebook), in
    ruff's colours when `ctx.color`."""
    on = ctx.color
    loc = diagnostic.location
    colon = style.cyan(":", on)
    where = [f"cell {diagnostic.cell}"] if diagnostic.cell is not None else []
    where += [str(loc.row), str(loc.column)]
    return (
        f"{style.bold(terminal_safe(display_path(diagnostic.path, ctx.cwd)), on)}{colon}"
        + colon.join(where)
        + f"{colon} {style.bold_red(diagnostic.code, on)} {fix_marker(diagnostic, ctx.unsafe_fixes, on)}"
        f"{terminal_safe(diagnostic.message)}"
    )


def render_concise(diagnostics: Sequence[Diagnostic], ctx: OutputContext) -> str:
    return "".join(concise_line(d, ctx) + "\n" for d in sort_diagnostics(list(diagnostics)))
