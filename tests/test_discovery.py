"""File discovery: the glob dialect, gitignore semantics, excludes, explicit paths, symlinks.

Trees are real directories under `tmp_path`; results are compared as paths relative to the
tree so failures read well.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import pytest

from cachelint.config.loader import CliOverrides, ConfigResolver
from cachelint.discovery.walk import discover, is_generated
from cachelint.discovery.gitignore import parse_ignore_lines
from cachelint.globs import compile_pattern, match_path, rebase_pattern


def write(root: Path, files: Dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def found(
    root: Path,
    paths: Sequence[str] = (".",),
    *,
    force_exclude: Optional[bool] = None,
    cwd: Optional[Path] = None,
    **overrides,
) -> List[str]:
    resolver = ConfigResolver(cwd or root, CliOverrides(**overrides))
    result = discover(list(paths), resolver, force_exclude=force_exclude)
    real = root.resolve()
    return [p.relative_to(real).as_posix() for p in result.files]


# --- the glob dialect ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "path, pattern, expected",
    [
        ("a/tests/b.py", "tests", True),  # no `/`: any component
        ("tests", "tests", True),
        ("a/testsx/b.py", "tests", False),
        ("a/b/x_pb2.py", "*_pb2.py", True),
        ("src/x.py", "src/*.py", True),
        ("src/sub/x.py", "src/*.py", False),  # `*` never crosses `/` (ruff#21425)
        ("a/src/x.py", "src/*.py", False),  # a `/` anchors the pattern
        ("src/a/b/c.py", "src/**/*.py", True),
        ("src/c.py", "src/**/*.py", True),  # `**` spans zero directories too
        ("x/y/z.py", "**/z.py", True),
        ("src/a/b", "src/**", True),
        ("build/", "build/", True),  # trailing `/`: directories only
        ("build", "build/", False),
        ("build/x.py", "build/", True),  # what is inside a matched directory
        ("top.py", "/top.py", True),
        ("a/top.py", "/top.py", False),
        ("a.py", "?.py", True),
        ("ab.py", "?.py", False),
        ("a/b.py", "a?b.py", False),  # `?` never matches `/`
        ("b.py", "[ab].py", True),
        ("c.py", "[!ab].py", True),
        ("a.py", "[!ab].py", False),
        ("a*b.py", r"a\*b.py", True),
        ("axb.py", r"a\*b.py", False),
        ("./src/x.py", "./src/*.py", True),
        ("a/x.py", "**", True),
    ],
)
def test_match_path(path: str, pattern: str, expected: bool) -> None:
    assert match_path(path, pattern) is expected


def test_exact_mode_does_not_match_inside_directories() -> None:
    assert match_path("a/tests/b.py", "tests", descendants=False) is False
    assert match_path("a/tests/", "tests", descendants=False) is True
    assert match_path("build/x.py", "build/", descendants=False) is False


def test_patterns_are_compiled_once() -> None:
    assert compile_pattern("src/**/*.py") is compile_pattern("src/**/*.py")


@pytest.mark.parametrize(
    "pattern, prefix, expected",
    [
        ("pkg/tests/*.py", ["pkg"], ["/tests/*.py"]),
        ("*/tests/*.py", ["pkg"], ["/tests/*.py"]),
        ("other/*.py", ["pkg"], []),
        ("pkg/", ["pkg", "sub"], ["**"]),
        ("*_pb2.py", ["pkg"], ["*_pb2.py"]),
        ("pkg", ["pkg"], ["**"]),
        ("**/gen/*.py", ["a", "b"], ["/**/gen/*.py"]),
    ],
)
def test_rebase_pattern(pattern: str, prefix: List[str], expected: List[str]) -> None:
    assert rebase_pattern(pattern, prefix) == expected


# --- walking ------------------------------------------------------------------------------
def test_walk_takes_python_files_and_default_excludes(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a.py": "",
            "b.pyi": "",
            "notes.txt": "",
            "pkg/c.py": "",
            ".venv/lib/d.py": "",
            "node_modules/e.py": "",
            "pkg/build/f.py": "",
            "pkg/__pycache__/g.py": "",
            "pkg/builder/h.py": "",
        },
    )
    assert found(tmp_path) == ["a.py", "b.pyi", "pkg/builder/h.py", "pkg/c.py"]


def test_exclude_replaces_defaults_and_extend_exclude_adds(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"cachelint.toml": 'exclude = ["gen"]\n', "gen/a.py": "", "build/b.py": "", "c.py": ""},
    )
    assert found(tmp_path) == ["build/b.py", "c.py"]
    write(
        tmp_path,
        {
            "cachelint.toml": 'extend-exclude = ["/c.py", "src/*.py"]\n',
            "src/d.py": "",
            "src/sub/e.py": "",
        },
    )
    assert found(tmp_path) == ["gen/a.py", "src/sub/e.py"]


def test_nested_config_excludes_apply_to_their_subtree(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "cachelint.toml": 'extend-exclude = ["skip_top"]\n',
            "pkg/cachelint.toml": 'extend-exclude = ["/local.py"]\n',
            "pkg/local.py": "",
            "pkg/skip_top/a.py": "",  # the nested config does not inherit the parent's excludes
            "local.py": "",
            "skip_top/b.py": "",
        },
    )
    assert found(tmp_path) == ["local.py", "pkg/skip_top/a.py"]


def test_explicit_paths(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "build/x.py": "",
            "script": "",
            "a.py": "",
            "cachelint.toml": 'extend-exclude = ["a.py"]\n',
        },
    )
    # Named files are linted even when excluded and whatever their extension.
    assert found(tmp_path, ["build/x.py", "script", "a.py"]) == ["a.py", "build/x.py", "script"]
    # A directory walk still excludes.
    assert found(tmp_path) == []
    # Duplicates collapse.
    assert found(tmp_path, ["script", "./script", str(tmp_path / "script")]) == ["script"]


def test_force_exclude_on_explicit_paths(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "build/x.py": "",
            "gen/y.py": "",
            "ok.py": "",
            "cachelint.toml": 'extend-exclude = ["gen/"]\n',
        },
    )
    args = ["build/x.py", "gen/y.py", "ok.py"]
    assert found(tmp_path, args, force_exclude=True) == ["ok.py"]
    assert found(tmp_path, ["build"], force_exclude=True) == []  # an excluded directory, too
    assert found(tmp_path, ["build"]) == ["build/x.py"]  # named directories are walked
    # From the settings (as pre-commit's hook entry would set it) and overridable by the CLI.
    write(tmp_path, {"cachelint.toml": 'extend-exclude = ["gen/"]\nforce-exclude = true\n'})
    assert found(tmp_path, args) == ["ok.py"]
    assert found(tmp_path, args, force_exclude=False) == ["build/x.py", "gen/y.py", "ok.py"]


def test_errors_do_not_stop_discovery(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": ""})
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing.py")
    resolver = ConfigResolver(tmp_path, CliOverrides())
    result = discover(["nope.py", ".", "dangling.py"], resolver)
    assert result.files == [tmp_path.resolve() / "a.py"]
    assert ("nope.py", "No such file or directory") in result.errors
    assert ("dangling.py", "Broken symbolic link") in result.errors
    assert ("./dangling.py", "Broken symbolic link") in result.errors  # met during the walk


def test_symlink_loop_and_symlinked_directories(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/a.py": "", "elsewhere/b.py": ""})
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path / "pkg", target_is_directory=True)
    (tmp_path / "pkg" / "link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "pkg" / "alias.py").symlink_to(tmp_path / "elsewhere" / "b.py")
    # Walking does not follow directory links; a file link counts once, by its real path.
    assert found(tmp_path, ["pkg"]) == ["elsewhere/b.py", "pkg/a.py"]
    # A symlink named explicitly is resolved.
    assert found(tmp_path, ["pkg/link"]) == ["elsewhere/b.py"]


def test_unreadable_directory(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": "", "locked/b.py": ""})
    locked = tmp_path / "locked"
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("permissions are not enforced for this user (root)")
        resolver = ConfigResolver(tmp_path, CliOverrides())
        result = discover(["."], resolver)
        assert result.files == [tmp_path.resolve() / "a.py"]
        assert result.errors == [("./locked", "Permission denied")]
    finally:
        locked.chmod(0o755)


def test_unreadable_directory_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same as above, for root, where chmod 000 does not stop reading."""
    write(tmp_path, {"a.py": "", "locked/b.py": "", "locked2/c.py": ""})
    real_scandir = os.scandir
    locked = tmp_path.resolve() / "locked"

    def scandir(path):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    resolver = ConfigResolver(tmp_path, CliOverrides())
    result = discover(["."], resolver)
    assert [p.name for p in result.files] == ["a.py", "c.py"]
    assert result.errors == [("./locked", "Permission denied")]


# --- gitignore ----------------------------------------------------------------------------
def test_gitignore_semantics(tmp_path: Path) -> None:
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("private.py\n")
    write(
        tmp_path,
        {
            ".gitignore": """
            # comment
            *.gen.py
            !keep.gen.py
            /root_only.py
            logs/
            docs/*.py
        """,
            "a.py": "",
            "x.gen.py": "",
            "keep.gen.py": "",
            "root_only.py": "",
            "sub/root_only.py": "",  # anchored: only at the .gitignore's level
            "logs/a.py": "",  # directory-only pattern
            "sub/logs": "",  # a file named logs is not matched by `logs/`
            "docs/d.py": "",
            "docs/deep/e.py": "",  # `*` does not cross `/`
            "private.py": "",
            "nested/.gitignore": "b.py\n!x.gen.py\n",
            "nested/b.py": "",
            "nested/x.gen.py": "",  # re-included by the nested file
            "nested/c.py": "",
            "other/b.py": "",  # the nested file applies to its subtree only
            "ign/.ignore": "c.py\n",
            "ign/c.py": "",
            "ign/.gitignore": "!c.py\n",
        },
    )
    assert found(tmp_path) == [
        "a.py",
        "docs/deep/e.py",
        "keep.gen.py",
        "nested/c.py",
        "nested/x.gen.py",
        "other/b.py",
        "sub/root_only.py",
    ]


def test_gitignored_parent_cannot_be_reincluded(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, {".gitignore": "out/\n!out/keep.py\n", "out/keep.py": "", "a.py": ""})
    assert found(tmp_path) == ["a.py"]


def test_respect_gitignore_off(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, {".gitignore": "*.py\n", "a.py": ""})
    assert found(tmp_path) == []
    assert found(tmp_path, respect_gitignore=False) == ["a.py"]
    write(tmp_path, {"cachelint.toml": "respect-gitignore = false\n"})
    assert found(tmp_path) == ["a.py"]


def test_parent_gitignore_applies_when_walking_a_subdirectory(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, {".gitignore": "src/gen/\n", "src/gen/a.py": "", "src/b.py": ""})
    assert found(tmp_path, ["."], cwd=tmp_path / "src") == ["src/b.py"]


def test_gitignore_outside_the_repository_does_not_apply(tmp_path: Path) -> None:
    write(tmp_path, {".gitignore": "*.py\n", "repo/a.py": ""})
    (tmp_path / "repo" / ".git").mkdir()
    assert found(tmp_path, ["."], cwd=tmp_path / "repo") == ["repo/a.py"]


def test_gitignored_explicit_file_is_linted(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, {".gitignore": "a.py\n", "a.py": ""})
    assert found(tmp_path, ["a.py"]) == ["a.py"]


def test_parse_ignore_lines() -> None:
    rules = parse_ignore_lines("# c\n\n\\#hash\n\\!bang\n!neg\ntrail  \nesc\\ \n/\n")
    assert [(r.pattern, r.negated) for r in rules] == [
        ("#hash", False),
        ("!bang", False),
        ("neg", True),
        ("trail", False),
        ("esc\\ ", False),
    ]
    assert match_path("esc ", rules[-1].pattern)


# --- generated files ----------------------------------------------------------------------
MARKER = "@" + "generated"  # split so this test file is not itself "generated"


@pytest.mark.parametrize(
    "head, expected",
    [
        (f"# {MARKER}\nx = 1\n", True),
        (f'"""Module.\n\n{MARKER} by tool\n"""\n', True),
        (f"#!/usr/bin/env python\n# This file is {MARKER}. Run make.\n", False),
        (f"# -*- coding: utf-8 -*-\n# {MARKER} SignedSource<<abc>>\n", True),
        ("# Generated by the protocol buffer compiler.  DO NOT EDIT!\n", True),
        ("# Code generated by sqlc. DO NOT EDIT.\n", True),
        ("# Automatically generated by tool\n# DO NOT EDIT\n", True),
        (f"x = '{MARKER}'\n", False),  # mentioned in code, not a marker
        ("# DO NOT EDIT this list by hand, it is sorted\n", False),  # no "generated"
        ("msg = 'generated, DO NOT EDIT'\n", False),
        ("x = 1\n" * 1000 + f"# {MARKER}\n", False),  # beyond the first 4 KB
    ],
)
def test_is_generated(head: str, expected: bool) -> None:
    assert is_generated(head.encode()) is expected


def test_generated_files_are_skipped(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a.py": "",
            "gen_pb2.py": "# Generated by the protocol buffer compiler.  DO NOT EDIT!\n",
            "b.py": f"# {MARKER}\n",
        },
    )
    assert found(tmp_path) == ["a.py"]
    assert found(tmp_path, ["b.py"]) == ["b.py"]  # named explicitly
    assert found(tmp_path, ["b.py"], force_exclude=True) == []
    write(tmp_path, {"cachelint.toml": "include-generated = true\n"})
    assert found(tmp_path) == ["a.py", "b.py", "gen_pb2.py"]
