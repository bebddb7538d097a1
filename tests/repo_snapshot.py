"""A clone of this repository holding the working tree as it is now, for tests that install
cachelint the way a user does (pip from git, pre-commit from a tag).

Tracked and untracked (not ignored) files are copied over a fresh clone and committed, as
`pre-commit try-repo` does with uncommitted changes; a tag can then be created in the clone,
never in the repository itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List

REPO = Path(__file__).resolve().parents[1]


def git_env(home: Path) -> Dict[str, str]:
    """An environment where git commits work and the user's git configuration does not leak in."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "gitconfig").write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "CACHELINT_", "PRE_COMMIT"))}
    env.update(
        {
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
        }
    )
    return env


def git(cwd: Path, env: Dict[str, str], *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args],
        cwd=cwd, env=env, check=True, capture_output=True, text=True,
    ).stdout


def snapshot_clone(dest: Path, env: Dict[str, str]) -> str:
    """Clone this repository into `dest` with the working tree committed; the commit."""
    git(REPO.parent, env, "clone", "-q", str(REPO), str(dest))
    files: List[str] = [
        p for p in git(REPO, env, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0") if p
    ]
    for rel in files:
        source, target = REPO / rel, dest / rel
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        elif target.exists():
            target.unlink()
    git(dest, env, "add", "-A")
    git(dest, env, "commit", "-q", "--allow-empty", "-m", "working tree")
    return git(dest, env, "rev-parse", "HEAD").strip()
