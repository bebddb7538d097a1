"""The real `pre-commit` running this repository's hook on a temporary git repository.

Failing case: `pre-commit try-repo <this repo> cachelint --all-files` on a repository whose
committed file has a CL007 finding; the hook fails and prints the finding.

Fixing case: `try-repo` cannot pass hook arguments, so the fixing hook is configured as a
user would, in `.pre-commit-config.yaml` with `args: [--fix]`, pointing at a snapshot of
this repository's working tree (the same snapshot `try-repo` makes when there are
uncommitted changes); pre-commit reports that the hook modified files and the file is fixed.

pre-commit builds each hook environment by pip-installing this repository (network to the
package index needed; tens of seconds). `try-repo` always builds in a fresh store of its
own; the fixing case uses a `PRE_COMMIT_HOME` private to this module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest

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


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory, home: Path) -> Iterator[Tuple[str, str]]:
    """(repo, rev) holding this working tree, tracked files as they are now (like try-repo)."""
    env = _env(home)
    if not _git(REPO, env, "status", "--porcelain", "--untracked-files=no").strip():
        yield str(REPO), _git(REPO, env, "rev-parse", "HEAD").strip()
        return
    shadow = tmp_path_factory.mktemp("shadow") / "repo"
    _git(REPO.parent, env, "clone", "-q", str(REPO), str(shadow))
    tracked: List[str] = [p for p in _git(REPO, env, "ls-files", "-z").split("\0") if p]
    for rel in tracked:
        source, target = REPO / rel, shadow / rel
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        elif target.exists():
            target.unlink()
    _git(shadow, env, "add", "-A")
    _git(shadow, env, "commit", "-q", "--allow-empty", "-m", "working tree")
    yield str(shadow), _git(shadow, env, "rev-parse", "HEAD").strip()


def test_try_repo_fails_and_prints_the_finding(tmp_path: Path, home: Path) -> None:
    env = _env(home)
    sample = _sample_repo(tmp_path / "sample", env)
    code, output = _pre_commit(sample, env, "try-repo", str(REPO), "cachelint", "--all-files")
    assert code == 1, output
    assert "cachelint" in output and "Failed" in output
    assert "app.py:1:32" in output and "CL007" in output
    assert "notes.txt" not in output
    assert (sample / "app.py").read_text() == BAD


def test_the_fixing_hook_fixes_and_pre_commit_reports_modified_files(
    tmp_path: Path, home: Path, snapshot: Tuple[str, str]
) -> None:
    env = _env(home)
    repo, rev = snapshot
    config = (
        "repos:\n"
        f"  - repo: {repo}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: cachelint\n"
        "        args: [--fix]\n"
    )
    sample = _sample_repo(tmp_path / "sample", env, {".pre-commit-config.yaml": config})
    code, output = _pre_commit(sample, env, "run", "--all-files")
    assert code == 1, output
    assert "files were modified by this hook" in output
    assert (sample / "app.py").read_text() == FIXED
    assert (sample / "notes.txt").read_text() == BAD
    again_code, again = _pre_commit(sample, env, "run", "--all-files")
    assert again_code == 0, again
    assert "Passed" in again
