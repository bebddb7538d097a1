"""The lines printed after the findings, in ruff's words, so users of both read them alike.

These go to stderr (the CLI prints them); the findings themselves go to stdout. Every
function returns its text without a trailing newline; an empty string means "print
nothing".
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from cachelint.diagnostics import Applicability, Diagnostic
from cachelint.output import display_path, known_rule, style, terminal_safe


def _errors(count: int) -> str:
    return f"{count} error{'' if count == 1 else 's'}"


def found_summary(remaining: int, fixed: int, *, fix_mode: bool, color: bool = False) -> str:
    """`Found 3 errors.`, `Found 5 errors (2 fixed, 3 remaining).` or `All checks passed!`.

    `fixed` counts only in fix mode: a `--diff` run computes fixes but applies none.
    """
    fixed = fixed if fix_mode else 0
    if fixed > 0:
        return f"Found {_errors(fixed + remaining)} ({fixed} fixed, {remaining} remaining)."
    if remaining > 0:
        return f"Found {_errors(remaining)}."
    return style.bold_green_joined("All checks passed!", color)


def fixed_summary(fixed: int) -> str:
    """`--fix-only`'s line: `Fixed 2 errors.`, nothing when nothing was fixed (as ruff)."""
    return f"Fixed {_errors(fixed)}." if fixed else ""


def fix_counts(diagnostics: Sequence[Diagnostic], unsafe_fixes: bool) -> Tuple[int, int]:
    """(fixes `--fix` would apply, unsafe fixes it would skip without `--unsafe-fixes`)."""
    applicable = hidden = 0
    for d in diagnostics:
        if d.fix is None:
            continue
        if d.fixable(unsafe_fixes):
            applicable += 1
        elif d.fix.applicability is Applicability.UNSAFE:
            hidden += 1
    return applicable, hidden


def fix_hint(diagnostics: Sequence[Diagnostic], unsafe_fixes: bool, color: bool = False) -> Optional[str]:
    """How many findings `--fix` can fix, and how many more `--unsafe-fixes` would add."""
    applicable, hidden = fix_counts(diagnostics, unsafe_fixes)
    hidden_text = (
        f"{hidden} hidden fix{'' if hidden == 1 else 'es'} can be enabled with the "
        "`--unsafe-fixes` option"
    )
    star = style.fix_star(color)
    if applicable and hidden:
        return f"{star} {applicable} fixable with the `--fix` option ({hidden_text})."
    if applicable:
        return f"{star} {applicable} fixable with the `--fix` option."
    if hidden:
        return f"No fixes available ({hidden_text})."
    return None


def statistics(diagnostics: Sequence[Diagnostic], unsafe_fixes: bool, color: bool = False) -> str:
    """ruff's `--statistics` table: count, code, fixability and name, one line per code.

    `{count:>W}\\t{code:<W}\\t[*] name`: `[*]` all fixable, `[-]` some, `[ ]` none; the
    markers are left out when no finding at all is fixable. Most frequent codes first.
    """
    counts: Counter = Counter()
    fixable: Counter = Counter()
    names: Dict[str, str] = {}
    for d in diagnostics:
        counts[d.code] += 1
        fixable[d.code] += int(d.fixable(unsafe_fixes))
        names.setdefault(d.code, d.name)
    if not counts:
        return ""
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    count_width = len(str(rows[0][1]))
    code_width = max(len(code) for code in counts)
    any_fixable = any(fixable.values())
    lines: List[str] = []
    for code, count in rows:
        marker = ""
        if any_fixable:
            marker = "[*] " if fixable[code] == count else "[-] " if fixable[code] else "[ ] "
            if color and marker != "[ ] ":
                marker = "[" + style.cyan(marker[1]) + "] "
        lines.append(
            f"{style.bold(f'{count:>{count_width}}', color)}\t{style.bold_red_joined(f'{code:<{code_width}}', color)}"
            f"\t{marker}{names[code]}"
        )
    return "\n".join(lines)


def show_fixes(fixed: Mapping[str, Mapping[str, int]], cwd: Path, color: bool = False) -> str:
    """ruff's `--show-fixes` block: the fixes applied, per file and code.

    `fixed` maps an absolute path to code -> number of fixes. The CLI prints a blank line
    before and after it, as ruff does.
    """
    tables = {
        path: {code: n for code, n in table.items() if n > 0} for path, table in fixed.items()
    }
    tables = {path: table for path, table in tables.items() if table}
    total = sum(sum(table.values()) for table in tables.values())
    if total == 0:
        return ""
    width = len(str(max(max(table.values()) for table in tables.values())))
    lines = [style.bold_green_joined(f"Fixed {_errors(total)}:", color)]
    for path in sorted(tables):
        lines.append(f"{style.cyan('-', color)} {style.bold(terminal_safe(display_path(path, cwd)), color)}{style.cyan(':', color)}")
        for code, count in sorted(tables[path].items(), key=lambda item: (-item[1], item[0])):
            rule = known_rule(code)
            name = f" ({rule.name})" if rule is not None else ""
            lines.append(f"    {count:>{width}} × {style.bold_red_joined(code, color)}{name}")
    return "\n".join(lines)
