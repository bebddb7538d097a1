"""Awkward files through the command: unreadable, undecodable, NUL bytes, empty, syntax
errors, CRLF and BOM files, file modes, read-only files and fixes that overlap.

A file cachelint cannot read or parse is one CL000 finding with its row and the reason,
and the run goes on. A fixed file changes only inside the edits: encoding, BOM, line
endings and permission bits stay as they were, byte for byte. The summary counts only
what really reached the disk.
"""

from __future__ import annotations

import ast
import builtins
import codecs
import io
import json
import os
import stat
from pathlib import Path
from typing import Callable, Dict, List

import pytest
from click.testing import Result

import cachelint.rules
from cachelint.cli import main
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Fix
from cachelint.fix.edits import make_edit
from cachelint.rule import Rule
from cachelint.rules.cl007_invalid_cache_control import literal_markers
from cli_runner import cli_runner as _cli_runner

BAD_TYPE = 'X = {"cache_control": {"type": "persistent"}}\n'
FIXED_TYPE = BAD_TYPE.replace("persistent", "ephemeral")
CLEAN = 'Z = {"cache_control": {"type": "ephemeral", "ttl": "1h"}}\n'
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

Cli = Callable[..., Result]



@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[tool.cachelint]\nselect = ["CL000", "CL007"]\n', encoding="utf-8"
    )
    (root / "good.py").write_text(BAD_TYPE, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def cli(project: Path) -> Cli:
    def invoke(*args: str) -> Result:
        result = _cli_runner().invoke(main, ["--no-cache", *args], catch_exceptions=False)
        assert "Traceback" not in result.stderr
        return result

    return invoke


def findings(result: Result) -> List[Dict]:
    return json.loads(result.stdout)


def by_file(result: Result) -> Dict[str, List[Dict]]:
    out: Dict[str, List[Dict]] = {}
    for item in findings(result):
        out.setdefault(os.path.basename(item["filename"]), []).append(item)
    return out


def cl000(result: Result, name: str) -> Dict:
    (item,) = [d for d in by_file(result)[name] if d["code"] == "CL000"]
    return item


# --- files that cannot be linted ----------------------------------------------------------------
def test_syntax_error_among_good_files(cli: Cli, project: Path) -> None:
    (project / "broken.py").write_text("import anthropic\n\ndef f(:\n    pass\n", encoding="utf-8")
    (project / "z_last.py").write_text(BAD_TYPE, encoding="utf-8")
    result = cli("--output-format", "json")
    assert result.exit_code == 1
    files = by_file(result)
    item = cl000(result, "broken.py")
    assert (item["location"], item["name"]) == ({"row": 3, "column": 7}, "invalid-source")
    assert "syntax" in item["message"]
    assert (
        [d["code"] for d in files["good.py"]]
        == [d["code"] for d in files["z_last.py"]]
        == ["CL007"]
    )


def test_syntax_error_in_a_file_naming_no_sdk_is_reported_when_named(cli: Cli, project: Path) -> None:
    """A file named on the command line (as pre-commit does) is always parsed."""
    (project / "plain.py").write_text("def broken(:\n", encoding="utf-8")
    assert cl000(cli("--output-format", "json", "plain.py"), "plain.py")["location"]["row"] == 1


def test_a_file_naming_no_sdk_is_not_parsed_when_discovered(cli: Cli, project: Path) -> None:
    """The prefilter skips files that cannot matter before any parse (a monorepo's speed
    depends on it); their syntax is the interpreter's and ruff's business."""
    (project / "plain.py").write_text("def broken(:\n", encoding="utf-8")
    result = cli("--output-format", "json")
    assert "plain.py" not in by_file(result)


@pytest.mark.parametrize("row", [1, 3])
def test_undecodable_file_without_a_coding_line(cli: Cli, project: Path, row: int) -> None:
    lines = [b"a = 1\n", b"b = 2\n", b"c = 3\n"]
    lines[row - 1] = b'x = "caf\xe9"\n'
    (project / "latin.py").write_bytes(b"".join(lines))
    result = cli("--output-format", "json")
    assert result.exit_code == 1
    assert cl000(result, "latin.py")["location"]["row"] == row
    assert [d["code"] for d in by_file(result)["good.py"]] == ["CL007"]


def test_latin1_file_with_a_coding_line_is_linted_and_fixed_in_latin1(
    cli: Cli, project: Path
) -> None:
    raw = b'# -*- coding: latin-1 -*-\nNAME = "caf\xe9"\n' + BAD_TYPE.encode()
    (project / "latin.py").write_bytes(raw)
    result = cli("--fix", "latin.py")
    assert result.exit_code == 0, result.stderr
    assert (project / "latin.py").read_bytes() == raw.replace(b"persistent", b"ephemeral")


def test_nul_byte_names_its_row(cli: Cli, project: Path) -> None:
    (project / "nul.py").write_bytes(b"a = 1\nb = 2\x00\n")
    item = cl000(cli("--output-format", "json"), "nul.py")
    assert item["location"]["row"] == 2 and "NUL" in item["message"]


def test_empty_and_whitespace_files_are_clean(cli: Cli, project: Path) -> None:
    (project / "good.py").write_text(CLEAN, encoding="utf-8")
    (project / "empty.py").write_bytes(b"")
    (project / "blank.py").write_bytes(b"\n\n   \n")
    (project / "stub.pyi").write_bytes(b"")
    result = cli("--fix")
    assert result.exit_code == 0
    assert "All checks passed!" in result.stderr
    assert (project / "empty.py").read_bytes() == b""


def test_broken_and_looping_symlinks_are_findings(cli: Cli, project: Path) -> None:
    os.symlink(project / "nowhere.py", project / "dangling.py")
    os.symlink(project / "loop.py", project / "loop.py")
    result = cli("--output-format", "json")
    assert result.exit_code == 1
    assert "Broken symbolic link" in cl000(result, "dangling.py")["message"]
    assert [d["code"] for d in by_file(result)["good.py"]] == ["CL007"]
    explicit = cli("--output-format", "json", "loop.py", "good.py")
    assert cl000(explicit, "loop.py")["message"].startswith("cannot lint:")


@pytest.mark.skipif(IS_ROOT, reason="permission bits are not enforced for root")
def test_unreadable_file_chmod_000(cli: Cli, project: Path) -> None:
    secret = project / "secret.py"
    secret.write_text(BAD_TYPE, encoding="utf-8")
    secret.chmod(0)
    try:
        result = cli("--output-format", "json")
    finally:
        secret.chmod(0o644)
    assert result.exit_code == 1
    assert "ermission denied" in cl000(result, "secret.py")["message"]
    assert [d["code"] for d in by_file(result)["good.py"]] == ["CL007"]


def test_unreadable_file_simulated(
    cli: Cli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root chmod 000 does not stop reads; make `open` refuse one file instead."""
    secret = project / "secret.py"
    secret.write_text(BAD_TYPE, encoding="utf-8")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(file) == str(secret):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    result = cli("--output-format", "json")
    assert result.exit_code == 1
    item = cl000(result, "secret.py")
    assert item["message"] == "cannot read file: Permission denied"
    assert [d["code"] for d in by_file(result)["good.py"]] == ["CL007"]
    full = cli()
    assert "secret.py:1:1" in full.stdout  # the full format copes with a file it cannot show


def _deny(monkeypatch: pytest.MonkeyPatch, denied: Callable[[str], bool]) -> None:
    """Make the paths `denied` picks unreadable as chmod does for a user (root reads
    everything): `os.access` says no (click's check), `open` raises, and, for a directory
    without search permission, `os.stat` of what is inside it raises."""
    real_open, real_access, real_stat = builtins.open, os.access, os.stat

    def refuse(path: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    def guarded_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(file, (str, os.PathLike)) and denied(os.fspath(file)):
            refuse(file)
        return real_open(file, *args, **kwargs)

    def guarded_access(path, mode, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(path, (str, os.PathLike)) and denied(os.fspath(path)):
            return False
        return real_access(path, mode, *args, **kwargs)

    def guarded_stat(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(path, (str, os.PathLike)) and denied(os.path.dirname(os.fspath(path))):
            refuse(path)  # the directory holding it cannot be searched
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)  # what `Path.read_bytes` calls
    monkeypatch.setattr(os, "access", guarded_access)
    monkeypatch.setattr(os, "stat", guarded_stat)


def test_unreadable_file_named_on_the_command_line_is_a_finding(
    cli: Cli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """click's readability check used to end the run with a usage error (exit 2)."""
    secret = project / "secret.py"
    secret.write_text(BAD_TYPE, encoding="utf-8")
    _deny(monkeypatch, lambda path: os.path.basename(path) == "secret.py")
    result = cli("--output-format", "json", "secret.py", "good.py")
    assert result.exit_code == 1, result.stderr
    assert cl000(result, "secret.py")["message"] == "cannot read file: Permission denied"
    assert [d["code"] for d in by_file(result)["good.py"]] == ["CL007"]
    alone = cli("secret.py")
    assert alone.exit_code == 1
    assert "secret.py:1:1" in alone.stdout and "Found 1 error." in alone.stderr


@pytest.mark.skipif(IS_ROOT, reason="permission bits are not enforced for root")
def test_unreadable_file_named_on_the_command_line_chmod_000(cli: Cli, project: Path) -> None:
    secret = project / "secret.py"
    secret.write_text(BAD_TYPE, encoding="utf-8")
    secret.chmod(0)
    try:
        result = cli("--output-format", "json", "secret.py", "good.py")
    finally:
        secret.chmod(0o644)
    assert result.exit_code == 1
    assert "ermission denied" in cl000(result, "secret.py")["message"]


def test_a_path_inside_an_unreadable_directory_is_a_finding(
    cli: Cli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Naming `locked/mod.py` or walking `locked/` (listable, not searchable) used to be
    "internal error: PermissionError ... a bug in cachelint"."""
    locked = project / "locked"
    locked.mkdir()
    (locked / "mod.py").write_text(BAD_TYPE, encoding="utf-8")
    (locked / ".cachelint.toml").write_text("select = []\n", encoding="utf-8")
    (locked / ".gitignore").write_text("mod.py\n", encoding="utf-8")
    (locked / "deeper").mkdir()
    inside = str(locked.resolve())
    _deny(monkeypatch, lambda path: path == inside or path.startswith(inside + os.sep))
    named = cli("--output-format", "json", "locked/mod.py", "good.py")
    assert named.exit_code == 1, named.stderr
    assert "internal error" not in named.stderr
    assert cl000(named, "mod.py")["message"] == "cannot lint: Permission denied"
    assert [d["code"] for d in by_file(named)["good.py"]] == ["CL007"]
    walked = cli("--output-format", "json")
    assert walked.exit_code == 1, walked.stderr
    assert "internal error" not in walked.stderr
    assert cl000(walked, "mod.py")["message"] == "cannot read file: Permission denied"
    assert [d["code"] for d in by_file(walked)["good.py"]] == ["CL007"]
    shown = cli("--show-requests", "locked/mod.py")  # accounted for there too
    assert "locked/mod.py:1:1: cannot lint: Permission denied" in shown.stderr


@pytest.mark.skipif(IS_ROOT, reason="permission bits are not enforced for root")
def test_a_path_inside_an_unreadable_directory_chmod(cli: Cli, project: Path) -> None:
    locked = project / "locked"
    locked.mkdir()
    (locked / "mod.py").write_text(BAD_TYPE, encoding="utf-8")
    locked.chmod(0o444)  # listable, not searchable
    try:
        named = cli("--output-format", "json", "locked/mod.py", "good.py")
        walked = cli("--output-format", "json")
    finally:
        locked.chmod(0o755)
    for result in (named, walked):
        assert result.exit_code == 1 and "internal error" not in result.stderr
        assert "ermission denied" in cl000(result, "mod.py")["message"]


NO_FILES = "cachelint: warning: No Python files found under the given path(s)\n"


@pytest.mark.parametrize("layout", ["empty", "no-python"])
def test_a_tree_without_python_files_says_so_as_ruff_does(
    cli: Cli, project: Path, layout: str
) -> None:
    """ruff 0.17.6 warns "No Python files found under the given path(s)" and exits 0;
    "All checks passed!" would claim checks that never ran."""
    tree = project / "tree"
    tree.mkdir()
    if layout == "no-python":
        (tree / "notes.txt").write_text("hello\n", encoding="utf-8")
        (tree / "sub").mkdir()
    for args in ((), ("--fix",), ("--output-format", "concise"), ("--statistics",)):
        result = cli(*args, "tree")
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", NO_FILES), args
    as_json = cli("--output-format", "json", "tree")
    assert (as_json.exit_code, json.loads(as_json.stdout), as_json.stderr) == (0, [], NO_FILES)
    assert cli("--show-files", "tree").stderr == NO_FILES
    for flag in ("--quiet", "--silent"):
        assert cli(flag, "tree").stderr == ""  # ruff prints no warning under -q either


def test_no_python_files_and_a_missing_path(cli: Cli, project: Path) -> None:
    result = cli("--output-format", "concise", "missing.py")
    assert result.exit_code == 1
    assert result.stderr.startswith(NO_FILES)
    assert "Found 1 error." in result.stderr and "All checks passed!" not in result.stderr


def test_a_directory_named_like_a_module_is_walked_not_read(cli: Cli, project: Path) -> None:
    (project / "pkg.py").mkdir()
    (project / "pkg.py" / "inner.py").write_text(BAD_TYPE, encoding="utf-8")
    result = cli("--output-format", "json", "pkg.py")
    assert [(os.path.basename(d["filename"]), d["code"]) for d in findings(result)] == [
        ("inner.py", "CL007")
    ]


# --- fixed files keep their bytes ---------------------------------------------------------------
def test_crlf_file_keeps_crlf_byte_for_byte(cli: Cli, project: Path) -> None:
    raw = ("# first\r\n" + BAD_TYPE.replace("\n", "\r\n") + "y = '''a\r\nb'''\r\n").encode()
    (project / "crlf.py").write_bytes(raw)
    assert cli("--fix", "crlf.py").exit_code == 0
    assert (project / "crlf.py").read_bytes() == raw.replace(b"persistent", b"ephemeral")


def test_bom_file_keeps_its_bom_byte_for_byte(cli: Cli, project: Path) -> None:
    raw = codecs.BOM_UTF8 + ('NAME = "café"\n' + BAD_TYPE).encode("utf-8")
    (project / "bom.py").write_bytes(raw)
    assert cli("--fix", "bom.py").exit_code == 0
    assert (project / "bom.py").read_bytes() == raw.replace(b"persistent", b"ephemeral")


def test_bom_and_crlf_diff_is_computed_on_the_text(cli: Cli, project: Path) -> None:
    raw = codecs.BOM_UTF8 + BAD_TYPE.replace("\n", "\r\n").encode()
    (project / "both.py").write_bytes(raw)
    result = cli("--diff", "both.py")
    assert result.exit_code == 1
    assert (project / "both.py").read_bytes() == raw
    assert '+X = {"cache_control": {"type": "ephemeral"}}' in result.stdout


def test_mode_bits_are_kept(cli: Cli, project: Path) -> None:
    script = project / "script.py"
    script.write_text("#!/usr/bin/env python3\n" + BAD_TYPE, encoding="utf-8")
    script.chmod(0o751)
    assert cli("--fix", "script.py").exit_code == 0
    assert stat.S_IMODE(script.stat().st_mode) == 0o751
    assert script.read_text() == "#!/usr/bin/env python3\n" + FIXED_TYPE
    assert not [p.name for p in project.iterdir() if p.name.startswith(".cachelint-")]


def test_read_only_file_is_not_written_and_exits_2(cli: Cli, project: Path) -> None:
    locked = project / "locked.py"
    locked.write_text(BAD_TYPE, encoding="utf-8")
    locked.chmod(0o444)
    try:
        result = cli("--fix", "--output-format", "concise", "locked.py", "good.py")
    finally:
        mode = stat.S_IMODE(locked.stat().st_mode)
        locked.chmod(0o644)
    assert result.exit_code == 2
    assert mode == 0o444
    assert locked.read_text() == BAD_TYPE
    assert (project / "good.py").read_text() == FIXED_TYPE
    assert "cachelint: error: locked.py: the file is read-only; fix not written" in result.stderr
    # honest summary: the unwritten fix is not counted, its finding is still reported
    assert "Found 2 errors (1 fixed, 1 remaining)." in result.stderr
    assert result.stdout.startswith("locked.py:1:32: CL007")


# --- overlapping fixes --------------------------------------------------------------------------
class AddTtl(Rule):
    """Test-only rule: a cache_control dict without "ttl" gets `"ttl": "5m"` by rewriting the
    whole dict, so its fix overlaps CL007's fix inside the same dict.

    ## What it does
    Exists for the overlap tests.

    ## Why is this bad?
    It is not.
    """

    code = "CL991"
    name = "test-add-ttl"
    summary = "Test rule whose fix overlaps CL007's."
    fix_applicability = Applicability.SAFE

    def check_module(self, ctx: FileContext) -> None:
        for field_name, value in literal_markers(ctx.tree):
            if isinstance(value, ast.Dict) and field_name == "cache_control":
                keys = [k.value for k in value.keys if isinstance(k, ast.Constant)]
                if "ttl" not in keys:
                    start, end = ctx.node_range(value)
                    src = ctx.load_source(ctx.path)
                    assert src is not None
                    text = ctx.source.text[start:end]
                    edit = make_edit(src, start, end, text[:-1] + ', "ttl": "5m"}')
                    ctx.report(
                        self,
                        start,
                        end,
                        "no ttl",
                        fix=Fix(Applicability.SAFE, "Add a ttl", (edit,)),
                    )


def test_overlapping_fixes_converge_and_a_second_fix_changes_nothing(
    cli: Cli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cachelint.rules, "ALL_RULES", [*cachelint.rules.ALL_RULES, AddTtl])
    source = BAD_TYPE + 'Y = {"cache_control": {"type": "persistent", "ttl": "5m"}}\n'
    (project / "both.py").write_text(source, encoding="utf-8")
    first = cli("--fix", "--show-fixes", "--select", "CL007,CL991", "both.py")
    assert first.exit_code == 0, first.stderr
    assert (project / "both.py").read_text() == (
        'X = {"cache_control": {"type": "ephemeral", "ttl": "5m"}}\n'
        'Y = {"cache_control": {"type": "ephemeral", "ttl": "5m"}}\n'
    )
    assert "Found 3 errors (3 fixed, 0 remaining)." in first.stderr
    assert (
        "2 × CL007 (invalid-cache-control)" in first.stderr
        and "1 × CL991 (test-add-ttl)" in first.stderr
    )
    fixed = (project / "both.py").read_bytes()
    second = cli("--fix", "--select", "CL007,CL991", "both.py")
    assert second.exit_code == 0
    assert "All checks passed!" in second.stderr
    assert (project / "both.py").read_bytes() == fixed
    assert cli("--diff", "--select", "CL007,CL991", "both.py").stdout == ""


# --- internal errors ----------------------------------------------------------------------------
class Crashes(Rule):
    """Test-only rule that raises on files containing "boom".

    ## What it does
    Stands in for a bug in a rule.

    ## Why is this bad?
    It is not.
    """

    code = "CL995"
    name = "test-crashes"
    summary = "Test rule that crashes."

    def check_module(self, ctx: FileContext) -> None:
        if "boom" in ctx.source.text:
            raise ValueError("boom")


def test_a_crashing_rule_is_exit_2_without_traceback_and_the_run_goes_on(
    cli: Cli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cachelint.rules, "ALL_RULES", [*cachelint.rules.ALL_RULES, Crashes])
    (project / "boom.py").write_text("import anthropic\n\nX = 'boom'\n", encoding="utf-8")
    for extra in ((), ("--exit-zero",)):
        result = cli("--select", "CL007,CL995", "--output-format", "concise", *extra)
        assert result.exit_code == 2
        assert result.stdout.startswith("good.py:1:32: CL007")
        assert "CL995: internal error: ValueError: boom" in result.stderr


def test_a_stale_suppression_in_a_file_without_llm_calls_is_reported(
    cli: Cli, project: Path
) -> None:
    """The call was removed, the comment stayed: nothing names an SDK any more."""
    (project / "old.py").write_text("x = 1  # cachelint: ignore[CL007]\n", encoding="utf-8")
    (project / "older.py").write_text("y = 2  # noqa: CL007\n", encoding="utf-8")
    (project / "other_tools.py").write_text("import os  # noqa: F401\n", encoding="utf-8")
    result = cli("--select", "CL007,CL100", "--output-format", "json")
    found = {(os.path.basename(d["filename"]), d["code"]) for d in findings(result)}
    assert ("old.py", "CL100") in found and ("older.py", "CL100") in found
    assert not any(name == "other_tools.py" for name, _ in found)
