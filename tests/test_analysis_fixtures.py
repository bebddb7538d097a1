"""The request model of each small program in `fixtures/analysis/`, checked against a golden.

Each directory under `fixtures/analysis/` is a tiny project for one shape of real code (a
call site, a receiver, a way of building a value, a trap): `main.py` plus the modules and
prompt files it needs, a `pyproject.toml` with `[tool.cachelint]`, a `README.md` saying what
the model must show, and `expected.json`, the output of

    cachelint --show-requests main.py --output-format json

run inside the project, checked by hand. The test copies the fixture into a temporary
directory, creates `.git/` there (so the fixture is the project root, as in a real checkout),
runs the command in process (one test also runs it as `python -m cachelint`, to keep the two
honest) and compares the output with `expected.json` (with that temporary directory written `<tmp>`,
for labels that name a file outside the project by its absolute path).

A fixture's `_outside/` directory is copied next to the project instead of into it: files
outside the project root, which the analysis must never read.

A fixture with a `KNOWN_WRONG` file documents a shape the analysis gets wrong today: its
`expected.json` is the *correct* model, written by hand, and the `KNOWN_WRONG` text says what
the tool prints instead. Such cases are `xfail(strict=True)`, so they turn into a failure
as soon as the analysis is fixed; then review the golden and delete `KNOWN_WRONG`.

To rewrite the goldens after an intended change of the analysis or of the output format:

    CACHELINT_UPDATE_GOLDEN=1 python -m pytest tests/test_analysis_fixtures.py

then read every changed `expected.json` (`git diff fixtures/analysis`) before committing.
Goldens of `KNOWN_WRONG` fixtures are never rewritten: they are hand-written.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, List

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "analysis"
UPDATE = os.environ.get("CACHELINT_UPDATE_GOLDEN") == "1"
#: Files of a fixture directory that are not part of the linted project.
NOT_PROJECT = (
    "expected.json",
    "KNOWN_WRONG",
    "README.md",
    "_outside",
    "__pycache__",
    ".cachelint_cache",
)


def _fixture_dirs() -> List[Path]:
    if not FIXTURES.is_dir():
        return []
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and (p / "main.py").is_file())


def _params() -> List[Any]:
    params = []
    for path in _fixture_dirs():
        marks = []
        known_wrong = path / "KNOWN_WRONG"
        if known_wrong.is_file():
            reason = " ".join(known_wrong.read_text(encoding="utf-8").split())
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        params.append(pytest.param(path, id=path.name, marks=marks))
    return params


ARGS = ["--show-requests", "main.py", "--output-format", "json"]


def show_requests(project: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run `cachelint --show-requests main.py --output-format json` in `project`, in process."""
    from click.testing import CliRunner

    from cachelint.cli import main

    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        runner = CliRunner()  # click >= 8.2 keeps stdout apart by itself
    monkeypatch.chdir(project)
    env = {name: None for name in os.environ if name.startswith("CACHELINT_")}
    result = runner.invoke(main, ARGS, env=env, catch_exceptions=False)
    assert result.exit_code == 0, (
        f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    return json.loads(_neutral_paths(result.stdout, project.parent))


def show_requests_subprocess(project: Path) -> Any:
    """The same, as `python -m cachelint` in a child process (no state shared with the tests)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("CACHELINT_")}
    proc = subprocess.run(
        [sys.executable, "-m", "cachelint", *ARGS],
        check=False,
        cwd=str(project),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, (
        f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    return json.loads(_neutral_paths(proc.stdout, project.parent))


def _neutral_paths(text: str, where: Path) -> str:
    """Replace the temporary directory holding the project by `<tmp>`.

    Locations are relative to the project, but a label may name a file the analysis
    refused to read because it lies outside the project root, by its absolute path.
    """
    for path in sorted({str(where), os.path.realpath(where)}, key=len, reverse=True):
        text = text.replace(json.dumps(path)[1:-1], "<tmp>")
    return text


def _copy_project(fixture: Path, tmp_path: Path) -> Path:
    project = tmp_path / fixture.name
    shutil.copytree(fixture, project, ignore=shutil.ignore_patterns(*NOT_PROJECT))
    (project / ".git").mkdir()
    if (fixture / "_outside").is_dir():
        # Files that exist next to the project, outside its root: the analysis must not read them.
        shutil.copytree(fixture / "_outside", tmp_path, dirs_exist_ok=True)
    return project


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("fixture", _params())
def test_request_model(fixture: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _copy_project(fixture, tmp_path)
    actual = show_requests(project, monkeypatch)
    golden = fixture / "expected.json"
    if UPDATE and not (fixture / "KNOWN_WRONG").exists():
        golden.write_text(_dump(actual), encoding="utf-8")
        return
    assert golden.is_file(), (
        f"{golden} is missing; run with CACHELINT_UPDATE_GOLDEN=1 and review it"
    )
    expected = json.loads(golden.read_text(encoding="utf-8"))
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                _dump(expected).splitlines(True),
                _dump(actual).splitlines(True),
                "expected.json",
                "actual",
            )
        )
        pytest.fail(f"request model of {fixture.name} differs from its golden:\n{diff}")


def test_every_fixture_is_complete() -> None:
    dirs = _fixture_dirs()
    assert dirs, "no fixtures found"
    for path in FIXTURES.iterdir():
        if path.is_dir() and path.name not in NOT_PROJECT:
            assert (path / "main.py").is_file(), f"{path.name}: no main.py"
    for path in dirs:
        assert (path / "pyproject.toml").is_file(), (
            f"{path.name}: no pyproject.toml (the project root)"
        )
        assert "[tool.cachelint]" in (path / "pyproject.toml").read_text(encoding="utf-8"), (
            path.name
        )
        assert (path / "README.md").is_file(), f"{path.name}: no README.md"
        assert (path / "expected.json").is_file(), f"{path.name}: no expected.json"
        json.loads((path / "expected.json").read_text(encoding="utf-8"))
        known_wrong = path / "KNOWN_WRONG"
        if known_wrong.exists():
            assert known_wrong.read_text(encoding="utf-8").strip(), (
                f"{path.name}: KNOWN_WRONG says nothing"
            )


def test_command_line_gives_the_same_model(tmp_path: Path) -> None:
    """The goldens hold for the installed command too, run as a separate process."""
    fixture = FIXTURES / "helper-breakpoint-two-levels"
    project = _copy_project(fixture, tmp_path)
    assert show_requests_subprocess(project) == json.loads(
        (fixture / "expected.json").read_text(encoding="utf-8")
    )
