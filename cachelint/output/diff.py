"""`--diff`: the fixes as a unified diff, per file, and per cell in a notebook.

A file's diff is `--- a/path` / `+++ b/path` and its hunks. A notebook's is one diff per
code cell that changed, named `a/nb.ipynb:cell 3` (ruff names its cells the same way), of
the cell's source as the user sees it: what changes in the notebook's JSON text is only the
spelling of those lines. With colour (`--color`), ruff's colours: the old name and the
removed lines red, the new name and the added lines green.
"""

from __future__ import annotations

import difflib
from typing import List, Sequence

from cachelint.output import notebook_cell_sources, style
from cachelint.source import SourceFile


def unified_diff(source: SourceFile, new_text: str, name: str) -> List[str]:
    """The diff lines (each ending in a line break) turning `source` into `new_text`."""
    notebook = getattr(source, "notebook", None)
    if notebook is None:
        lines = list(difflib.unified_diff(source.text.splitlines(True), new_text.splitlines(True), f"a/{name}", f"b/{name}"))
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        return lines
    try:
        new_sources = notebook_cell_sources(source.encode(new_text).decode("utf-8"))
    except ValueError:  # the fixer keeps such texts from being fixes at all
        return []
    if new_sources is None:
        return []
    lines = []
    for number, (old, new) in enumerate(zip(notebook.all_sources, new_sources), start=1):
        if old == new:
            continue
        cell = f"{name}:cell {number}"
        lines.extend(
            line + "\n"
            for line in difflib.unified_diff(old.splitlines(), new.splitlines(), f"a/{cell}", f"b/{cell}", lineterm="")
        )
    return lines


def colored_diff(lines: Sequence[str], color: bool) -> str:
    """The diff lines joined, coloured as ruff colours its `--diff` when `color`."""
    if not color:
        return "".join(lines)
    out = []
    for line in lines:
        if line.startswith("--- "):
            out.append("--- " + style.red(line[4:].rstrip("\n")) + "\n")
        elif line.startswith("+++ "):
            out.append("+++ " + style.green(line[4:].rstrip("\n")) + "\n")
        elif line.startswith("-"):
            out.append(style.red("-") + style.red(line[1:]))
        elif line.startswith("+"):
            out.append(style.green("+") + style.green(line[1:]))
        else:
            out.append(line)
    return "".join(out)
