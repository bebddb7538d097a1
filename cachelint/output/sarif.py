"""`sarif` output: a SARIF 2.1.0 log for GitHub code scanning and other SARIF viewers.

One run whose `tool.driver.rules` describes every rule (its documentation page as
`fullDescription`/`help`), and one result per finding with its fixes as
`artifactChanges`.

Unlike ruff, which writes absolute `file://` URIs (so a report made in CI names paths that
exist only on the CI machine), file URIs are relative to the project root under the
`%SRCROOT%` base id, and `run.originalUriBaseIds` says where that root was. A file outside
the project root keeps an absolute `file://` URI. Columns are Unicode code points, which
the run states in `columnKind`.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path, PurePath
from typing import Any, Dict, List, Optional, Sequence
from urllib.parse import quote

from cachelint.diagnostics import Diagnostic, Edit, Location, Severity, sort_diagnostics
from cachelint.output import OutputContext, dumps_utf8, known_rule, location_text

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def information_uri() -> str:
    """The project's home page, derived from where the rule pages are published."""
    from cachelint.registry import DOCS_BASE_URL

    return DOCS_BASE_URL.split("/blob/", 1)[0]


def root_uri(project_root: Path) -> str:
    """`file:///abs/root/`: a base URI must end with `/` or its last segment is dropped."""
    uri = Path(project_root).absolute().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def artifact_location(path: str, ctx: OutputContext) -> Dict[str, str]:
    """The file as a URI relative to `%SRCROOT%`, or an absolute URI when outside it."""
    try:
        relative = PurePath(path).relative_to(Path(ctx.project_root).absolute())
    except ValueError:
        return {"uri": Path(path).absolute().as_uri()}
    # Percent-encode everything but `/`: a `:` in the first segment would read as a scheme.
    # The file system's bytes are encoded (as Path.as_uri does), so a name that is not
    # UTF-8 (`caf\\xe9.py`, surrogate-escaped by os.fsdecode) becomes `caf%E9.py`.
    return {"uri": quote(os.fsencode(relative.as_posix()), safe="/"), "uriBaseId": SRCROOT}


def region(start: Location, end: Location) -> Dict[str, int]:
    return {
        "startLine": start.row,
        "startColumn": start.column,
        "endLine": end.row,
        "endColumn": end.column,
    }


def rule_descriptor(rule: Any) -> Dict[str, Any]:
    from cachelint.docs import render_rule_page
    from cachelint.registry import rule_url

    page = render_rule_page(rule)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": page, "markdown": page},
        "help": {"text": page, "markdown": page},
        "helpUri": rule_url(rule),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }


def _replacement(edit: Edit) -> Dict[str, Any]:
    replacement: Dict[str, Any] = {"deletedRegion": region(edit.location, edit.end_location)}
    if edit.content:  # without insertedContent a replacement is a deletion
        replacement["insertedContent"] = {"text": edit.content}
    return replacement


def fix_object(diagnostic: Diagnostic, ctx: OutputContext) -> Optional[Dict[str, Any]]:
    fix = diagnostic.fix
    if fix is None or not fix.edits:
        return None
    by_path: "OrderedDict[str, List[Edit]]" = OrderedDict()
    for edit in sorted(fix.edits, key=lambda e: (e.path, e.start, e.end)):
        by_path.setdefault(edit.path, []).append(edit)
    return {
        "description": {"text": fix.message or diagnostic.fix_title or diagnostic.message},
        "artifactChanges": [
            {
                "artifactLocation": artifact_location(path, ctx),
                "replacements": [_replacement(e) for e in edits],
            }
            for path, edits in by_path.items()
        ],
        "properties": {"applicability": fix.applicability.value},
    }


def result_object(
    diagnostic: Diagnostic, ctx: OutputContext, rule_index: Dict[str, int]
) -> Dict[str, Any]:
    result: Dict[str, Any] = {"ruleId": diagnostic.code}
    if diagnostic.code in rule_index:
        result["ruleIndex"] = rule_index[diagnostic.code]
    result["level"] = LEVELS[diagnostic.severity]
    result["message"] = {"text": diagnostic.message}
    where = region(diagnostic.location, diagnostic.end_location)
    if diagnostic.cell is not None:
        # A notebook's rows are counted in a cell, not in the file's JSON text: the result
        # points at the file's first line, says where in its text and carries the cell
        # location in its properties; edits in cell rows would be wrong for the file, so
        # no `fixes` are given.
        result["message"] = {"text": f"{location_text(diagnostic)}: {diagnostic.message}"}
        result["properties"] = {"cell": diagnostic.cell, "cellRegion": where}
        where = {"startLine": 1, "startColumn": 1}
    result["locations"] = [
        {
            "physicalLocation": {
                "artifactLocation": artifact_location(diagnostic.path, ctx),
                "region": where,
            }
        }
    ]
    if diagnostic.related:
        result["relatedLocations"] = [
            {
                "id": number,
                "physicalLocation": {
                    "artifactLocation": artifact_location(path, ctx),
                    "region": {"startLine": loc.row, "startColumn": loc.column},
                },
                "message": {"text": note},
            }
            for number, (path, loc, note) in enumerate(diagnostic.related, start=1)
        ]
    fix = fix_object(diagnostic, ctx) if diagnostic.cell is None else None
    if fix is not None:
        result["fixes"] = [fix]
    return result


def sarif_log(diagnostics: Sequence[Diagnostic], ctx: OutputContext) -> Dict[str, Any]:
    """The SARIF log as plain data (what `render_sarif` serialises)."""
    from cachelint.registry import all_rules

    rules = all_rules()
    rule_index = {rule.code: index for index, rule in enumerate(rules)}
    results = []
    for d in sort_diagnostics(list(diagnostics)):
        # An unknown code (an internal error) keeps its ruleId but points at no descriptor.
        index = rule_index if known_rule(d.code) is not None else {}
        results.append(result_object(d, ctx, index))
    run = {
        "tool": {
            "driver": {
                "name": "cachelint",
                "version": ctx.version,
                "informationUri": information_uri(),
                "rules": [rule_descriptor(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": root_uri(ctx.project_root)}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(diagnostics: Sequence[Diagnostic], ctx: OutputContext) -> str:
    return dumps_utf8(sarif_log(diagnostics, ctx), indent=2) + "\n"
