"""Each rule (CL001-CL005) run on small real-shaped projects in `fixtures/rules/`.

A directory `fixtures/rules/<CODE>-<scenario>/` is one project for one scenario of one rule:
code that must be flagged (the request built across functions and modules, `**params`
dicts, prompt constants imported from another module, Bedrock, Vertex, Foundry,
OpenRouter, litellm, raw HTTP, Converse) or code that must stay silent because it already
does the right thing (`-silent-` in the name). It holds:

- the program files and a `pyproject.toml` whose `[tool.cachelint]` selects the rule;
- `expected.txt`: the exact stdout of `cachelint --output-format concise --no-cache .` run in
  a copy of the project (paths relative to it), written and reviewed by hand;
- `fixed/` (fixable scenarios only): every file the fix changes, as it must read after
  `cachelint --fix --unsafe-fixes --no-cache .`; files not under `fixed/` must not change;
- `README.md`: the scenario and why the expected output is right (not part of the project);
- `run.py` (not part of the project): `run()` calls the program the way its users do; it is
  used by `tests/test_sdk_requests.py` to send the request through the real SDKs;
- `KNOWN_WRONG` (optional): the rule reports this scenario wrongly today (a false positive
  or negative, or a wrong location). `expected.txt` then holds the *correct* output, written
  by hand, and `KNOWN_WRONG` says what the tool prints instead; the output test is
  `xfail(strict=True)` and compares only `file:row:col: CODE` and the `[*]` fix mark of
  each line (the message of a finding that does not exist yet cannot be known), so it
  fails loudly once fixed;
- `KNOWN_WRONG_MESSAGE` (optional): the findings are right but a message is wrong (a wrong
  model, size or label). `expected.txt` holds the correct text, compared in full, and the
  output test is `xfail(strict=True)`;
- `KNOWN_WRONG_FIX` (optional): the same for the fix. `fixed/` holds the correct fix,
  written by hand, and the fix test is `xfail(strict=True)`.

The test copies the project (without those extra files) into a temporary directory, creates
`.git/` there so the copy is the project root, runs the CLI, and checks: the output and the
exit code; that the fix changes exactly the files under `fixed/` into their content; that
every fixed file parses; that a second `--fix --unsafe-fixes` changes nothing; and that the
rule under test is then silent (for scenarios with a fix).

To rewrite the goldens after an intended change of a rule (never for `KNOWN_WRONG` cases):

    CACHELINT_UPDATE_GOLDEN=1 python -m pytest tests/test_rule_fixtures.py

then read every changed `expected.txt` and `fixed/` file (`git diff fixtures/rules`) and
commit only what a careful user would expect to see.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "rules"
UPDATE = os.environ.get("CACHELINT_UPDATE_GOLDEN") == "1"
#: Entries of a fixture directory that are not part of the linted project.
NOT_PROJECT = (
    "expected.txt", "fixed", "run.py", "README.md", "KNOWN_WRONG", "KNOWN_WRONG_MESSAGE", "KNOWN_WRONG_FIX",
    "__pycache__", ".cachelint_cache",
)
RULE_CODES = ("CL001", "CL002", "CL003", "CL004", "CL005")
LINE_RE = re.compile(r"^(?P<path>[^:\s]+):(?P<row>\d+):(?P<col>\d+): (?P<code>CL\d{3}) (?P<fix>\[\*\] )?")


def fixture_dirs() -> List[Path]:
    if not FIXTURES.is_dir():
        return []
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and (p / "pyproject.toml").is_file())


def rule_code(fixture: Path) -> str:
    return fixture.name.split("-", 1)[0]


def known_wrong(fixture: Path, name: str = "KNOWN_WRONG") -> Optional[str]:
    """Why the tool gets this fixture's output (or, with `KNOWN_WRONG_FIX`, its fix) wrong."""
    path = fixture / name
    if not path.is_file():
        return None
    return " ".join(path.read_text(encoding="utf-8").split())


def copy_project(fixture: Path, dest: Path) -> Path:
    """The fixture's project files in `dest`, with `.git/` so `dest` is the project root."""
    shutil.copytree(fixture, dest, ignore=shutil.ignore_patterns(*NOT_PROJECT))
    (dest / ".git").mkdir()
    return dest


def project_files(root: Path) -> Dict[str, str]:
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and rel.parts[0] not in (".git", ".cachelint_cache") and "__pycache__" not in rel.parts:
            files[rel.as_posix()] = path.read_text(encoding="utf-8")
    return files


def fixed_files(fixture: Path) -> Dict[str, str]:
    fixed = fixture / "fixed"
    return project_files(fixed) if fixed.is_dir() else {}


def cli(project: Path, *args: str) -> Tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CACHELINT_")}
    proc = subprocess.run(
        [sys.executable, "-m", "cachelint", *args],
        cwd=str(project),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.returncode, proc.stdout, proc.stderr


def lint(project: Path) -> Tuple[int, str, str]:
    return cli(project, "--output-format", "concise", "--no-cache", ".")


def fix(project: Path) -> Tuple[int, str, str]:
    return cli(project, "--fix", "--unsafe-fixes", "--output-format", "concise", "--no-cache", ".")


def locations(output: str) -> List[str]:
    """`file:row:col: CODE` of every finding line, with ` [*]` when a fix is offered (how
    KNOWN_WRONG cases are compared)."""
    found = []
    for line in output.splitlines():
        match = LINE_RE.match(line)
        if match:
            fixable = " [*]" if match["fix"] else ""
            found.append(f"{match['path']}:{match['row']}:{match['col']}: {match['code']}{fixable}")
    return found


def codes(output: str) -> List[str]:
    return [match["code"] for match in map(LINE_RE.match, output.splitlines()) if match]


def _params(*marker_files: str) -> List[object]:
    params = []
    for path in fixture_dirs():
        marks = []
        reasons = [r for r in (known_wrong(path, name) for name in marker_files) if r]
        reason = " ".join(reasons) if reasons else None
        if reason is not None:
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        params.append(pytest.param(path, id=path.name, marks=marks))
    return params


OUTPUT_PARAMS = _params("KNOWN_WRONG", "KNOWN_WRONG_MESSAGE")
FIX_PARAMS = _params("KNOWN_WRONG_FIX")
PLAIN_PARAMS = [pytest.param(path, id=path.name) for path in fixture_dirs()]


@pytest.mark.parametrize("fixture", OUTPUT_PARAMS)
def test_output(fixture: Path, tmp_path: Path) -> None:
    project = copy_project(fixture, tmp_path / "project")
    code, out, err = lint(project)
    assert code in (0, 1), err
    golden = fixture / "expected.txt"
    hand_written = known_wrong(fixture) or known_wrong(fixture, "KNOWN_WRONG_MESSAGE")
    if UPDATE and hand_written is None:
        golden.write_text(out, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    if known_wrong(fixture) is not None:
        assert locations(out) == locations(expected), out
        return
    assert out == expected, f"stderr:\n{err}"
    # Only the selected rule (and anything the fixture's config adds) may report here;
    # the exit code says whether anything was found.
    assert code == (1 if expected.strip() else 0), err


@pytest.mark.parametrize("fixture", FIX_PARAMS)
def test_fix(fixture: Path, tmp_path: Path) -> None:
    project = copy_project(fixture, tmp_path / "project")
    before = project_files(project)
    code, out, err = fix(project)
    assert code in (0, 1), err
    after = project_files(project)
    assert set(after) == set(before), "the fix created or deleted files"
    changed = {rel: text for rel, text in after.items() if before[rel] != text}
    if UPDATE and known_wrong(fixture, "KNOWN_WRONG_FIX") is None:
        fixed_dir = fixture / "fixed"
        if fixed_dir.is_dir():
            shutil.rmtree(fixed_dir)
        for rel, text in changed.items():
            target = fixed_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    expected = fixed_files(fixture)
    assert sorted(changed) == sorted(expected), "files changed by the fix differ from fixed/"
    for rel, text in expected.items():
        assert changed[rel] == text, rel
    for rel, text in changed.items():
        if rel.endswith(".py"):
            ast.parse(text, filename=rel)
    # A second fix is a no-op, and the rule under test has nothing left to say when the
    # scenario documents a fix.
    code2, out2, err2 = fix(project)
    assert project_files(project) == after, "a second --fix --unsafe-fixes changed files"
    if expected:
        code_under_test = rule_code(fixture)
        assert code_under_test not in codes(out2), out2


def test_every_rule_has_its_scenarios() -> None:
    """At least four flagged and three silent scenarios per rule, each with a README."""
    for code in RULE_CODES:
        dirs = [d for d in fixture_dirs() if rule_code(d) == code]
        silent = [d for d in dirs if "-silent-" in d.name]
        flagged = [d for d in dirs if d not in silent]
        assert len(flagged) >= 4, (code, [d.name for d in flagged])
        assert len(silent) >= 3, (code, [d.name for d in silent])
        for d in dirs:
            assert (d / "README.md").is_file(), d.name


@pytest.mark.parametrize("fixture", PLAIN_PARAMS)
def test_fixture_is_consistent(fixture: Path) -> None:
    """A silent scenario expects no finding; a flagged one expects at least one of its rule;
    its config selects the rule; a fix is only documented for a flagged scenario."""
    expected = (fixture / "expected.txt").read_text(encoding="utf-8")
    found = codes(expected)
    config = (fixture / "pyproject.toml").read_text(encoding="utf-8")
    assert rule_code(fixture) in config, "the config must select the rule under test"
    if "-silent-" in fixture.name:
        assert rule_code(fixture) not in found, expected
        assert not (fixture / "fixed").exists()
    else:
        assert rule_code(fixture) in found, expected
