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

from cachelint.cli import main
from cachelint.config.loader import ANALYSIS_KEYS, KNOWN_KEYS
from cli_runner import cli_runner as _cli_runner

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")



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


def test_the_rule_list_is_the_generated_one() -> None:
    from cachelint.docs import with_rule_list

    assert README == with_rule_list(README), "the README's rule list is stale; run `python -m cachelint.docs`"


def test_the_performance_section_is_there() -> None:
    assert "\n## Performance\n" in README


def test_the_output_format_table_lists_every_format() -> None:
    from cachelint.output import FORMATS

    section = README.split("**Output formats**", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^\| `([a-z-]+)` \|", section, re.M) == list(FORMATS)
    listed = ", ".join(f"`{f}`" for f in FORMATS).replace("`full`", "`full` (default)", 1)
    assert f"| `--output-format FORMAT` | {listed}. Env: `CACHELINT_OUTPUT_FORMAT`. |" in README
    (option,) = [p for p in main.params if p.name == "output_format"]
    assert option.help == listed.replace("`", "") + "."


BAD_TTL = 'import anthropic\n\nX = {"cache_control": {"type": "ephemeral", "ttl": "10m"}}\n'


def test_the_gitlab_ci_job_uploads_the_report_it_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    yaml = pytest.importorskip("yaml")
    (block,) = [b for b in code_blocks("yaml") if "codequality" in b]
    (job,) = yaml.safe_load(block).values()
    report = job["artifacts"]["reports"]["codequality"]
    assert report == "gl-code-quality-report.json"
    assert job["artifacts"]["when"] == "always"  # findings fail the job; the report still goes up
    assert job["cache"]["paths"] == [".cachelint_cache"]
    (command,) = [line for line in job["script"] if line.startswith("cachelint ")]
    args = shlex.split(command)[1:]
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "app").mkdir()
    (repo / "app" / "settings.py").write_text(BAD_TTL, encoding="utf-8")
    monkeypatch.chdir(repo)
    result = _cli_runner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 1, result.stderr
    import json

    issues = json.loads((repo / report).read_text(encoding="utf-8"))
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues] == [
        ("CL007", "app/settings.py", 3)
    ]
    assert (repo / ".cachelint_cache").is_dir()  # what the job's `cache:` keeps


def test_the_python_api_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (block,) = [b for b in code_blocks("python") if "import cachelint" in b]
    prompt = 'PROMPT = "You are the support assistant of Example Corp. " + "Cite the policy. " * 400\n'
    buffer_text = (
        "import anthropic\n\nfrom prompts import PROMPT\n\nclient = anthropic.Anthropic()\n"
        'client.messages.create(model="claude-sonnet-4-5", max_tokens=10, system=PROMPT, messages=[])\n'
    )
    (tmp_path / ".git").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "prompts.py").write_text(prompt, encoding="utf-8")
    (tmp_path / "src" / "assistant.py").write_text(buffer_text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    printed: List[str] = []
    namespace = {"buffer_text": buffer_text, "print": lambda *a: printed.append(" ".join(map(str, a)))}
    exec(compile(block, "README.md", "exec"), namespace)
    assert printed[0].startswith(f"{tmp_path / 'src' / 'assistant.py'}:6:") and " CL001 " in printed[0]
    assert printed[1].startswith("CL001 safe [")
    assert not (tmp_path / ".cachelint_cache").exists()  # the API writes nothing


# --- installing it: the distribution name, the tag, the CI jobs ------------------------------------
def _section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def install_commands() -> List[str]:
    """The commands of the Install section, in order."""
    blocks = re.findall(r"^```sh\n(.*?)^```", _section("Install"), re.S | re.M)
    return [line.strip() for block in blocks for line in block.strip().splitlines()]


def test_the_install_section_names_our_distribution_not_the_other_project() -> None:
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "cachelint-llm" and project["scripts"] == {"cachelint": "cachelint.__main__:console"}
    from cachelint import __version__

    git, wheel = install_commands()
    requirement = f"cachelint-llm @ git+https://github.com/cachelint/cachelint@v{__version__}"
    assert shlex.split(git) == ["pip", "install", requirement]
    assert wheel.endswith(f"pip install dist/cachelint_llm-{__version__}-py3-none-any.whl")
    # no snippet installs the unrelated `cachelint` from the package index
    snippets = "\n".join(code_blocks("sh") + code_blocks("yaml"))
    assert not re.search(r"pip install (-U )?[\"']?cachelint\b(?!-)", snippets)
    for title in ("GitHub Actions", "GitLab CI"):
        assert f'pip install "{requirement}"' in _section(title), title
    assert f"rev: v{__version__}\n" in _section("pre-commit")


def test_the_github_actions_job_keeps_the_cache_and_its_commands_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    yaml = pytest.importorskip("yaml")
    (block,) = [b for b in code_blocks("yaml") if "upload-sarif" in b]
    (job,) = yaml.safe_load(block)["jobs"].values()
    steps = job["steps"]
    (cache,) = [s for s in steps if s.get("uses", "").startswith("actions/cache@")]
    assert cache["with"]["path"] == ".cachelint_cache"
    key, restore = cache["with"]["key"], cache["with"]["restore-keys"]
    assert "${{ github.sha }}" in key and key.startswith(restore)  # a new key per run, the latest restored
    install = [s["run"] for s in steps if "pip install" in s.get("run", "")]
    assert install == [install_commands()[0]]
    assert steps.index(cache) < min(i for i, s in enumerate(steps) if s.get("run", "").startswith("cachelint "))
    commands = [s["run"] for s in steps if s.get("run", "").startswith("cachelint ")]
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "app").mkdir()
    (repo / "app" / "settings.py").write_text(BAD_TTL, encoding="utf-8")
    monkeypatch.chdir(repo)
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    annotations, sarif = (_cli_runner().invoke(main, shlex.split(c)[1:], env=env) for c in commands)
    assert annotations.exit_code == 1 and annotations.stdout.startswith("::error title=cachelint (CL007),")
    assert sarif.exit_code == 0
    import json

    log = json.loads((repo / "cachelint.sarif").read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["CL007"]
    assert (repo / ".cachelint_cache" / "CACHEDIR.TAG").is_file()  # what the cache step keeps
    assert "| app/settings.py | 3 | CL007 |" in summary.read_text(encoding="utf-8")
