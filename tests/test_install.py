"""README's Install commands, run as printed against a clone of this working tree.

The only change made to them: the repository's URL becomes the clone's `file://` URL (this
machine has no network but the package index), and `pip` is a fresh virtual environment's.
The clone gets the release tag the README names, so the pinned requirement
`cachelint-llm @ git+...@vX.Y.Z` is resolved, built and installed by pip itself; pip checks
that the name in the requirement is the distribution's. The wheel route builds a wheel in
the clone and installs it. Both installs of the same code must have the same code identity,
or a CI job that installs cachelint on every run would never find its cache warm.

Needs git and the package index (for the build backend and libcst); tens of seconds.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cachelint import __version__
from repo_snapshot import git, git_env, snapshot_clone

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
URL = "https://github.com/cachelint/cachelint"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs this repository's git checkout"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]


def _install_commands() -> list:
    section = README.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```", section, re.S | re.M)
    return [block.strip() for block in blocks]


def _run(command: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


def test_the_install_commands_work_as_printed(tmp_path: Path) -> None:
    env = git_env(tmp_path / "home")
    clone = tmp_path / "cachelint"
    snapshot_clone(clone, env)
    git(clone, env, "tag", f"v{__version__}")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    bin_dir = venv / "bin"
    env = {**env, "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", "VIRTUAL_ENV": str(venv)}
    env.pop("PYTHONPATH", None)
    from_git, from_wheel = _install_commands()

    def identity() -> str:
        code = "from cachelint.cache import code_id; print(code_id())"
        return _run(f"{bin_dir / 'python'} -c {shlex.quote(code)}", tmp_path, env).stdout.strip()

    # 1. the wheel, built in a checkout
    _run(from_wheel, clone, env)
    assert _run("cachelint version", tmp_path, env).stdout == f"cachelint {__version__}\n"
    first = identity()
    # 2. the release tag straight from git (after removing the wheel's install)
    _run("pip uninstall -y cachelint-llm", tmp_path, env)
    assert URL in from_git
    # (`file://localhost/...`: PEP 508 wants a host in a URL requirement, as github.com is)
    _run(from_git.replace(URL, f"file://localhost{clone.as_posix()}"), tmp_path, env)
    assert _run("cachelint version", tmp_path, env).stdout == f"cachelint {__version__}\n"
    assert identity() == first  # another install of the same code: the same cache identity
    listed = _run("pip list --format freeze", tmp_path, env).stdout
    assert f"cachelint-llm=={__version__}" in listed and "\ncachelint==" not in f"\n{listed}"
    # the installed command lints, notebooks included
    (tmp_path / "nb.ipynb").write_text(
        '{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],'
        ' "source": ["!ls\\n", "X = {\\"cache_control\\": {\\"type\\": \\"persistent\\"}}"]}],'
        ' "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n',
        encoding="utf-8",
    )
    done = subprocess.run("cachelint --no-cache --output-format concise nb.ipynb", shell=True, cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stdout.startswith("nb.ipynb:cell 1:2:32: CL007 "), done.stdout + done.stderr
