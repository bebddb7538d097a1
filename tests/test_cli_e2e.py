"""`python -m cachelint` run as a new user runs it: a real process in a sample project.

These few cases check what only a real process shows: the exit code the shell sees, which
text lands on stdout and which on stderr, stdin piped in, environment variables, and that
nothing ever ends in a traceback. The many flag-by-flag cases run in-process (test_cli_*.py).

CL007 (an invalid `cache_control` value) is the rule that produces findings; `--select
CL007` is passed where an exact count matters, so new rules do not change these tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

import pytest

BAD_TYPE = 'X = {"cache_control": {"type": "persistent"}}\n'
BAD_TTL = 'Y = {"cache_control": {"type": "ephemeral", "ttl": "3m"}}\n'  # safe fix: "5m"
CLEAN = 'Z = {"cache_control": {"type": "ephemeral", "ttl": "1h"}}\n'


def run(
    cwd: Path,
    *args: str,
    stdin: Optional[bytes] = None,
    env: Optional[Dict[str, str]] = None,
) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CACHELINT_", "GITHUB_"))}
    environ.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "cachelint", *args],
        cwd=str(cwd),
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=environ,
        timeout=120,
    )
    assert b"Traceback" not in proc.stderr, proc.stderr.decode(errors="replace")
    return proc


def write(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def out(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout.decode("utf-8")


def err(proc: subprocess.CompletedProcess) -> str:
    return proc.stderr.decode("utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(
        tmp_path,
        {"app.py": BAD_TYPE + BAD_TTL, "clean.py": CLEAN, "pyproject.toml": "[tool.cachelint]\n"},
    )
    return tmp_path


def test_findings_exit_1_on_stdout_and_the_summary_on_stderr(project: Path) -> None:
    proc = run(project, "--select", "CL007", "--output-format", "concise", ".")
    assert proc.returncode == 1
    lines = out(proc).splitlines()
    assert lines == [line for line in lines if line.startswith("app.py:")]
    assert [line.split(":")[1:3] for line in lines] == [["1", "32"], ["2", "52"]]
    assert "Found 2 errors." in err(proc)
    assert "[*] 2 fixable with the `--fix` option." in err(proc)
    assert "Found" not in out(proc)


def test_clean_project_exits_0(project: Path) -> None:
    proc = run(project, "--select", "CL007", "clean.py")
    assert proc.returncode == 0
    assert out(proc) == ""
    assert err(proc).strip() == "All checks passed!"


def test_fix_writes_files_and_exits_0_when_everything_was_fixed(project: Path) -> None:
    proc = run(project, "--select", "CL007", "--fix", ".")
    assert proc.returncode == 0, err(proc)
    assert "Found 2 errors (2 fixed, 0 remaining)." in err(proc)
    text = (project / "app.py").read_text(encoding="utf-8")
    assert '"type": "ephemeral"' in text and '"ttl": "5m"' in text
    again = run(project, "--select", "CL007", ".")
    assert again.returncode == 0


def test_unknown_selector_is_one_line_and_exit_2_even_with_exit_zero(project: Path) -> None:
    for extra in ((), ("--exit-zero",)):
        proc = run(project, "--select", "CL9999", *extra, ".")
        assert proc.returncode == 2
        assert out(proc) == ""
        lines = err(proc).strip().splitlines()
        assert len(lines) == 1
        assert "CL9999" in lines[0] and lines[0].startswith("cachelint: error:")


def test_broken_config_names_the_file_and_exits_2(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.cachelint]\nselect = ["CL007"\n', encoding="utf-8"
    )
    proc = run(project, ".")
    assert proc.returncode == 2
    assert str(project / "pyproject.toml") in err(proc)
    assert len(err(proc).strip().splitlines()) == 1


def test_a_syntax_error_among_good_files_is_one_cl000_line_and_the_run_goes_on(
    project: Path,
) -> None:
    write(project, {"broken.py": "import anthropic\ndef f(:\n    pass\n", "zz_later.py": BAD_TYPE})
    proc = run(project, "--select", "CL000,CL007", "--output-format", "concise", ".")
    assert proc.returncode == 1
    lines = out(proc).splitlines()
    cl000 = [line for line in lines if " CL000 " in line]
    assert len(cl000) == 1
    assert cl000[0].startswith("broken.py:2:7: CL000 ")
    assert "syntax" in cl000[0]
    # files before and after the broken one are still linted
    assert any(line.startswith("app.py:") for line in lines)
    assert any(line.startswith("zz_later.py:") for line in lines)


def test_missing_path_is_a_finding_not_a_crash(project: Path) -> None:
    proc = run(project, "--output-format", "concise", "nope.py")
    assert proc.returncode == 1
    assert out(proc).startswith("nope.py:1:1: CL000 ")
    assert "No such file" in out(proc)


def test_stdin_dash_fix_prints_the_fixed_code_only_on_stdout(project: Path) -> None:
    source = (
        BAD_TYPE + 'W = {"cache_control": {"type": "ephemeral", "ttl": "forever"}}\n'
    ).encode()
    proc = run(project, "--select", "CL007", "--fix", "-", stdin=source)
    assert proc.returncode == 1  # the unfixable ttl remains
    assert (
        out(proc)
        == BAD_TYPE.replace("persistent", "ephemeral") + source.decode().splitlines(True)[1]
    )
    assert '"forever"' in err(proc)
    assert "Found 2 errors (1 fixed, 1 remaining)." in err(proc)


def test_stdin_filename_without_fix_reports_under_that_name(project: Path) -> None:
    proc = run(
        project,
        "--select",
        "CL007",
        "--output-format",
        "concise",
        "--stdin-filename",
        "pkg/mod.py",
        stdin=BAD_TYPE.encode(),
    )
    assert proc.returncode == 1
    assert out(proc).startswith(os.path.join("pkg", "mod.py") + ":1:32: CL007 ")


def test_check_alias_and_version(project: Path) -> None:
    proc = run(project, "check", "--select", "CL007", "--output-format", "concise", "app.py")
    assert proc.returncode == 1
    assert out(proc).startswith("app.py:1:32: CL007")
    version = run(project, "--version")
    assert version.returncode == 0
    from cachelint import __version__

    assert __version__ in out(version)


def test_cache_dir_from_the_environment(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    cache = tmp_path_factory.mktemp("envcache") / "c"
    proc = run(project, "--select", "CL007", ".", env={"CACHELINT_CACHE_DIR": str(cache)})
    assert proc.returncode == 1
    assert (cache / "CACHEDIR.TAG").is_file()
    assert not (project / ".cachelint_cache").exists()


def test_output_format_from_the_environment(project: Path) -> None:
    proc = run(project, "--select", "CL007", "app.py", env={"CACHELINT_OUTPUT_FORMAT": "json"})
    assert proc.returncode == 1
    assert [d["code"] for d in json.loads(out(proc))] == ["CL007", "CL007"]


def test_gitlab_report_as_the_ci_job_writes_it(project: Path) -> None:
    """The README's GitLab CI job: run from a subdirectory of the repository, the report
    file names paths from the repository root (what GitLab links) and the exit code still
    says that findings remain."""
    (project / ".git").mkdir()
    write(project, {"svc/api.py": BAD_TTL})
    proc = run(project / "svc", "--select", "CL007", "--output-format", "gitlab",
               "--output-file", "gl-code-quality-report.json", ".")
    assert proc.returncode == 1
    assert out(proc) == ""
    report = json.loads((project / "svc" / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in report] == [
        ("CL007", "svc/api.py", 1)
    ]
