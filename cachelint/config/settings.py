"""Resolved settings for a file: what the configuration loader produces and the engine reads.

`Settings` is immutable and picklable, so worker processes receive it once. Its
`fingerprint` keys the result cache: any change of selection, options or data tables
invalidates cached results.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Iterator, Mapping, Optional, Tuple

from cachelint.tables import Tables, default_tables

DEFAULT_EXCLUDES: Tuple[str, ...] = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".cachelint_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
    "__pycache__",
    ".pytest_cache",
)


class ConfigError(Exception):
    """A configuration problem, reported as one line and exit code 2.

    `path` is the config file, `key` the dotted key path, `expected` what was expected.
    """

    def __init__(self, path: Optional[str], key: Optional[str], message: str) -> None:
        self.path = path
        self.key = key
        self.message = message
        where = path or "<command line>"
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")


class DefaultRuleOptions(Mapping[str, Any]):
    """`Settings.rule_options` when no config sets a rule option: every rule's options class
    at its defaults, built on first use by `build` (`cachelint.registry.default_options`,
    given by the config loader: settings sit below the rules and never import them).
    Building it imports the rules (and the request analysis they import), which a run
    answered from the cache never needs."""

    def __init__(self, build: Callable[[], Dict[str, Any]]) -> None:
        self._build = build
        self._options: Optional[Dict[str, Any]] = None

    def _load(self) -> Dict[str, Any]:
        if self._options is None:
            self._options = self._build()
        return self._options

    def __getitem__(self, code: str) -> Any:
        return self._load()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __repr__(self) -> str:
        return repr(self._load())


@dataclass(frozen=True)
class AnalysisOptions:
    """Knobs of the request analysis (`[tool.cachelint.analysis]`)."""

    #: How many levels of project helper functions are followed from an entry function.
    max_call_depth: int = 3
    #: Directories (relative to the project root) prompt files may be read from; empty
    #: means anywhere under the project root. Never outside it.
    prompt_paths: Tuple[str, ...] = ()
    #: Prompt files larger than this are measured by size only, not read.
    max_prompt_file_bytes: int = 4_000_000


@dataclass(frozen=True)
class Settings:
    project_root: Path
    config_path: Optional[Path] = None
    select: FrozenSet[str] = frozenset()
    per_file_ignores: Tuple[Tuple[str, FrozenSet[str]], ...] = ()
    exclude: Tuple[str, ...] = DEFAULT_EXCLUDES
    extend_exclude: Tuple[str, ...] = ()
    respect_gitignore: bool = True
    force_exclude: bool = False
    #: `fix = true`: fix on every run (`--no-fix` turns it off); `fix-only`: fix and do not
    #: report what remains (`--fix-only`). Read from the working directory's settings.
    fix: Optional[bool] = None
    fix_only: Optional[bool] = None
    unsafe_fixes: Optional[bool] = None
    fixable: Optional[FrozenSet[str]] = None
    unfixable: FrozenSet[str] = frozenset()
    output_format: Optional[str] = None
    cache_dir: Optional[Path] = None
    include_generated: bool = False
    #: the oldest Python the project runs on (`target-version`, else the lower bound of
    #: `requires-python`): syntax it cannot parse is CL000; None accepts all up to 3.14
    target_version: Optional[Tuple[int, int]] = None
    #: where `target_version` came from, for --show-settings ("requires-python = ..." in a file)
    target_version_source: Optional[str] = None
    rule_options: Mapping[str, Any] = field(default_factory=dict)
    tables: Tables = field(default_factory=default_tables)
    analysis: AnalysisOptions = field(default_factory=AnalysisOptions)

    @property
    def base_dir(self) -> Path:
        """Directory relative paths in the config are resolved against."""
        return self.config_path.parent if self.config_path is not None else self.project_root

    def enabled_for(self, path: str) -> FrozenSet[str]:
        """Selected codes minus those turned off for `path` by `per-file-ignores`."""
        codes = set(self.select)
        if not self.per_file_ignores:
            return frozenset(codes)
        rel = relative_posix(path, self.base_dir)
        name = Path(path).name
        for pattern, ignored in self.per_file_ignores:
            if glob_match(rel, pattern) or (("/" not in pattern) and fnmatch.fnmatchcase(name, pattern)):
                codes -= ignored
        return frozenset(codes)

    def is_fixable(self, code: str) -> bool:
        if code in self.unfixable:
            return False
        return self.fixable is None or code in self.fixable

    def fingerprint(self) -> str:
        """A stable hash of everything that changes results (used by the result cache).

        Computed once per object (the runner asks for it once per file, and it reprs the
        model tables): the memo lives in the instance `__dict__`, outside the dataclass
        fields, so equality, hashing and `dataclasses.replace` (a new object, a new
        fingerprint) are unaffected.
        """
        memo = self.__dict__.get("_fingerprint")
        if memo is None:
            memo = self._compute_fingerprint()
            object.__setattr__(self, "_fingerprint", memo)  # frozen: bypass the guard
        return memo

    def _compute_fingerprint(self) -> str:
        data = {
            "select": sorted(self.select),
            "per_file_ignores": [[p, sorted(c)] for p, c in self.per_file_ignores],
            # defaults are the code's, which the cache checks itself (`cache.code_id`)
            "rule_options": "defaults"
            if isinstance(self.rule_options, DefaultRuleOptions)
            else {k: repr(v) for k, v in sorted(self.rule_options.items())},
            "tables": repr(self.tables),
            "analysis": repr(self.analysis),
            "include_generated": self.include_generated,
            "target_version": self.target_version,
            "project_root": str(self.project_root),
        }
        return hashlib.blake2b(json.dumps(data, sort_keys=True).encode(), digest_size=16).hexdigest()


def relative_posix(path: str, base: Path) -> str:
    """`path` relative to `base` with `/` separators (absolute if outside `base`)."""
    p = Path(path)
    try:
        return p.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def glob_match(rel_path: str, pattern: str) -> bool:
    """One glob dialect for every path setting: gitignore-like, `**` spans directories.

    `*` and `?` never cross `/`; a pattern without `/` matches any path component (so
    `tests` matches `a/tests/b.py`); a trailing `/` matches directories only (the caller
    passes directory paths with a trailing `/`).
    """
    from cachelint.globs import match_path

    return match_path(rel_path, pattern)
