"""The Python API: `cachelint.lint_source` and `cachelint.lint_paths`.

What a caller relies on: the documented fields of each finding, both forms of `config`,
bad input as a finding (never an exception), the same cross-module analysis as the command
line, nothing written to disk, the linted code never run, and `import cachelint` staying
cheap (no libcst, no analysis).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest

import cachelint
from cachelint import ConfigError, Diagnostic, Location

ROOT = Path(__file__).resolve().parents[1]

PROMPTS = 'SUPPORT_PROMPT = "You are the support assistant of Example Corp. " + "Cite the policy. " * 400\n'
# Creates a file if it is ever executed: the API must only read it.
APP = '''import anthropic

from prompts import SUPPORT_PROMPT

open("EXECUTED", "w").close()
client = anthropic.Anthropic()


def ask(question):
    return client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=SUPPORT_PROMPT,
        messages=[{"role": "user", "content": question}],
    )
'''
CL001_AT = (Location(13, 16), Location(13, 30))  # `SUPPORT_PROMPT` in `system=`
BAD_TTL = 'import anthropic\n\nX = {"cache_control": {"type": "ephemeral", "ttl": "10m"}}\n'


def write(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def snapshot(root: Path) -> Dict[str, float]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*")}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository holding a prompt module and the module that sends it; the working
    directory (relative paths, the project root without config) is its root."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    write(root, {"prompts.py": PROMPTS, "app.py": APP})
    monkeypatch.chdir(root)
    return root


def codes(diagnostics: list) -> list:
    return [d.code for d in diagnostics]


# --- lint_source ---------------------------------------------------------------------------


def test_lint_source_returns_the_documented_fields(project: Path) -> None:
    before = snapshot(project)
    found = cachelint.lint_source(APP, "app.py")
    assert codes(found) == ["CL001"]
    (d,) = found
    assert isinstance(d, Diagnostic)
    assert d.name == "uncached-static-prompt"
    assert "without a cache breakpoint" in d.message
    assert d.filename == str(project / "app.py") == d.path
    assert (d.location, d.end_location) == CL001_AT
    assert d.fix is not None and d.fix.applicability.value == "safe"
    assert d.fix.edits and all(edit.path == d.filename for edit in d.fix.edits)
    assert any("cache_control" in edit.content for edit in d.fix.edits)
    assert d.url is not None and d.url.endswith(".md")
    # Read, never run, and nothing written: no cache, no fix applied, no `EXECUTED`.
    assert snapshot(project) == before


def test_lint_source_lints_the_text_given_not_the_file(project: Path) -> None:
    """An editor buffer: the file on disk is older than the text being linted."""
    fixed = APP.replace("system=SUPPORT_PROMPT,", 'system=[{"type": "text", "text": SUPPORT_PROMPT, '
                        '"cache_control": {"type": "ephemeral"}}],')
    assert cachelint.lint_source(fixed, project / "app.py") == []
    assert codes(cachelint.lint_source(BAD_TTL, "not/on/disk.py")) == ["CL007"]


def test_lint_source_default_path_and_bytes(project: Path) -> None:
    (d,) = cachelint.lint_source(BAD_TTL)
    assert d.filename == str(project / "<stdin>.py")
    latin1 = '# -*- coding: latin-1 -*-\nimport anthropic\nNAME = "café"\n' + BAD_TTL.split("\n", 2)[2]
    (d,) = cachelint.lint_source(latin1.encode("latin-1"), "legacy.py")
    assert d.code == "CL007" and d.location.row == 4


def test_a_syntax_error_is_a_cl000_finding_not_an_exception(project: Path) -> None:
    (d,) = cachelint.lint_source("import anthropic\nx = (\n", "broken.py")
    assert d.code == "CL000" and d.name == "invalid-source"
    assert d.message.startswith("syntax error:") and d.location.row == 2
    (d,) = cachelint.lint_source(b"x = '\xff\xfe'\n", "binary.py")
    assert d.code == "CL000"


def test_suppression_comments_apply(project: Path) -> None:
    quiet = BAD_TTL.rstrip("\n") + "  # cachelint: ignore[CL007]\n"
    assert cachelint.lint_source(quiet, "quiet.py") == []


# --- config --------------------------------------------------------------------------------


def test_config_as_a_dict_is_the_whole_configuration(project: Path) -> None:
    write(project, {"pyproject.toml": '[tool.cachelint]\nignore = ["CL001"]\n'})
    assert cachelint.lint_source(APP, "app.py") == []  # the project's config applies
    # A dict replaces the config files: the project's `ignore` is not read.
    assert codes(cachelint.lint_source(APP, "app.py", config={})) == ["CL001"]
    assert cachelint.lint_source(APP, "app.py", config={"ignore": ["CL001"]}) == []
    # Tuples where TOML has arrays; the same keys as [tool.cachelint]
    assert codes(cachelint.lint_source(APP + BAD_TTL.split("\n", 2)[2], "app.py",
                                       config={"select": ("CL007",)})) == ["CL007"]
    assert cachelint.lint_source(APP, "app.py", config={"per-file-ignores": {"app.py": ["CL001"]}}) == []


def test_config_dict_mistakes_raise_config_error(project: Path) -> None:
    with pytest.raises(ConfigError, match=r"<config>: selct: unknown setting `selct`; did you mean `select`\?"):
        cachelint.lint_source(APP, config={"selct": ["CL001"]})
    with pytest.raises(ConfigError, match="select"):
        cachelint.lint_source(APP, config={"select": "CL001"})
    with pytest.raises(ConfigError, match="extend"):
        cachelint.lint_source(APP, config={"extend": "pyproject.toml"})
    with pytest.raises(TypeError):
        cachelint.lint_source(APP, config=["select"])  # type: ignore[arg-type]


def test_config_as_a_path(project: Path) -> None:
    write(project, {"ci/strict.toml": 'ignore = ["CL001"]\n', "ci/pyproject.toml": "[project]\nname = 'x'\n"})
    assert cachelint.lint_source(APP, "app.py", config="ci/strict.toml") == []
    assert cachelint.lint_paths(["."], config=project / "ci" / "strict.toml") == []
    with pytest.raises(ConfigError, match="missing.toml: No such file"):
        cachelint.lint_source(APP, config="missing.toml")
    with pytest.raises(ConfigError, match="a directory"):
        cachelint.lint_source(APP, config="ci")
    with pytest.raises(ConfigError, match=r"no \[tool.cachelint\] table"):
        cachelint.lint_source(APP, config="ci/pyproject.toml")
    # a path is never read as inline TOML, even when it looks like it
    with pytest.raises(ConfigError, match="No such file"):
        cachelint.lint_source(APP, config='select = ["CL001"]')


# --- lint_paths ----------------------------------------------------------------------------


def test_lint_paths_on_a_small_project(project: Path) -> None:
    write(project, {"settings.py": BAD_TTL})
    before = snapshot(project)
    found = cachelint.lint_paths(["."])
    # CL001 needs the prompt from the other module: the cross-module analysis ran.
    assert [(Path(d.filename).name, d.code) for d in found] == [("app.py", "CL001"), ("settings.py", "CL007")]
    assert all(os.path.isabs(d.filename) for d in found)
    assert snapshot(project) == before  # no .cachelint_cache, nothing fixed, nothing run
    assert found == cachelint.lint_paths(project)  # one path, not a list
    assert found == cachelint.lint_paths([project / "app.py", "settings.py"])


def test_lint_paths_reports_what_it_cannot_lint(project: Path) -> None:
    found = cachelint.lint_paths(["app.py", "missing.py"])
    assert [(Path(d.filename).name, d.code) for d in found] == [("app.py", "CL001"), ("missing.py", "CL000")]
    assert found[1].message == "cannot lint: No such file or directory"


def test_lint_paths_honours_excludes_and_config(project: Path) -> None:
    write(project, {"generated/out.py": BAD_TTL, "settings.py": BAD_TTL})
    found = cachelint.lint_paths(".", config={"extend-exclude": ["generated"], "select": ["CL007"]})
    assert [Path(d.filename).name for d in found] == ["settings.py"]


def test_lint_paths_with_worker_processes_gets_the_same_answer(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the pool threshold the config dict must reach the worker processes too."""
    import cachelint.runner.lint as runner

    write(project, {f"pkg/m{i:02}.py": BAD_TTL for i in range(40)})
    config = {"select": ["CL007"], "extend-exclude": ["pkg/m0*"]}
    pooled = []

    def spy(todo: list, *args: object, **kwargs: object) -> dict:
        pooled.append(len(todo))
        return real(todo, *args, **kwargs)

    real = runner._pooled
    monkeypatch.setattr(runner, "_pooled", spy)
    in_process = cachelint.lint_paths(["pkg"], config=config)
    assert len(in_process) == 30 and pooled == []  # jobs=1: no child process
    assert cachelint.lint_paths(["pkg"], config=config, jobs=2) == in_process
    assert pooled == [30]


# --- import cost ---------------------------------------------------------------------------


def test_importing_cachelint_imports_no_analysis_and_no_libcst() -> None:
    code = (
        "import sys, cachelint\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('libcst', 'click')"
        " or m.startswith(('cachelint.analysis', 'cachelint.engine', 'cachelint.rules', 'cachelint.config.loader'))]\n"
        "print(heavy)\n"
        "assert callable(cachelint.lint_source) and callable(cachelint.lint_paths)\n"
        "cachelint.Diagnostic, cachelint.ConfigError\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_the_public_names() -> None:
    assert set(cachelint.__all__) <= set(dir(cachelint))
    with pytest.raises(AttributeError):
        cachelint.no_such_name  # noqa: B018
