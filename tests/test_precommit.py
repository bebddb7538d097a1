"""The real `pre-commit` running this repository's hook on a temporary git repository.

Failing case: `pre-commit try-repo <this repo> cachelint --all-files` on a repository whose
committed file has a CL007 finding; the hook fails and prints the finding.

Fixing case: the configuration README.md prints, as printed (`rev:` the release tag,
`args: [--fix]`), with the repository's URL replaced by a clone of this working tree that
holds that tag (the same snapshot `try-repo` makes when there are uncommitted changes); the
ruff-pre-commit entry is left out (this machine reaches no git host). pre-commit reports
that the hook modified files, and the Python file and the notebook are fixed.

pre-commit builds each hook environment by pip-installing this repository (network to the
package index needed; tens of seconds). `try-repo` always builds in a fresh store of its
own; the fixing case uses a `PRE_COMMIT_HOME` private to this module.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Tuple

import pytest
from repo_snapshot import snapshot_clone

REPO = Path(__file__).resolve().parents[1]
BAD = 'X = {"cache_control": {"type": "persistent"}}\n'
FIXED = BAD.replace("persistent", "ephemeral")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs this repository's git checkout"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]


def _env(home: Path) -> Dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "CACHELINT_", "PRE_COMMIT"))
    }
    env.update(
        {
            "PRE_COMMIT_HOME": str(home),
            "PRE_COMMIT_COLOR": "never",
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            # the user's git configuration (signing, hooks) must not leak into the sample repos
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": str(home.parent / "gitconfig"),
        }
    )
    return env


def _git(cwd: Path, env: Dict[str, str], *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _pre_commit(cwd: Path, env: Dict[str, str], *args: str) -> Tuple[int, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("pre-commit")
    (base / "gitconfig").write_text("", encoding="utf-8")
    return base / "home"


def _sample_repo(root: Path, env: Dict[str, str], extra: Dict[str, str] = {}) -> Path:
    root.mkdir()
    _git(root, env, "init", "-q")
    (root / "app.py").write_text(BAD, encoding="utf-8")
    (root / "notes.txt").write_text(BAD, encoding="utf-8")  # not Python: the hook never sees it
    for name, text in extra.items():
        (root / name).write_text(text, encoding="utf-8")
    _git(root, env, "add", "-A")
    _git(root, env, "commit", "-q", "-m", "sample")
    return root


README = (REPO / "README.md").read_text(encoding="utf-8")
URL = "https://github.com/cachelint/cachelint"


def readme_config(repo: str) -> Tuple[str, str]:
    """(README's pre-commit configuration with only this repository's entry, pointing at
    `repo`; the rev it names)."""
    yaml = pytest.importorskip("yaml")
    section = README.split("\n## pre-commit\n", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"^```yaml\n(.*?)^```", section, re.S | re.M)
    entries = [r for r in yaml.safe_load(block)["repos"] if r["repo"] == URL]
    assert len(entries) == 1
    entry = dict(entries[0], repo=repo)
    return yaml.safe_dump({"repos": [entry]}, sort_keys=False), entry["rev"]


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory, home: Path) -> Tuple[str, str]:
    """(a clone of this working tree holding README's tag, the configuration for it)."""
    env = _env(home)
    clone = tmp_path_factory.mktemp("tagged") / "cachelint"
    snapshot_clone(clone, env)
    config, rev = readme_config(str(clone))
    _git(clone, env, "tag", rev)
    return str(clone), config


def test_try_repo_fails_and_prints_the_finding(tmp_path: Path, home: Path) -> None:
    env = _env(home)
    sample = _sample_repo(tmp_path / "sample", env)
    code, output = _pre_commit(sample, env, "try-repo", str(REPO), "cachelint", "--all-files")
    assert code == 1, output
    assert "cachelint" in output and "Failed" in output
    assert "app.py:1:32" in output and "CL007" in output
    assert "notes.txt" not in output
    assert (sample / "app.py").read_text() == BAD


def test_the_readme_configuration_fixes_and_pre_commit_reports_modified_files(
    tmp_path: Path, home: Path, tagged: Tuple[str, str]
) -> None:
    from cachelint import __version__

    env = _env(home)
    _, config = tagged
    assert f"rev: v{__version__}\n" in config and "args:\n    - --fix\n" in config
    notebook = (
        '{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],'
        ' "source": ["%pip install anthropic\\n", "' + BAD.strip().replace('"', '\\"') + '"]}],'
        ' "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
    )
    sample = _sample_repo(tmp_path / "sample", env, {".pre-commit-config.yaml": config, "nb.ipynb": notebook})
    code, output = _pre_commit(sample, env, "run", "--all-files")
    assert code == 1, output
    assert "files were modified by this hook" in output
    assert (sample / "app.py").read_text() == FIXED
    assert (sample / "nb.ipynb").read_text() == notebook.replace("persistent", "ephemeral")
    assert (sample / "notes.txt").read_text() == BAD
    again_code, again = _pre_commit(sample, env, "run", "--all-files")
    assert again_code == 0, again
    assert "Passed" in again
