"""Small projects written into a temporary directory, as the analysis and CLI tests need.

A project root is a directory holding `.git/` (so cachelint never walks up into this
repository) and the given files. Several test modules wrote the same few lines each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Sequence

from cachelint.analysis.project import Project
from cachelint.cli import main
from cli_runner import cli_runner


def write_project(root: Path, files: Dict[str, str]) -> Path:
    """`root` made a project root holding `files` (name -> text); returns `root`."""
    (root / ".git").mkdir(exist_ok=True)
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def analysis_project(root: Path, files: Dict[str, str]) -> Project:
    """The analysis' `Project` of a new project holding `files`."""
    return Project(write_project(root, files))


def concise_findings(path: Path, select: Sequence[str]) -> str:
    """stdout of `cachelint --no-cache --select ... --output-format concise PATH`, run in
    process; any exit other than 0 (clean) or 1 (findings) fails the test."""
    result = cli_runner().invoke(
        main, ["--no-cache", "--select", ",".join(select), "--output-format", "concise", str(path)])
    assert result.exit_code in (0, 1), result.stderr
    return result.stdout
