"""Every output format rendered from diagnostics built by hand.

The diagnostics cover what tends to break formats: findings with safe, unsafe and no
fixes, ranges over several lines, a file name with a comma, a colon and a percent sign,
non-ASCII text, a file outside the project, and a code the registry does not know (as an
internal error would carry). Expected texts are written out in full where the layout is
the point (ruff's), and fields are checked one by one where the structure is.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, Optional, Tuple
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest

from cachelint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Severity
from cachelint.config.loader import OUTPUT_FORMATS
from cachelint.docs import render_rule_page
from cachelint.output import FORMATS, OutputContext, UnknownFormat, render
from cachelint.output.github import (
    escape_data,
    escape_property,
    step_summary,
    write_step_summary,
)
from cachelint.registry import all_rules, rule_for, rule_url

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
RULE = rule_for("CL007")
assert RULE is not None
CODE, NAME = RULE.code, RULE.name
UNKNOWN = "CL999"

APP = 'import anthropic\n\nx = {"cache_control": {"type": "ephemeral", "ttl": "10m"}}\nsend(x)\n'
APP_TTL = (Location(3, 51), Location(3, 56))  # the "10m" literal


def make(
    path: str,
    start: Location,
    end: Location,
    *,
    code: str = CODE,
    name: str = NAME,
    message: str = 'TTL must be "5m" or "1h", not "10m"',
    severity: Severity = Severity.ERROR,
    fix: Optional[Fix] = None,
    fix_title: Optional[str] = None,
    noqa_row: Optional[int] = None,
    related: Tuple[Tuple[str, Location, str], ...] = (),
) -> Diagnostic:
    return Diagnostic(
        code=code,
        name=name,
        message=message,
        path=path,
        location=start,
        end_location=end,
        severity=severity,
        fix=fix,
        fix_title=fix_title,
        noqa_row=noqa_row,
        related=related,
    )


def replace_fix(
    path: str,
    start: Location,
    end: Location,
    content: str,
    applicability: Applicability = Applicability.SAFE,
    message: str = 'Use "1h"',
    offsets: Tuple[int, int] = (0, 0),
) -> Fix:
    edit = Edit(path, offsets[0], offsets[1], content, start, end)
    return Fix(applicability, message, (edit,))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "app.py").write_text(APP, encoding="utf-8")
    return root


def context(
    root: Path,
    unsafe_fixes: bool = False,
    files: Optional[Dict[str, str]] = None,
    cwd: Optional[Path] = None,
) -> OutputContext:
    def read_text(path: str) -> Optional[str]:
        if files is not None:
            return files.get(path)
        p = Path(path)
        return p.read_text(encoding="utf-8") if p.is_file() else None

    return OutputContext(
        cwd=cwd or root,
        project_root=root,
        unsafe_fixes=unsafe_fixes,
        read_text=read_text,
        version="9.9.9",
    )


def ttl_finding(root: Path, applicability: Applicability = Applicability.SAFE) -> Diagnostic:
    path = str(root / "app.py")
    return make(
        path,
        *APP_TTL,
        fix=replace_fix(path, *APP_TTL, '"1h"', applicability),
        fix_title='Use "1h"',
        noqa_row=3,
    )


# --- dispatch ---------------------------------------------------------------------------


def test_formats_are_the_documented_ones() -> None:
    assert FORMATS == ("full", "concise", "json", "json-lines", "github", "gitlab", "sarif", "junit")
    assert OUTPUT_FORMATS == FORMATS  # `output-format = ...` in a config accepts the same


def test_unknown_format_is_a_value_error_naming_the_choices(project: Path) -> None:
    with pytest.raises(UnknownFormat, match="grouped.*full, concise"):
        render("grouped", [], context(project))
    assert issubclass(UnknownFormat, ValueError)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_ends_with_a_newline_and_ignores_input_order(fmt: str, project: Path) -> None:
    a = ttl_finding(project)
    b = make(
        str(project / "pkg" / "b.py"),
        Location(1, 1),
        Location(1, 2),
        code=UNKNOWN,
        name="internal-error",
        message="boom",
    )
    ctx = context(project)
    out = render(fmt, [b, a], ctx)
    assert out.endswith("\n")
    assert out == render(fmt, [a, b], ctx)


# --- concise -----------------------------------------------------------------------------


def test_concise_lines_are_sorted_relative_and_marked_when_fixable(
    project: Path, tmp_path: Path
) -> None:
    safe = ttl_finding(project)
    unsafe = make(
        str(project / "app.py"),
        Location(4, 1),
        Location(4, 5),
        fix=replace_fix(
            str(project / "app.py"), Location(4, 1), Location(4, 5), "x", Applicability.UNSAFE
        ),
    )
    outside = make(
        str(tmp_path / "other" / "o.py"),
        Location(2, 3),
        Location(2, 4),
        code=UNKNOWN,
        name="internal-error",
        message="crashed",
    )
    diagnostics = [unsafe, outside, safe]
    out = render("concise", diagnostics, context(project))
    # Sorted by absolute path, so the file outside the project comes first here.
    assert out == (
        f"{tmp_path / 'other' / 'o.py'}:2:3: CL999 crashed\n"
        'app.py:3:51: CL007 [*] TTL must be "5m" or "1h", not "10m"\n'
        'app.py:4:1: CL007 TTL must be "5m" or "1h", not "10m"\n'
    )
    with_unsafe = render("concise", diagnostics, context(project, unsafe_fixes=True))
    assert "app.py:4:1: CL007 [*] TTL" in with_unsafe


def test_concise_is_empty_when_clean(project: Path) -> None:
    assert render("concise", [], context(project)) == ""


# --- full --------------------------------------------------------------------------------


def test_full_single_line_matches_ruffs_layout(project: Path) -> None:
    out = render("full", [ttl_finding(project)], context(project))
    assert out == (
        'CL007 [*] TTL must be "5m" or "1h", not "10m"\n'
        " --> app.py:3:51\n"
        "  |\n"
        "1 | import anthropic\n"
        "2 |\n"
        '3 | x = {"cache_control": {"type": "ephemeral", "ttl": "10m"}}\n'
        "  |                                                   ^^^^^\n"
        "4 | send(x)\n"
        "  |\n"
        'help: Use "1h"\n'
        "\n"
    )


def test_full_trims_blank_context_and_widens_the_gutter(project: Path) -> None:
    text = "\n".join(["a = 1"] + [""] * 7 + ["b = 2", "call(b)", "", "", ""]) + "\n"
    path = str(project / "wide.py")
    d = make(path, Location(10, 1), Location(10, 5), message="m")
    out = render("full", [d], context(project, files={path: text}))
    # Rows 8 (blank) and 11-12 (blank) are trimmed; row 9 and 10 have two digits.
    assert out == ("CL007 m\n  --> wide.py:10:1\n   |\n 9 | b = 2\n10 | call(b)\n   | ^^^^\n\n")


def test_full_multiline_range_starting_mid_line(project: Path) -> None:
    text = "def f(x):\n    a = 1\n    b = 2\n    if (x ==\n            True):\n        return 1\n    c = 3\n"
    path = str(project / "ml.py")
    d = make(path, Location(4, 9), Location(5, 17), message="m")
    out = render("full", [d], context(project, files={path: text}))
    assert out == (
        "CL007 m\n"
        " --> ml.py:4:9\n"
        "  |\n"
        "2 |       a = 1\n"
        "3 |       b = 2\n"
        "4 |       if (x ==\n"
        "  |  _________^\n"
        "5 | |             True):\n"
        "  | |________________^\n"
        "6 |           return 1\n"
        "7 |       c = 3\n"
        "  |\n"
        "\n"
    )


def test_full_multiline_range_starting_at_indentation_uses_a_slash(project: Path) -> None:
    text = "def g():\n    h = call(\n        2)\n    return h\n"
    path = str(project / "g.py")
    d = make(path, Location(2, 5), Location(3, 11), message="m")
    out = render("full", [d], context(project, files={path: text}))
    assert out == (
        "CL007 m\n"
        " --> g.py:2:5\n"
        "  |\n"
        "1 |   def g():\n"
        "2 | /     h = call(\n"
        "3 | |         2)\n"
        "  | |__________^\n"
        "4 |       return h\n"
        "  |\n"
        "\n"
    )


def test_full_underline_follows_display_width_of_tabs_and_wide_characters(project: Path) -> None:
    text = 'def k():\n\tprint(f"x")\nprint("中文", f"ab")\n'
    path = str(project / "w.py")
    tab = make(path, Location(2, 8), Location(2, 12), message="tab")
    wide = make(path, Location(3, 13), Location(3, 18), message="wide")
    out = render("full", [tab, wide], context(project, files={path: text}))
    assert '2 |     print(f"x")\n  |           ^^^^\n' in out
    assert '3 | print("中文", f"ab")\n  |               ^^^^^\n' in out


def test_full_empty_range_gets_one_caret(project: Path) -> None:
    path = str(project / "e.py")
    d = make(path, Location(2, 6), Location(2, 6), message="no newline")
    out = render("full", [d], context(project, files={path: "x = 1\ny = 2"}))
    assert "2 | y = 2\n  |      ^\n" in out


def test_full_without_source_prints_header_and_location_only(project: Path, tmp_path: Path) -> None:
    missing = str(tmp_path / "gone.py")
    d = make(
        missing,
        Location(1, 1),
        Location(1, 1),
        code=UNKNOWN,
        name="io-error",
        message="No such file",
        fix_title="Restore it",
    )
    out = render("full", [d], context(project))
    assert out == f"CL999 No such file\n--> {missing}:1:1\nhelp: Restore it\n\n"


def test_full_separates_findings_and_lists_related_places(project: Path) -> None:
    app = str(project / "app.py")
    first = make(
        app,
        Location(1, 1),
        Location(1, 7),
        message="first",
        related=((str(project / "pkg" / "prompts.py"), Location(4, 2), "prompt built here"),),
    )
    second = ttl_finding(project)
    out = render("full", [second, first], context(project))
    blocks = out.split("\n\n")
    assert blocks[0].startswith("CL007 first\n --> app.py:1:1\n")
    assert blocks[0].endswith(f"note: {Path('pkg') / 'prompts.py'}:4:2: prompt built here")
    assert blocks[1].startswith("CL007 [*] TTL must be")
    assert blocks[2] == ""


# --- json / json-lines --------------------------------------------------------------------

RUFF_KEYS = {
    "cell",
    "code",
    "end_location",
    "filename",
    "fix",
    "location",
    "message",
    "name",
    "noqa_row",
    "severity",
    "url",
}


def test_json_objects_have_ruffs_fields_and_values(project: Path) -> None:
    fixed = ttl_finding(project)
    plain = make(
        str(project / "pkg" / "ünïcode.py"),
        Location(2, 3),
        Location(4, 1),
        code=UNKNOWN,
        name="internal-error",
        message="näive “quotes”",
        severity=Severity.WARNING,
    )
    out = render("json", [plain, fixed], context(project))
    data = json.loads(out)
    assert [d["code"] for d in data] == [CODE, UNKNOWN]  # sorted by path
    first, second = data
    assert set(first) == RUFF_KEYS and set(second) == RUFF_KEYS
    assert first["cell"] is None
    assert first["filename"] == str(project / "app.py")
    assert first["location"] == {"column": 51, "row": 3}
    assert first["end_location"] == {"column": 56, "row": 3}
    assert first["message"] == 'TTL must be "5m" or "1h", not "10m"'
    assert first["name"] == NAME
    assert first["noqa_row"] == 3
    assert first["severity"] == "error"
    assert first["url"] == rule_url(RULE)
    assert first["fix"] == {
        "applicability": "safe",
        "edits": [
            {
                "content": '"1h"',
                "end_location": {"column": 56, "row": 3},
                "location": {"column": 51, "row": 3},
            }
        ],
        "message": 'Use "1h"',
    }
    assert second["fix"] is None
    assert second["url"] is None  # the registry does not know CL999
    assert second["noqa_row"] is None
    assert second["severity"] == "warning"
    assert second["message"] == "näive “quotes”"
    # ruff writes UTF-8 as is, with sorted keys and two-space indentation.
    assert "näive “quotes”" in out and "\\u" not in out
    assert out.startswith(
        '[\n  {\n    "cell": null,\n    "code": "CL007",\n    "end_location": {\n'
    )
    keys_in_order = re.findall(r'^    "(\w+)":', out, flags=re.M)
    assert keys_in_order[:11] == sorted(RUFF_KEYS)


def test_json_is_an_empty_array_when_clean(project: Path) -> None:
    assert render("json", [], context(project)) == "[]\n"
    assert render("json-lines", [], context(project)) == ""


def test_json_lines_are_the_same_objects_compact(project: Path) -> None:
    diagnostics = [
        ttl_finding(project),
        make(str(project / "b.py"), Location(1, 1), Location(1, 2), message="b, c: d"),
    ]
    lines = render("json-lines", diagnostics, context(project)).splitlines()
    assert [json.loads(line) for line in lines] == json.loads(
        render("json", diagnostics, context(project))
    )
    assert lines[1].startswith('{"cell":null,"code":"CL007","end_location":{"column":2,"row":1},')
    assert '"message":"b, c: d"' in lines[1]


# --- github --------------------------------------------------------------------------------


def test_github_annotation_matches_ruffs_layout(project: Path) -> None:
    out = render("github", [ttl_finding(project)], context(project))
    assert out == (
        f"::error title=cachelint (CL007),file={project / 'app.py'},line=3,col=51,endLine=3,"
        'endColumn=56::app.py:3:51: CL007 TTL must be "5m" or "1h", not "10m"%0A  help: Use "1h"\n'
    )


def test_github_drops_columns_when_the_range_spans_lines(project: Path) -> None:
    d = make(str(project / "app.py"), Location(3, 5), Location(4, 2), message="m")
    out = render("github", [d], context(project))
    assert ",line=3,endLine=4::app.py:3:5: CL007 m\n" in out
    assert "col=" not in out and "endColumn=" not in out


def test_github_escapes_properties_and_data_like_actions_toolkit(tmp_path: Path) -> None:
    root = tmp_path / "we,ird:dir"
    path = str(root / "100%,a:b.py")
    d = make(
        path,
        Location(1, 2),
        Location(1, 3),
        message="50% off\r\nsecond::line",
        fix_title="fix: a,b",
    )
    out = render("github", [d], context(root))
    escaped_file = escape_property(path)
    assert "%2C" in escaped_file and "%3A" in escaped_file and "%25" in escaped_file
    assert out == (
        f"::error title=cachelint (CL007),file={escaped_file},line=1,col=2,endLine=1,endColumn=3::"
        "100%25,a:b.py:1:2: CL007 50%25 off%0D%0Asecond::line%0A  help: fix: a,b\n"
    )
    # The runner splits the command at the first "::" after the properties: none leaks.
    command, _, message = out.rstrip("\n").partition("::")[2].partition("::")
    assert "\n" not in message and "," not in escaped_file.replace("%2C", "")


def test_escape_functions_match_actions_toolkit() -> None:
    assert escape_data("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad:e,f"
    assert escape_property("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad%3Ae%2Cf"
    assert escape_data("%0A") == "%250A"  # escaping happens once, % first


def test_github_puts_the_most_severe_first(project: Path) -> None:
    note = make(
        str(project / "a.py"), Location(1, 1), Location(1, 2), severity=Severity.NOTE, message="n"
    )
    warning = make(
        str(project / "b.py"),
        Location(1, 1),
        Location(1, 2),
        severity=Severity.WARNING,
        message="w",
    )
    error_late = make(str(project / "c.py"), Location(9, 1), Location(9, 2), message="e2")
    error_early = make(str(project / "c.py"), Location(2, 1), Location(2, 2), message="e1")
    out = render("github", [note, warning, error_late, error_early], context(project))
    commands = [(line.split(" ", 1)[0], line.rsplit(" ", 1)[1]) for line in out.splitlines()]
    assert commands == [("::error", "e1"), ("::error", "e2"), ("::warning", "w"), ("::notice", "n")]


def test_github_is_empty_when_clean(project: Path) -> None:
    assert render("github", [], context(project)) == ""


def test_step_summary_appends_a_table_of_every_finding(project: Path, tmp_path: Path) -> None:
    summary_file = tmp_path / "summary.md"
    summary_file.write_text("# Earlier step\n\n", encoding="utf-8")
    findings = [
        ttl_finding(project),
        make(
            str(project / "pkg" / "p|q.py"),
            Location(7, 1),
            Location(7, 2),
            severity=Severity.WARNING,
            message="a | b <script>x</script>\nnext line",
        ),
    ] + [
        make(
            str(project / "many.py"),
            Location(row, 1),
            Location(row, 2),
            severity=Severity.NOTE,
            message=f"note {row}",
        )
        for row in range(1, 13)
    ]
    write_step_summary(findings, context(project), str(summary_file))
    text = summary_file.read_text(encoding="utf-8")
    assert text.startswith("# Earlier step\n\n## cachelint\n\n")
    assert "Found 14 findings in 3 files (1 error, 1 warning, 12 notes).\n" in text
    assert "| File | Line | Code | Name | Message |\n| --- | ---: | --- | --- | --- |\n" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 14  # more than GitHub's 10 annotations per severity
    assert f'| app.py | 3 | CL007 | {NAME} | TTL must be "5m" or "1h", not "10m" |' in rows
    weird = next(r for r in rows if "p\\|q.py" in r)
    assert weird == (
        f"| {Path('pkg') / 'p'}\\|q.py | 7 | CL007 | {NAME} | "
        "a \\| b &lt;script&gt;x&lt;/script&gt;<br>next line |"
    )
    write_step_summary([], context(project), str(summary_file))
    assert summary_file.read_text(encoding="utf-8").endswith(
        "## cachelint\n\nAll checks passed!\n\n"
    )
    assert summary_file.read_text(encoding="utf-8").count("## cachelint") == 2


def test_step_summary_stays_under_githubs_size_limit(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cachelint.output.github as github

    monkeypatch.setattr(github, "SUMMARY_BUDGET", 600)
    findings = [
        make(str(project / "x.py"), Location(row, 1), Location(row, 2), message="m" * 40)
        for row in range(1, 30)
    ]
    text = step_summary(findings, context(project))
    assert len(text.encode("utf-8")) < 800
    shown = text.count("| x.py |")
    assert 0 < shown < 29
    assert f"{29 - shown} more not shown" in text


# --- gitlab --------------------------------------------------------------------------------

#: GitLab's documented Code Quality issue (docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format):
#: the fields it reads, with the severities it knows; written down here as a schema.
GITLAB_ISSUE_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "additionalProperties": False,
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "additionalProperties": False,
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {
                            "begin": {"type": "integer", "minimum": 1},
                            "end": {"type": "integer", "minimum": 1},
                        },
                    },
                },
            },
        },
    },
}


def gitlab(diagnostics: list, ctx: OutputContext) -> list:
    out = render("gitlab", diagnostics, ctx)
    assert out.endswith("\n")
    data = json.loads(out)
    jsonschema.validate(data, GITLAB_ISSUE_SCHEMA)
    return data


def test_gitlab_issues_have_the_code_quality_fields(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.py"
    outside.write_text("x = 1\n", encoding="utf-8")
    broken = make(str(project / "pkg" / "broken.py"), Location(2, 5), Location(2, 5), code="CL000",
                  name="invalid-source", message="syntax error: invalid syntax")
    note = make(str(outside), Location(1, 1), Location(1, 6), severity=Severity.NOTE, message="a note")
    warning = make(str(project / "app.py"), Location(4, 1), Location(4, 8), severity=Severity.WARNING,
                   message="a warning")
    data = gitlab([note, broken, warning, ttl_finding(project)], context(project, cwd=project / "pkg"))
    by_path = {(issue["location"]["path"], issue["location"]["lines"]["begin"]): issue for issue in data}
    ttl = by_path[("app.py", 3)]
    assert ttl == {
        "description": f"{CODE}: " + 'TTL must be "5m" or "1h", not "10m"',
        "check_name": CODE,
        "fingerprint": ttl["fingerprint"],
        "severity": "major",
        "location": {"path": "app.py", "lines": {"begin": 3, "end": 3}},
    }
    assert by_path[("app.py", 4)]["severity"] == "minor"
    # relative to the project root, not to the working directory (pkg/), and without `./`
    assert by_path[("pkg/broken.py", 2)]["severity"] == "critical"  # nothing in it was checked
    # a file outside the project cannot be linked by GitLab: its absolute path, as it is
    assert by_path[(str(outside), 1)]["severity"] == "info"
    assert [i["location"]["path"] for i in data] == sorted(i["location"]["path"] for i in data)


def test_gitlab_is_an_empty_array_when_clean(project: Path) -> None:
    # GitLab rejects an empty artifact: a clean run still writes a valid report.
    assert render("gitlab", [], context(project)) == "[]\n"


def _fingerprint(root: Path, text: str, start: Location, end: Location, message: str = "m",
                 cwd: Optional[Path] = None) -> str:
    path = str(root / "app.py")
    (issue,) = gitlab([make(path, start, end, message=message)], context(root, files={path: text}, cwd=cwd))
    return issue["fingerprint"]


def test_gitlab_fingerprint_survives_unrelated_edits_and_runs(project: Path, tmp_path: Path) -> None:
    """GitLab compares the reports of a merge request and its target by fingerprint: a
    finding that moved down because lines were added above it is not a new finding."""
    before = _fingerprint(project, APP, *APP_TTL)
    assert before == _fingerprint(project, APP, *APP_TTL)  # another run
    assert before == _fingerprint(project, APP, *APP_TTL, cwd=tmp_path)  # run from elsewhere
    # two lines inserted above; the message's numbers changed (an imported prompt grew)
    moved = "import os\n# a comment\n" + APP
    shifted = (Location(5, 51), Location(5, 56))
    assert _fingerprint(project, moved, *shifted, message="m, now 2,048 tokens") == before
    # the same line re-indented inside a block
    lines = APP.splitlines(True)
    indented = "".join(lines[:2]) + "if True:\n    " + lines[2] + "".join(lines[3:])
    assert _fingerprint(project, indented, Location(4, 55), Location(4, 60)) == before
    # the same finding in a project checked out elsewhere (another CI runner)
    other = tmp_path / "checkout" / "proj"
    other.mkdir(parents=True)
    assert _fingerprint(other, APP, *APP_TTL) == before


def test_gitlab_fingerprints_tell_findings_apart(project: Path) -> None:
    first = _fingerprint(project, APP, *APP_TTL)
    # the finding's own code changed: a different finding
    assert _fingerprint(project, APP.replace('"10m"', '"20m"'), *APP_TTL) != first
    # another range on the same line
    assert _fingerprint(project, APP, Location(3, 6), Location(3, 21)) != first
    # another line
    assert _fingerprint(project, APP, Location(4, 1), Location(4, 8)) != first

    path = str(project / "app.py")
    twice = APP + 'x = {"cache_control": {"type": "ephemeral", "ttl": "10m"}}\n'
    a = make(path, *APP_TTL)
    b = make(path, Location(5, 51), Location(5, 56))
    other_rule = make(path, *APP_TTL, code="CL003", name="too-many-breakpoints")
    data = gitlab([b, a, other_rule], context(project, files={path: twice}))
    fingerprints = [issue["fingerprint"] for issue in data]
    # GitLab shows one issue per fingerprint: a copied line's finding needs its own
    assert len(set(fingerprints)) == 3
    # and the first occurrence keeps the fingerprint it had before the copy was made
    assert first in fingerprints


def test_gitlab_fingerprint_without_the_source(project: Path) -> None:
    """A file that cannot be read still gets a fingerprint (code and path decide)."""
    path = str(project / "gone.py")
    (issue,) = gitlab([make(path, Location(1, 1), Location(1, 1), code="CL000", name="invalid-source",
                            message="cannot read file")], context(project, files={}))
    assert issue["location"] == {"path": "gone.py", "lines": {"begin": 1, "end": 1}}


# --- sarif ---------------------------------------------------------------------------------

_URI_CHARS = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")


def _format_checker() -> jsonschema.FormatChecker:
    """`uri` and `uri-reference` as RFC 3986 says (jsonschema needs extra packages for these)."""
    checker = jsonschema.FormatChecker()

    @checker.checks("uri-reference")
    def is_uri_reference(value: object) -> bool:
        return not isinstance(value, str) or bool(_URI_CHARS.match(value))

    @checker.checks("uri")
    def is_uri(value: object) -> bool:
        return not isinstance(value, str) or (
            bool(_URI_CHARS.match(value)) and bool(re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", value))
        )

    return checker


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["$id"].endswith("sarif-schema-2.1.0.json")
    validator_cls = jsonschema.validators.validator_for(schema)
    assert validator_cls is jsonschema.Draft7Validator
    validator_cls.check_schema(schema)
    return validator_cls(schema, format_checker=_format_checker())


def _errors(validator: jsonschema.protocols.Validator, log: object) -> list:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]


def test_sarif_validates_against_the_official_schema(
    project: Path, tmp_path: Path, sarif_validator
) -> None:
    app = str(project / "app.py")
    other = str(project / "pkg" / "prömpts, v2:final.py")
    cross_file = Fix(
        Applicability.UNSAFE,
        "Move the prompt",
        (
            Edit(app, 0, 0, "", Location(3, 1), Location(4, 1)),
            Edit(other, 0, 0, "PROMPT = 1\n", Location(1, 1), Location(1, 1)),
        ),
    )
    findings = [
        ttl_finding(project),
        make(
            app,
            Location(3, 1),
            Location(4, 1),
            fix=cross_file,
            fix_title="Move the prompt",
            severity=Severity.WARNING,
            related=((other, Location(1, 1), "prompt defined here"),),
        ),
        make(other, Location(2, 3), Location(5, 1), severity=Severity.NOTE, message="n"),
        make(
            str(tmp_path / "outside dir" / "x.py"),
            Location(1, 1),
            Location(1, 1),
            code=UNKNOWN,
            name="internal-error",
            message="crashed",
        ),
    ]
    log = json.loads(render("sarif", findings, context(project)))
    assert _errors(sarif_validator, log) == []
    assert _errors(sarif_validator, json.loads(render("sarif", [], context(project)))) == []


def test_the_schema_check_can_fail(project: Path, sarif_validator) -> None:
    log = json.loads(render("sarif", [ttl_finding(project)], context(project)))
    result = log["runs"][0]["results"][0]
    result["level"] = "fatal"
    result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "a b.py"
    errors = _errors(sarif_validator, log)
    assert any("'fatal' is not one of" in e for e in errors)
    assert any("is not a 'uri-reference'" in e for e in errors)


def test_sarif_run_describes_the_tool_and_every_registered_rule(project: Path) -> None:
    log = json.loads(render("sarif", [], context(project)))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["results"] == []
    driver = run["tool"]["driver"]
    assert driver["name"] == "cachelint"
    assert driver["version"] == "9.9.9"
    assert driver["informationUri"].startswith("https://")
    rules = all_rules()
    assert [r["id"] for r in driver["rules"]] == [rule.code for rule in rules]
    levels = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
    for descriptor, rule in zip(driver["rules"], rules):
        page = render_rule_page(rule)
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"] == {"text": rule.summary}
        assert descriptor["fullDescription"]["text"] == page
        assert descriptor["help"] == {"text": page, "markdown": page}
        assert descriptor["helpUri"] == rule_url(rule)
        assert descriptor["defaultConfiguration"] == {"level": levels[rule.severity]}
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == project.as_uri() + "/"
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_results_use_relative_uris_rule_indexes_and_fixes(
    project: Path, tmp_path: Path
) -> None:
    app = str(project / "app.py")
    weird = str(project / "pkg" / "prömpts, v2:final.py")
    cross_file = Fix(
        Applicability.UNSAFE,
        "Move the prompt",
        (
            Edit(weird, 0, 0, "PROMPT = 1\n", Location(1, 1), Location(1, 1)),
            Edit(app, 17, 30, "", Location(3, 1), Location(4, 1)),
        ),
    )
    findings = [
        ttl_finding(project),
        make(
            app,
            Location(3, 1),
            Location(4, 1),
            fix=cross_file,
            severity=Severity.WARNING,
            message="move it",
        ),
        make(weird, Location(2, 3), Location(5, 1), severity=Severity.NOTE, message="n"),
        make(
            str(tmp_path / "outside dir" / "x.py"),
            Location(1, 1),
            Location(1, 1),
            code=UNKNOWN,
            name="internal-error",
            message="crashed",
        ),
    ]
    run = json.loads(render("sarif", findings, context(project)))["runs"][0]
    codes = [r["id"] for r in run["tool"]["driver"]["rules"]]
    results = run["results"]
    # Sorted by absolute path and position: outside dir/, then app.py 3:1, 3:51, then pkg/.
    assert [r["message"]["text"] for r in results] == [
        "crashed",
        "move it",
        'TTL must be "5m" or "1h", not "10m"',
        "n",
    ]
    crash, move, ttl, note = results

    assert ttl["ruleId"] == CODE and codes[ttl["ruleIndex"]] == CODE
    assert ttl["level"] == "error" and move["level"] == "warning" and note["level"] == "note"
    location = ttl["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "startColumn": 51, "endLine": 3, "endColumn": 56}
    (fix,) = ttl["fixes"]
    assert fix["description"] == {"text": 'Use "1h"'}
    assert fix["properties"] == {"applicability": "safe"}
    assert fix["artifactChanges"] == [
        {
            "artifactLocation": {"uri": "app.py", "uriBaseId": "%SRCROOT%"},
            "replacements": [
                {
                    "deletedRegion": {
                        "startLine": 3,
                        "startColumn": 51,
                        "endLine": 3,
                        "endColumn": 56,
                    },
                    "insertedContent": {"text": '"1h"'},
                }
            ],
        }
    ]

    # A fix that edits two files changes two artifacts; a pure deletion inserts nothing.
    changes = move["fixes"][0]["artifactChanges"]
    assert [c["artifactLocation"]["uri"] for c in changes] == [
        "app.py",
        "pkg/pr%C3%B6mpts%2C%20v2%3Afinal.py",
    ]
    assert changes[0]["replacements"] == [
        {"deletedRegion": {"startLine": 3, "startColumn": 1, "endLine": 4, "endColumn": 1}}
    ]
    assert changes[1]["replacements"][0]["insertedContent"] == {"text": "PROMPT = 1\n"}
    assert move["fixes"][0]["properties"] == {"applicability": "unsafe"}

    # The encoded relative URI resolves back to the file under the project root.
    uri = note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert urlsplit(uri).scheme == ""
    assert unquote(uri) == "pkg/prömpts, v2:final.py"
    assert "fixes" not in note

    # Outside the project: absolute file URI, no base id; unknown code: no rule index.
    crash_location = crash["locations"][0]["physicalLocation"]["artifactLocation"]
    assert crash_location == {"uri": (tmp_path / "outside dir" / "x.py").as_uri()}
    assert "%20" in crash_location["uri"]
    assert crash["ruleId"] == UNKNOWN and "ruleIndex" not in crash


def test_sarif_related_locations_carry_their_note(project: Path) -> None:
    other = str(project / "pkg" / "prompts.py")
    d = make(
        str(project / "app.py"),
        Location(1, 1),
        Location(1, 2),
        related=((other, Location(4, 2), "prompt built here"),),
    )
    result = json.loads(render("sarif", [d], context(project)))["runs"][0]["results"][0]
    assert result["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "pkg/prompts.py", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 4, "startColumn": 2},
            },
            "message": {"text": "prompt built here"},
        }
    ]


# --- junit ---------------------------------------------------------------------------------


def test_junit_has_a_suite_per_file_and_a_case_per_finding(project: Path, tmp_path: Path) -> None:
    app = str(project / "app.py")
    findings = [
        ttl_finding(project),
        make(
            app,
            Location(4, 1),
            Location(4, 2),
            message='quotes " & <tags> and \x07bell',
            severity=Severity.WARNING,
        ),
        make(
            str(project / "pkg" / "m.py"),
            Location(2, 5),
            Location(2, 6),
            code=UNKNOWN,
            name="internal-error",
            message="crashed",
        ),
    ]
    out = render("junit", findings, context(project))
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    root = ET.fromstring(out.split("\n", 1)[1])
    assert root.tag == "testsuites"
    assert root.attrib == {
        "name": "cachelint",
        "tests": "3",
        "skipped": "0",
        "failures": "3",
        "errors": "0",
    }
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["app.py", str(Path("pkg") / "m.py")]
    assert [(s.get("tests"), s.get("failures")) for s in suites] == [("2", "2"), ("1", "1")]
    assert all(s.get("package") == "org.cachelint" for s in suites)
    cases = suites[0].findall("testcase")
    assert [c.get("name") for c in cases] == ["org.cachelint.CL007", "org.cachelint.CL007"]
    assert cases[0].get("classname") == "app"
    assert (cases[0].get("line"), cases[0].get("column")) == ("3", "51")
    failure = cases[0].find("failure")
    assert failure is not None
    assert failure.get("message") == 'TTL must be "5m" or "1h", not "10m"'
    assert failure.text == 'line 3, col 51, TTL must be "5m" or "1h", not "10m"'
    assert cases[0].find("properties/property").attrib == {"name": "severity", "value": "error"}
    escaped = cases[1].find("failure")
    assert escaped.get("message") == 'quotes " & <tags> and \ufffdbell'
    assert suites[1].find("testcase").get("name") == "org.cachelint.CL999"
    assert suites[1].find("testcase").get("classname") == str(Path("pkg") / "m")


def test_junit_when_clean_has_one_passing_case(project: Path) -> None:
    root = ET.fromstring(render("junit", [], context(project)).split("\n", 1)[1])
    assert root.get("tests") == "1" and root.get("failures") == "0"
    (suite,) = root.findall("testsuite")
    (case,) = suite.findall("testcase")
    assert case.attrib == {"name": "No errors found", "classname": "cachelint"}
    assert case.find("failure") is None


def test_full_reads_each_file_once_and_survives_unreadable_files(project: Path) -> None:
    calls: Dict[str, int] = {}
    app = str(project / "app.py")
    broken = str(project / "broken.py")

    def read_text(path: str) -> Optional[str]:
        calls[path] = calls.get(path, 0) + 1
        if path == broken:
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
        return APP

    ctx = OutputContext(cwd=project, project_root=project, read_text=read_text)
    findings = [
        ttl_finding(project),
        make(app, Location(1, 1), Location(1, 7), message="again"),
        make(broken, Location(1, 1), Location(1, 2), message="bad bytes"),
    ]
    out = render("full", findings, ctx)
    assert calls == {app: 1, broken: 1}
    assert "CL007 bad bytes\n--> broken.py:1:1\n\n" in out
    assert "1 | import anthropic\n  | ^^^^^^\n" in out
