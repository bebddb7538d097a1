"""`gitlab` output: a GitLab Code Quality report (`artifacts:reports:codequality`).

GitLab reads a JSON array of issues, a subset of the Code Climate spec; per issue:

```json
{"description": "CL007: TTL must be ...", "check_name": "CL007", "fingerprint": "9f2c...",
 "severity": "major", "location": {"path": "app.py", "lines": {"begin": 3, "end": 3}}}
```

What matters is how GitLab uses the fields:

* It compares the report of a merge request with the report of its target branch **by
  fingerprint**: a finding whose fingerprint is new shows as introduced, one whose
  fingerprint vanished as resolved. So the fingerprint must not change when the finding
  does not: it hashes the rule code, the path relative to the project root, the text of
  the reported lines with surrounding whitespace stripped (so re-indenting does not count)
  and the text of the reported range, never the line number (a line inserted above would
  otherwise "resolve" and "introduce" every finding below it) and never the message (it
  carries token counts that change when an imported prompt changes elsewhere).
* GitLab shows one issue per fingerprint, so two findings whose hashes agree (the same
  call copied twice in one file) get an occurrence number salted in, counted in file
  order: the first keeps the plain hash.
* `location.path` must be relative to the repository root, without `./`, or the merge
  request cannot link it. Paths are relative to the project root (the directory with
  `.git`, as for `sarif`); a file outside it keeps its absolute path.
* The widget does not always show `check_name`, so the description starts with the code.

Severities map from cachelint's three onto GitLab's `info|minor|major|critical|blocker`:
error -> major, warning -> minor, note -> info, and `CL000` (a file that could not be read
or parsed, so nothing in it was checked) -> critical. Nothing is `blocker`: a prompt that
pays full price is a cost, not an outage.

The report is always a JSON array, `[]` when clean: GitLab rejects an empty artifact.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path, PurePath
from typing import Any, Dict, List, Optional, Sequence

from cachelint.diagnostics import Diagnostic, Location, Severity, sort_diagnostics
from cachelint.output import OutputContext, dumps_utf8, source_reader

SEVERITIES: Dict[Severity, str] = {
    Severity.ERROR: "major",
    Severity.WARNING: "minor",
    Severity.NOTE: "info",
}
#: A file that could not be linted at all outranks any finding in a file that could.
INVALID_SOURCE_SEVERITY = "critical"

_SPACE = re.compile(r"\s+")


def gitlab_severity(diagnostic: Diagnostic) -> str:
    if diagnostic.code == "CL000":
        return INVALID_SOURCE_SEVERITY
    return SEVERITIES[diagnostic.severity]


def report_path(path: str, project_root: Path) -> str:
    """`path` relative to the project root with `/` separators, else the absolute path."""
    try:
        relative = PurePath(os.path.abspath(path)).relative_to(os.path.abspath(project_root))
    except ValueError:
        return os.path.abspath(path)
    return relative.as_posix()


def _lines(text: str) -> List[str]:
    # Python's own line breaks (not str.splitlines, which also splits at \f, \x1c, ...):
    # rows are counted as the linter counts them.
    return re.split(r"\r\n|\r|\n", text)


def reported_text(text: Optional[str], start: Location, end: Location) -> str:
    """The normalised source of the finding: its lines stripped, then the exact range.

    Both are part of the fingerprint: the lines give the context (what the finding is
    about), the range tells apart two findings on one line. Runs of whitespace inside the
    range are folded, so reformatting a call does not make its finding new. Without the
    text (a file that cannot be read) the result is empty and the code and path decide.
    """
    if text is None:
        return ""
    lines = _lines(text)
    first, last = start.row - 1, max(start.row, end.row) - 1
    if first < 0 or first >= len(lines):
        return ""
    chosen = lines[first:last + 1]
    context = "\n".join(line.strip() for line in chosen)
    if len(chosen) == 1:
        span = chosen[0][start.column - 1:end.column - 1]
    else:
        span = "\n".join([chosen[0][start.column - 1:], *chosen[1:-1], chosen[-1][:end.column - 1]])
    return context + "\0" + _SPACE.sub(" ", span).strip()


def _hash(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        # a file name that is not UTF-8 keeps its bytes (os.fsdecode's surrogates)
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return h.hexdigest()


def issues(diagnostics: Sequence[Diagnostic], ctx: OutputContext) -> List[Dict[str, Any]]:
    """The Code Quality issues as plain data (what `render_gitlab` serialises)."""
    read = source_reader(ctx)
    seen: Dict[str, int] = {}
    out: List[Dict[str, Any]] = []
    for d in sort_diagnostics(list(diagnostics)):
        path = report_path(d.path, ctx.project_root)
        base = _hash(d.code, path, reported_text(read(d.path, d.cell), d.location, d.end_location))
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        fingerprint = base if occurrence == 0 else _hash(base, str(occurrence))
        description = f"{d.code}: {d.message}"
        lines = {"begin": d.location.row, "end": max(d.location.row, d.end_location.row)}
        if d.cell is not None:
            # a notebook's rows are counted in a cell, not in the file's JSON text: the
            # issue points at the file and says where (the fingerprint reads the cell)
            description += f" (cell {d.cell}, line {d.location.row})"
            lines = {"begin": 1, "end": 1}
        out.append(
            {
                "description": description,
                "check_name": d.code,
                "fingerprint": fingerprint,
                "severity": gitlab_severity(d),
                "location": {"path": path, "lines": lines},
            }
        )
    return out


def render_gitlab(diagnostics: Sequence[Diagnostic], ctx: OutputContext) -> str:
    return dumps_utf8(issues(diagnostics, ctx), indent=2) + "\n"
