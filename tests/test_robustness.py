"""Hostile input: every bad file gives one clear line (file, row, what) and the run goes on.

Exit codes as documented: 0 clean, 1 findings (a file that cannot be read, decoded or
parsed is a CL000 finding), 2 bad configuration, a fix that could not be written, or an
internal error. Never a traceback, never a hang.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Sequence

import pytest
from click.testing import Result

from cachelint.cli import main
from cli_runner import cli_runner as _runner

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

#: A file with one finding and one safe fix (CL007: an invalid TTL).
BAD_TTL = 'import anthropic\nMARK = {"cache_control": {"type": "ephemeral", "ttl": "3m"}}\n'
FIXED_TTL = BAD_TTL.replace("3m", "5m")



@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "a_good.py").write_text(BAD_TTL, encoding="utf-8")
    (root / "z_good.py").write_text(BAD_TTL, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def cli(*args: str) -> Result:
    result = _runner().invoke(main, ["--no-cache", *args])
    assert "Traceback" not in result.stderr, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def concise(*args: str) -> Result:
    return cli("--output-format", "concise", *args)


def lines_about(result: Result, name: str) -> List[str]:
    return [line for line in (result.stdout + result.stderr).splitlines() if name in line]


def assert_one_cl000(result: Result, name: str, row: int, *words: str) -> str:
    """Exactly one line names `name`: `name:row:col: CL000 <what>`, and it says `words`."""
    (line,) = lines_about(result, name)
    assert line.startswith(f"{name}:{row}:"), line
    assert "CL000" in line
    for word in words:
        assert word in line, line
    return line


def assert_good_files_linted(result: Result) -> None:
    """The two good files were still linted: the run went on past the bad one."""
    for name in ("a_good.py", "z_good.py"):
        assert any(line.startswith(f"{name}:2:") and "CL007" in line for line in result.stdout.splitlines()), result.stdout


def run_subprocess(args: Sequence[str], cwd: Path, timeout: float = 120, env: Dict[str, str] = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "cachelint", "--no-cache", *args], cwd=str(cwd),
                          capture_output=True, text=True, timeout=timeout, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc


# --- files that cannot be parsed or decoded -------------------------------------------------------


def test_syntax_error(project: Path) -> None:
    (project / "m_broken.py").write_text("import anthropic\n\n\ndef f(:\n    pass\n", encoding="utf-8")
    result = concise()
    assert result.exit_code == 1
    assert_one_cl000(result, "m_broken.py", 4, "syntax error")
    assert_good_files_linted(result)


def test_syntax_error_in_a_file_without_any_sdk_marker_named_explicitly(project: Path) -> None:
    """A discovered file naming no SDK is not parsed (documented); named, it is."""
    (project / "m_broken.py").write_text("x = (\n", encoding="utf-8")
    result = concise("m_broken.py", "a_good.py")
    assert result.exit_code == 1
    # the parser's wording: 3.10+ says "'(' was never closed", 3.9 "unexpected EOF"
    assert_one_cl000(result, "m_broken.py", 1, "never closed" if sys.version_info >= (3, 10) else "unexpected EOF")


def test_not_utf8_without_a_coding_line(project: Path) -> None:
    (project / "m_latin.py").write_bytes(b"import anthropic\n\nNAME = 'caf\xe9'\n")
    result = concise()
    assert result.exit_code == 1
    assert_one_cl000(result, "m_latin.py", 3, "0xe9", "utf-8")
    assert_good_files_linted(result)


def test_not_utf8_with_a_pep263_coding_line_is_linted_and_fixed(project: Path) -> None:
    source = ("# -*- coding: latin-1 -*-\n" + BAD_TTL + "NAME = 'caf\xe9'\n").encode("latin-1")
    (project / "m_latin.py").write_bytes(source)
    result = concise("m_latin.py")
    assert result.exit_code == 1
    (line,) = lines_about(result, "m_latin.py")
    assert line.startswith("m_latin.py:3:") and "CL007" in line
    fixed = cli("--fix", "m_latin.py")
    assert fixed.exit_code == 0, fixed.stderr
    assert (project / "m_latin.py").read_bytes() == source.replace(b"3m", b"5m")


def test_a_coding_line_that_lies(project: Path) -> None:
    """Declares utf-8, holds latin-1: one line with the row of the bad byte."""
    (project / "m_lies.py").write_bytes(b"# coding: utf-8\nimport anthropic\nX = '\xff'\n")
    result = concise()
    assert result.exit_code == 1
    assert_one_cl000(result, "m_lies.py", 3, "0xff")


def test_an_unknown_coding(project: Path) -> None:
    (project / "m_klingon.py").write_bytes(b"# -*- coding: klingon -*-\nimport anthropic\n")
    result = concise()
    assert result.exit_code == 1
    assert_one_cl000(result, "m_klingon.py", 1, "encoding")
    assert_good_files_linted(result)


def test_nul_bytes(project: Path) -> None:
    (project / "m_nul.py").write_bytes(b"import anthropic\nx = 1\ny = '\x00'\n")
    result = concise()
    assert result.exit_code == 1
    assert_one_cl000(result, "m_nul.py", 3, "NUL")
    assert_good_files_linted(result)


@pytest.mark.parametrize("data", [b"", b"\n", b"\xef\xbb\xbf", b"# -*- coding: latin-1 -*-\n", b"\r\n\r\n", b"   "])
def test_empty_files_are_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.py").write_bytes(data)
    result = concise("--select", "ALL", "empty.py")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""
    fixed = cli("--fix", "--unsafe-fixes", "--select", "ALL", "empty.py")
    assert fixed.exit_code == 0
    assert (tmp_path / "empty.py").read_bytes() == data


@pytest.mark.slow
def test_a_5_mb_file(tmp_path: Path) -> None:
    """A 5 MB module (a huge prompt constant, 20,000 statements, a megabyte-long line) is
    linted and fixed in reasonable time and memory; the finding on its request is still
    found, and the fix keeps every other byte.

    Five megabytes is more than five times the largest module of the benchmark corpus
    (litellm's proxy_server.py, 0.94 MB, among 11,794 files); every pass over the file is
    linear, so a tenfold larger file only repeats the same passes at ten times the cost."""
    (tmp_path / ".git").mkdir()
    chunk = "Follow the style guide and cite your sources. " * 20 + "\n"
    body = chunk * (2_500_000 // len(chunk))
    statements = "".join(f"V{i} = {i}\n" for i in range(20_000))
    source = (
        "import anthropic\n\nclient = anthropic.Anthropic()\n"
        f'PROMPT = """{body}"""\n'
        + statements
        + "# " + "x" * 1_000_000 + "\n"
        "def ask(q: str):\n"
        "    return client.messages.create(model='claude-sonnet-4-5', max_tokens=9, system=PROMPT,\n"
        "                                  messages=[{'role': 'user', 'content': q}])\n"
    )
    data = source.encode("utf-8")
    data += b"# " + b"y" * (5_000_000 - len(data)) + b"\n"
    (tmp_path / "huge.py").write_bytes(data)
    assert (tmp_path / "huge.py").stat().st_size > 5_000_000
    start = time.monotonic()
    proc = run_subprocess(["--output-format", "concise", "huge.py"], tmp_path, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "CL001" in proc.stdout
    fixed = run_subprocess(["--fix", "huge.py"], tmp_path, timeout=300)
    assert fixed.returncode == 0, fixed.stderr
    new = (tmp_path / "huge.py").read_bytes()
    assert new.startswith(data[:1000]) and new.endswith(data[-1000:])
    assert b'"cache_control": {"type": "ephemeral"}' in new
    assert time.monotonic() - start < 120


# --- recursion limits -------------------------------------------------------------------------------

DEEP = 10_000


def _deep_sources() -> Dict[str, str]:
    call_head = "import anthropic\nclient = anthropic.Anthropic()\n"
    return {
        "parens.py": call_head + "x = " + "(" * DEEP + "1" + ")" * DEEP + "\n",
        "lists.py": call_head + "x = " + "[" * DEEP + "]" * DEEP + "\n",
        "calls.py": call_head + "x = " + "f(" * DEEP + ")" * DEEP + "\n",
        "dicts.py": call_head + "x = " + '{"cache_control": ' * DEEP + "1" + "}" * DEEP + "\n",
        "binop.py": call_head + "a = 'x'\nsystem = " + " + ".join(["a"] * 5_000) + "\n"
        "def ask():\n    return client.messages.create(model='claude-sonnet-4-5', max_tokens=1, system=system,"
        " messages=[])\n",
        "binop_in_call.py": call_head + "def ask(a: str):\n    return client.messages.create(model='claude-sonnet-4-5',"
        " max_tokens=1, system=" + " + ".join(["a"] * 5_000) + ", messages=[])\n",
        "attrs.py": call_head + "x = client" + ".a" * DEEP + "\n",
        "nots.py": call_head + "x = " + "not " * DEEP + "1\n",
        "unary.py": call_head + "x = " + "-" * DEEP + "1\n",
        "lambdas.py": call_head + "x = " + "lambda: " * 3_000 + "1\n",
        "ifs.py": call_head + "".join(" " * i + "if x:\n" for i in range(99)) + " " * 99 + "pass\n",
    }


def _python_parses(text: str) -> bool:
    """Whether the running interpreter's own parser accepts `text` (the limits differ by
    version: what is too deep on 3.11 may parse on 3.9)."""
    try:
        ast.parse(text)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return False
    return True


def test_deeply_nested_expressions(tmp_path: Path) -> None:
    """Each file: a clean result or one CL000 line; never a crash, never exit 2."""
    (tmp_path / ".git").mkdir()
    sources = _deep_sources()
    for name, text in sources.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "zz_good.py").write_text(BAD_TTL, encoding="utf-8")
    proc = run_subprocess(["--output-format", "concise", "--select", "ALL", "."], tmp_path, timeout=300)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "error:" not in proc.stderr, proc.stderr[-2000:]
    assert any(line.startswith("zz_good.py:2:") for line in proc.stdout.splitlines())
    for name in sources:
        mine = [line for line in proc.stdout.splitlines() if line.startswith(name + ":")]
        if name == "ifs.py" or _python_parses(sources[name]):
            # valid Python for this interpreter (100 nested blocks anywhere; on 3.9 also a
            # 10,000-deep attribute chain): linted, nothing to say
            assert mine == [], mine
            continue
        # deeper than Python itself can compile: exactly one CL000 line saying so
        assert len(mine) == 1 and "CL000" in mine[0], mine
        assert "nest" in mine[0] or "deep" in mine[0], mine
    # the parser's own nesting limit is a clear CL000, not "internal error"
    (line,) = [x for x in proc.stdout.splitlines() if x.startswith("parens.py:")]
    assert "CL000" in line and ("nest" in line or "too many" in line or "syntax" in line), line


def test_deeply_nested_expressions_under_fix(tmp_path: Path) -> None:
    """libcst (used to build and apply fixes) meets the same files: no crash either."""
    (tmp_path / ".git").mkdir()
    for name, text in _deep_sources().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    proc = run_subprocess(["--fix", "--unsafe-fixes", "--select", "ALL", "."], tmp_path, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "error:" not in proc.stderr, proc.stderr[-2000:]


# --- paths ------------------------------------------------------------------------------------------


def test_symlink_loops(project: Path) -> None:
    os.symlink("loop_b.py", project / "loop_a.py")
    os.symlink("loop_a.py", project / "loop_b.py")
    (project / "sub").mkdir()
    os.symlink("..", project / "sub" / "up")  # a directory loop
    os.symlink(".", project / "sub" / "self")
    result = concise()
    assert result.exit_code == 1
    for name in ("loop_a.py", "loop_b.py"):
        (line,) = lines_about(result, name)
        assert "CL000" in line and ("symbolic" in line.lower() or "loop" in line.lower()), line
    assert_good_files_linted(result)


def test_a_symlink_loop_named_on_the_command_line(project: Path) -> None:
    os.symlink("loop_b.py", project / "loop_a.py")
    os.symlink("loop_a.py", project / "loop_b.py")
    result = concise("loop_a.py", "a_good.py")
    assert result.exit_code == 1
    (line,) = lines_about(result, "loop_a.py")
    assert "CL000" in line
    assert any(line.startswith("a_good.py:2:") for line in result.stdout.splitlines())


def test_a_path_that_does_not_exist(project: Path) -> None:
    result = concise("missing.py", "a_good.py")
    assert result.exit_code == 1
    (line,) = lines_about(result, "missing.py")
    assert "No such file" in line and "CL000" in line
    assert any(line.startswith("a_good.py:2:") for line in result.stdout.splitlines())


def test_unreadable_file_simulated(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root chmod 000 does not stop reads: make open() refuse this one file."""
    (project / "m_secret.py").write_text(BAD_TTL, encoding="utf-8")
    target = os.path.realpath(project / "m_secret.py")
    real_open = open

    def fake_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(file, (str, os.PathLike)) and os.path.realpath(file) == target:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", fake_open)
    result = concise()
    assert result.exit_code == 1
    assert_one_cl000(result, "m_secret.py", 1, "Permission denied")
    assert_good_files_linted(result)


def test_unreadable_folder_simulated(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "locked").mkdir()
    (project / "locked" / "inner.py").write_text(BAD_TTL, encoding="utf-8")
    target = os.path.realpath(project / "locked")
    real_scandir = os.scandir

    def fake_scandir(path="."):  # type: ignore[no-untyped-def]
        if os.path.realpath(path) == target:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", fake_scandir)
    result = concise()
    assert result.exit_code == 1
    (line,) = lines_about(result, "locked")
    assert "Permission denied" in line and "CL000" in line
    assert_good_files_linted(result)


@pytest.mark.skipif(IS_ROOT, reason="root reads any file whatever its mode")
def test_unreadable_file_chmod(project: Path) -> None:  # pragma: no cover - non-root only
    (project / "m_secret.py").write_text(BAD_TTL, encoding="utf-8")
    os.chmod(project / "m_secret.py", 0)
    result = concise()
    assert_one_cl000(result, "m_secret.py", 1, "Permission denied")


def test_a_directory_named_like_a_module(project: Path) -> None:
    (project / "pkg.py").mkdir()
    (project / "pkg.py" / "inner.py").write_text(BAD_TTL, encoding="utf-8")
    result = concise()
    assert result.exit_code == 1
    assert any(line.startswith(os.path.join("pkg.py", "inner.py") + ":2:") for line in result.stdout.splitlines())
    assert not [line for line in result.stdout.splitlines() if line.startswith("pkg.py:")]


def test_a_fifo_in_the_tree_is_not_read(project: Path) -> None:
    """A FIFO named like a module would block a reader forever; the walk skips it."""
    os.mkfifo(project / "m_pipe.py")
    proc = run_subprocess(["--output-format", "concise", "."], project, timeout=60)
    assert proc.returncode == 1
    assert "a_good.py:2:" in proc.stdout and "z_good.py:2:" in proc.stdout


def test_a_fifo_named_on_the_command_line_does_not_hang(project: Path) -> None:
    os.mkfifo(project / "m_pipe.py")
    try:
        proc = run_subprocess(["--output-format", "concise", "m_pipe.py", "a_good.py"], project, timeout=8)
    except subprocess.TimeoutExpired:
        pytest.fail("cachelint hung on a FIFO")
    assert proc.returncode == 1
    (line,) = [x for x in proc.stdout.splitlines() if x.startswith("m_pipe.py")]
    assert "CL000" in line


def test_a_fifo_the_analysis_would_read_does_not_hang(project: Path) -> None:
    """The analysis reads prompt files and imported modules on its own: a FIFO there is
    skipped like an unreadable file (the prompt is unknown), never waited on."""
    os.mkfifo(project / "prompt.txt")
    (project / "uses_fifo.py").write_text(
        "import anthropic\n\nPROMPT = open('prompt.txt').read()\n\n\n"
        "def ask(q):\n    return anthropic.Anthropic().messages.create(\n"
        "        model='claude-sonnet-4-5', max_tokens=10, system=PROMPT,\n"
        "        messages=[{'role': 'user', 'content': q}])\n",
        encoding="utf-8",
    )
    try:
        proc = run_subprocess(["--output-format", "concise", "--show-requests", "uses_fifo.py"], project, timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("cachelint hung on a FIFO read by the analysis")
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    assert "messages.create" in proc.stdout


# --- fixing files that must not or cannot be written ------------------------------------------------


def test_a_file_changed_on_disk_between_read_and_write(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone edits the file while cachelint fixes it: the fix is not written, the message
    says so (exit 2), the edit survives, other files are fixed."""
    import cachelint.fix.apply

    victim = project / "a_good.py"
    edited = BAD_TTL + "# edited by someone else meanwhile\n"
    real_run = cachelint.fix.apply.Fixer.run

    def run_then_edit(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        outcome = real_run(self, *args, **kwargs)
        victim.write_text(edited, encoding="utf-8")
        return outcome

    monkeypatch.setattr(cachelint.fix.apply.Fixer, "run", run_then_edit)
    result = cli("--fix")
    assert result.exit_code == 2
    (line,) = [x for x in result.stderr.splitlines() if "a_good.py" in x]
    assert "changed on disk" in line and "not written" in line
    assert victim.read_text(encoding="utf-8") == edited
    assert (project / "z_good.py").read_text(encoding="utf-8") == FIXED_TTL
    assert not [p for p in os.listdir(project) if p.endswith(".tmp")]


def test_a_file_deleted_between_read_and_write(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cachelint.fix.apply

    victim = project / "a_good.py"
    real_run = cachelint.fix.apply.Fixer.run

    def run_then_delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        outcome = real_run(self, *args, **kwargs)
        victim.unlink()
        return outcome

    monkeypatch.setattr(cachelint.fix.apply.Fixer, "run", run_then_delete)
    result = cli("--fix")
    assert result.exit_code == 2
    (line,) = [x for x in result.stderr.splitlines() if "a_good.py" in x]
    assert "not written" in line or "cannot" in line
    assert not victim.exists()  # not recreated
    assert (project / "z_good.py").read_text(encoding="utf-8") == FIXED_TTL


def test_read_only_file_by_mode_bits(project: Path) -> None:
    victim = project / "a_good.py"
    os.chmod(victim, 0o444)
    try:
        result = cli("--fix")
    finally:
        os.chmod(victim, 0o644)
    assert result.exit_code == 2
    (line,) = [x for x in result.stderr.splitlines() if "a_good.py" in x]
    assert "read-only" in line and "not written" in line
    assert victim.read_text(encoding="utf-8") == BAD_TTL
    assert (project / "z_good.py").read_text(encoding="utf-8") == FIXED_TTL


def test_read_only_file_by_access_check(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mode bits say writable, the OS says no (a read-only mount, an ACL)."""
    victim = os.path.realpath(project / "a_good.py")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: False if os.path.realpath(p) == victim and mode & os.W_OK
                        else real_access(p, mode, *a, **k))
    result = cli("--fix")
    assert result.exit_code == 2
    (line,) = [x for x in result.stderr.splitlines() if "a_good.py" in x]
    assert "read-only" in line
    assert Path(victim).read_text(encoding="utf-8") == BAD_TTL
    assert (project / "z_good.py").read_text(encoding="utf-8") == FIXED_TTL


def _chattr(path: Path, flag: str) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


def test_immutable_file_under_fix(project: Path) -> None:
    """`chattr +i`: even root cannot replace it. Not written, one line, exit 2."""
    victim = project / "a_good.py"
    if not _chattr(victim, "+i"):
        pytest.skip("chattr +i is not supported on this file system")
    try:
        result = cli("--fix")
        assert victim.read_text(encoding="utf-8") == BAD_TTL
    finally:
        _chattr(victim, "-i")
    assert result.exit_code == 2
    lines = [x for x in result.stderr.splitlines() if "a_good.py" in x]
    assert len(lines) == 1 and "not written" in lines[0], lines
    assert (project / "z_good.py").read_text(encoding="utf-8") == FIXED_TTL


def _fail_first_temp_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first temporary file for a fix cannot be created (disk full)."""
    import tempfile

    real_mkstemp = tempfile.mkstemp
    calls = []

    def failing_mkstemp(*args, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("prefix") == ".cachelint-" and not calls:
            calls.append(1)
            raise OSError(28, "No space left on device")
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", failing_mkstemp)


def test_no_space_for_the_temp_file_leaves_the_file_untouched(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_first_temp_file(monkeypatch)
    result = cli("--fix")
    assert result.exit_code == 2
    assert (project / "a_good.py").read_text(encoding="utf-8") == BAD_TTL
    assert not [p for p in os.listdir(project) if p.startswith(".cachelint-")]


def test_no_space_for_the_temp_file_is_one_line_and_the_run_goes_on(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_first_temp_file(monkeypatch)
    result = cli("--fix")
    assert result.exit_code == 2
    lines = [x for x in result.stderr.splitlines() if "a_good.py" in x]
    assert len(lines) == 1 and "No space left" in lines[0] and "not written" in lines[0], result.stderr
    assert "internal error" not in result.stderr
    assert (project / "z_good.py").read_text(encoding="utf-8") == FIXED_TTL


# --- broken or hostile config -----------------------------------------------------------------------

CONFIGS = {
    "wrong type": ("select = 3\n", "select"),
    "wrong item type": ('select = ["CL001", 7]\n', "select"),
    "unknown key": ('selekt = ["CL001"]\n', "selekt"),
    "unknown rule": ('select = ["CL999"]\n', "CL999"),
    "bad toml": ("select = [\n", "pyproject.toml"),
    "wrong table type": ('analysis = "deep"\n', "analysis"),
    "negative depth": ("[tool.cachelint.analysis]\nmax-call-depth = -1\n", "max-call-depth"),
    "huge depth": ("[tool.cachelint.analysis]\nmax-call-depth = 100000000000000000000\n", "max-call-depth"),
    "bool as int": ("[tool.cachelint.analysis]\nmax-prompt-file-bytes = true\n", "max-prompt-file-bytes"),
    "unknown analysis key": ("[tool.cachelint.analysis]\nfollow-everything = true\n", "follow-everything"),
    "unknown rule option": ("[tool.cachelint.rules.CL001]\nmin-tokenz = 3\n", "min-tokenz"),
    "rule option type": ('[tool.cachelint.rules.CL001]\nmin-tokens = "many"\n', "min-tokens"),
    "unknown rule table": ("[tool.cachelint.rules.CL999]\nx = 1\n", "CL999"),
    "extend missing": ('extend = "nowhere.toml"\n', "extend"),
    "prompt path outside": ('[tool.cachelint.analysis]\nprompt-paths = ["../outside"]\n', "prompt-paths"),
    "prompt path absolute": ('[tool.cachelint.analysis]\nprompt-paths = ["/etc"]\n', "prompt-paths"),
    "cache dir type": ("cache-dir = 5\n", "cache-dir"),
    "per-file-ignores type": ('per-file-ignores = ["CL001"]\n', "per-file-ignores"),
    "model table type": ('[tool.cachelint.models."sonnet-4-5"]\nmin-cache-tokens = "lots"\n', "min-cache-tokens"),
    "platform value": ('[tool.cachelint.platforms.vertex]\ntop-level-cache-control = "maybe"\n', "top-level-cache-control"),
}


@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_broken_config_is_one_line_and_exit_2(project: Path, case: str) -> None:
    body, key = CONFIGS[case]
    if body.startswith("["):
        text = body
    else:
        text = "[tool.cachelint]\n" + body
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    result = concise()
    assert result.exit_code == 2, (case, result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, errors
    assert errors[0].startswith("cachelint: error:"), errors
    assert key in errors[0], errors
    assert result.stdout == ""


@pytest.mark.slow
def test_a_1_mb_config(project: Path) -> None:
    """A megabyte of valid configuration (a long per-file-ignores table and comments) is
    read in reasonable time and applies."""
    lines = ["[tool.cachelint]", 'select = ["ALL"]', "[tool.cachelint.per-file-ignores]"]
    lines += [f'"generated_{i}/**" = ["CL001", "CL002"]' for i in range(20_000)]
    lines += ['"a_good.py" = ["CL007"]']
    text = "\n".join(lines) + "\n" + "# padding\n" * 40_000
    assert len(text) > 1_000_000
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    start = time.monotonic()
    result = concise()
    assert time.monotonic() - start < 60
    assert result.exit_code == 1, result.stderr
    assert not lines_about(result, "a_good.py")
    assert lines_about(result, "z_good.py")


@pytest.mark.parametrize("shape", ["tables", "inline", "arrays"])
def test_a_deeply_nested_config(project: Path, shape: str) -> None:
    """Deeply nested tables or arrays: a clear one-line error (unknown key / bad value /
    too deep), never a RecursionError traceback."""
    depth = 5_000
    if shape == "tables":
        text = "[tool.cachelint.rules.CL001." + ".".join(f"t{i}" for i in range(depth)) + "]\nx = 1\n"
    elif shape == "inline":
        text = "[tool.cachelint]\nselect = 1\nrules = " + "{a = " * depth + "1" + "}" * depth + "\n"
    else:
        text = "[tool.cachelint]\nselect = " + "[" * depth + "]" * depth + "\n"
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    result = concise()
    assert result.exit_code == 2, (result.stdout, result.stderr[-500:])
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("cachelint: error:"), errors[:3]
    assert "pyproject.toml" in errors[0]
    assert len(errors[0]) < 2_000, "the error line should not echo the whole nested value"


def test_a_deeply_nested_config_override(project: Path) -> None:
    """The same nesting given inline with --config: one line naming --config, exit 2."""
    depth = 5_000
    result = concise("--config", "select = " + "[" * depth + "]" * depth)
    assert result.exit_code == 2, (result.stdout, result.stderr[-500:])
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("cachelint: error:") and "--config" in errors[0], errors[:3]
    assert "nested too deeply" in errors[0] and len(errors[0]) < 2_000


def test_config_with_a_nul_byte_and_bad_utf8(project: Path) -> None:
    (project / "pyproject.toml").write_bytes(b"[tool.cachelint]\nselect = [\"CL001\xff\"]\x00\n")
    result = concise()
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "pyproject.toml" in errors[0], errors


def test_a_config_that_is_a_directory(project: Path) -> None:
    (project / "cachelint.toml").mkdir()
    result = concise()
    assert result.exit_code in (1, 2), result.stderr
    assert len([x for x in result.stderr.splitlines() if "Traceback" in x]) == 0


def test_exit_codes_are_as_documented(project: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "ok.py").write_text("import anthropic\nx = 1\n", encoding="utf-8")
    assert concise(str(clean)).exit_code == 0
    assert concise().exit_code == 1
    assert concise("--exit-zero").exit_code == 0
    (project / "broken.py").write_text("def (:\n", encoding="utf-8")
    assert concise("--exit-zero").exit_code == 0  # CL000 is a finding like any other
    assert concise("--select", "NOPE").exit_code == 2
    assert concise("--select", "NOPE", "--exit-zero").exit_code == 2


@pytest.mark.slow
def test_sigpipe_on_stdout_is_quiet(project: Path) -> None:
    """`cachelint | head -1`: a closed pipe ends the run without a traceback."""
    for i in range(300):
        (project / f"m{i:03}.py").write_text(BAD_TTL, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "cachelint", "--no-cache", "--output-format", "concise", "."],
                            cwd=str(project), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.wait(timeout=120)
    assert "Traceback" not in err, err[-2000:]
    assert proc.returncode in (1, 2, 120, -signal.SIGPIPE), proc.returncode


def test_json_output_is_valid_with_hostile_file_names(project: Path) -> None:
    name = 'we"ird\\ na\tme\u2028.py'
    (project / name).write_text(BAD_TTL, encoding="utf-8")
    result = cli("--output-format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert any(os.path.basename(d["filename"]) == name for d in data)


@pytest.mark.slow
def test_ctrl_c_during_a_pooled_lint_is_quiet(tmp_path: Path) -> None:
    """Ctrl-C in a terminal signals the whole process group, worker processes included:
    one line, exit 130, no traceback from any worker."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "prompts.py").write_text('SYSTEM = "Be careful. " * 3000\n', encoding="utf-8")
    for i in range(1500):
        (tmp_path / f"m{i:04}.py").write_text(
            "import anthropic\nfrom prompts import SYSTEM\nclient = anthropic.Anthropic()\n" + BAD_TTL
            + "def ask(q: str):\n    return client.messages.create(model='claude-sonnet-4-5', max_tokens=9,"
            " system=SYSTEM, messages=[{'role': 'user', 'content': q}])\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "cachelint", "--no-cache", "--jobs", "2", "."], cwd=str(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    time.sleep(1.5)
    signalled = proc.poll() is None
    if signalled:
        os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("cachelint hung after Ctrl-C (see test_ctrl_c_at_pool_start_exits)")
    text = err.decode("utf-8", "replace")
    assert "Traceback" not in text, text[-3000:]
    if signalled:
        assert proc.returncode == 130, (proc.returncode, text[-500:])
        lines = [line for line in text.splitlines() if line.strip()]
        assert lines[-1] == "cachelint: interrupted" and len(lines) <= 3, lines


def test_warnings_about_the_linted_code_are_not_printed(project: Path) -> None:
    """Python 3.12 turns the invalid-escape DeprecationWarning of 3.11 into a SyntaxWarning
    shown by default; showing every warning reproduces that on any version."""
    (project / "m_regex.py").write_text('import anthropic\nPATTERN = "\\d+\\.\\w"\nX = 1 is 1\n', encoding="utf-8")
    env = {**os.environ, "PYTHONWARNINGS": "always::DeprecationWarning,always::SyntaxWarning"}
    proc = run_subprocess(["--output-format", "concise", "--fix", "."], project, env=env)
    assert proc.returncode in (0, 1)
    assert "m_regex.py" not in proc.stderr, proc.stderr
    assert "Warning" not in proc.stderr, proc.stderr


#: `sitecustomize` modules making Ctrl-C land at the awkward moments of `python -m cachelint`.
EARLY_INTERRUPTS = {
    # while `main` imports lazily: the KeyboardInterrupt ends a string exec (as when it
    # lands while a dataclass builds its methods), which CPython then reports as unhandled
    "string exec": (
        "import cachelint.cli\n"
        "def run(**options):\n"
        "    exec('raise KeyboardInterrupt')\n"
        "cachelint.cli.run = run\n"
    ),
    # during class creation in a lazy import: Python wraps it in a RuntimeError
    "set_name": (
        "import cachelint.cli\n"
        "class Interrupting:\n"
        "    def __set_name__(self, owner, name):\n"
        "        raise KeyboardInterrupt\n"
        "def run(**options):\n"
        "    type('Settings', (), {'field': Interrupting()})\n"
        "cachelint.cli.run = run\n"
    ),
    # before `main` exists: while `cachelint.cli` itself is imported
    "import": (
        "import sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'cachelint.cli':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
    ),
}


@pytest.mark.parametrize("moment", sorted(EARLY_INTERRUPTS))
def test_ctrl_c_early_in_python_m_cachelint_is_one_line_and_130(tmp_path: Path, moment: str) -> None:
    """Without care, the first gives exit -2 (death by SIGINT, after printing
    'interrupted') and the second a traceback."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(EARLY_INTERRUPTS[moment], encoding="utf-8")
    (tmp_path / "a.py").write_text(BAD_TTL, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hooks), *filter(None, [os.environ.get("PYTHONPATH")])])}
    proc = subprocess.run([sys.executable, "-m", "cachelint", "--no-cache", "a.py"], cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=60, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.returncode == 130, (proc.returncode, proc.stderr[-500:])
    assert [line for line in proc.stderr.splitlines() if line.strip()] == ["cachelint: interrupted"]


@pytest.mark.parametrize("depth", [900, 2_500])
def test_deep_but_valid_code_is_analysed_and_fixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, depth: int) -> None:
    """As deep as Python itself still compiles: the analysis, the rules and the fixer
    (libcst) must not give up on it where Python does not."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    source = (
        "import anthropic\nclient = anthropic.Anthropic()\nBIG = 'Rules. ' * 3000\n"
        "def ask(a: str):\n    return client.messages.create(model='claude-sonnet-4-5', max_tokens=1, system=BIG + "
        + " + ".join(["'x'"] * depth)
        + ", messages=[{'role': 'user', 'content': [{'type': 'text', 'text': a, 'cache_control': "
        "{'type': 'ephemeral', 'ttl': '3m'}}]}])\n"
        + "X = " + "(" * 150 + "1" + ")" * 150 + "\n"
        + "Y = " + "[" * 150 + "]" * 150 + "\n"
        + "Z = " + "f(" * 150 + ")" * 150 + "\n"
    )
    compile(source, "deep.py", "exec")  # Python accepts it
    (tmp_path / "deep.py").write_text(source, encoding="utf-8")
    result = concise("--select", "ALL", "deep.py")
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith("deep.py:5:") and "CL007" in line
    fixed = cli("--select", "ALL", "--fix", "--unsafe-fixes", "deep.py")
    assert fixed.exit_code == 0, fixed.stderr
    assert (tmp_path / "deep.py").read_text(encoding="utf-8") == source.replace("'3m'", "'5m'")


@pytest.mark.skipif(sys.platform != "linux", reason="file names are bytes on Linux only")
@pytest.mark.parametrize("fmt", ["concise", "full", "junit", "github", "json", "json-lines", "sarif", "gitlab"])
def test_a_file_name_that_is_not_utf8(project: Path, fmt: str) -> None:
    """A file name from a latin-1 era (bytes that are not UTF-8) is linted like any other;
    text formats print it as the file system has it, machine formats stay valid UTF-8."""
    with open(os.path.join(os.fsencode(project), b"caf\xe9.py"), "w", encoding="utf-8") as fh:
        fh.write(BAD_TTL)
    proc = subprocess.run([sys.executable, "-m", "cachelint", "--no-cache", "--output-format", fmt, "."],
                          cwd=str(project), capture_output=True, timeout=120)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr and "error:" not in stderr, stderr[-1000:]
    assert proc.returncode == 1
    assert b"caf" in proc.stdout
    if fmt in ("json", "json-lines", "sarif", "junit", "gitlab"):
        proc.stdout.decode("utf-8")  # machine-readable output is valid UTF-8
    if fmt == "json":
        assert any("caf" in d["filename"] for d in json.loads(proc.stdout))
        # the byte that is not UTF-8 is spelled out, not dropped or replaced
        assert any(d["filename"].endswith("caf\\xe9.py") for d in json.loads(proc.stdout))
    if fmt == "sarif":  # a URI names the file system's bytes, percent-encoded
        uris = [loc["physicalLocation"]["artifactLocation"]["uri"]
                for r in json.loads(proc.stdout)["runs"][0]["results"] for loc in r["locations"]]
        assert "caf%E9.py" in uris, uris
    assert os.path.exists(os.path.join(os.fsencode(project), b"caf\xe9.py"))


@pytest.mark.skipif(sys.platform != "linux", reason="file names are bytes on Linux only")
@pytest.mark.parametrize("args", [["--output-format", "concise"], ["--output-format", "full"],
                                  ["--output-format", "github"], ["--show-files"], ["--fix", "--diff"]])
def test_a_file_name_that_is_not_utf8_on_a_strict_stdout(project: Path, args: List[str]) -> None:
    """A terminal whose encoding refuses the name's bytes (an en_US.UTF-8 locale): the
    byte is spelled \\xNN, the run does not crash."""
    with open(os.path.join(os.fsencode(project), b"caf\xe9.py"), "w", encoding="utf-8") as fh:
        fh.write(BAD_TTL)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    proc = subprocess.run([sys.executable, "-m", "cachelint", "--no-cache", *args, "."],
                          cwd=str(project), capture_output=True, timeout=120, env=env)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr and "error:" not in stderr, stderr[-1000:]
    assert proc.returncode in (0, 1)
    assert b"caf\\xe9.py" in proc.stdout and b"a_good.py" in proc.stdout, proc.stdout[-1000:]
    proc.stdout.decode("utf-8")


@pytest.mark.skipif(sys.platform != "linux", reason="file names are bytes on Linux only")
def test_a_file_name_that_is_not_utf8_in_an_output_file(project: Path) -> None:
    """-o FILE with a text format: the name's bytes as the file system has them."""
    with open(os.path.join(os.fsencode(project), b"caf\xe9.py"), "w", encoding="utf-8") as fh:
        fh.write(BAD_TTL)
    proc = run_subprocess(["--output-format", "concise", "-o", "out.txt", "."], project)
    assert proc.returncode == 1 and "error:" not in proc.stderr, proc.stderr
    assert b"caf\xe9.py:2:" in (project / "out.txt").read_bytes()


INTERRUPT_AT_POOL_START = r'''
import sys
from concurrent.futures import ProcessPoolExecutor

real_launch = ProcessPoolExecutor._launch_processes


def launch_then_interrupt(self):
    real_launch(self)  # the workers are forked ...
    raise KeyboardInterrupt  # ... and Ctrl-C lands before the pool's manager thread starts


ProcessPoolExecutor._launch_processes = launch_then_interrupt
from cachelint.cli import main

sys.argv = ["cachelint", "--no-cache", "--jobs", "2", "."]
main()
'''


def test_ctrl_c_at_pool_start_exits(tmp_path: Path) -> None:
    """Deterministic form of a hang seen about once in 20 Ctrl-Cs of a pooled run."""
    (tmp_path / ".git").mkdir()
    for i in range(60):
        (tmp_path / f"m{i:02}.py").write_text(BAD_TTL, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", INTERRUPT_AT_POOL_START], cwd=str(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("cachelint hung after Ctrl-C")
    assert proc.returncode == 130
    assert b"interrupted" in err
