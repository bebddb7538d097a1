"""Every flag of `cachelint --help`, exercised in-process on sample projects.

The command runs through click's `CliRunner` with stdout and stderr kept apart (click 8.1:
`mix_stderr=False`), in a temporary project as the current directory. Findings come from
CL007 (an invalid `cache_control` value). Where an unsafe fix is needed, a small rule
defined here (CL990) is registered for the test only: no shipped rule offers one yet.
`test_every_flag_in_help_is_exercised` keeps this file honest when flags are added.
"""

from __future__ import annotations

import ast
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Callable, Dict, List, Optional

import click
import jsonschema
import pytest
from click.testing import Result

import cachelint.rules
from cachelint.cli import main
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Fix
from cachelint.fix.edits import make_edit
from cachelint.rule import Rule
from cli_runner import cli_runner as _cli_runner

TESTS = Path(__file__).parent
BAD_TYPE = 'X = {"cache_control": {"type": "persistent"}}\n'
BAD_TTL = 'Y = {"cache_control": {"type": "ephemeral", "ttl": "3m"}}\n'  # safe fix: "5m"
NO_FIX_TTL = 'W = {"cache_control": {"type": "ephemeral", "ttl": "forever"}}\n'
CLEAN = 'Z = {"cache_control": {"type": "ephemeral", "ttl": "1h"}}\n'

#: ruff's `--output-format json` keys (ruff 0.17; see ../shared/reference/anchors.md §2.5)
RUFF_JSON_KEYS = {
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
RUFF_FIX_KEYS = {"applicability", "edits", "message"}
RUFF_EDIT_KEYS = {"content", "end_location", "location"}



class SwapWords(Rule):
    """Test-only rule: flags the string "b a" and offers an unsafe fix to "a b".

    ## What it does
    Stands in for a rule whose fix changes prompt text (an unsafe fix).

    ## Why is this bad?
    It is not; it exists for the CLI tests.
    """

    code = "CL990"
    name = "test-swap-words"
    summary = "Test rule with an unsafe fix."
    fix_applicability = Applicability.UNSAFE

    def check_module(self, ctx: FileContext) -> None:
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Constant) and node.value == "b a":
                start, end = ctx.node_range(node)
                src = ctx.load_source(ctx.path)
                assert src is not None
                edit = make_edit(src, start + 1, end - 1, "a b")
                ctx.report(
                    self,
                    start,
                    end,
                    "words in the wrong order",
                    fix=Fix(Applicability.UNSAFE, "Swap the words", (edit,)),
                )


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "CACHELINT_OUTPUT_FORMAT",
        "CACHELINT_CACHE_DIR",
        "GITHUB_STEP_SUMMARY",
        "CACHELINT_STRICT",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def with_unsafe_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cachelint.rules, "ALL_RULES", [*cachelint.rules.ALL_RULES, SwapWords])


def write(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


Cli = Callable[..., Result]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    write(
        root,
        {
            "pyproject.toml": "[tool.cachelint]\n",
            "app.py": BAD_TYPE + BAD_TTL,
            "pkg/__init__.py": "",
            "pkg/more.py": NO_FIX_TTL,
            "pkg/clean.py": CLEAN,
        },
    )
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def cli(project: Path) -> Cli:
    def invoke(
        *args: str, input: Optional[bytes] = None, env: Optional[Dict[str, str]] = None
    ) -> Result:
        runner = _cli_runner()
        result = runner.invoke(main, list(args), input=input, env=env, catch_exceptions=False)
        assert "Traceback" not in result.stderr
        return result

    return invoke


def concise(result: Result) -> List[str]:
    return result.stdout.splitlines()


def codes(result: Result) -> List[str]:
    return [line.split(": ")[1].split(" ")[0] for line in concise(result)]


# --- fixing -------------------------------------------------------------------------------------
def test_fix_applies_safe_fixes_and_reports_what_remains(cli: Cli, project: Path) -> None:
    result = cli("--fix", "--select", "CL007", "--output-format", "concise")
    assert result.exit_code == 1
    assert concise(result) == [
        'pkg/more.py:1:52: CL007 cache_control ttl "forever" is not valid: use "5m" or "1h"; '
        "the provider rejects the request"
    ]
    assert "Found 3 errors (2 fixed, 1 remaining)." in result.stderr
    assert (project / "app.py").read_text() == BAD_TYPE.replace(
        "persistent", "ephemeral"
    ) + BAD_TTL.replace("3m", "5m")


def test_unsafe_fixes_need_the_flag_and_the_hint_counts_them(
    cli: Cli, project: Path, with_unsafe_rule: None
) -> None:
    write(project, {"words.py": 'P = "b a"\n'})
    hint = cli("--select", "CL990", "words.py")
    assert hint.exit_code == 1
    assert (
        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option)."
        in hint.stderr
    )
    safe_only = cli("--fix", "--select", "CL990", "words.py")
    assert safe_only.exit_code == 1
    assert (project / "words.py").read_text() == 'P = "b a"\n'
    shown = cli("--unsafe-fixes", "--select", "CL990", "--output-format", "concise", "words.py")
    assert "[*]" in shown.stdout and "[*] 1 fixable with the `--fix` option." in shown.stderr
    fixed = cli("--fix", "--unsafe-fixes", "--select", "CL990", "words.py")
    assert fixed.exit_code == 0
    assert (project / "words.py").read_text() == 'P = "a b"\n'
    assert "Found 1 error (1 fixed, 0 remaining)." in fixed.stderr


def test_no_unsafe_fixes_overrides_the_config(
    cli: Cli, project: Path, with_unsafe_rule: None
) -> None:
    write(
        project,
        {"words.py": 'P = "b a"\n', "pyproject.toml": "[tool.cachelint]\nunsafe-fixes = true\n"},
    )
    assert cli("--fix", "--no-unsafe-fixes", "--select", "CL990", "words.py").exit_code == 1
    assert (project / "words.py").read_text() == 'P = "b a"\n'
    assert cli("--fix", "--select", "CL990", "words.py").exit_code == 0
    assert (project / "words.py").read_text() == 'P = "a b"\n'


def test_diff_prints_a_unified_diff_writes_nothing_and_exits_1(cli: Cli, project: Path) -> None:
    before = (project / "app.py").read_bytes()
    result = cli("--diff", "--select", "CL007")
    assert result.exit_code == 1
    assert (project / "app.py").read_bytes() == before
    assert result.stdout.startswith("--- a/app.py\n+++ b/app.py\n")
    removed = [
        line
        for line in result.stdout.splitlines()
        if line.startswith("-") and not line.startswith("---")
    ]
    added = [
        line
        for line in result.stdout.splitlines()
        if line.startswith("+") and not line.startswith("+++")
    ]
    assert removed == ["-" + BAD_TYPE.rstrip("\n"), "-" + BAD_TTL.rstrip("\n")]
    assert added == [
        "+" + BAD_TYPE.rstrip("\n").replace("persistent", "ephemeral"),
        "+" + BAD_TTL.rstrip("\n").replace("3m", "5m"),
    ]
    assert "Would fix 2 errors in 1 file." in result.stderr


def test_diff_without_changes_exits_0(cli: Cli) -> None:
    result = cli("--diff", "--select", "CL007", "pkg/clean.py", "pkg/more.py")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_show_fixes_lists_the_applied_fixes(cli: Cli) -> None:
    result = cli("--fix", "--show-fixes", "--select", "CL007")
    assert "Fixed 2 errors:\n- app.py:\n    2 × CL007 (invalid-cache-control)" in result.stderr


def test_statistics_counts_per_rule_instead_of_findings(cli: Cli) -> None:
    result = cli("--statistics", "--select", "CL007")
    assert result.exit_code == 1
    assert result.stdout == "3\tCL007\t[-] invalid-cache-control\n"


def test_exit_zero_keeps_findings_but_exits_0_and_never_hides_2(cli: Cli) -> None:
    result = cli("--exit-zero", "--select", "CL007", "--output-format", "concise")
    assert result.exit_code == 0
    assert len(concise(result)) == 3
    assert cli("-e", "--select", "CL007").exit_code == 0
    assert cli("--exit-zero", "--select", "nonsense").exit_code == 2
    assert cli("--exit-zero", "--config", "select = 1").exit_code == 2


def test_exit_non_zero_on_fix(cli: Cli) -> None:
    result = cli("--fix", "--exit-non-zero-on-fix", "--select", "CL007", "app.py")
    assert "Found 2 errors (2 fixed, 0 remaining)." in result.stderr
    assert result.exit_code == 1
    # nothing left to fix: back to 0
    assert cli("--fix", "--exit-non-zero-on-fix", "--select", "CL007", "app.py").exit_code == 0


# --- selection ----------------------------------------------------------------------------------
@pytest.mark.parametrize("selector", ["CL007", "CL00", "invalid-cache-control", "cl007", "ALL"])
def test_select_by_code_prefix_or_name(cli: Cli, selector: str) -> None:
    result = cli("--select", selector, "--output-format", "concise", "app.py")
    assert codes(result) == ["CL007", "CL007"]


@pytest.mark.parametrize("selector", ["CL007", "CL0", "invalid-cache-control"])
def test_ignore_by_code_prefix_or_name(cli: Cli, selector: str) -> None:
    result = cli("--ignore", selector, "--output-format", "concise", "app.py")
    assert "CL007" not in codes(result)


def test_extend_select_adds_to_the_configured_selection(cli: Cli, project: Path) -> None:
    write(project, {"pyproject.toml": '[tool.cachelint]\nselect = ["CL100"]\n'})
    assert codes(cli("--output-format", "concise", "app.py")) == []
    assert codes(
        cli("--extend-select", "invalid-cache-control", "--output-format", "concise", "app.py")
    ) == ["CL007", "CL007"]
    # comma-separated lists work too
    assert codes(cli("--select", "CL100,CL007", "--output-format", "concise", "app.py")) == [
        "CL007",
        "CL007",
    ]


@pytest.mark.parametrize("flag", ["--select", "--ignore", "--extend-select"])
def test_unknown_selector_is_one_line_and_exit_2(cli: Cli, flag: str) -> None:
    result = cli(flag, "CL9", "app.py")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "unknown rule selector 'CL9'" in result.stderr


# --- output -------------------------------------------------------------------------------------
def test_default_output_is_full_with_snippet_and_help(cli: Cli) -> None:
    result = cli("--select", "CL007", "app.py")
    assert result.stdout.startswith('CL007 [*] cache_control type "persistent" is not valid')
    assert " --> app.py:1:32\n" in result.stdout
    assert "1 | " + BAD_TYPE.rstrip("\n") in result.stdout
    assert 'help: Use type "ephemeral"' in result.stdout


def test_json_has_exactly_ruffs_keys(cli: Cli, project: Path) -> None:
    data = json.loads(cli("--output-format", "json", "--select", "CL007").stdout)
    assert len(data) == 3
    for item in data:
        assert set(item) == RUFF_JSON_KEYS
        assert set(item["location"]) == set(item["end_location"]) == {"row", "column"}
        if item["fix"] is not None:
            assert set(item["fix"]) == RUFF_FIX_KEYS
            for edit in item["fix"]["edits"]:
                assert set(edit) == RUFF_EDIT_KEYS
    first = data[0]
    assert first["filename"] == str(project / "app.py")
    assert (first["code"], first["name"], first["location"], first["noqa_row"]) == (
        "CL007",
        "invalid-cache-control",
        {"row": 1, "column": 32},
        1,
    )
    assert data[2]["fix"] is None  # "forever" has no fix


def test_json_keys_match_the_real_ruff(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    assert Path(ruff).exists(), "ruff is a test extra: pip install -e '.[test]'"
    (tmp_path / "r.py").write_text("import os\n", encoding="utf-8")
    proc = subprocess.run(
        [
            ruff,
            "check",
            "--isolated",
            "--no-cache",
            "--select",
            "F401",
            "--output-format",
            "json",
            "r.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    (item,) = json.loads(proc.stdout)
    assert set(item) == RUFF_JSON_KEYS
    assert set(item["fix"]) == RUFF_FIX_KEYS
    assert set(item["fix"]["edits"][0]) == RUFF_EDIT_KEYS


def test_json_lines_is_one_object_per_line(cli: Cli) -> None:
    lines = cli("--output-format", "json-lines", "--select", "CL007").stdout.splitlines()
    assert len(lines) == 3
    assert all(set(json.loads(line)) == RUFF_JSON_KEYS for line in lines)


def test_concise_lines(cli: Cli) -> None:
    lines = concise(cli("--output-format", "concise", "--select", "CL007"))
    assert [line.split(" ")[0] for line in lines] == [
        "app.py:1:32:",
        "app.py:2:52:",
        "pkg/more.py:1:52:",
    ]
    assert [" [*] " in line for line in lines] == [True, True, False]


def test_github_annotations_and_step_summary(cli: Cli, project: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    result = cli(
        "--output-format", "github", "--select", "CL007", env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(
        f"::error title=cachelint (CL007),file={project / 'app.py'},line=1,col=32,endLine=1,endColumn=44::"
        "app.py:1:32: CL007 "
    )
    table = summary.read_text(encoding="utf-8")
    assert table.startswith("earlier step\n")
    rows = [line for line in table.splitlines() if line.startswith("| ") and "CL007" in line]
    assert len(rows) == 3
    assert any("pkg/more.py" in row for row in rows)


def test_github_summary_only_for_the_github_format(cli: Cli, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    cli(
        "--output-format", "concise", "--select", "CL007", env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert not summary.exists()


def test_sarif_validates_against_the_official_schema(cli: Cli, project: Path) -> None:
    log = json.loads(cli("--output-format", "sarif", "--select", "CL007").stdout)
    schema = json.loads((TESTS / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    (run,) = log["runs"]
    uris = sorted(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    )
    assert uris == ["app.py", "app.py", "pkg/more.py"]
    assert all(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        for r in run["results"]
    )
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.as_uri() + "/"
    assert sum(1 for r in run["results"] if r.get("fixes")) == 2
    assert {rule["id"] for rule in run["tool"]["driver"]["rules"]} >= {"CL007"}


def test_junit_is_xml_with_a_case_per_finding(cli: Cli) -> None:
    root = ET.fromstring(cli("--output-format", "junit", "--select", "CL007").stdout)
    cases = root.findall(".//testcase")
    assert len(cases) == 3
    assert all(case.find("failure") is not None for case in cases)


def test_unknown_output_format_exits_2(cli: Cli) -> None:
    result = cli("--output-format", "xml")
    assert result.exit_code == 2
    assert "xml" in result.stderr and "concise" in result.stderr


def test_output_file_gets_the_findings_and_stdout_stays_empty(cli: Cli, project: Path) -> None:
    for flag in ("-o", "--output-file"):
        target = project / f"report{flag}.json"
        result = cli(flag, str(target), "--output-format", "json", "--select", "CL007")
        assert result.exit_code == 1
        assert result.stdout == ""
        assert len(json.loads(target.read_text(encoding="utf-8"))) == 3
        assert "Found 3 errors." in result.stderr


def test_output_file_that_cannot_be_written_exits_2(cli: Cli, project: Path) -> None:
    result = cli("-o", str(project / "no" / "such" / "dir" / "out.txt"), "--select", "CL007")
    assert result.exit_code == 2
    assert "--output-file" in result.stderr


# --- configuration flags ------------------------------------------------------------------------
def test_config_file_applies_to_every_file(cli: Cli, project: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text('[tool.cachelint]\nignore = ["CL007"]\n', encoding="utf-8")
    assert codes(cli("--config", str(other), "--output-format", "concise")) == []
    plain = tmp_path / "cachelint.toml"
    plain.write_text('ignore = ["invalid-cache-control"]\n', encoding="utf-8")
    assert codes(cli("--config", str(plain), "--output-format", "concise")) == []


def test_inline_config_overrides_the_file(cli: Cli, project: Path) -> None:
    write(
        project,
        {"pyproject.toml": '[tool.cachelint]\nselect = ["CL100"]\noutput-format = "concise"\n'},
    )
    assert codes(cli("app.py")) == []
    assert codes(cli("--config", 'select = ["CL007"]', "app.py")) == ["CL007", "CL007"]
    as_json = cli("--config", 'select = ["CL007"]', "--config", 'output-format = "json"', "app.py")
    assert [d["code"] for d in json.loads(as_json.stdout)] == ["CL007", "CL007"]
    bad = cli("--config", "ignore = [", "app.py")
    assert bad.exit_code == 2 and bad.stderr.startswith("cachelint: error:")


def test_isolated_ignores_config_files(cli: Cli, project: Path) -> None:
    write(project, {"pyproject.toml": '[tool.cachelint]\nignore = ["CL007"]\nunknown-key = 1\n'})
    assert cli("app.py").exit_code == 2
    assert codes(cli("--isolated", "--output-format", "concise", "app.py")) == ["CL007", "CL007"]


def test_force_exclude_applies_excludes_to_named_files(cli: Cli, project: Path) -> None:
    write(project, {"pyproject.toml": '[tool.cachelint]\nextend-exclude = ["pkg"]\n'})
    assert codes(cli("--output-format", "concise", "--select", "CL007", "pkg/more.py")) == ["CL007"]
    assert cli("--force-exclude", "--select", "CL007", "pkg/more.py").exit_code == 0
    assert codes(
        cli(
            "--force-exclude",
            "--output-format",
            "concise",
            "--select",
            "CL007",
            "app.py",
            "pkg/more.py",
        )
    ) == ["CL007", "CL007"]
    write(
        project,
        {"pyproject.toml": '[tool.cachelint]\nextend-exclude = ["pkg"]\nforce-exclude = true\n'},
    )
    assert cli("--select", "CL007", "pkg/more.py").exit_code == 0
    assert codes(
        cli("--no-force-exclude", "--output-format", "concise", "--select", "CL007", "pkg/more.py")
    ) == ["CL007"]


# --- stdin --------------------------------------------------------------------------------------
def test_stdin_filename_picks_the_config_and_per_file_ignores(cli: Cli, project: Path) -> None:
    write(
        project, {"pyproject.toml": '[tool.cachelint]\nper-file-ignores = {"pkg/*" = ["CL007"]}\n'}
    )
    assert (
        cli("--stdin-filename", "pkg/x.py", "--select", "CL007", input=BAD_TYPE.encode()).exit_code
        == 0
    )
    result = cli(
        "--stdin-filename",
        "x.py",
        "--select",
        "CL007",
        "--output-format",
        "concise",
        input=BAD_TYPE.encode(),
    )
    assert result.exit_code == 1
    assert concise(result)[0].startswith("x.py:1:32: CL007")


def test_stdin_fix_writes_the_whole_fixed_file_to_stdout(cli: Cli) -> None:
    source = ("# header\r\n" + BAD_TYPE.replace("\n", "\r\n")).encode()
    result = cli("--fix", "--select", "CL007", "--stdin-filename", "x.py", input=source)
    assert result.exit_code == 0
    assert result.stdout_bytes == source.replace(b"persistent", b"ephemeral")
    assert "Found 1 error (1 fixed, 0 remaining)." in result.stderr


def test_stdin_fix_passes_undecodable_input_through(cli: Cli) -> None:
    source = b'x = "\xe9"\n'
    result = cli("--fix", "-", input=source)
    assert result.exit_code == 1
    assert result.stdout_bytes == source
    assert "CL000" in result.stderr


def test_stdin_diff_and_force_exclude(cli: Cli, project: Path) -> None:
    result = cli("--diff", "--select", "CL007", "--stdin-filename", "x.py", input=BAD_TYPE.encode())
    assert result.exit_code == 1
    assert (
        "-" + BAD_TYPE in result.stdout
        and "+" + BAD_TYPE.replace("persistent", "ephemeral") in result.stdout
    )
    write(project, {"pyproject.toml": '[tool.cachelint]\nextend-exclude = ["gen"]\n'})
    skipped = cli(
        "--fix", "--force-exclude", "--stdin-filename", "gen/x.py", input=BAD_TYPE.encode()
    )
    assert skipped.exit_code == 0
    assert skipped.stdout == BAD_TYPE  # passed through untouched


def test_stdin_statistics_and_output_file(cli: Cli, project: Path) -> None:
    stats = cli("--statistics", "--select", "CL007", "-", input=(BAD_TYPE + BAD_TTL).encode())
    assert stats.stdout == "2\tCL007\t[*] invalid-cache-control\n"
    target = project / "stdin.json"
    result = cli(
        "-o",
        str(target),
        "--output-format",
        "json",
        "--select",
        "CL007",
        "-",
        input=BAD_TYPE.encode(),
    )
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))[0]["code"] == "CL007"


# --- cache flags --------------------------------------------------------------------------------
def test_default_cache_layout(cli: Cli, project: Path) -> None:
    from cachelint import __version__

    cli("--select", "CL007")
    cache = project / ".cachelint_cache"
    assert (
        (cache / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    assert (cache / ".gitignore").read_text() == "*\n"
    assert [p.name for p in cache.iterdir() if p.is_dir()] == [__version__]
    assert list((cache / __version__).glob("*.json"))


def test_no_cache_writes_no_cache(cli: Cli, project: Path) -> None:
    for flag in ("--no-cache", "-n"):
        assert cli(flag, "--select", "CL007").exit_code == 1
        assert not (project / ".cachelint_cache").exists()


def test_cache_dir_flag(cli: Cli, project: Path, tmp_path: Path) -> None:
    assert cli("--cache-dir", str(tmp_path / "cc"), "--select", "CL007").exit_code == 1
    assert (tmp_path / "cc" / "CACHEDIR.TAG").is_file()
    assert not (project / ".cachelint_cache").exists()


# --- introspection ------------------------------------------------------------------------------
def test_explain_prints_the_rule_page_by_code_or_name(cli: Cli) -> None:
    from cachelint.docs import render_rule_page
    from cachelint.rules.cl007_invalid_cache_control import InvalidCacheControl

    by_code = cli("--explain", "CL007")
    assert by_code.exit_code == 0
    assert by_code.stdout == render_rule_page(InvalidCacheControl)
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Fix safety"):
        assert heading in by_code.stdout
    assert cli("--explain", "invalid-cache-control").stdout == by_code.stdout
    unknown = cli("--explain", "CL999")
    assert unknown.exit_code == 2 and "CL999" in unknown.stderr


def test_explain_matches_the_committed_page(cli: Cli) -> None:
    page = TESTS.parent / "rules" / "CL007-invalid-cache-control.md"
    assert cli("--explain", "CL007").stdout == page.read_text(encoding="utf-8")


def test_list_rules_lists_every_registered_rule(cli: Cli) -> None:
    from cachelint.registry import all_rules

    lines = cli("--list-rules").stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [[r.code, r.name] for r in all_rules()]


def test_show_settings_reflects_config_and_flags(cli: Cli, project: Path) -> None:
    write(
        project,
        {"pyproject.toml": '[tool.cachelint]\nselect = ["CL007"]\nrespect-gitignore = false\n'},
    )
    result = cli("--show-settings", "--extend-select", "CL100", "app.py")
    assert result.exit_code == 0
    assert f'config-file = "{project / "pyproject.toml"}"' in result.stdout
    assert 'select = ["CL007", "CL100"]' in result.stdout
    assert "respect-gitignore = false" in result.stdout


def test_show_files_lists_what_would_be_linted(cli: Cli, project: Path) -> None:
    write(
        project,
        {
            ".gitignore": "ignored.py\n",
            "ignored.py": BAD_TYPE,
            "notes.txt": "x",
            "stub.pyi": "x: int\n",
            ".venv/lib.py": BAD_TYPE,
        },
    )
    (project / ".git").mkdir()
    result = cli("--show-files")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "app.py",
        "pkg/__init__.py",
        "pkg/clean.py",
        "pkg/more.py",
        "stub.pyi",
    ]


def test_show_requests_text_and_json(cli: Cli, project: Path) -> None:
    write(
        project,
        {
            "llm.py": (
                "import anthropic\n\nclient = anthropic.Anthropic()\n\n"
                "def ask(q):\n"
                '    return client.messages.create(model="claude-sonnet-4-5", max_tokens=10,\n'
                '        system="Be brief.", messages=[{"role": "user", "content": q}])\n'
            )
        },
    )
    text = cli("--show-requests", "llm.py")
    assert text.exit_code == 0
    assert text.stdout.startswith("== llm.py\nllm.py:6:12: anthropic.messages.create\n")
    assert "claude-sonnet-4-5" in text.stdout
    data = json.loads(cli("--show-requests", "--output-format", "json", "llm.py").stdout)
    assert len(data) == 1
    assert data[0]["api"] == "anthropic.messages.create"
    assert data[0]["location"] == {"file": "llm.py", "row": 6, "column": 12}
    assert [p["section"] for p in data[0]["pieces"]] == ["system", "messages"]


def test_verbose_shows_phases_and_slowest_files(cli: Cli) -> None:
    result = cli("--verbose", "--no-cache", "--select", "CL007")
    assert result.exit_code == 1
    assert "time per phase" in result.stderr
    for phase in ("discover", "parse", "lint", "output"):
        assert re.search(rf"^  {phase}\s+\d+\.\d{{3}}$", result.stderr, re.M), phase
    slowest = result.stderr.split("slowest files:\n", 1)[1].splitlines()
    assert any(line.endswith("app.py") for line in slowest)
    assert cli("-v", "--select", "CL007").exit_code == 1


def test_verbose_counts_the_modules_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each module is parsed once per process: a module linted after a file that imported it
    reuses that parse; a warm run parses nothing."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.cachelint]\n")
    (tmp_path / "prompts.py").write_text('import anthropic\nSYSTEM = "Be brief."\n')
    (tmp_path / "app.py").write_text(
        "import anthropic\nfrom prompts import SYSTEM\n\n\ndef ask(q):\n"
        "    return anthropic.Anthropic().messages.create(model='claude-sonnet-4-5', max_tokens=9, system=SYSTEM,\n"
        "                                                 messages=[{'role': 'user', 'content': q}])\n"
    )
    runner = _cli_runner()
    monkeypatch.chdir(tmp_path)
    cold = runner.invoke(main, ["--verbose", "--jobs", "1", "--cache-dir", str(tmp_path / "c"), "."])
    warm = runner.invoke(main, ["--verbose", "--jobs", "1", "--cache-dir", str(tmp_path / "c"), "."])
    assert "modules parsed: 2 parses of 2 files (each once)" in cold.stderr, cold.stderr
    assert "modules parsed: 0 parses of 0 files (each once)" in warm.stderr, warm.stderr


def test_quiet_prints_findings_only_and_silent_prints_nothing(cli: Cli) -> None:
    quiet = cli("-q", "--select", "CL007", "--output-format", "concise")
    assert len(concise(quiet)) == 3 and quiet.stderr == ""
    assert cli("--quiet", "--select", "CL007").stderr == ""
    for flag in ("-s", "--silent"):
        silent = cli(flag, "--select", "CL007")
        assert (silent.exit_code, silent.stdout, silent.stderr) == (1, "", "")


def test_add_ignore_baselines_and_a_rerun_is_clean(cli: Cli, project: Path) -> None:
    result = cli("--add-ignore", "--select", "CL007")
    assert result.exit_code == 0
    assert "Added 3 ignore comments." in result.stderr
    assert "# cachelint: ignore[CL007]" in (project / "app.py").read_text()
    again = cli("--select", "CL007,CL100", "--output-format", "concise")
    assert again.exit_code == 0 and again.stdout == ""
    ast.parse((project / "app.py").read_text())


def test_jobs_give_the_same_findings_as_one_process(cli: Cli, project: Path) -> None:
    write(project, {f"many/m{i:02}.py": BAD_TYPE if i % 2 else CLEAN for i in range(30)})
    serial = cli("-j", "1", "--no-cache", "--output-format", "json", "--select", "CL007", "many")
    pooled = cli(
        "--jobs", "2", "--no-cache", "--output-format", "json", "--select", "CL007", "many"
    )
    assert serial.stdout == pooled.stdout
    assert len(json.loads(pooled.stdout)) == 15


def test_check_alias_help_and_version(cli: Cli) -> None:
    assert codes(cli("check", "--select", "CL007", "--output-format", "concise", "app.py")) == [
        "CL007",
        "CL007",
    ]
    assert cli("-h").stdout == cli("--help").stdout
    assert "[OPTIONS] [PATHS]..." in cli("--help").stdout
    assert cli("-V").stdout == cli("--version").stdout


def test_every_flag_in_help_is_exercised() -> None:
    """Each option of the command appears in this file or another CLI test file."""
    sources = "".join(p.read_text(encoding="utf-8") for p in TESTS.glob("test_cli*.py"))
    missing = []
    for param in main.params:
        if isinstance(param, click.Option):
            for flag in (*param.opts, *param.secondary_opts):
                if not re.search(r'"' + re.escape(flag) + r'"', sources):
                    missing.append(flag)
    assert missing == []


def test_empty_selectors_and_explain_are_usage_errors(cli: Cli) -> None:
    for args in (
        ("--select", ""),
        ("--ignore", " , "),
        ("--extend-select", ","),
        ("--explain", ""),
    ):
        result = cli(*args, "app.py")
        assert result.exit_code == 2, args
        assert result.stderr.startswith("cachelint: error:") and result.stdout == ""


def test_diff_warns_about_files_it_cannot_lint(cli: Cli) -> None:
    result = cli("--diff", "--select", "CL007", "missing.py", "pkg/clean.py")
    assert result.exit_code == 0
    assert (
        "cachelint: warning: missing.py:1:1: cannot lint: No such file or directory"
        in result.stderr
    )


def test_an_internal_error_is_one_line_and_exit_2(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cachelint.cli

    def crash(*args: object, **kwargs: object) -> int:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(cachelint.cli.Session, "check", crash)
    result = cli("--select", "CL007")
    assert result.exit_code == 2
    assert "cachelint: internal error: RuntimeError: simulated bug" in result.stderr
    assert "Traceback" not in result.stderr
    verbose = _cli_runner().invoke(main, ["--verbose", "--select", "CL007"])
    assert verbose.exit_code == 2
    assert "Traceback" in verbose.stderr and "simulated bug" in verbose.stderr


def test_a_ttl_fix_that_raises_the_write_price_needs_unsafe_fixes(cli: Cli, project: Path) -> None:
    """`"10m"` is closest to `"1h"`, whose writes cost 2x input instead of the default
    1.25x: that fix is unsafe (the title says why), while `"3m"` -> `"5m"` stays safe."""
    write(project, {"ttl.py": 'A = {"cache_control": {"type": "ephemeral", "ttl": "10m"}}\n' + BAD_TTL})
    safe = cli("--fix", "--select", "CL007", "ttl.py")
    text = (project / "ttl.py").read_text()
    assert '"ttl": "10m"' in text and '"ttl": "5m"' in text, text
    assert "1 hidden fix can be enabled with the `--unsafe-fixes` option" in safe.stderr
    shown = cli("--select", "CL007", "--unsafe-fixes", "ttl.py")
    assert "a 1-hour cache write costs 2x input instead of 1.25x" in shown.stdout
    cli("--fix", "--unsafe-fixes", "--select", "CL007", "ttl.py")
    assert '"ttl": "1h"' in (project / "ttl.py").read_text()
