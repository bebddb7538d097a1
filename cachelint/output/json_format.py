"""`json` and `json-lines` output, with ruff's exact field names and shapes.

Tools that already read `ruff check --output-format json` (editor plugins, review bots,
dashboards) can read cachelint's too: an array of objects with the keys `cell`, `code`,
`end_location`, `filename`, `fix`, `location`, `message`, `name`, `noqa_row`, `severity`
and `url`, sorted, 1-based columns, exclusive end. In a notebook, `cell` is the 1-based
number of the cell and every row (fix edits and `noqa_row` too) is counted in that cell,
as ruff reports notebooks; elsewhere `cell` is null. Fields may be added later, never renamed.
Every fix is listed with its applicability, whether or not `--unsafe-fixes` is on. The
output is always valid UTF-8: a byte of a file name that is not UTF-8 is written `\\xNN`.
"""

from __future__ import annotations

from typing import Any, Dict, Sequence

from cachelint.diagnostics import Diagnostic, sort_diagnostics
from cachelint.output import OutputContext, diagnostic_url, dumps_utf8


def diagnostic_json(diagnostic: Diagnostic) -> Dict[str, Any]:
    """The ruff-shaped JSON object for one finding."""
    return {
        "cell": diagnostic.cell,
        "code": diagnostic.code,
        "end_location": diagnostic.end_location.to_json(),
        "filename": diagnostic.path,
        "fix": None if diagnostic.fix is None else diagnostic.fix.to_json(),
        "location": diagnostic.location.to_json(),
        "message": diagnostic.message,
        "name": diagnostic.name,
        "noqa_row": diagnostic.noqa_row,
        "severity": diagnostic.severity.value,
        "url": diagnostic_url(diagnostic),
    }


def render_json(diagnostics: Sequence[Diagnostic], ctx: OutputContext) -> str:
    objects = [diagnostic_json(d) for d in sort_diagnostics(list(diagnostics))]
    return dumps_utf8(objects, indent=2, sort_keys=True) + "\n"


def render_json_lines(diagnostics: Sequence[Diagnostic], ctx: OutputContext) -> str:
    return "".join(
        dumps_utf8(diagnostic_json(d), sort_keys=True, separators=(",", ":")) + "\n"
        for d in sort_diagnostics(list(diagnostics))
    )
