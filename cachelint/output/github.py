"""`github` output: GitHub Actions workflow commands that become annotations on the diff.

```
::error title=cachelint (CL007),file=/repo/app.py,line=3,col=40,endLine=3,endColumn=45::app.py:3:40: CL007 message%0A  help: Use "1h"
```

The layout is ruff's. Two things ruff gets wrong are done right here: values are escaped
exactly as actions/toolkit (`packages/core/src/command.ts`) does, so a `%`, `:`, `,` or line
break in a path or message cannot end a property early or inject a second command; and
`col`/`endColumn` are left out when a finding spans several lines, since GitHub rejects
them then. Findings come most severe first, because GitHub shows only ten annotations of
each severity per step; `write_step_summary` puts every finding in the job summary.
"""

from __future__ import annotations

from collections import Counter
from typing import List, Sequence, Tuple

from cachelint.diagnostics import Diagnostic, Severity, sort_diagnostics
from cachelint.output import OutputContext, display_path, help_text, location_text

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}

# GitHub rejects a step summary larger than 1 MiB; stay well under it.
SUMMARY_BUDGET = 900 * 1024


def escape_data(text: str) -> str:
    """Escape a command's message (`escapeData` in actions/toolkit)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property's value (`escapeProperty` in actions/toolkit)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, properties: Sequence[Tuple[str, str]], message: str) -> str:
    """`::command k=v,k=v::message`, escaped the way the Actions runner parses it."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{command}{' ' + props if props else ''}::{escape_data(message)}"


def by_severity(diagnostics: Sequence[Diagnostic]) -> List[Diagnostic]:
    """Most severe first, then by path and position."""
    return sorted(sort_diagnostics(list(diagnostics)), key=lambda d: d.severity.rank)


def annotation(diagnostic: Diagnostic, ctx: OutputContext) -> str:
    """One workflow command. A finding in a notebook is placed on the file's first line
    (its rows are counted in a cell, not in the file's JSON text, as ruff does too) and its
    message says where: `nb.ipynb:cell 3:2:5: ...`."""
    loc, end = diagnostic.location, diagnostic.end_location
    properties = [("title", f"cachelint ({diagnostic.code})"), ("file", diagnostic.path)]
    if diagnostic.cell is not None:
        properties += [("line", "1"), ("endLine", "1")]
    else:
        properties.append(("line", str(loc.row)))
        if loc.row == end.row:
            properties.append(("col", str(loc.column)))
        properties.append(("endLine", str(end.row)))
        if loc.row == end.row:
            properties.append(("endColumn", str(end.column)))
    message = (
        f"{display_path(diagnostic.path, ctx.cwd)}:{location_text(diagnostic)}: "
        f"{diagnostic.code} {diagnostic.message}"
    )
    help_line = help_text(diagnostic)
    if help_line:
        message += f"\n  help: {help_line}"
    return workflow_command(COMMANDS[diagnostic.severity], properties, message)


def render_github(diagnostics: Sequence[Diagnostic], ctx: OutputContext) -> str:
    return "".join(annotation(d, ctx) + "\n" for d in by_severity(diagnostics))


# --- job summary ---------------------------------------------------------------------------


def markdown_cell(text: str) -> str:
    """Text safe inside a GitHub-flavoured Markdown table cell.

    HTML is escaped (GitHub would render or drop tags in a message), `|` would end the
    cell, and a line break would end the row.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("|", "\\|")
    return text.replace("\r\n", "<br>").replace("\r", "<br>").replace("\n", "<br>")


def _line(diagnostic: Diagnostic) -> str:
    return f"cell {diagnostic.cell}:{diagnostic.location.row}" if diagnostic.cell is not None else str(diagnostic.location.row)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def step_summary(diagnostics: Sequence[Diagnostic], ctx: OutputContext) -> str:
    """The Markdown block `write_step_summary` appends."""
    if not diagnostics:
        return "## cachelint\n\nAll checks passed!\n\n"
    ordered = sort_diagnostics(list(diagnostics))
    severities = Counter(d.severity for d in ordered)
    files = len({d.path for d in ordered})
    counts = ", ".join(
        _plural(severities[s], s.value)
        for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE)
        if severities[s]
    )
    lines = [
        "## cachelint",
        "",
        f"Found {_plural(len(ordered), 'finding')} in {_plural(files, 'file')} ({counts}).",
        "",
        "| File | Line | Code | Name | Message |",
        "| --- | ---: | --- | --- | --- |",
    ]
    size = sum(len(line.encode("utf-8")) + 1 for line in lines)
    shown = 0
    for d in ordered:
        row = (
            f"| {markdown_cell(display_path(d.path, ctx.cwd))} | {_line(d)} "
            f"| {markdown_cell(d.code)} | {markdown_cell(d.name)} | {markdown_cell(d.message)} |"
        )
        size += len(row.encode("utf-8")) + 1
        if size > SUMMARY_BUDGET:
            break
        lines.append(row)
        shown += 1
    if shown < len(ordered):
        lines += [
            "",
            f"{len(ordered) - shown} more not shown: GitHub limits a job summary to 1 MiB. "
            "Run cachelint locally or use `--output-format sarif` to see them all.",
        ]
    return "\n".join(lines) + "\n\n"


def write_step_summary(diagnostics: Sequence[Diagnostic], ctx: OutputContext, path: str) -> None:
    """Append the findings table to the file named by `$GITHUB_STEP_SUMMARY` (`path`).

    Appending, not overwriting: other steps of the job write to the same file.
    """
    with open(path, "a", encoding="utf-8", newline="\n") as handle:
        handle.write(step_summary(diagnostics, ctx))
