"""`junit` output: JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure).

The layout is ruff's: one `<testsuite>` per file, one failing `<testcase
name="org.cachelint.CL007">` per finding, and a single passing test case when there is
nothing to report (some CI systems treat an empty report as an error). The test case's
`classname` is the file's path without its extension, as ruff writes it, because JUnit
viewers split class names at dots. Paths are relative to the working directory.

The XML is built with `xml.etree`, so quotes, `&` and `<` in messages are escaped; the
characters XML 1.0 cannot carry at all (most control characters) become U+FFFD.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import OrderedDict
from pathlib import PurePath
from typing import Dict, List, Sequence

from cachelint.diagnostics import Diagnostic, sort_diagnostics
from cachelint.output import OutputContext, display_path, utf8_safe

PACKAGE = "org.cachelint"
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 forbids; a byte of a file name that is not
    UTF-8 is spelled `\\xNN` (as in the JSON formats) rather than lost to U+FFFD."""
    return _NOT_XML.sub("\ufffd", utf8_safe(text))


def _classname(rel_path: str) -> str:
    pure = PurePath(rel_path)
    return str(pure.with_suffix("")) if pure.suffix else rel_path


def render_junit(diagnostics: Sequence[Diagnostic], ctx: OutputContext) -> str:
    by_file: "OrderedDict[str, List[Diagnostic]]" = OrderedDict()
    for d in sort_diagnostics(list(diagnostics)):
        by_file.setdefault(d.path, []).append(d)
    total = sum(len(items) for items in by_file.values())

    root = ET.Element(
        "testsuites",
        _counts(name="cachelint", tests=max(total, 1), failures=total),
    )
    if not by_file:
        suite = ET.SubElement(
            root, "testsuite", _counts(name="cachelint", tests=1, failures=0, package=PACKAGE)
        )
        ET.SubElement(suite, "testcase", {"name": "No errors found", "classname": "cachelint"})
    for path, items in by_file.items():
        rel_path = xml_text(display_path(path, ctx.cwd))
        suite = ET.SubElement(
            root,
            "testsuite",
            _counts(name=rel_path, tests=len(items), failures=len(items), package=PACKAGE),
        )
        for d in items:
            case = ET.SubElement(
                suite,
                "testcase",
                {
                    "name": f"{PACKAGE}.{xml_text(d.code)}",
                    "classname": _classname(rel_path),
                    "line": str(d.location.row),
                    "column": str(d.location.column),
                },
            )
            properties = ET.SubElement(case, "properties")
            ET.SubElement(properties, "property", {"name": "severity", "value": d.severity.value})
            failure = ET.SubElement(case, "failure", {"message": xml_text(d.message)})
            cell = f"cell {d.cell}, " if d.cell is not None else ""
            failure.text = xml_text(f"{cell}line {d.location.row}, col {d.location.column}, {d.message}")
    ET.indent(root, space="    ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _counts(name: str, tests: int, failures: int, package: str = "") -> Dict[str, str]:
    attrs = {
        "name": name,
        "tests": str(tests),
        "skipped": "0",
        "failures": str(failures),
        "errors": "0",
    }
    if package:
        attrs["package"] = package
    return attrs
