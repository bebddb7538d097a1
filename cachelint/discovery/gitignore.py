"""Which paths `.gitignore`, `.ignore` and `.git/info/exclude` files ignore.

Patterns use the one glob dialect of `cachelint.globs` (gitignore's own syntax), so this
module only adds what is specific to ignore files: reading lines (comments, `\\#`, `\\!`,
trailing spaces), negation with `!`, which directory a pattern is relative to, and the
order in which files override each other. As in ripgrep/ruff's `ignore` crate, lowest to
highest priority: `.git/info/exclude`, then `.gitignore` files from the top down, then
`.ignore` files from the top down; the last pattern that matches decides. Paths are tested
one at a time and ignored directories are pruned by the walker, which gives git's rule
that a file inside an ignored directory cannot be re-included.

Not supported (documented rather than half-done): the global `core.excludesFile`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import List, Optional, Pattern, Sequence, Tuple, Union

from cachelint.globs import compile_pattern

__all__ = [
    "IgnoreRule",
    "IgnoreFile",
    "IgnoreStack",
    "parse_ignore_lines",
    "read_ignore_file",
    "find_repo_root",
    "ignore_top",
]

GITIGNORE = ".gitignore"
IGNORE = ".ignore"


@dataclass(frozen=True)
class IgnoreRule:
    """One pattern line; `pattern` is relative to the ignore file's directory."""

    pattern: str
    negated: bool


@dataclass(frozen=True)
class IgnoreFile:
    """The rules of one ignore file and the directory (absolute, posix) they apply under."""

    base: str
    rules: Tuple[IgnoreRule, ...]

    @cached_property
    def _prefix(self) -> str:
        return self.base.rstrip("/") + "/"

    @cached_property
    def _compiled(self) -> Tuple[Tuple[Pattern[str], bool], ...]:
        """(regex, negated) per rule, last rule first: the last matching pattern decides."""
        return tuple((compile_pattern(r.pattern, False), r.negated) for r in reversed(self.rules))

    def decide(self, abs_posix: str, is_dir: bool) -> Optional[bool]:
        """True (ignored), False (re-included by `!`) or None (no pattern matches)."""
        prefix = self._prefix
        if abs_posix == self.base or not abs_posix.startswith(prefix):
            return None
        rel = abs_posix[len(prefix) :]
        if is_dir:
            rel += "/"
        for regex, negated in self._compiled:
            if regex.match(rel) is not None:
                return not negated
        return None


def parse_ignore_lines(text: str) -> List[IgnoreRule]:
    """The patterns of an ignore file, following gitignore(5)'s line syntax."""
    rules: List[IgnoreRule] = []
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        # Trailing spaces are dropped unless escaped with a backslash.
        stripped = line.rstrip(" ")
        if stripped.endswith("\\") and len(stripped) < len(line):
            stripped += " "
        line = stripped
        if not line or line.startswith("#"):
            continue
        negated = False
        if line.startswith("!"):
            negated = True
            line = line[1:]
        elif line.startswith("\\!") or line.startswith("\\#"):
            line = line[1:]
        if not line or line == "/":
            continue
        rules.append(IgnoreRule(line, negated))
    return rules


def read_ignore_file(path: Path, base: Path) -> Optional[IgnoreFile]:
    """The rules of `path` applying under `base`; None if absent, unreadable or empty.

    An unreadable ignore file is skipped, as git does (it warns, then carries on).
    """
    try:
        data = path.read_bytes()
    except OSError:
        return None
    rules = parse_ignore_lines(data.decode("utf-8", errors="replace"))
    if not rules:
        return None
    return IgnoreFile(base.as_posix(), tuple(rules))


def find_repo_root(start: Path) -> Optional[Path]:
    """The nearest ancestor (inclusive) holding `.git` (a directory, or a file in worktrees)."""
    for candidate in (start, *start.parents):
        # os.path.exists: Path.exists raises PermissionError in a directory that cannot be
        # searched (whose files are CL000 findings anyway)
        if os.path.exists(candidate / ".git"):
            return candidate
    return None


@dataclass(frozen=True)
class IgnoreStack:
    """The ignore files in force in one directory, lowest priority first."""

    excludes: Tuple[IgnoreFile, ...] = ()
    gitignores: Tuple[IgnoreFile, ...] = ()
    ignores: Tuple[IgnoreFile, ...] = ()

    def child(
        self, directory: Union[str, Path], names: Optional[Sequence[str]] = None
    ) -> "IgnoreStack":
        """The stack for `directory`, adding its own `.gitignore` and `.ignore`.

        `names` (the directory's entries, when the caller already listed them) saves a
        failed open per directory.
        """
        gitignores = self.gitignores
        ignores = self.ignores
        if names is None or GITIGNORE in names:
            directory = Path(directory)
            found = read_ignore_file(directory / GITIGNORE, directory)
            if found is not None:
                gitignores = gitignores + (found,)
        if names is None or IGNORE in names:
            directory = Path(directory)
            found = read_ignore_file(directory / IGNORE, directory)
            if found is not None:
                ignores = ignores + (found,)
        if gitignores is self.gitignores and ignores is self.ignores:
            return self
        return IgnoreStack(self.excludes, gitignores, ignores)

    @cached_property
    def _files(self) -> Tuple[IgnoreFile, ...]:
        """Every ignore file in force, highest priority first."""
        return (*self.excludes, *self.gitignores, *self.ignores)[::-1]

    @property
    def active(self) -> bool:
        """False when no ignore file is in force (nothing can be ignored)."""
        return bool(self.excludes or self.gitignores or self.ignores)

    def is_ignored(self, path: Union[str, Path], is_dir: bool) -> bool:
        """True when the last matching pattern of all files in force ignores `path`
        (absolute; a string is taken as a posix path)."""
        abs_posix = path if isinstance(path, str) else path.as_posix()
        for ignore_file in self._files:
            decided = ignore_file.decide(abs_posix, is_dir)
            if decided is not None:
                return decided
        return False

    @classmethod
    def for_directory(cls, directory: Path, top: Optional[Path] = None) -> "IgnoreStack":
        """The stack in force in `directory`, reading ignore files from `top` down to it.

        `top` defaults to the enclosing git repository's root (a `.gitignore` above the
        repository does not apply to it in git), or `directory` itself outside a repository.
        """
        repo = find_repo_root(directory)
        if top is None:
            top = repo if repo is not None else directory
        stack = cls()
        if repo is not None and os.path.isdir(repo / ".git"):
            exclude = read_ignore_file(repo / ".git" / "info" / "exclude", repo)
            if exclude is not None:
                stack = cls(excludes=(exclude,))
        chain: List[Path] = []
        current = directory
        while True:
            chain.append(current)
            if current == top or current.parent == current:
                break
            current = current.parent
        if chain[-1] != top:  # `top` is not an ancestor: only the directory's own files
            chain = [directory]
        for d in reversed(chain):
            stack = stack.child(d)
        return stack


def _is_ancestor(parent: Path, child: Path) -> bool:
    try:
        child.relative_to(parent)
        return True
    except ValueError:
        return False


def ignore_top(directory: Path, project_root: Optional[Path]) -> Path:
    """Highest directory whose ignore files apply to a walk starting at `directory`.

    The enclosing git repository's root; outside a repository the project root when it
    contains `directory` (a project that is not under git may still keep a `.gitignore`),
    else the directory itself.
    """
    repo = find_repo_root(directory)
    if repo is not None:
        return repo
    if project_root is not None and _is_ancestor(project_root, directory):
        return project_root
    return directory
