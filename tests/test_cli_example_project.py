"""The bundled example project (fixtures/example-project) produces what its EXPECTED.md says.

EXPECTED.md is the contract, written by rule code: per file the codes that must be
reported and the codes that may also be reported for the same call. Only registered rules
are checked, so the test holds while rules are still being written. Fixing a copy with
every fix converges: the files still parse and a second `--fix` changes nothing.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
from pathlib import Path
from typing import Dict, List, Set, Tuple

from click.testing import Result

from cachelint.cli import main
from cachelint.registry import all_rules
from cli_runner import cli_runner as _cli_runner

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example-project"
CODE = re.compile(r"CL\d{3}")



def expected_table() -> Dict[str, Tuple[Set[str], Set[str]]]:
    """file name -> (expected codes, codes that may also appear), from EXPECTED.md."""
    table: Dict[str, Tuple[Set[str], Set[str]]] = {}
    for line in (EXAMPLE / "EXPECTED.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| `([^`]+)` \|([^|]*)\|([^|]*)\|", line)
        if match:
            table[match.group(1)] = (
                set(CODE.findall(match.group(2))),
                set(CODE.findall(match.group(3))),
            )
    return table


def run(cwd: Path, *args: str) -> Result:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = _cli_runner().invoke(main, ["--no-cache", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert "Traceback" not in result.stderr
    return result


def codes_by_file(result: Result) -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for item in json.loads(result.stdout):
        found.setdefault(os.path.basename(item["filename"]), []).append(item["code"])
    return found


def test_expected_md_covers_every_python_file_and_the_core_mistakes() -> None:
    table = expected_table()
    assert sorted(table) == sorted(p.name for p in EXAMPLE.glob("*.py"))
    expected_codes = set().union(*(must for must, _ in table.values()))
    assert {"CL001", "CL002", "CL003", "CL004", "CL005", "CL007"} <= expected_codes
    assert 5 <= len(table) <= 8


def test_the_system_prompt_is_large_and_static() -> None:
    text = (EXAMPLE / "prompts.py").read_text(encoding="utf-8")
    namespace: Dict[str, object] = {}
    exec(compile(text, "prompts.py", "exec"), namespace)  # a module of string constants only
    prompt = namespace["SUPPORT_PROMPT"]
    assert isinstance(prompt, str) and len(prompt) / 4 >= 6000


def test_the_example_project_produces_its_expected_findings(tmp_path: Path) -> None:
    registered = {rule.code for rule in all_rules()}
    result = run(EXAMPLE.parents[1], "--output-format", "json", "fixtures/example-project")
    assert result.exit_code == 1
    found = codes_by_file(result)
    problems = []
    for name, (must, may) in expected_table().items():
        got = set(found.get(name, []))
        missing = (must & registered) - got
        unexpected = got - must - may
        if missing or unexpected:
            problems.append(f"{name}: missing {sorted(missing)}, unexpected {sorted(unexpected)}")
    assert problems == []


def test_fixing_a_copy_converges(tmp_path: Path) -> None:
    copy = tmp_path / "example-project"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns(".cachelint_cache"))
    first = run(copy, "--fix", "--unsafe-fixes", ".")
    assert first.exit_code in (0, 1), first.stderr
    assert re.search(r"Found \d+ errors? \(\d+ fixed, \d+ remaining\)\.", first.stderr)
    fixed = {p.name: p.read_bytes() for p in copy.glob("*.py")}
    for name, data in fixed.items():
        ast.parse(data, filename=name)
    assert fixed != {p.name: p.read_bytes() for p in EXAMPLE.glob("*.py")}
    second = run(copy, "--fix", "--unsafe-fixes", ".")
    assert {p.name: p.read_bytes() for p in copy.glob("*.py")} == fixed
    assert "fixed" not in second.stderr or "(0 fixed" in second.stderr


def promised_fixes() -> Dict[str, str]:
    """file name -> "safe" or "unsafe", for each file whose EXPECTED.md row promises a fix."""
    promised: Dict[str, str] = {}
    for line in (EXAMPLE / "EXPECTED.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| `([^`]+)` \|[^|]*\|[^|]*\|(.*)\|\s*$", line)
        if match:
            kind = re.search(r"The (safe|unsafe) fix", match.group(2))
            if kind:
                promised[match.group(1)] = kind.group(1)
    return promised


def test_every_fix_expected_md_promises_is_offered(tmp_path: Path) -> None:
    """EXPECTED.md says which files get a safe or an unsafe fix: `--diff` must show a change
    of each (a safe one without `--unsafe-fixes` too), and nothing else may change."""
    promised = promised_fixes()
    assert promised.get("daily_digest.py") == "unsafe" and promised.get("assistant.py") == "safe"
    copy = tmp_path / "example-project"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns(".cachelint_cache"))
    unsafe = run(copy, "--unsafe-fixes", "--diff", ".")
    safe = run(copy, "--diff", ".")
    changed_unsafe = set(re.findall(r"^\+\+\+ b/(\S+)", unsafe.stdout, re.MULTILINE))
    changed_safe = set(re.findall(r"^\+\+\+ b/(\S+)", safe.stdout, re.MULTILINE))
    assert changed_unsafe == set(promised), unsafe.stdout
    assert changed_safe == {name for name, kind in promised.items() if kind == "safe"}, safe.stdout
