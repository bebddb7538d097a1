"""Security: cachelint reads code, it never runs it; it reads prompt files only inside the
project; it never touches the network; its configuration is data, never code.

The command runs as a user runs it (the installed `cachelint` script, in a subprocess), on
projects whose every module, if imported or executed, would leave a marker file behind, and
with the network blocked. What the analysis reads and how configuration values are taken
does not depend on the process, so those tests run the command in the test process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, Optional

import pytest

SECRET = "TOP-SECRET-7f3a9c-DO-NOT-LEAK"


def _command() -> List[str]:
    """The console script next to this interpreter (as a user runs it), else `-m`.

    `python -m cachelint` run from the linted project would put the project on sys.path,
    where a module named like a stdlib one is imported by Python itself, before cachelint.
    """
    script = Path(sys.executable).with_name("cachelint")
    return [str(script)] if script.exists() else [sys.executable, "-I", "-m", "cachelint"]


def run(args: List[str], cwd: Path, env: Optional[Dict[str, str]] = None, timeout: float = 180) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CACHELINT_")}
    environment.update(env or {})
    proc = subprocess.run([*_command(), "--no-cache", *args], cwd=str(cwd), capture_output=True, text=True,
                          timeout=timeout, env=environment)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc


def run_in_process(args: List[str], cwd: Path) -> subprocess.CompletedProcess:
    """`run`, with the command's function called in this process."""
    from click.testing import CliRunner

    from cachelint.cli import main

    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        runner = CliRunner()  # click >= 8.2 keeps stderr apart by itself
    env = {name: None for name in os.environ if name.startswith("CACHELINT_")}
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(main, ["--no-cache", *args], env=env)
    finally:
        os.chdir(previous)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


# --- linted code is never imported or executed ---------------------------------------------------


def _trap(marker: Path, name: str) -> str:
    """Module text that leaves `marker/<name>` behind if it is ever imported or run."""
    return textwrap.dedent(f"""\
        import os as _os
        open({str(marker / name)!r}, "w").write("executed")
        _os.system("touch {marker / (name + '.shell')}")
        raise SystemExit("imported {name}")
        """)


@pytest.fixture
def trapped(tmp_path: Path) -> Path:
    marker = tmp_path / "markers"
    marker.mkdir()
    root = tmp_path / "proj"
    root.mkdir()
    (root / ".git").mkdir()
    # modules named like what cachelint itself, or its dependencies, import
    for name in ("json", "os2", "typing_extensions", "anthropic", "openai", "libcst", "click", "tomli", "prompts",
                 "sitecustomize", "usercustomize", "conftest", "setup", "__main__"):
        (root / f"{name}.py").write_text(_trap(marker, name), encoding="utf-8")
    pkg = root / "helpers"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(_trap(marker, "helpers_init"), encoding="utf-8")
    (pkg / "build.py").write_text(
        _trap(marker, "helpers_build")
        + "\ndef build_system(text):\n    return [{'type': 'text', 'text': text, 'cache_control': {'type': 'ephemeral'}}]\n",
        encoding="utf-8",
    )
    (root / "prompts.py").write_text(_trap(marker, "prompts") + '\nSYSTEM = "Be careful. " * 3000\n', encoding="utf-8")
    (root / "app.py").write_text(textwrap.dedent("""\
        import anthropic
        from prompts import SYSTEM
        from helpers.build import build_system
        from helpers import *
        import json
        __import__("os").system("touch MARKER_FROM_APP")
        client = anthropic.Anthropic()
        MARK = {"cache_control": {"type": "ephemeral", "ttl": "3m"}}
        exec(compile("open('MARKER_FROM_EXEC', 'w')", "x", "exec"))


        def ask(q: str):
            return client.messages.create(model="claude-sonnet-4-5", max_tokens=9, system=SYSTEM,
                                          messages=[{"role": "user", "content": q}])


        def ask_marked(q: str):
            return client.messages.create(model="claude-sonnet-4-5", max_tokens=9, system=build_system(SYSTEM),
                                          messages=[{"role": "user", "content": q}])
        """), encoding="utf-8")
    return root


def _no_markers(tmp_path: Path, root: Path) -> None:
    assert list((tmp_path / "markers").iterdir()) == []
    assert not list(root.glob("MARKER_*"))


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ["--output-format", "json"],
    ["--select", "ALL", "--show-requests"],
    ["--select", "ALL", "--show-requests", "--output-format", "json"],
    ["--select", "ALL", "--fix", "--unsafe-fixes"],
    ["--select", "ALL", "--diff"],
    ["--add-ignore"],
    ["--verbose", "--statistics"],
], ids=lambda a: " ".join(a))
def test_linted_code_is_never_imported_or_executed(tmp_path: Path, trapped: Path, args: List[str]) -> None:
    proc = run([*args, "."], trapped)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    _no_markers(tmp_path, trapped)
    if args == ["--output-format", "json"]:
        codes = {d["code"] for d in json.loads(proc.stdout)}
        # the analysis did read the trapped modules (as text): the prompt constant was found
        assert {"CL001", "CL007"} <= codes, codes


def test_stdin_code_is_never_executed(tmp_path: Path, trapped: Path) -> None:
    source = (trapped / "app.py").read_text(encoding="utf-8")
    proc = subprocess.run([*_command(), "--no-cache", "--fix", "--stdin-filename", "app.py"], cwd=str(trapped),
                          input=source, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    _no_markers(tmp_path, trapped)


# --- prompt files outside the project root -----------------------------------------------------------

PROMPT_READERS = {
    "open-relative": 'open("../secret.txt").read()',
    "open-file-relative": 'open(os.path.join(os.path.dirname(__file__), "..", "secret.txt")).read()',
    "pathlib-parent": 'Path(__file__).resolve().parent.parent.joinpath("secret.txt").read_text()',
    "absolute": "open({secret!r}).read()",
    "symlink-inside": 'Path(__file__).with_name("prompts").joinpath("linked.txt").read_text()',
    "dotdot-in-tree": 'Path(__file__).parent.joinpath("prompts", "..", "..", "secret.txt").read_text()',
}


def _prompt_project(tmp_path: Path, reader: str) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text((f"{SECRET} " + "Confidential instructions. " * 2000), encoding="utf-8")
    root = tmp_path / "proj"
    (root / ".git").mkdir(parents=True)
    (root / "prompts").mkdir()
    os.symlink(secret, root / "prompts" / "linked.txt")
    (root / "app.py").write_text(textwrap.dedent(f"""\
        import os
        from pathlib import Path

        import anthropic

        client = anthropic.Anthropic()
        SYSTEM = {PROMPT_READERS[reader].format(secret=str(secret))}


        def ask(q: str):
            return client.messages.create(model="claude-sonnet-4-5", max_tokens=9, system=SYSTEM,
                                          messages=[{{"role": "user", "content": q}}])
        """), encoding="utf-8")
    return root


@pytest.mark.parametrize("reader", sorted(PROMPT_READERS))
def test_prompt_files_outside_the_root_stay_unknown(tmp_path: Path, reader: str) -> None:
    root = _prompt_project(tmp_path, reader)
    outputs = []
    for args in (["--output-format", "json"], ["--output-format", "full"], ["--select", "ALL", "--show-requests"],
                 ["--select", "ALL", "--show-requests", "--output-format", "json"], ["--verbose", "--output-format", "sarif"]):
        proc = run_in_process([*args, "."], root)
        assert proc.returncode in (0, 1), proc.stderr[-2000:]
        outputs.append(proc.stdout + proc.stderr)
    for text in outputs:
        assert SECRET not in text
        assert "Confidential instructions" not in text
    # unknown text: no size is claimed for it, so no "uncached static prompt" finding
    assert "CL001" not in outputs[0]


def test_the_same_prompt_file_inside_the_root_is_read(tmp_path: Path) -> None:
    """Control for the test above: inside the project the file is read and measured, so
    that test would see it if cachelint read outside the root."""
    root = _prompt_project(tmp_path, "open-relative")
    shutil.copy(tmp_path / "secret.txt", root / "inside.txt")
    app = root / "app.py"
    app.write_text(app.read_text(encoding="utf-8").replace('open("../secret.txt")',
                   'open(os.path.join(os.path.dirname(__file__), "inside.txt"))'), encoding="utf-8")
    proc = run_in_process(["--output-format", "json", "."], root)
    assert "CL001" in {d["code"] for d in json.loads(proc.stdout)}, proc.stdout


def test_prompt_paths_outside_the_root_are_refused(tmp_path: Path) -> None:
    root = _prompt_project(tmp_path, "open-relative")
    (root / "pyproject.toml").write_text('[tool.cachelint.analysis]\nprompt-paths = [".."]\n', encoding="utf-8")
    proc = run_in_process(["--output-format", "json", "."], root)
    assert proc.returncode == 2
    assert "prompt-paths" in proc.stderr and SECRET not in proc.stderr + proc.stdout


# --- no network -------------------------------------------------------------------------------------

SITECUSTOMIZE = '''
import socket

MARKER = {marker!r}


def _refuse(*args, **kwargs):
    with open(MARKER, "a") as fh:
        fh.write("network access attempted\\n")
    raise OSError("network access is blocked in this test")


class _NoSocket(socket.socket):
    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        if family in (socket.AF_INET, socket.AF_INET6, -1) and fileno is None:
            _refuse()
        super().__init__(family, type, proto, fileno)


socket.socket = _NoSocket
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
socket.gethostbyname = _refuse
'''


@pytest.mark.slow
def test_no_network_access(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    marker = tmp_path / "network-attempted"
    (blocker / "sitecustomize.py").write_text(SITECUSTOMIZE.format(marker=str(marker)), encoding="utf-8")
    root = tmp_path / "proj"
    (root / ".git").mkdir(parents=True)
    (root / "prompts.py").write_text('SYSTEM = "Be careful. " * 3000\n', encoding="utf-8")
    for i in range(30):  # enough files for the process pool
        (root / f"m{i}.py").write_text(textwrap.dedent(f"""\
            import anthropic, openai, litellm, requests
            from prompts import SYSTEM
            client = anthropic.Anthropic(base_url="https://api.anthropic.com")
            router = openai.OpenAI(base_url="https://openrouter.ai/api/v1")
            MARK = {{"cache_control": {{"type": "ephemeral", "ttl": "3m"}}}}
            def ask_{i}(q: str):
                requests.post("https://api.githubcopilot.com/chat/completions", json={{"messages": []}})
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=9, system=SYSTEM,
                                              messages=[{{"role": "user", "content": q}}])
            """), encoding="utf-8")
    env = {"PYTHONPATH": str(blocker), "NO_PROXY": "", "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    # the blocker really is active in the child: a direct socket fails and leaves the marker
    probe = subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9))"],
                           env={**os.environ, **env}, capture_output=True, text=True)
    assert probe.returncode != 0 and marker.exists()
    marker.unlink()
    lint = run(["--output-format", "json", "--jobs", "2", "."], root, env=env)
    assert lint.returncode == 1, lint.stderr[-2000:]
    assert {"CL001", "CL007"} <= {d["code"] for d in json.loads(lint.stdout)}
    fixed = run(["--fix", "--unsafe-fixes", "--jobs", "2", "."], root, env=env)
    assert fixed.returncode in (0, 1), fixed.stderr[-2000:]
    for args in (["--show-requests"], ["--explain", "CL001"], ["--list-rules"], ["--output-format", "sarif", "."]):
        proc = run(args + (["."] if args == ["--show-requests"] else []), root, env=env)
        assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert not marker.exists(), marker.read_text()


# --- configuration is data -------------------------------------------------------------------------

HOSTILE_CONFIGS = {
    "select": 'select = ["__import__(\'os\').system(\'touch {m}\')"]\n',
    "ignore": 'ignore = ["CL001; import os; os.system(\'touch {m}\')"]\n',
    "output-format": 'output-format = "{{0.__class__.__init__.__globals__}}"\n',
    "cache-dir": 'cache-dir = "$(touch {m})"\n',
    "extend": 'extend = "`touch {m}`"\n',
    "per-file-ignores": 'per-file-ignores = {{ "*.py" = ["exec(\'open(\\"{m}\\", \\"w\\")\')"] }}\n',
    "exclude": 'exclude = ["$(touch {m})", "`touch {m}`"]\n',
    "rule option": '[tool.cachelint.rules.CL001]\nmin-tokens = "__import__(\'os\').system(\'touch {m}\')"\n',
    "model": '[tool.cachelint.models."sonnet-4-5"]\nmin-cache-tokens = "__import__(\'os\').system(\'touch {m}\')"\n',
    "prompt-paths": '[tool.cachelint.analysis]\nprompt-paths = ["$(touch {m})"]\n',
}


@pytest.mark.parametrize("key", sorted(HOSTILE_CONFIGS))
def test_config_values_are_never_evaluated(tmp_path: Path, key: str) -> None:
    root = tmp_path / "proj"
    (root / ".git").mkdir(parents=True)
    marker = tmp_path / "evaluated"
    (root / "app.py").write_text('import anthropic\nMARK = {"cache_control": {"type": "ephemeral", "ttl": "3m"}}\n',
                                 encoding="utf-8")
    body = HOSTILE_CONFIGS[key].format(m=str(marker))
    text = body if body.startswith("[") else "[tool.cachelint]\n" + body
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    proc = run_in_process(["--output-format", "concise", "."], root)
    assert proc.returncode in (0, 1, 2), proc.stderr
    if proc.returncode == 2:  # rejected: one line, naming the value as text
        errors = [x for x in proc.stderr.splitlines() if x.strip()]
        assert len(errors) == 1 and errors[0].startswith("cachelint: error:"), errors
    proc = run_in_process(["--output-format", "concise", "--config", body.splitlines()[-1], "."], root)
    assert not marker.exists(), f"config value {key} was evaluated"
    assert not list(root.glob("**/evaluated"))
    assert "__globals__" not in proc.stdout or key != "output-format" or proc.returncode == 2
