"""README.md is what a new user follows: its commands, flags, configuration and rule list must
match the product.

The two fresh-machine commands are the first two shell blocks that start with
`python3 -m venv`: (a) installs cachelint and runs it on the bundled example project, (b)
installs the test extras and runs the suite. `.ci/run` must run (b) verbatim.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import List

import click
import pytest
from click.testing import CliRunner

from cachelint.cli import main
from cachelint.config import ANALYSIS_KEYS, KNOWN_KEYS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _cli_runner() -> CliRunner:
    """A runner keeping stdout and stderr apart (click < 8.2 needs `mix_stderr=False`; the
    argument is gone in later versions, which always keep them apart)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def code_blocks(language: str) -> List[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, re.S | re.M)


def fresh_machine_commands() -> List[str]:
    commands = [b.strip() for b in code_blocks("sh") if b.startswith("python3 -m venv")]
    assert len(commands) >= 2, "README.md needs the two fresh-machine commands"
    return commands[:2]


def test_the_fresh_machine_commands_come_before_everything_else() -> None:
    install_run, install_test = fresh_machine_commands()
    first_heading = README.index("\n## ")
    assert README.index(install_run) < README.index("\n## ", first_heading + 1)
    assert README.index(install_run) < README.index(install_test) < README.index("## Usage")


def test_command_a_installs_cachelint_and_runs_it_on_the_example_project() -> None:
    install_run, _ = fresh_machine_commands()
    steps = [shlex.split(step) for step in install_run.split("&&")]
    assert steps[0] == ["python3", "-m", "venv", ".venv"]
    assert steps[1][:3] == [".venv/bin/pip", "install", "."]
    assert steps[-1][0] == ".venv/bin/cachelint"
    target = ROOT / steps[-1][-1]
    assert target.is_dir() and (target / "EXPECTED.md").is_file()
    assert list(target.glob("*.py"))


def test_command_b_installs_the_test_extras_and_runs_pytest() -> None:
    _, install_test = fresh_machine_commands()
    assert "'.[test]'" in install_test and install_test.endswith(".venv/bin/python -m pytest")


def test_ci_runs_command_b_verbatim() -> None:
    _, install_test = fresh_machine_commands()
    script = ROOT / ".ci" / "run"
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert install_test in text.splitlines()
    assert os.access(script, os.X_OK)


def test_every_flag_of_the_command_is_documented() -> None:
    missing = []
    for param in main.params:
        if isinstance(param, click.Option):
            for flag in (*param.opts, *param.secondary_opts):
                if f"`{flag}" not in README:
                    missing.append(flag)
    assert missing == []


def test_every_config_key_is_in_the_configuration_example() -> None:
    (config,) = [b for b in code_blocks("toml") if "[tool.cachelint]" in b]
    missing = [
        k
        for k in (*KNOWN_KEYS, *ANALYSIS_KEYS)
        if not re.search(rf"(^|\.){re.escape(k)}\b", config, re.M)
    ]
    assert missing == []


def test_the_configuration_example_is_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (config,) = [b for b in code_blocks("toml") if "[tool.cachelint]" in b]
    (tmp_path / "pyproject.toml").write_text("[tool.cachelint]\n", encoding="utf-8")  # for `extend`
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(config, encoding="utf-8")
    monkeypatch.chdir(project)
    result = _cli_runner().invoke(main, ["--show-settings"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert 'extend-exclude = ["migrations"]' in result.stdout


def test_the_rule_list_links_every_rule_page() -> None:
    section = README.split("## Rules", 1)[1].split("\n## ", 1)[0]
    linked = re.findall(r"\]\((rules/[^)]+\.md)\)", section)
    assert sorted(linked) == sorted(f"rules/{p.name}" for p in (ROOT / "rules").glob("*.md"))


def test_the_performance_section_is_there() -> None:
    assert "\n## Performance\n" in README
