"""Every configuration key, set in a project's config file and observed through the command.

Unit tests of the resolver live in test_config.py; here each key is written the way a user
writes it and its effect is checked in what `cachelint` prints, fixes or exits with. Bad
configuration (broken TOML, unknown keys, wrong types, at every nesting level) must exit 2
with one line naming the file, the dotted key and what was expected.
`test_every_config_key_is_exercised` fails when a key is added without a test here.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Callable, Dict, List, Optional

import pytest
from click.testing import Result

import cachelint.rules
from cachelint.cli import main
from cachelint.config.loader import ANALYSIS_KEYS, KNOWN_KEYS
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Fix
from cachelint.fix.edits import make_edit
from cachelint.rule import Rule
from cli_runner import cli_runner as _cli_runner

BAD_TYPE = 'X = {"cache_control": {"type": "persistent"}}\n'
BAD_TTL = 'Y = {"cache_control": {"type": "ephemeral", "ttl": "3m"}}\n'  # safe fix: "5m"

#: An Anthropic call whose ~2,500-token static system prompt has no breakpoint (CL001).
BIG_PROMPT_APP = """\
import anthropic

client = anthropic.Anthropic()
SYSTEM = "Answer in one short paragraph. " * 320


def ask(question):
    return client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=200,
        system=SYSTEM,
        messages=[{"role": "user", "content": question}],
    )
"""


class SwapWords(Rule):
    """Test-only rule: flags the string "b a" and offers an unsafe fix to "a b".

    ## What it does
    Stands in for a rule with an unsafe fix and an option, for the configuration tests.

    ## Why is this bad?
    It is not; it exists for the tests.
    """

    code = "CL990"
    name = "test-swap-words"
    summary = "Test rule with an unsafe fix."
    fix_applicability = Applicability.UNSAFE

    def check_module(self, ctx: FileContext) -> None:
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Constant) and node.value == "b a":
                start, end = ctx.node_range(node)
                src = ctx.load_source(ctx.path)
                assert src is not None
                edit = make_edit(src, start + 1, end - 1, "a b")
                ctx.report(
                    self,
                    start,
                    end,
                    "words in the wrong order",
                    fix=Fix(Applicability.UNSAFE, "Swap the words", (edit,)),
                )


def write(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")



Cli = Callable[..., Result]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    write(root, {"app.py": BAD_TYPE + BAD_TTL, "pkg/more.py": BAD_TYPE})
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def cli(project: Path) -> Cli:
    def invoke(*args: str) -> Result:
        result = _cli_runner().invoke(main, ["--no-cache", *args], catch_exceptions=False)
        assert "Traceback" not in result.stderr
        return result

    return invoke


def config(project: Path, body: str, name: str = "pyproject.toml") -> Path:
    path = project / name
    header = "[tool.cachelint]\n" if name == "pyproject.toml" else ""
    path.write_text(header + body, encoding="utf-8")
    return path


def found(result: Result) -> List[str]:
    """`path:code` of each finding (concise output)."""
    return [
        f"{line.split(':')[0]}:{line.split(': ')[1].split(' ')[0]}"
        for line in result.stdout.splitlines()
    ]


def lint(cli: Cli, *args: str) -> List[str]:
    return found(cli("--output-format", "concise", *args))


# --- selection ----------------------------------------------------------------------------------
def test_select_ignore_and_extend_select(cli: Cli, project: Path) -> None:
    config(project, 'select = ["CL100"]\n')
    assert lint(cli) == []
    config(project, 'select = ["CL100"]\nextend-select = ["invalid-cache-control"]\n')
    assert lint(cli) == ["app.py:CL007", "app.py:CL007", "pkg/more.py:CL007"]
    config(project, 'select = ["CL0"]\nignore = ["CL007"]\n')
    assert lint(cli) == []


def test_per_file_ignores_and_extend_per_file_ignores(cli: Cli, project: Path) -> None:
    config(project, 'select = ["CL007"]\nper-file-ignores = {"pkg/*.py" = ["CL007"]}\n')
    assert lint(cli) == ["app.py:CL007", "app.py:CL007"]
    (project / "base.toml").write_text(
        'select = ["CL007"]\nper-file-ignores = {"pkg/*.py" = ["CL007"]}\n', encoding="utf-8"
    )
    config(
        project,
        'extend = "base.toml"\nextend-per-file-ignores = {"app.py" = ["invalid-cache-control"]}\n',
    )
    assert lint(cli) == []


def test_extend_inherits_and_the_closest_config_wins(cli: Cli, project: Path) -> None:
    (project / "base.toml").write_text('select = ["CL007"]\nignore = ["CL007"]\n', encoding="utf-8")
    config(project, 'extend = "base.toml"\n')
    assert lint(cli) == []
    # selection layers like ruff's: the base's ignore still applies unless select resets it
    config(project, 'extend = "base.toml"\nignore = []\n')
    assert lint(cli) == []
    config(project, 'extend = "base.toml"\nselect = ["invalid-cache-control"]\n')
    assert lint(cli) == ["app.py:CL007", "app.py:CL007", "pkg/more.py:CL007"]
    # a config in pkg/ is closer to pkg/more.py and replaces the root one there
    (project / "pkg" / "cachelint.toml").write_text('select = ["CL100"]\n', encoding="utf-8")
    assert lint(cli) == ["app.py:CL007", "app.py:CL007"]


# --- files --------------------------------------------------------------------------------------
def test_exclude_replaces_the_defaults_and_extend_exclude_adds(cli: Cli, project: Path) -> None:
    write(project, {"build/gen.py": BAD_TYPE})
    config(project, 'select = ["CL007"]\n')
    assert "build/gen.py:CL007" not in lint(cli)
    config(project, 'select = ["CL007"]\nexclude = ["pkg"]\n')
    result = lint(cli)
    assert "build/gen.py:CL007" in result and "pkg/more.py:CL007" not in result
    config(project, 'select = ["CL007"]\nextend-exclude = ["pkg", "app.py"]\n')
    assert lint(cli) == []


def test_respect_gitignore(cli: Cli, project: Path) -> None:
    write(project, {".gitignore": "pkg/\n"})
    config(project, 'select = ["CL007"]\n')
    assert lint(cli) == ["app.py:CL007", "app.py:CL007"]
    config(project, 'select = ["CL007"]\nrespect-gitignore = false\n')
    assert "pkg/more.py:CL007" in lint(cli)


def test_force_exclude_from_the_config(cli: Cli, project: Path) -> None:
    config(project, 'select = ["CL007"]\nextend-exclude = ["pkg"]\nforce-exclude = true\n')
    assert lint(cli, "pkg/more.py") == []
    config(project, 'select = ["CL007"]\nextend-exclude = ["pkg"]\n')
    assert lint(cli, "pkg/more.py") == ["pkg/more.py:CL007"]


def test_include_generated(cli: Cli, project: Path) -> None:
    write(project, {"gen.py": "# @generated by a tool\n" + BAD_TYPE})
    config(project, 'select = ["CL007"]\n')
    assert "gen.py:CL007" not in lint(cli)
    config(project, 'select = ["CL007"]\ninclude-generated = true\n')
    assert "gen.py:CL007" in lint(cli)


# --- fixes --------------------------------------------------------------------------------------
def test_unsafe_fixes_from_the_config(
    cli: Cli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cachelint.rules, "ALL_RULES", [*cachelint.rules.ALL_RULES, SwapWords])
    write(project, {"words.py": 'P = "b a"\n'})
    config(project, 'select = ["CL990"]\n')
    cli("--fix", "words.py")
    assert (project / "words.py").read_text() == 'P = "b a"\n'
    config(project, 'select = ["CL990"]\nunsafe-fixes = true\n')
    assert cli("--fix", "words.py").exit_code == 0
    assert (project / "words.py").read_text() == 'P = "a b"\n'


def test_fix_and_fix_only_from_the_config(cli: Cli, project: Path) -> None:
    original = (project / "app.py").read_text()
    config(project, 'select = ["CL007"]\nfix = true\n')
    assert cli("--no-fix", "app.py").exit_code == 1
    assert (project / "app.py").read_text() == original
    assert cli("app.py").exit_code == 0  # fixed without --fix
    assert (project / "app.py").read_text() != original
    config(project, 'select = ["CL007"]\nfix-only = true\n')
    result = cli("--output-format", "concise", "pkg/more.py")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "Fixed 1 error.\n")


def test_fixable_and_unfixable(cli: Cli, project: Path) -> None:
    original = (project / "app.py").read_text()
    config(project, 'select = ["CL007"]\nunfixable = ["CL007"]\n')
    result = cli("--fix", "--output-format", "concise", "app.py")
    assert result.exit_code == 1
    assert (project / "app.py").read_text() == original
    assert "[*]" not in result.stdout and "fixable" not in result.stderr
    config(project, 'select = ["CL007"]\nfixable = ["CL100"]\n')
    assert cli("--fix", "app.py").exit_code == 1
    assert (project / "app.py").read_text() == original
    config(project, 'select = ["CL007"]\nfixable = ["CL0"]\n')
    assert cli("--fix", "app.py").exit_code == 0
    assert (project / "app.py").read_text() != original


# --- output and cache ---------------------------------------------------------------------------
def test_output_format_from_the_config_and_the_flag_wins(cli: Cli, project: Path) -> None:
    config(project, 'select = ["CL007"]\noutput-format = "json"\n')
    assert len(json.loads(cli("app.py").stdout)) == 2
    assert cli("--output-format", "concise", "app.py").stdout.startswith("app.py:1:32: CL007")


def test_cache_dir_is_relative_to_the_config_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config(project, 'select = ["CL007"]\ncache-dir = "var/lint-cache"\n')
    monkeypatch.chdir(project / "pkg")
    result = _cli_runner().invoke(main, ["more.py"])
    assert result.exit_code == 1
    assert (project / "var" / "lint-cache" / "CACHEDIR.TAG").is_file()
    assert not (project / ".cachelint_cache").exists()


# --- rule options and data tables ---------------------------------------------------------------
def test_rule_options_reach_the_rule_by_code_or_name(cli: Cli, project: Path) -> None:
    write(project, {"llm.py": BIG_PROMPT_APP})
    config(project, 'select = ["CL001"]\n')
    assert lint(cli, "llm.py") == ["llm.py:CL001"]
    config(project, 'select = ["CL001"]\n[tool.cachelint.rules.CL001]\nmin-tokens = 100000\n')
    assert lint(cli, "llm.py") == []
    config(
        project,
        'select = ["CL001"]\n[tool.cachelint.rules.uncached-static-prompt]\nmin-tokens = 100000\n',
    )
    assert lint(cli, "llm.py") == []


def test_models_table_overrides_the_minimum(cli: Cli, project: Path) -> None:
    write(project, {"llm.py": BIG_PROMPT_APP})
    config(
        project,
        'select = ["CL001"]\n[tool.cachelint.models."sonnet-4-5"]\nmin-cache-tokens = [1024, 4096]\n',
    )
    assert lint(cli, "llm.py") == []  # a disputed minimum: reported only above the high value
    config(
        project,
        'select = ["CL001"]\n[tool.cachelint.models."sonnet-4-5"]\nmin-cache-tokens = 2048\n',
    )
    assert lint(cli, "llm.py") == ["llm.py:CL001"]
    shown = cli("--show-settings").stdout
    assert "[models.sonnet-4-5]\nmin-cache-tokens = 2048" in shown


def test_platforms_table_override_is_validated_and_shown(cli: Cli, project: Path) -> None:
    config(project, '[tool.cachelint.platforms.vertex]\ntop-level-cache-control = "supported"\n')
    shown = cli("--show-settings")
    assert shown.exit_code == 0
    vertex = shown.stdout.split("[platforms.vertex]\n", 1)[1].split("\n\n", 1)[0]
    assert 'top-level-cache-control = "supported"' in vertex


def test_analysis_settings_reach_the_analysis(cli: Cli, project: Path) -> None:
    # the prompt reaches the call through a helper's parameter: only a call depth >= 1 sees it
    write(
        project,
        {
            "llm.py": BIG_PROMPT_APP.replace(
                "def ask(question):\n    return client",
                "def ask(question):\n    return send(SYSTEM, question)\n\n\ndef send(system, question):\n    return client",
            ).replace("system=SYSTEM", "system=system")
        },
    )
    config(project, 'select = ["CL001"]\n')
    assert lint(cli, "llm.py") == ["llm.py:CL001"]
    config(
        project,
        'select = ["CL001"]\n[tool.cachelint.analysis]\nmax-call-depth = 0\n'
        'prompt-paths = ["prompts"]\nmax-prompt-file-bytes = 1000\n',
    )
    shown = cli("--show-settings").stdout
    assert "max-call-depth = 0" in shown and 'prompt-paths = ["prompts"]' in shown
    assert "max-prompt-file-bytes = 1000" in shown
    assert lint(cli, "llm.py") == []


def test_target_version_and_requires_python(cli: Cli, project: Path) -> None:
    """`target-version` (else the lower bound of `requires-python`) is the oldest Python the
    project runs on: syntax it cannot parse is CL000, whichever Python runs cachelint."""
    write(project, {"new.py": 'import anthropic\n\nmatch anthropic.x:\n    case 1:\n        pass\n'})
    (project / "pyproject.toml").write_text('[project]\nrequires-python = ">=3.9"\n', encoding="utf-8")
    result = cli("--output-format", "concise", "new.py")
    assert result.stdout.startswith("new.py:3:1: CL000 syntax error for Python 3.9"), result.stdout
    assert "a `match` statement needs Python 3.10 or newer" in result.stdout
    assert 'target-version = "py39"  # from requires-python = ">=3.9"' in cli("--show-settings").stdout
    config(project, 'target-version = "py310"\n', name="cachelint.toml")
    assert lint(cli, "new.py") == []
    assert 'target-version = "py310"\n' in cli("--show-settings").stdout
    assert lint(cli, "--isolated", "new.py") == []  # no project file: any syntax up to 3.14


@pytest.mark.parametrize("value", ['"py27"', '"py315"', '"3"', "39"])
def test_target_version_must_be_a_known_python(cli: Cli, project: Path, value: str) -> None:
    path = config(project, f"target-version = {value}\n")
    result = cli()
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"cachelint: error: {path}: tool.cachelint.target-version: expected"), line


# --- bad configuration --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body, key, expected",
    [
        ('select = ["CL007"\n', None, "invalid TOML"),
        ("bogus = 1\n", "tool.cachelint.bogus", "unknown setting"),
        ('select = "CL007"\n', "tool.cachelint.select", "expected a list"),
        ('select = ["CL999"]\n', "tool.cachelint.select", "CL999"),
        ('respect-gitignore = "yes"\n', "tool.cachelint.respect-gitignore", "expected a boolean"),
        ('output-format = "xml"\n', "tool.cachelint.output-format", "expected one of"),
        ("cache-dir = 3\n", "tool.cachelint.cache-dir", "expected"),
        (
            'per-file-ignores = {"a.py" = ["CL999"]}\n',
            'tool.cachelint.per-file-ignores."a.py"',
            "CL999",
        ),
        ('extend = "missing.toml"\n', "tool.cachelint.extend", "No such file"),
        (
            "[tool.cachelint.rules.CL007]\nbogus = 1\n",
            "tool.cachelint.rules.CL007.bogus",
            "has no options",
        ),
        (
            '[tool.cachelint.rules.CL001]\nmin-tokens = "x"\n',
            "tool.cachelint.rules.CL001.min-tokens",
            "expected an integer",
        ),
        ("[tool.cachelint.rules.CL999]\n", "tool.cachelint.rules.CL999", "unknown rule"),
        (
            '[tool.cachelint.models."sonnet-4-5"]\nmin-cache-tokens = [4096, 1024]\n',
            "tool.cachelint.models.sonnet-4-5.min-cache-tokens",
            "[low, high]",
        ),
        (
            '[tool.cachelint.platforms.bedrock]\ntop-level-cache-control = "maybe"\n',
            "tool.cachelint.platforms.bedrock.top-level-cache-control",
            "expected one of",
        ),
        (
            "[tool.cachelint.analysis]\nmax-call-depth = 99\n",
            "tool.cachelint.analysis.max-call-depth",
            "expected an integer from 0 to",
        ),
    ],
)
def test_bad_config_exits_2_with_file_and_key(
    cli: Cli, project: Path, body: str, key: Optional[str], expected: str
) -> None:
    path = project / "pyproject.toml"
    path.write_text(
        "[tool.cachelint]\n" + body if not body.startswith("[tool") else body, encoding="utf-8"
    )
    result = cli("app.py")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"cachelint: error: {path}: ")
    if key is not None:
        assert f": {key}: " in lines[0]
    assert expected in lines[0]


def test_bad_key_in_a_plain_cachelint_toml(cli: Cli, project: Path) -> None:
    path = config(project, "selct = []\n", "cachelint.toml")
    result = cli("app.py")
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"cachelint: error: {path}: selct: unknown setting `selct`; did you mean `select`?"
    )


def test_pyproject_without_the_table_is_skipped(cli: Cli, project: Path, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cachelint]\nselect = ["CL100"]\n', encoding="utf-8"
    )
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    assert lint(cli) == []  # the parent's config applies, not an empty default


def test_broken_pyproject_of_another_tool_is_a_warning_and_the_run_goes_on(
    cli: Cli, project: Path
) -> None:
    """A dataset's pyproject.toml that is not TOML (and not ours) used to exit 2 with nothing
    linted; now it is one warning naming it, and every file is linted."""
    config(project, 'select = ["CL007"]\n')
    broken = project / "pkg" / "pyproject.toml"
    broken.write_text('[project]\nname = "bench"\nversion = {{ version }}\n', encoding="utf-8")
    result = cli("--output-format", "concise")
    assert result.exit_code == 1
    assert found(result) == ["app.py:CL007", "app.py:CL007", "pkg/more.py:CL007"]
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    (warning,) = warnings  # the wording of the TOML error is the parser's (tomllib, tomli)
    assert warning.startswith(f"cachelint: warning: {broken}: invalid TOML: ")
    assert "(at line 3, column " in warning
    assert warning.endswith(
        "; skipped: it has no [tool.cachelint] table, so it does not configure cachelint"
    )
    assert "Found 3 errors." in result.stderr
    quiet = cli("--output-format", "concise", "--quiet")
    assert (quiet.exit_code, quiet.stderr) == (1, "")  # ruff prints no warnings under -q


def test_broken_pyproject_of_another_tool_in_the_current_directory(cli: Cli, project: Path) -> None:
    (project / "pyproject.toml").write_bytes(b"[project\nname = 'x'\n")
    result = cli("--output-format", "concise", "app.py")
    assert result.exit_code == 1
    assert found(result) == ["app.py:CL007", "app.py:CL007"]
    assert result.stderr.startswith(f"cachelint: warning: {project / 'pyproject.toml'}: invalid TOML")


@pytest.mark.parametrize(
    "name, body",
    [
        ("pyproject.toml", '[tool.cachelint]\nselect = ["CL007"\n'),
        ("cachelint.toml", "select = [\n"),
        (".cachelint.toml", "[project\n"),
    ],
)
def test_broken_cachelint_config_still_exits_2(cli: Cli, project: Path, name: str, body: str) -> None:
    (project / name).write_text(body, encoding="utf-8")
    for args in ((), ("--config", name)):
        result = cli(*args)
        assert result.exit_code == 2
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"cachelint: error: {project / name}: invalid TOML")


def test_broken_pyproject_named_by_config_exits_2(cli: Cli, project: Path) -> None:
    (project / "other").mkdir()
    (project / "other" / "pyproject.toml").write_text("[project\n", encoding="utf-8")
    result = cli("--config", "other/pyproject.toml")
    assert result.exit_code == 2
    assert "invalid TOML" in result.stderr and len(result.stderr.splitlines()) == 1


def test_every_config_key_is_exercised() -> None:
    """Each key is written, as TOML, in some string of this file."""
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    strings = "\n".join(
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )
    missing = [
        key
        for key in (*KNOWN_KEYS, *ANALYSIS_KEYS)
        if not re.search(rf"(^|[\s.\[{{]){re.escape(key)}(\s*=|[.\]])", strings, re.M)
    ]
    assert missing == []
