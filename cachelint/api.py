"""Calling cachelint from Python: `lint_source` and `lint_paths`.

These run the pipeline the command line runs (configuration resolution, discovery with its
excludes and `.gitignore`, the cross-module analysis, the rules, suppression comments) and
return its findings as `cachelint.Diagnostic`s instead of printing them. They exist for the
tools that want findings as data: an editor plugin, a notebook, a review bot, a test.

What they never do, whatever the configuration says:

* import or run the linted code (the analysis reads it; it never executes it);
* write a file: no result cache is read or written and fixes are returned as data on
  `Diagnostic.fix`, never applied.

This module imports nothing beyond the standard library at import time, and `import
cachelint` imports it: the engine, the rules and libcst are imported inside the functions,
so a program that imports cachelint and never lints pays nothing for it (the command line
relies on the same laziness for its start-up time).

Configuration (`config=`):

* `None`: as on the command line, each file gets the settings of its closest
  `.cachelint.toml`, `cachelint.toml` or `pyproject.toml` with `[tool.cachelint]`.
* a path (`str` or `os.PathLike`) to one of those files: it applies to every file, as
  `cachelint --config FILE`; its `extend` is followed. A path is always a file name here,
  never inline TOML.
* a mapping with the keys of `[tool.cachelint]` (`{"select": ["CL001"], "rules": {...}}`):
  these are the whole configuration, config files are not read (as `cachelint --isolated
  --config ...`), so the result does not depend on what files lie around. Relative paths and
  globs in it are relative to the working directory; `extend` is not accepted (pass the
  file as the path instead). Tuples are accepted where TOML has arrays.

A configuration mistake raises `cachelint.ConfigError` (the same one-line message the
command line prints). A file that cannot be read, decoded or parsed is not an exception: it
is a `CL000` diagnostic with the line and the reason, as on the command line.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Iterable, List, Mapping, Optional, Tuple, Union

if TYPE_CHECKING:  # pragma: no cover
    from cachelint.config.loader import CliOverrides, ConfigResolver
    from cachelint.diagnostics import Diagnostic
    from cachelint.engine import FileResult

PathLike = Union[str, "os.PathLike[str]"]
#: What `config=` accepts (see the module documentation).
Config = Union[None, PathLike, Mapping[str, Any]]

__all__ = ["Config", "lint_paths", "lint_source"]


def lint_source(
    source: Union[str, bytes],
    path: PathLike = "<stdin>.py",
    *,
    config: Config = None,
) -> List["Diagnostic"]:
    """Lint `source` as if it were the file `path`; the findings, sorted by position.

    `path` need not exist. It decides which configuration, per-file ignores and project
    apply, and where the analysis looks for the modules `source` imports (they are read
    from disk, so a prompt defined in another module of the project is followed); it is
    not read even when it exists, `source` is what is linted. Excludes do not apply: the
    source was asked for by name. Every diagnostic's `filename` is `path` made absolute
    (and resolved when it is a symbolic link), as the command line reports it.

    `source` as `str` is linted as UTF-8; pass `bytes` for a file with a coding cookie
    naming another encoding, so the cookie is honoured as Python would honour it.
    """
    from pathlib import Path

    from cachelint.diagnostics import sort_diagnostics
    from cachelint.engine import Engine
    from cachelint.stack_room import with_stack_room

    resolver, _ = _resolver(config)
    name = os.path.abspath(os.fspath(path))
    data = source.encode("utf-8") if isinstance(source, str) else bytes(source)
    settings = resolver.settings_for(Path(name))
    engine = Engine(resolver.settings_for)
    result = with_stack_room(lambda: engine.lint(name, data, explicit=True, settings=settings))
    _warn_internal_errors([result])
    return sort_diagnostics(list(result.diagnostics))


def lint_paths(
    paths: Union[PathLike, Iterable[PathLike]],
    *,
    config: Config = None,
    jobs: Optional[int] = 1,
) -> List["Diagnostic"]:
    """Lint files and directories as `cachelint PATHS...` does; the findings, sorted (a
    finding reported where its request is sent is not repeated at callers in other files,
    see `cachelint.diagnostics.drop_repeats_at_callers`).

    Directories are walked with the configured excludes and `.gitignore`; a file named
    directly is always linted (and analysed even when it names no LLM SDK), unless
    `force-exclude` is set in the configuration. A path that does not exist, or cannot be
    read, is a `CL000` diagnostic, as on the command line. Relative paths are relative to
    the working directory; a single path may be given without a list.

    `jobs`: worker processes. The default, 1, lints in this process: no child process is
    started (a library should not fork its host, which may be threaded, an editor, a
    notebook). `None` uses one per core as the command line does, for large trees.
    """
    from cachelint.diagnostics import drop_repeats_at_callers, sort_diagnostics
    from cachelint.discovery.walk import discover
    from cachelint.engine import Engine, invalid_source
    from cachelint.runner.lint import lint_files
    from cachelint.stack_room import with_stack_room

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    given = [os.fspath(p) for p in paths]
    resolver, overrides = _resolver(config)
    cwd = resolver.cwd
    found = discover(given, resolver, defer_generated=True)
    explicit = set()
    for text in given:
        candidate = text if os.path.isabs(text) else os.path.join(str(cwd), text)
        if os.path.isfile(candidate):
            explicit.add(os.path.realpath(candidate))
    results = with_stack_room(lambda: lint_files(
        Engine(resolver.settings_for),
        found.paths,
        explicit,
        cwd=cwd,
        overrides=overrides,
        cache=None,  # the API never writes files, the cache included
        jobs=jobs,
        skip_generated=found.unchecked_generated,
    ))
    _warn_internal_errors(results.values())
    diagnostics = [d for r in results.values() for d in r.diagnostics]
    diagnostics.extend(
        invalid_source(os.path.abspath(os.path.join(str(cwd), p)), f"cannot lint: {reason}")
        for p, reason in found.errors
    )
    return sort_diagnostics(drop_repeats_at_callers(diagnostics))


def _resolver(config: Config) -> Tuple["ConfigResolver", "CliOverrides"]:
    """The resolver for `config` (see the module documentation), and the overrides that
    make it: worker processes rebuild the resolver from them."""
    from pathlib import Path

    from cachelint.config.loader import CliOverrides, ConfigResolver
    from cachelint.config.settings import ConfigError

    if config is None:
        overrides = CliOverrides()
    elif isinstance(config, (str, os.PathLike)):
        file = os.path.abspath(os.fspath(config))
        # The resolver reads a `--config` value that is no file as inline TOML; here a
        # path is a path, and a missing one must say so.
        if not os.path.isfile(file):
            what = "a directory, not a config file" if os.path.isdir(file) else "No such file"
            raise ConfigError(os.fspath(config), None, what)
        overrides = CliOverrides(config_args=(file,))
    elif isinstance(config, Mapping):
        table = _plain(config)
        if "extend" in table:
            raise ConfigError("<config>", "extend", "not accepted in a settings dict; pass the config file's path as `config` instead")
        overrides = CliOverrides(config_tables=(table,), isolated=True)
    else:
        raise TypeError(f"config: expected None, a path or a mapping of settings, got {type(config).__name__}")
    return ConfigResolver(Path.cwd(), overrides), overrides


def _plain(value: Any) -> Any:
    """`value` as TOML would give it: mappings as dicts, tuples and sets as lists, paths as
    strings (the validation expects exactly what tomllib produces)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


def _warn_internal_errors(results: Iterable["FileResult"]) -> None:
    """A rule that crashed on a file is a bug in cachelint: the other findings are still
    returned, and the crash is a `RuntimeWarning` (the command line exits 2 for it)."""
    import warnings

    for result in results:
        for error in result.errors:
            warnings.warn(f"cachelint: internal error: {error}", RuntimeWarning, stacklevel=3)
