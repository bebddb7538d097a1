"""The ruff flags and subcommands people reach for, each against what ruff 0.17.6 does.

`cachelint rule|version|clean`, `--fix-only`, `--no-fix`, `--exclude`, `--extend-exclude`,
`--per-file-ignores`, `--extend-per-file-ignores`, `--add-ignore=REASON`, `--color` and
`--watch` (`-w`). Findings come from CL007 (an invalid `cache_control` value). Where ruff's
behaviour is checked directly it is run too (skipped when it is not installed); the
colours are compared byte for byte in test_output_ruff_parity.py.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

import pytest
from click.testing import Result

from cachelint import __version__
from cachelint.cli import main
from cli_runner import cli_runner as _runner

ROOT = Path(__file__).resolve().parents[1]
BAD_TYPE = 'X = {"cache_control": {"type": "persistent"}}\n'
FIXED_TYPE = BAD_TYPE.replace("persistent", "ephemeral")
NO_FIX_TTL = 'W = {"cache_control": {"type": "ephemeral", "ttl": "forever"}}\n'
CLEAN = 'Z = {"cache_control": {"type": "ephemeral", "ttl": "1h"}}\n'
ANSI = re.compile(r"\x1b\[[0-9;]*m")



def write(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    write(
        root,
        {
            "pyproject.toml": "[tool.cachelint]\n",
            "app.py": BAD_TYPE + NO_FIX_TTL,
            "pkg/__init__.py": "",
            "pkg/more.py": BAD_TYPE,
            "pkg/clean.py": CLEAN,
            "dist/gen.py": BAD_TYPE,  # excluded by default
        },
    )
    monkeypatch.chdir(root)
    return root


Cli = Callable[..., Result]


@pytest.fixture
def cli(project: Path) -> Cli:
    def invoke(*args: str, env: Optional[Dict[str, str]] = None) -> Result:
        result = _runner().invoke(main, list(args), env=env, catch_exceptions=False)
        assert "Traceback" not in result.stderr
        return result

    return invoke


def concise(result: Result) -> List[str]:
    return [line.split(": CL")[0] for line in result.stdout.splitlines()]


def _find_ruff() -> Optional[str]:
    for candidate in (str(Path(sys.executable).parent / "ruff"), shutil.which("ruff"), "/work/venv/bin/ruff"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


RUFF = _find_ruff()
needs_ruff = pytest.mark.skipif(RUFF is None, reason="ruff is not installed")


def ruff(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    assert RUFF is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUFF_")}
    return subprocess.run([RUFF, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=60)


# --- subcommands -----------------------------------------------------------------------------------
def test_rule_explains_a_rule_by_code_or_name_as_explain_does(cli: Cli) -> None:
    by_code = cli("rule", "CL007")
    assert by_code.exit_code == 0
    assert by_code.stdout.startswith("# CL007 invalid-cache-control\n")
    assert by_code.stdout == cli("rule", "invalid-cache-control").stdout == cli("--explain", "CL007").stdout
    every = cli("rule", "--all").stdout
    assert every.count("\n# CL") + 1 == len(re.findall(r"^# CL\d{3} ", every, re.M)) >= 16


@needs_ruff
def test_rule_json_has_ruffs_keys(cli: Cli, project: Path) -> None:
    ours = json.loads(cli("rule", "--output-format", "json", "CL007").stdout)
    theirs = json.loads(ruff(project, "rule", "--output-format", "json", "F401").stdout)
    shared = {"name", "code", "linter", "summary", "fix", "fix_availability", "explanation"}
    assert shared <= set(theirs) and shared <= set(ours)
    assert (ours["code"], ours["fix_availability"]) == ("CL007", "Sometimes")
    assert ours["fix"] == "Fix is sometimes available (safe)."
    every = json.loads(cli("rule", "--all", "--output-format", "json").stdout)
    assert isinstance(every, list) and [r["code"] for r in every][:2] == ["CL000", "CL001"]


def test_rule_usage_errors_exit_2(cli: Cli) -> None:
    for args in (("rule",), ("rule", "CL999"), ("rule", "CL007", "--all")):
        result = cli(*args)
        assert result.exit_code == 2, args
        assert result.stdout == ""
    assert "unknown rule 'CL999'" in cli("rule", "CL999").stderr


def test_version_subcommand(cli: Cli) -> None:
    assert cli("version").stdout == f"cachelint {__version__}\n"
    assert json.loads(cli("version", "--output-format", "json").stdout) == {"version": __version__, "commit_info": None}


def test_subcommand_names_are_not_paths_but_such_paths_can_still_be_linted(cli: Cli, project: Path) -> None:
    write(project, {"rule/x.py": BAD_TYPE})
    assert "No such file" not in cli("rule", "CL001").stderr
    for args in (("--select", "CL007", "--output-format", "concise", "./rule"),
                 ("check", "--select", "CL007", "--output-format", "concise", "rule")):
        assert concise(cli(*args)) == ["rule/x.py:1:32"], args


def test_the_real_entry_point_dispatches_subcommands(project: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "cachelint", "version"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert (done.returncode, done.stdout) == (0, f"cachelint {__version__}\n")
    helped = subprocess.run([sys.executable, "-m", "cachelint", "--help"], capture_output=True, text=True, env=env,
                            timeout=60)
    assert "Commands (cachelint COMMAND --help):" in helped.stdout and "  rule " in helped.stdout


def test_clean_removes_every_cache_and_nothing_else(cli: Cli, project: Path) -> None:
    assert cli("--select", "CL007", ".").exit_code == 1
    assert (project / ".cachelint_cache" / "CACHEDIR.TAG").is_file()
    write(project, {"pkg/.cachelint_cache/0.1.0/x.json": "{}", "notes/keep.txt": "keep"})
    result = cli("clean")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.splitlines() == ["Removing cache at: .cachelint_cache", "Removing cache at: pkg/.cachelint_cache"]
    assert not (project / ".cachelint_cache").exists() and not (project / "pkg" / ".cachelint_cache").exists()
    assert (project / "notes" / "keep.txt").is_file() and (project / "app.py").is_file()
    assert cli("clean").stderr == ""  # nothing left: nothing said


def test_clean_removes_a_configured_cache_dir_only_when_cachelint_made_it(cli: Cli, project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.cachelint]\ncache-dir = "tmp-cache"\n', encoding="utf-8")
    assert cli("--select", "CL007", ".").exit_code == 1
    assert (project / "tmp-cache" / "CACHEDIR.TAG").is_file()
    assert cli("clean", "-q").stderr == ""
    assert not (project / "tmp-cache").exists()
    (project / "pyproject.toml").write_text('[tool.cachelint]\ncache-dir = "pkg"\n', encoding="utf-8")
    assert cli("clean").exit_code == 0
    assert (project / "pkg" / "more.py").is_file()  # not a cache: never removed


# --- --fix-only and --no-fix --------------------------------------------------------------------------
def test_fix_only_fixes_and_reports_only_what_it_fixed(cli: Cli, project: Path) -> None:
    result = cli("--fix-only", "--select", "CL007", "--output-format", "json")
    assert (result.exit_code, result.stdout) == (0, "")  # leftovers are not reported (as ruff)
    assert result.stderr == "Fixed 2 errors.\n"
    assert (project / "app.py").read_text() == FIXED_TYPE + NO_FIX_TTL
    again = cli("--fix-only", "--select", "CL007")
    assert (again.exit_code, again.stdout, again.stderr) == (0, "", "")  # nothing fixed: nothing said
    write(project, {"pkg/more.py": BAD_TYPE})
    assert cli("--fix-only", "--exit-non-zero-on-fix", "--select", "CL007").exit_code == 1
    write(project, {"pkg/more.py": BAD_TYPE})
    shown = cli("--fix-only", "--show-fixes", "--select", "CL007")
    assert "Fixed 1 error:\n- pkg/more.py:\n    1 × CL007 (invalid-cache-control)\n\nFixed 1 error.\n" in shown.stderr


def test_fix_only_and_no_fix_combine_as_in_ruff(cli: Cli, project: Path) -> None:
    assert cli("--fix", "--no-fix", "--select", "CL007").exit_code == 1
    assert (project / "app.py").read_text() == BAD_TYPE + NO_FIX_TTL  # --no-fix, the last word, wins
    reported = cli("--fix-only", "--no-fix-only", "--select", "CL007", "--output-format", "concise")
    assert reported.exit_code == 1 and len(reported.stdout.splitlines()) == 3
    assert (project / "app.py").read_text() == BAD_TYPE + NO_FIX_TTL
    still = cli("--fix-only", "--no-fix", "--select", "CL007")  # --no-fix does not undo --fix-only
    assert (still.exit_code, still.stderr) == (0, "Fixed 2 errors.\n")


def test_fix_and_fix_only_settings_and_the_flags_that_turn_them_off(cli: Cli, project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.cachelint]\nfix = true\n", encoding="utf-8")
    assert cli("--no-fix", "--select", "CL007").exit_code == 1
    assert "persistent" in (project / "app.py").read_text()
    assert cli("--select", "CL007").exit_code == 1  # the unfixable one remains
    assert "persistent" not in (project / "app.py").read_text()
    write(project, {"pyproject.toml": "[tool.cachelint]\nfix-only = true\n", "app.py": BAD_TYPE})
    assert "fix-only = true" in cli("--show-settings").stdout
    assert cli("--no-fix-only", "--select", "CL007").exit_code == 1
    result = cli("--select", "CL007")
    assert (result.exit_code, result.stdout) == (0, "")


@needs_ruff
def test_fix_only_exit_codes_match_ruff(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import os\nimport sys\n", encoding="utf-8")
    done = ruff(tmp_path, "check", "--isolated", "--no-cache", "--select", "F401", "--fix-only", "a.py")
    assert (done.returncode, done.stdout) == (0, "Fixed 2 errors.\n")
    nothing = ruff(tmp_path, "check", "--isolated", "--no-cache", "--select", "F401", "--fix-only", "a.py")
    assert (nothing.returncode, nothing.stdout) == (0, "")


# --- file selection ----------------------------------------------------------------------------------
def test_exclude_replaces_the_excludes_and_extend_exclude_adds(cli: Cli) -> None:
    assert cli("--show-files").stdout.split() == ["app.py", "pkg/__init__.py", "pkg/clean.py", "pkg/more.py"]
    # --exclude replaces the configured excludes, defaults included (dist/ is linted again)
    replaced = cli("--show-files", "--exclude", "pkg").stdout.split()
    assert replaced == ["app.py", "dist/gen.py"]
    assert cli("--show-files", "--exclude", "pkg,dist").stdout.split() == ["app.py"]
    assert cli("--show-files", "--exclude", "pkg", "--exclude", "dist").stdout.split() == ["app.py"]
    added = cli("--show-files", "--extend-exclude", "pkg/m*.py").stdout.split()
    assert added == ["app.py", "pkg/__init__.py", "pkg/clean.py"]
    # a file named on the command line is linted anyway, unless --force-exclude
    assert cli("--show-files", "--exclude", "pkg", "pkg/more.py").stdout.split() == ["pkg/more.py"]
    assert cli("--show-files", "--exclude", "pkg", "--force-exclude", "pkg/more.py").stdout == ""


@needs_ruff
def test_exclude_semantics_match_ruff(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": "", "pkg/more.py": "", "dist/gen.py": ""})
    for args, expected in (
        (["--exclude", "pkg"], ["app.py", "dist/gen.py"]),
        (["--extend-exclude", "pkg/m*.py"], ["app.py"]),
        (["--exclude", "pkg", "pkg/more.py"], ["pkg/more.py"]),
    ):
        files = args[2:] or ["."]
        done = ruff(tmp_path, "check", "--isolated", "--show-files", *args[:2], *files)
        theirs = sorted(os.path.relpath(p, tmp_path) for p in done.stdout.split())
        assert theirs == expected, args


def test_per_file_ignores_from_the_command_line(cli: Cli, project: Path) -> None:
    base = ("--select", "CL007", "--output-format", "concise")
    assert concise(cli(*base, "--per-file-ignores", "pkg/*:CL007")) == ["app.py:1:32", "app.py:2:52"]
    assert concise(cli(*base, "--per-file-ignores", "pkg/*:CL007,app.py:invalid-cache-control")) == []
    assert concise(cli(*base, "--per-file-ignores", "pkg/*:CL007", "--per-file-ignores", "app.py:CL00")) == []
    # --per-file-ignores replaces the configured table, --extend-per-file-ignores adds to it
    (project / "pyproject.toml").write_text('[tool.cachelint]\nper-file-ignores = { "app.py" = ["CL007"] }\n')
    assert concise(cli(*base)) == ["pkg/more.py:1:32"]
    assert concise(cli(*base, "--per-file-ignores", "pkg/*:CL007")) == ["app.py:1:32", "app.py:2:52"]
    assert concise(cli(*base, "--extend-per-file-ignores", "pkg/*:CL007")) == []


def test_per_file_ignores_usage_errors(cli: Cli) -> None:
    for value, message in (
        ("app.py", "--per-file-ignores: invalid value 'app.py': expected GLOB:RULE"),
        ("app.py:CL007,CL001", "--per-file-ignores: invalid value 'CL001': expected GLOB:RULE"),
        ("app.py:XYZ1", "--per-file-ignores: unknown rule selector"),
    ):
        result = cli("--per-file-ignores", value)
        assert result.exit_code == 2, value
        assert result.stderr.startswith("cachelint: error:") and message in result.stderr, result.stderr


@needs_ruff
def test_per_file_ignores_pairs_are_ruffs(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "import os\n", "c.py": "import os\nl = 1\n"})
    base = ("check", "--isolated", "--no-cache", "--select", "F401,E741", "--output-format", "concise")
    done = ruff(tmp_path, *base, "--per-file-ignores", "c.py:F401", "--per-file-ignores", "c.py:E741", ".")
    assert [line.split(":")[0] for line in done.stdout.splitlines() if ".py:" in line] == ["a.py"]
    assert ruff(tmp_path, *base, "--per-file-ignores", "c.py:F401,E741", ".").returncode == 2


# --- --add-ignore=REASON --------------------------------------------------------------------------------
def test_add_ignore_takes_an_optional_reason_after_an_equals_sign(cli: Cli, project: Path) -> None:
    result = cli("--add-ignore=legacy code, see #12", "--select", "CL007", "app.py")
    assert (result.exit_code, result.stderr) == (0, "Added 2 ignore comments.\n")
    assert "# cachelint: ignore[CL007] legacy code, see #12\n" in (project / "app.py").read_text()
    # Without `=`, the next argument is a path, not a reason (as ruff's `--add-ignore[=REASON]`)
    plain = cli("--add-ignore", "pkg/more.py", "--select", "CL007")
    assert plain.exit_code == 0
    assert "# cachelint: ignore[CL007]\n" in (project / "pkg" / "more.py").read_text()
    assert cli("--select", "CL007,CL100", "app.py", "pkg/more.py").exit_code == 0


def test_add_ignore_reason_cannot_hold_a_newline(cli: Cli, project: Path) -> None:
    result = cli("--add-ignore=two\nlines", "--select", "CL007")
    assert result.exit_code == 2
    assert result.stderr == "cachelint: error: --add-ignore <reason> cannot contain newline characters\n"
    assert "ignore[" not in (project / "app.py").read_text()


@needs_ruff
def test_add_ignore_reason_is_placed_as_ruff_places_it(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import os\n", encoding="utf-8")
    done = ruff(tmp_path, "check", "--isolated", "--no-cache", "--select", "F401", "--add-ignore=legacy code", "a.py")
    assert done.stderr == "Added 1 ignore comment.\n"
    assert (tmp_path / "a.py").read_text() == "import os  # ruff: ignore[F401] legacy code\n"
    again = ruff(tmp_path, "check", "--isolated", "--no-cache", "--select", "F401", "--add-ignore", "a.py")
    assert (again.returncode, again.stderr) == (0, "")  # nothing added: nothing said
    bad = ruff(tmp_path, "check", "--isolated", "--no-cache", "--add-ignore=a\nb", "a.py")
    assert bad.returncode == 2 and "--add-ignore <reason> cannot contain newline characters" in bad.stderr


# --- --color -------------------------------------------------------------------------------------------
def test_color_always_never_and_auto_with_the_environment(cli: Cli, project: Path) -> None:
    base = ("--no-cache", "--select", "CL007", "--output-format", "concise", "app.py")
    always = cli("--color", "always", *base)
    assert always.stdout.startswith("\x1b[1mapp.py\x1b[0m\x1b[36m:\x1b[0m1\x1b[36m:\x1b[0m32\x1b[36m:\x1b[0m "
                                    "\x1b[1m\x1b[31mCL007\x1b[0m [\x1b[36m*\x1b[0m] ")
    assert "[\x1b[36m*\x1b[0m] 1 fixable" in always.stderr
    assert ANSI.sub("", always.stdout) == cli(*base).stdout
    assert not ANSI.search(cli(*base).stdout + cli(*base).stderr)  # auto, not a terminal
    assert ANSI.search(cli(*base, env={"FORCE_COLOR": "1"}).stdout)
    assert ANSI.search(cli(*base, env={"CLICOLOR_FORCE": "1"}).stdout)
    assert not ANSI.search(cli(*base, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout)
    assert not ANSI.search(cli("--color", "never", *base, env={"FORCE_COLOR": "1"}).stdout)
    assert ANSI.search(cli("--color", "always", *base, env={"NO_COLOR": "1"}).stdout)
    cli("--color", "always", "-o", "report.txt", *base)
    assert not ANSI.search((project / "report.txt").read_text())  # a file never gets colours
    assert cli("--color", "sometimes", *base).exit_code == 2
    clean = cli("--color", "always", "--select", "CL007", "pkg/clean.py")
    assert clean.stderr == "\x1b[1;32mAll checks passed!\x1b[0m\n"


@needs_ruff
def test_color_environment_rules_match_ruff(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import os\n", encoding="utf-8")
    base = ("check", "--isolated", "--no-cache", "--select", "F401", "--output-format", "concise", "a.py")

    def colored(extra_env: Dict[str, str], *flags: str) -> bool:
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE")}
        env.update(extra_env)
        done = subprocess.run([RUFF, *base[:1], *flags, *base[1:]], cwd=tmp_path, capture_output=True, text=True,
                              env=env, timeout=60)
        return bool(ANSI.search(done.stdout))

    assert (colored({}), colored({"FORCE_COLOR": "1"}), colored({"CLICOLOR_FORCE": "1"})) == (False, True, True)
    assert (colored({"FORCE_COLOR": "1", "NO_COLOR": "1"}), colored({"NO_COLOR": "1"}, "--color", "always")) == (False, True)


# --- --watch -----------------------------------------------------------------------------------------
class _Lines:
    """stdout of a running process, line by line, with a deadline."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.queue: "queue.Queue[str]" = queue.Queue()
        threading.Thread(target=self._pump, args=(proc,), daemon=True).start()
        self.seen: List[str] = []

    def _pump(self, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.queue.put(line)

    def until(self, pattern: str, timeout: float = 30.0) -> List[str]:
        """The lines read up to and including the next one matching `pattern`."""
        deadline = time.monotonic() + timeout
        got: List[str] = []
        while time.monotonic() < deadline:
            try:
                line = self.queue.get(timeout=0.1)
            except queue.Empty:
                continue
            got.append(line)
            self.seen.append(line)
            if re.search(pattern, line):
                return got
        raise AssertionError(f"no line matching {pattern!r} within {timeout}s; read: {self.seen!r}")


def test_watch_reruns_when_a_file_changes_and_ctrl_c_ends_it(project: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CACHELINT_WATCH_POLL": "0.1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cachelint", "-w", "--select", "CL007", "--output-format", "concise", "."],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        lines = _Lines(proc)
        first = lines.until(r"Watching for file changes")
        assert first[0].startswith("\x1b[H\x1b[2J\x1b[3J[") and first[0].endswith("] Starting linter in watch mode...\n")
        assert re.fullmatch(r"\[\d\d:\d\d:\d\d [AP]M\] Found 3 errors\. Watching for file changes\.\n", first[-1])
        assert [line.split(": CL")[0] for line in lines.until(r"pkg/more\.py")[-3:]] == [
            "app.py:1:32", "app.py:2:52", "pkg/more.py:1:32"]
        time.sleep(0.3)  # a change within the same clock tick as the last look is still seen (size)
        (project / "pkg" / "more.py").write_text(CLEAN, encoding="utf-8")
        again = lines.until(r"Watching for file changes")
        assert again[0].endswith("] File change detected...\n")
        assert "Found 2 errors." in again[-1]
        (project / "notes.txt").write_text("not linted", encoding="utf-8")  # not watched
        (project / "new.py").write_text(BAD_TYPE, encoding="utf-8")  # a new file is
        assert "Found 3 errors." in lines.until(r"Watching for file changes")[-1]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
        assert proc.stderr is not None and proc.stderr.read() == ""
        assert not any("notes.txt" in line for line in lines.seen)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_watch_with_fix_fixes_and_settles(project: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CACHELINT_WATCH_POLL": "0.1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cachelint", "--watch", "--fix", "--select", "CL007", "--output-format", "concise", "."],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        lines = _Lines(proc)
        assert "Found 1 error." in lines.until(r"Watching for file changes")[-1]  # the unfixable ttl
        # its own fixes are a change: one more run, which finds nothing more to fix
        assert "Found 1 error." in lines.until(r"Watching for file changes")[-1]
        assert (project / "pkg" / "more.py").read_text() == FIXED_TYPE
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_watch_refuses_what_ruff_refuses(cli: Cli) -> None:
    for flag in ("--show-files", "--statistics", "--add-ignore", "--show-settings"):
        result = cli("--watch", flag)
        assert result.exit_code == 2, flag
        assert result.stderr == f"cachelint: error: the argument '--watch' cannot be used with '{flag}'\n"
