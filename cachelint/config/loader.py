"""Finding, reading, validating and resolving configuration into `Settings`.

Discovery follows ruff, with its known surprises removed:

* In each directory the first of `.cachelint.toml`, `cachelint.toml` and `pyproject.toml`
  with a `[tool.cachelint]` table is the config file; a `pyproject.toml` without the table
  is skipped, so it cannot shadow a real config further up (ruff#1223).
* For each linted file the closest config wins, searching its directory and then its
  ancestors. Configs are not merged implicitly: a config inherits only through
  `extend = "<path>"`, where the extending file's keys win and `extend-select`,
  `extend-exclude` and `extend-per-file-ignores` accumulate. Nested tables (`rules.*`,
  `analysis`, `models.*`, `platforms.*`) merge key by key.
* Paths and globs in a config file are relative to that file's directory, also when the
  file is inherited through `extend` (patterns are rebased onto the extending config).
* `--config <file>` applies one file to everything; `--config 'key = value'` overrides
  on top of whatever config applies; `--isolated` ignores config files. CLI flags beat
  everything.

Every user mistake becomes a `ConfigError(path, key, message)` naming the file, the dotted
key and what was expected, never a traceback. Config files are parsed once per resolver
and `Settings` are built once per config file, so files sharing a config share one
`Settings` object (workers receive it once).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import json
import os
import re
import stat
import sys
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Tuple, Union

from cachelint import registry
from cachelint.globs import prefix_pattern, rebase_pattern, split_pattern
from cachelint.config.settings import (
    DEFAULT_EXCLUDES,
    AnalysisOptions,
    ConfigError,
    DefaultRuleOptions,
    Settings,
)
from cachelint.syntax.versions import from_requires_python, parse_target
from cachelint.tables import TableError, Tables, default_tables

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

__all__ = [
    "CONFIG_FILENAMES",
    "OUTPUT_FORMATS",
    "KNOWN_KEYS",
    "CliOverrides",
    "ConfigResolver",
    "format_settings",
    "find_project_root",
    "claims_cachelint",
]

#: Per directory, in order of precedence.
CONFIG_FILENAMES: Tuple[str, ...] = (".cachelint.toml", "cachelint.toml", "pyproject.toml")
OUTPUT_FORMATS: Tuple[str, ...] = (
    "full",
    "concise",
    "json",
    "json-lines",
    "github",
    "gitlab",
    "sarif",
    "junit",
)
KNOWN_KEYS: Tuple[str, ...] = (
    "select",
    "ignore",
    "extend-select",
    "per-file-ignores",
    "extend-per-file-ignores",
    "exclude",
    "extend-exclude",
    "respect-gitignore",
    "force-exclude",
    "fix",
    "fix-only",
    "unsafe-fixes",
    "fixable",
    "unfixable",
    "output-format",
    "cache-dir",
    "include-generated",
    "target-version",
    "extend",
    "rules",
    "models",
    "platforms",
    "analysis",
)
ANALYSIS_KEYS: Tuple[str, ...] = ("max-call-depth", "prompt-paths", "max-prompt-file-bytes")
MAX_CALL_DEPTH_LIMIT = 6
_BOOL_KEYS = ("respect-gitignore", "force-exclude", "fix", "fix-only", "unsafe-fixes", "include-generated")
_VCS_MARKERS = (".git", ".hg")


# --- small helpers ------------------------------------------------------------------------
def _show(value: Any) -> str:
    """A value as the user wrote it in TOML (for "expected ..., got ..." messages)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def _key_part(part: str) -> str:
    bare = part and all(c.isalnum() or c in "-_" for c in part)
    return part if bare else json.dumps(part)


def _suggest(word: str, candidates: Iterable[str]) -> str:
    import difflib  # error messages only

    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean `{match[0]}`?" if match else ""


def _resolve_path(base: Path, value: str) -> Path:
    """`value` (may use `~`) relative to `base`, made absolute and normalized."""
    expanded = Path(os.path.expanduser(value))
    return Path(os.path.normpath(str(base / expanded)))


def find_project_root(start: Path) -> Path:
    """The nearest ancestor (inclusive) of `start` holding `.git` or `.hg`, else `start`.

    The project root bounds what cachelint reads besides the linted files: cross-module
    analysis follows imports into project modules and reads prompt files only under this
    root, so linting a file never reads outside the repository it lives in (and
    `analysis.prompt-paths` cannot point elsewhere).
    """
    for candidate in (start, *start.parents):
        # os.path.exists: a directory that cannot be searched has no marker we could use
        # (Path.exists raises PermissionError there)
        if any(os.path.exists(candidate / marker) for marker in _VCS_MARKERS):
            return candidate
    return start


def _real(path: Path) -> Path:
    return Path(os.path.realpath(str(path)))


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


# --- one config source ----------------------------------------------------------------------
@dataclass(frozen=True)
class _Source:
    """Where values come from: for error messages and for relative paths."""

    path: Optional[str]  # config file as shown to the user; None for the command line
    prefix: str  # dotted key path of the table ("tool.cachelint", or "" for top-level)
    base_dir: Path  # directory relative paths and globs are relative to

    def key(self, *parts: str) -> str:
        items = ([self.prefix] if self.prefix else []) + [_key_part(p) for p in parts]
        return ".".join(items)

    def error(self, parts: Sequence[str], message: str) -> ConfigError:
        return ConfigError(self.path, self.key(*parts), message)


@dataclass(frozen=True)
class _Selector:
    text: str
    codes: FrozenSet[str]
    specificity: int


def _specificity(selector: str) -> int:
    """How specific a selector is; within one layer the most specific one wins (ruff)."""
    sel = selector.strip()
    if sel.upper() == "ALL":
        return 0
    if registry.code_for(sel) is not None:
        return 100
    return len(sel)  # `CL` < `CL0` < `CL00`


@dataclass
class _Layer:
    """The validated keys of one config source; None/absent means "not set here"."""

    source: _Source
    values: Dict[str, Any] = field(default_factory=dict)
    select: Optional[Tuple[_Selector, ...]] = None
    extend_select: Tuple[_Selector, ...] = ()
    ignore: Tuple[_Selector, ...] = ()
    #: rule code -> {field name: value}
    rule_options: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    models: Dict[str, Any] = field(default_factory=dict)
    platforms: Dict[str, Any] = field(default_factory=dict)
    analysis: Dict[str, Any] = field(default_factory=dict)
    extend: Optional[Path] = None


def _expect_bool(src: _Source, parts: Sequence[str], value: Any) -> bool:
    if not isinstance(value, bool):
        raise src.error(parts, f"expected a boolean (true or false), got {_show(value)}")
    return value


def _expect_str(src: _Source, parts: Sequence[str], value: Any, what: str = "a string") -> str:
    if not isinstance(value, str):
        raise src.error(parts, f"expected {what}, got {_show(value)}")
    return value


def _expect_str_list(src: _Source, parts: Sequence[str], value: Any, what: str) -> List[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise src.error(parts, f"expected {what}, got {_show(value)}")
    return list(value)


def _expect_globs(src: _Source, parts: Sequence[str], value: Any) -> Tuple[str, ...]:
    globs = _expect_str_list(src, parts, value, "a list of glob patterns")
    if any(not pattern.strip() for pattern in globs):
        raise src.error(parts, f"expected a list of non-empty glob patterns, got {_show(value)}")
    return tuple(globs)


def _selectors(src: _Source, parts: Sequence[str], value: Any) -> Tuple[_Selector, ...]:
    texts = _expect_str_list(src, parts, value, "a list of rule selectors")
    out = []
    for text in texts:
        try:
            codes = registry.resolve_selector(text)
        except registry.UnknownSelector as exc:
            names = [r.code for r in registry.all_rules()] + [r.name for r in registry.all_rules()]
            raise src.error(parts, f"{exc}{_suggest(text.strip(), names)}") from None
        out.append(_Selector(text, codes, _specificity(text)))
    return tuple(out)


def _per_file_ignores(
    src: _Source, parts: Sequence[str], value: Any
) -> Tuple[Tuple[str, FrozenSet[str]], ...]:
    if not isinstance(value, dict):
        raise src.error(
            parts, f"expected a table mapping globs to lists of rule selectors, got {_show(value)}"
        )
    out = []
    for pattern, selectors in value.items():
        if not pattern:
            raise src.error(parts, "expected non-empty glob patterns as keys")
        sels = _selectors(src, [*parts, pattern], selectors)
        codes: Set[str] = set()
        for sel in sels:
            codes |= sel.codes
        out.append((pattern, frozenset(codes)))
    return tuple(out)


# --- rule options -------------------------------------------------------------------------
_SCALARS = (bool, int, float, str)


def _hint_kind(hint: Any) -> Optional[Tuple[type, Optional[type]]]:
    """(kind, container) from a type hint: `int`, `Optional[str]`, `List[str]`, `Tuple[str, ...]`."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union:
        rest = [a for a in args if a is not type(None)]
        return _hint_kind(rest[0]) if len(rest) == 1 else None
    if hint in _SCALARS:
        return hint, None
    if (
        origin in (list, tuple, frozenset, set, collections.abc.Sequence)
        and args
        and args[0] is str
    ):
        return str, origin if origin in (list, tuple, frozenset, set) else tuple
    return None


def _option_kind(options_cls: type, f: dataclasses.Field) -> Optional[Tuple[type, Optional[type]]]:
    """What a rule option accepts, from its default's type (or its type hint if None)."""
    if f.default is not dataclasses.MISSING:
        default = f.default
    elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        default = f.default_factory()  # type: ignore[misc]
    else:
        default = None
    if isinstance(default, bool):
        return bool, None
    if isinstance(default, (int, float, str)):
        return type(default), None
    if isinstance(default, (list, tuple, frozenset, set)) and all(
        isinstance(v, str) for v in default
    ):
        return str, type(default)
    try:
        hints = typing.get_type_hints(options_cls)
    except Exception:  # noqa: BLE001 - unresolvable annotations: fall back to nothing
        hints = {}
    return _hint_kind(hints.get(f.name)) if f.name in hints else None


_KIND_NAMES = {
    bool: "a boolean (true or false)",
    int: "an integer",
    float: "a number",
    str: "a string",
}


def _convert_option(
    src: _Source, parts: Sequence[str], kind: Tuple[type, Optional[type]], value: Any
) -> Any:
    scalar, container = kind
    if container is not None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise src.error(parts, f"expected a list of strings, got {_show(value)}")
        return container(value)
    if scalar is bool:
        ok = isinstance(value, bool)
    elif scalar is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif scalar is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    else:
        ok = isinstance(value, str)
    if not ok:
        raise src.error(parts, f"expected {_KIND_NAMES[scalar]}, got {_show(value)}")
    return value


def _rule_options(src: _Source, value: Any) -> Dict[str, Dict[str, Any]]:
    if not isinstance(value, dict):
        raise src.error(
            ["rules"], f"expected a table of per-rule option tables, got {_show(value)}"
        )
    out: Dict[str, Dict[str, Any]] = {}
    for rule_key, table in value.items():
        parts = ["rules", rule_key]
        rule = registry.rule_for(rule_key)
        if rule is None:
            names = [r.code for r in registry.all_rules()] + [r.name for r in registry.all_rules()]
            raise src.error(parts, f"unknown rule `{rule_key}`{_suggest(rule_key, names)}")
        if not isinstance(table, dict):
            raise src.error(
                parts, f"expected a table of options for {rule.code}, got {_show(table)}"
            )
        options_cls = rule.options_class
        fields = (
            {f.name: f for f in dataclasses.fields(options_cls)} if options_cls is not None else {}
        )
        if options_cls is None and table:
            raise src.error(
                [*parts, next(iter(table))], f"{rule.code} ({rule.name}) has no options"
            )
        values = out.setdefault(rule.code, {})
        for option, raw in table.items():
            opt_parts = [*parts, option]
            name = option.replace("-", "_")
            if name not in fields or "_" in option:
                known = [n.replace("_", "-") for n in fields]
                hint = _suggest(option.replace("_", "-"), known) or (
                    f"; options: {', '.join(known)}" if known else ""
                )
                raise src.error(opt_parts, f"unknown option of {rule.code} ({rule.name}){hint}")
            kind = _option_kind(options_cls, fields[name])  # type: ignore[arg-type]
            if kind is None:
                raise src.error(opt_parts, "this option's type cannot be set from a config file")
            values[name] = _convert_option(src, opt_parts, kind, raw)
    return out


# --- analysis -----------------------------------------------------------------------------
def _analysis(src: _Source, value: Any) -> Dict[str, Any]:
    if not isinstance(value, dict):
        raise src.error(["analysis"], f"expected a table, got {_show(value)}")
    out: Dict[str, Any] = {}
    for key, raw in value.items():
        parts = ["analysis", key]
        if key not in ANALYSIS_KEYS:
            raise src.error(parts, f"unknown setting `{key}`{_suggest(key, ANALYSIS_KEYS)}")
        if key == "max-call-depth":
            if (
                isinstance(raw, bool)
                or not isinstance(raw, int)
                or not 0 <= raw <= MAX_CALL_DEPTH_LIMIT
            ):
                raise src.error(
                    parts, f"expected an integer from 0 to {MAX_CALL_DEPTH_LIMIT}, got {_show(raw)}"
                )
            out["max_call_depth"] = raw
        elif key == "max-prompt-file-bytes":
            if isinstance(raw, bool) or not isinstance(raw, int) or raw <= 0:
                raise src.error(parts, f"expected a positive integer, got {_show(raw)}")
            out["max_prompt_file_bytes"] = raw
        else:
            paths = _expect_str_list(src, parts, raw, "a list of directories")
            # Resolved against the project root when settings are built (it is not known yet).
            out["prompt_paths"] = (src, tuple(paths))
    return out


# --- a whole table ------------------------------------------------------------------------
def _parse_layer(doc: Mapping[str, Any], src: _Source, *, allow_extend: bool = True) -> _Layer:
    """Validate one config table (top-level keys of cachelint.toml / [tool.cachelint])."""
    layer = _Layer(source=src)
    for key, value in doc.items():
        if key not in KNOWN_KEYS:
            raise src.error([key], f"unknown setting `{key}`{_suggest(key, KNOWN_KEYS)}")
        if key == "select":
            layer.select = _selectors(src, [key], value)
        elif key == "extend-select":
            layer.extend_select = _selectors(src, [key], value)
        elif key == "ignore":
            layer.ignore = _selectors(src, [key], value)
        elif key in ("fixable", "unfixable"):
            sels = _selectors(src, [key], value)
            layer.values[key] = frozenset().union(*(s.codes for s in sels)) if sels else frozenset()
        elif key in ("per-file-ignores", "extend-per-file-ignores"):
            layer.values[key] = _per_file_ignores(src, [key], value)
        elif key in ("exclude", "extend-exclude"):
            layer.values[key] = _expect_globs(src, [key], value)
        elif key in _BOOL_KEYS:
            layer.values[key] = _expect_bool(src, [key], value)
        elif key == "target-version":
            text = _expect_str(src, [key], value, 'a Python version such as "py39"')
            try:
                layer.values[key] = parse_target(text)
            except ValueError as exc:
                raise src.error([key], str(exc)) from None
        elif key == "output-format":
            if value not in OUTPUT_FORMATS:
                raise src.error(
                    [key], f"expected one of {', '.join(OUTPUT_FORMATS)}, got {_show(value)}"
                )
            layer.values[key] = value
        elif key == "cache-dir":
            text = _expect_str(src, [key], value, "a directory path")
            layer.values[key] = _resolve_path(src.base_dir, text)
        elif key == "extend":
            if not allow_extend:
                raise src.error(
                    [key],
                    "`extend` cannot be used in a --config override; pass the file itself with --config",
                )
            text = _expect_str(src, [key], value, "a path to a config file")
            layer.extend = _resolve_path(src.base_dir, text)
        elif key == "rules":
            layer.rule_options = _rule_options(src, value)
        elif key in ("models", "platforms"):
            if not isinstance(value, dict):
                raise src.error([key], f"expected a table, got {_show(value)}")
            setattr(layer, key, dict(value))
        elif key == "analysis":
            layer.analysis = _analysis(src, value)
    return layer


#: tomllib recurses per level of arrays and inline tables: a few hundred levels exhaust the stack.
TOO_DEEP = "cannot read the config file: arrays or inline tables are nested too deeply"


def _read_config_bytes(path: Path) -> bytes:
    """The raw bytes of a config file; an unreadable file is a `ConfigError`."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), None, f"cannot read config file: {exc.strerror or exc}") from None


def _parse_toml(path: Path, data: bytes) -> Dict[str, Any]:
    """The TOML document in `data` (read from `path`); any defect is a `ConfigError`."""
    shown = str(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            shown, None, f"config file is not UTF-8: {exc.reason} at byte {exc.start}"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(shown, None, f"invalid TOML: {exc}") from None
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        raise ConfigError(shown, None, TOO_DEEP) from None


#: Any way TOML can spell a `tool.cachelint` table or key: `[tool.cachelint]`,
#: `[tool.cachelint.rules.CL001]`, `[ tool . "cachelint" ]`, `tool.cachelint.select = ...`,
#: and `cachelint = {...}` / `cachelint.select = ...` under a `[tool]` header.
_CLAIMS_CACHELINT = re.compile(
    rb"""\btool\s*\.\s*["']?cachelint\b|^[ \t]*["']?cachelint["']?[ \t]*[.=]""", re.MULTILINE
)


def claims_cachelint(data: bytes) -> bool:
    """True when the raw bytes of a `pyproject.toml` look like they hold cachelint's table.

    A `pyproject.toml` that does not parse cannot say whether it configures cachelint, and
    most such files belong to other tools (a benchmark's data, a template with
    placeholders): stopping the whole run for them lints nothing. This check on the raw
    bytes decides instead. It errs towards "ours" (any spelling of a `tool.cachelint` key),
    because a false "ours" only keeps the old behaviour, an error, while a false "not
    ours" would drop a user's broken configuration with nothing but a warning.
    """
    return _CLAIMS_CACHELINT.search(data) is not None


def _config_table(path: Path, doc: Mapping[str, Any]) -> Tuple[Optional[Mapping[str, Any]], str]:
    """The cachelint table of a parsed file and its key prefix; None for a pyproject without it."""
    if path.name != "pyproject.toml":
        return doc, ""
    tool = doc.get("tool")
    if not isinstance(tool, dict) or "cachelint" not in tool:
        return None, "tool.cachelint"
    table = tool["cachelint"]
    if not isinstance(table, dict):
        raise ConfigError(str(path), "tool.cachelint", f"expected a table, got {_show(table)}")
    return table, "tool.cachelint"


# --- CLI overrides ------------------------------------------------------------------------
@dataclass(frozen=True)
class CliOverrides:
    """What the command line sets; None / empty means "not given"."""

    select: Optional[Tuple[str, ...]] = None
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    unsafe_fixes: Optional[bool] = None
    output_format: Optional[str] = None
    cache_dir: Optional[str] = None
    force_exclude: Optional[bool] = None
    respect_gitignore: Optional[bool] = None
    fix: Optional[bool] = None
    fix_only: Optional[bool] = None
    #: `--exclude` (replaces the configured excludes) and `--extend-exclude`: globs
    #: relative to the working directory.
    exclude: Optional[Tuple[str, ...]] = None
    extend_exclude: Tuple[str, ...] = ()
    #: `--per-file-ignores` (replaces the configured ones) and `--extend-per-file-ignores`:
    #: (glob relative to the working directory, rule selector) pairs.
    per_file_ignores: Optional[Tuple[Tuple[str, str], ...]] = None
    extend_per_file_ignores: Tuple[Tuple[str, str], ...] = ()
    #: Every --config value, in order (a file path or an inline 'key = value').
    config_args: Tuple[str, ...] = ()
    isolated: bool = False
    #: Settings tables given as data (`cachelint.lint_source(config={...})`), applied after
    #: the `config_args` overrides; paths in them are relative to the working directory.
    config_tables: Tuple[Mapping[str, Any], ...] = ()


def _cli_layer(cwd: Path, overrides: CliOverrides) -> _Layer:
    """The command-line flags as the last, highest-priority layer (errors name the flag)."""
    src = _Source(None, "", cwd)

    def sels(flag: str, values: Sequence[str]) -> Tuple[_Selector, ...]:
        out = []
        for text in values:
            try:
                codes = registry.resolve_selector(text)
            except registry.UnknownSelector as exc:
                names = [r.code for r in registry.all_rules()] + [
                    r.name for r in registry.all_rules()
                ]
                raise ConfigError(None, flag, f"{exc}{_suggest(text.strip(), names)}") from None
            out.append(_Selector(text, codes, _specificity(text)))
        return tuple(out)

    layer = _Layer(source=src)
    if overrides.select is not None:
        layer.select = sels("--select", overrides.select)
    layer.extend_select = sels("--extend-select", overrides.extend_select)
    layer.ignore = sels("--ignore", overrides.ignore)
    if overrides.unsafe_fixes is not None:
        layer.values["unsafe-fixes"] = overrides.unsafe_fixes
    if overrides.force_exclude is not None:
        layer.values["force-exclude"] = overrides.force_exclude
    if overrides.respect_gitignore is not None:
        layer.values["respect-gitignore"] = overrides.respect_gitignore
    if overrides.output_format is not None:
        if overrides.output_format not in OUTPUT_FORMATS:
            raise ConfigError(
                None,
                "--output-format",
                f"expected one of {', '.join(OUTPUT_FORMATS)}, got {_show(overrides.output_format)}",
            )
        layer.values["output-format"] = overrides.output_format
    if overrides.cache_dir is not None:
        layer.values["cache-dir"] = _resolve_path(cwd, overrides.cache_dir)
    for key, value in (("fix", overrides.fix), ("fix-only", overrides.fix_only)):
        if value is not None:
            layer.values[key] = value
    if overrides.exclude is not None:
        layer.values["exclude"] = _flag_globs("--exclude", overrides.exclude)
    if overrides.extend_exclude:
        layer.values["extend-exclude"] = _flag_globs("--extend-exclude", overrides.extend_exclude)
    if overrides.per_file_ignores is not None:
        layer.values["per-file-ignores"] = _flag_per_file_ignores(src, "--per-file-ignores", overrides.per_file_ignores)
    if overrides.extend_per_file_ignores:
        layer.values["extend-per-file-ignores"] = _flag_per_file_ignores(
            src, "--extend-per-file-ignores", overrides.extend_per_file_ignores
        )
    return layer


def _flag_globs(flag: str, patterns: Sequence[str]) -> Tuple[str, ...]:
    if any(not pattern.strip() for pattern in patterns):
        raise ConfigError(None, flag, "expected non-empty glob patterns")
    return tuple(patterns)


def _flag_per_file_ignores(
    src: _Source, flag: str, pairs: Sequence[Tuple[str, str]]
) -> Tuple[Tuple[str, FrozenSet[str]], ...]:
    """`--per-file-ignores 'tests/*:CL001'` pairs as the config table would give them (a
    glob named twice gets the selectors of both); an unknown selector names the flag."""
    table: Dict[str, List[str]] = {}
    for pattern, selector in pairs:
        table.setdefault(pattern, []).append(selector)
    try:
        return _per_file_ignores(src, [], table)
    except ConfigError as exc:
        raise ConfigError(None, flag, exc.message) from None


def _looks_like_path(arg: str) -> bool:
    return "=" not in arg and (arg.endswith(".toml") or "/" in arg or os.sep in arg)


# --- building Settings --------------------------------------------------------------------
def _apply_selection(current: Set[str], layer: _Layer) -> Set[str]:
    """One layer of ruff's selection: `select` resets, the most specific selector wins.

    Within a layer a rule's fate is decided by the most specific selector naming it
    (`ignore = ["CL0"]` + `extend-select = ["CL007"]` keeps CL007); at equal
    specificity `ignore` wins.
    """
    if layer.select is None and not layer.extend_select and not layer.ignore:
        return current
    updates: Dict[str, Tuple[int, bool]] = {}
    for sel in (*(layer.select or ()), *layer.extend_select):
        for code in sel.codes:
            if code not in updates or sel.specificity >= updates[code][0]:
                updates[code] = (sel.specificity, True)
    for sel in layer.ignore:
        for code in sel.codes:
            if code not in updates or sel.specificity >= updates[code][0]:
                updates[code] = (sel.specificity, False)
    if layer.select is not None:
        return {code for code, (_, on) in updates.items() if on}
    result = set(current)
    for code, (_, on) in updates.items():
        if on:
            result.add(code)
        else:
            result.discard(code)
    return result


def _rebase(patterns: Iterable[str], layer_dir: Path, base_dir: Path) -> List[str]:
    """Patterns written relative to `layer_dir`, made relative to `base_dir`."""
    patterns = list(patterns)
    if layer_dir == base_dir:
        return patterns
    if _is_within(base_dir, layer_dir):
        parts = base_dir.relative_to(layer_dir).parts
        return [new for p in patterns for new in rebase_pattern(p, parts)]
    if _is_within(layer_dir, base_dir):
        prefix = layer_dir.relative_to(base_dir).as_posix()
        return [prefix_pattern(p, prefix) for p in patterns]
    # Unrelated directories: anchored patterns cannot match under base_dir.
    return [p for p in patterns if not split_pattern(p)[0]]


def _rebase_pfi(
    entries: Iterable[Tuple[str, FrozenSet[str]]], layer_dir: Path, base_dir: Path
) -> List[Tuple[str, FrozenSet[str]]]:
    return [
        (new, codes)
        for pattern, codes in entries
        for new in _rebase([pattern], layer_dir, base_dir)
    ]


def _build_settings(
    layers: Sequence[_Layer], config_path: Optional[Path], project_root: Path
) -> Settings:
    """Fold layers (lowest priority first) into one `Settings`."""
    base_dir = config_path.parent if config_path is not None else project_root
    select: Set[str] = set(registry.default_selection())
    scalars: Dict[str, Any] = {}
    exclude: Optional[Tuple[str, ...]] = None
    per_file_ignores: Optional[List[Tuple[str, FrozenSet[str]]]] = None
    extend_exclude: List[str] = []
    extend_pfi: List[Tuple[str, FrozenSet[str]]] = []
    rule_values: Dict[str, Dict[str, Any]] = {}
    rule_sources: Dict[str, _Source] = {}
    analysis: Dict[str, Any] = {}
    tables: Tables = default_tables()
    for layer in layers:
        src = layer.source
        select = _apply_selection(select, layer)
        for key in (*_BOOL_KEYS, "output-format", "cache-dir", "fixable", "unfixable", "target-version"):
            if key in layer.values:
                scalars[key] = layer.values[key]
        if "exclude" in layer.values:
            exclude = tuple(_rebase(layer.values["exclude"], src.base_dir, base_dir))
        extend_exclude.extend(
            _rebase(layer.values.get("extend-exclude", ()), src.base_dir, base_dir)
        )
        if "per-file-ignores" in layer.values:
            per_file_ignores = _rebase_pfi(layer.values["per-file-ignores"], src.base_dir, base_dir)
        extend_pfi.extend(
            _rebase_pfi(layer.values.get("extend-per-file-ignores", ()), src.base_dir, base_dir)
        )
        for code, values in layer.rule_options.items():
            rule_values.setdefault(code, {}).update(values)
            rule_sources[code] = src
        for key, value in layer.analysis.items():
            if key == "prompt_paths":
                value = _prompt_paths(value[0], value[1], project_root)
            analysis[key] = value
        if layer.models or layer.platforms:
            try:
                tables = tables.with_overrides(layer.models, layer.platforms, prefix=src.prefix)
            except TableError as exc:
                key = exc.key.lstrip(".")
                raise ConfigError(
                    src.path, key, f"expected {exc.expected}, got {_show(exc.got)}"
                ) from None

    rule_options: Dict[str, Any] = {}
    # Without any option set, the defaults are built on first use: no rule is imported here.
    for rule in registry.all_rules() if rule_values else ():
        if rule.options_class is None:
            continue
        values = rule_values.get(rule.code, {})
        try:
            rule_options[rule.code] = rule.options_class(**values)
        except (TypeError, ValueError) as exc:
            src = rule_sources.get(rule.code) or _Source(None, "", base_dir)
            raise src.error(["rules", rule.code], f"invalid options: {exc}") from None

    return Settings(
        project_root=project_root,
        config_path=config_path,
        select=frozenset(select),
        per_file_ignores=tuple(per_file_ignores or ()) + tuple(extend_pfi),
        exclude=exclude if exclude is not None else DEFAULT_EXCLUDES,
        extend_exclude=tuple(extend_exclude),
        respect_gitignore=scalars.get("respect-gitignore", True),
        force_exclude=scalars.get("force-exclude", False),
        fix=scalars.get("fix"),
        fix_only=scalars.get("fix-only"),
        unsafe_fixes=scalars.get("unsafe-fixes"),
        fixable=scalars.get("fixable"),
        unfixable=scalars.get("unfixable", frozenset()),
        output_format=scalars.get("output-format"),
        cache_dir=scalars.get("cache-dir"),
        include_generated=scalars.get("include-generated", False),
        target_version=scalars.get("target-version"),
        target_version_source="target-version" if "target-version" in scalars else None,
        rule_options=rule_options if rule_values else DefaultRuleOptions(registry.default_options),
        tables=tables,
        analysis=AnalysisOptions(**analysis),
    )


def _prompt_paths(src: _Source, paths: Sequence[str], project_root: Path) -> Tuple[str, ...]:
    """Prompt directories relative to the project root; anything resolving outside is an error.

    Resolving follows symlinks and `..`, so neither can smuggle a path out of the root.
    """
    root = _real(project_root)
    out: List[str] = []
    for text in paths:
        resolved = _real(_resolve_path(src.base_dir, text))
        if not _is_within(resolved, root):
            raise src.error(
                ["analysis", "prompt-paths"],
                f"expected directories inside the project root {project_root}, got {_show(text)} "
                f"(resolves to {resolved}); cachelint never reads outside the project root",
            )
        rel = resolved.relative_to(root).as_posix()
        out.append(rel)
    return tuple(out)


# --- the resolver -------------------------------------------------------------------------
class ConfigResolver:
    """Answers "which settings apply to this path" for one run of cachelint.

    Config files are read once (cached by path), the closest config of each directory is
    cached, and `Settings` are built once per config file.
    """

    def __init__(
        self, cwd: Path, overrides: CliOverrides, warn: Optional[Callable[[str], None]] = None
    ) -> None:
        self._cwd = _real(Path(cwd))
        self._overrides = overrides
        #: told once per skipped file (the command prints it; worker processes pass none,
        #: so a run warns once, not once per process)
        self._warn = warn
        #: one line per skipped file, also when nobody is told
        self.warnings: List[str] = []
        self._docs: Dict[Path, Optional[_Layer]] = {}
        #: discovered pyproject.toml files skipped as not ours, with why they could not be read
        self._skipped: Dict[Path, ConfigError] = {}
        self._chains: Dict[Path, List[_Layer]] = {}
        self._closest: Dict[Path, Optional[Path]] = {}
        self._by_config: Dict[Optional[Path], Settings] = {}
        self._by_dir: Dict[Path, Settings] = {}
        #: directory as given (not resolved) -> settings of its real path
        self._by_given_dir: Dict[str, Settings] = {}
        #: real path of a regular file met by the walker -> its settings
        self._by_file: Dict[str, Settings] = {}
        self._forced_config: Optional[Path] = None
        self._inline: List[_Layer] = []
        inline_src = _Source(None, "", self._cwd)
        for arg in overrides.config_args:
            if not arg.strip():
                raise ConfigError(None, "--config", "empty value: expected a config file or a TOML `key = value`")
            candidate = _resolve_path(self._cwd, arg)
            try:
                is_dir, is_file = candidate.is_dir(), candidate.is_file()
            except (OSError, ValueError):  # a long inline override is no file name (ENAMETOOLONG)
                is_dir = is_file = False
            if is_dir:
                raise ConfigError(None, "--config", f"{arg} is a directory, not a config file")
            if is_file:
                if overrides.isolated:
                    raise ConfigError(
                        None, "--config", f"the config file {arg} cannot be used with --isolated"
                    )
                if self._forced_config is not None:
                    raise ConfigError(
                        None,
                        "--config",
                        f"only one config file can be given; got {self._forced_config} and {arg}",
                    )
                self._forced_config = _real(candidate)
                continue
            try:
                doc = tomllib.loads(arg)
            except RecursionError:
                raise ConfigError(None, "--config", "the override's arrays or inline tables are nested too deeply") from None
            except tomllib.TOMLDecodeError as exc:
                if _looks_like_path(arg):
                    raise ConfigError(
                        None, "--config", f"{arg}: No such file or directory"
                    ) from None
                raise ConfigError(
                    None,
                    "--config",
                    f"{arg!r} is neither a config file nor a TOML `key = value` override ({exc})",
                ) from None
            self._inline.append(_parse_layer(doc, inline_src, allow_extend=False))
        for table in overrides.config_tables:
            self._inline.append(_parse_layer(table, _Source("<config>", "", self._cwd), allow_extend=False))
        self._cli = _cli_layer(self._cwd, overrides)
        if self._forced_config is not None:
            layer = self._load(self._forced_config)
            if layer is None:
                raise ConfigError(
                    str(self._forced_config),
                    "tool.cachelint",
                    "this pyproject.toml has no [tool.cachelint] table",
                )
        self._default = self.settings_for(self._cwd)

    # -- public --------------------------------------------------------------------------
    @property
    def cwd(self) -> Path:
        """The (real) directory relative paths on the command line are relative to."""
        return self._cwd

    @property
    def default_settings(self) -> Settings:
        """Settings for the current directory (what `--show-settings` shows without a path)."""
        return self._default

    def settings_for(self, path: Union[str, Path]) -> Settings:
        """Settings of the closest config of `path` (a file, or a directory itself).

        Asked once per linted file: a regular file or a directory that is not itself a
        symlink is answered from a memo of directories as given (the real directory of
        `d/name` is the real path of `d`), at the cost of one `lstat` instead of a
        `realpath` per call.
        """
        text = os.fspath(path)
        known = self._by_file.get(text)
        if known is not None:
            return known
        if not os.path.isabs(text):
            text = os.path.join(str(self._cwd), text)
        try:
            mode = os.lstat(text).st_mode
        except (OSError, ValueError):
            mode = 0
        key = os.path.dirname(text) if stat.S_ISREG(mode) else text if stat.S_ISDIR(mode) else None
        if key is not None:
            memo = self._by_given_dir.get(key)
            if memo is not None:
                return memo
        settings = self._settings_for_real(path)
        if key is not None:
            self._by_given_dir[key] = settings
        return settings

    def remember_directory(self, directory: str, settings: Settings) -> None:
        """Record that `settings` apply in `directory` (a real path): the walker found out."""
        self._by_given_dir[directory] = settings

    def remember_files(self, settings_of: Mapping[str, Settings]) -> None:
        """Record the settings of regular files (real paths) the walker found in their
        directory: asking for them again then costs no system call."""
        self._by_file.update(settings_of)

    def _settings_for_real(self, path: Path) -> Settings:
        p = _real(path if Path(path).is_absolute() else self._cwd / path)
        directory = p if os.path.isdir(p) else p.parent  # never raises: see `_config_in`
        cached = self._by_dir.get(directory)
        if cached is not None:
            return cached
        if self._overrides.isolated:
            config: Optional[Path] = None
        elif self._forced_config is not None:
            config = self._forced_config
        else:
            config = self._closest_config(directory)
        settings = self._settings_for_config(config)
        self._by_dir[directory] = settings
        return settings

    # -- discovery of config files -------------------------------------------------------
    def _closest_config(self, directory: Path) -> Optional[Path]:
        visited: List[Path] = []
        found: Optional[Path] = None
        current = directory
        while True:
            if current in self._closest:
                found = self._closest[current]
                break
            visited.append(current)
            found = self._config_in(current)
            if found is not None or current.parent == current:
                break
            current = current.parent
        for d in visited:
            self._closest[d] = found
        return found

    def _config_in(self, directory: Path) -> Optional[Path]:
        for name in CONFIG_FILENAMES:
            candidate = directory / name
            # os.path.isfile, not Path.is_file: in a directory that cannot be searched the
            # latter raises PermissionError. Its files cannot be read either (each is a CL000
            # finding), so whichever settings apply to them change nothing.
            if os.path.isfile(candidate):
                if name == "pyproject.toml" and self._load(candidate, discovered=True) is None:
                    continue  # no [tool.cachelint]: not a cachelint config (ruff#1223)
                return candidate
        return None

    # -- loading -------------------------------------------------------------------------
    def _load(self, path: Path, discovered: bool = False) -> Optional[_Layer]:
        """The validated layer of one config file (None: a pyproject.toml without the table).

        A `pyproject.toml` met by discovery (not named by `--config` or `extend`) that
        cannot be read or parsed and does not claim a cachelint table (`claims_cachelint`)
        belongs to another tool: it is skipped with a warning instead of stopping the run.
        """
        skipped = self._skipped.get(path)
        if skipped is not None and not discovered:
            raise skipped  # named explicitly after all: its defect is the user's error now
        if path in self._docs:
            return self._docs[path]
        lenient = discovered and path.name == "pyproject.toml"
        try:
            data = _read_config_bytes(path)
        except ConfigError as exc:
            if not lenient:
                raise
            self._skip(path, exc, readable=False)
            return None
        try:
            doc = _parse_toml(path, data)
        except ConfigError as exc:
            if not lenient or claims_cachelint(data):
                raise
            self._skip(path, exc, readable=True)
            return None
        table, prefix = _config_table(path, doc)
        layer = None
        if table is not None:
            layer = _parse_layer(table, _Source(str(path), prefix, path.parent))
        self._docs[path] = layer
        return layer

    def _skip(self, path: Path, error: ConfigError, readable: bool) -> None:
        """Record (and tell) that `path` is not used as configuration, and why."""
        self._skipped[path] = error
        self._docs[path] = None
        if readable:
            why = "it has no [tool.cachelint] table, so it does not configure cachelint"
        else:
            why = "whether it holds a [tool.cachelint] table cannot be told"
        line = f"{error}; skipped: {why}"
        self.warnings.append(line)
        if self._warn is not None:
            self._warn(line)

    def _chain(self, path: Path, seen: Tuple[Path, ...] = ()) -> List[_Layer]:
        """`path`'s layer preceded by everything it extends (lowest priority first)."""
        if path in self._chains:
            return self._chains[path]
        layer = self._load(path)
        if layer is None:
            raise ConfigError(
                str(path),
                "tool.cachelint",
                "this pyproject.toml has no [tool.cachelint] table to extend",
            )
        chain: List[_Layer] = []
        if layer.extend is not None:
            target = _real(layer.extend)
            if target in seen or target == path:
                cycle = " -> ".join(str(p) for p in (*seen, path, target))
                raise layer.source.error(["extend"], f"circular `extend`: {cycle}")
            try:
                present = target.is_file()
            except OSError:
                present = True  # reading it says why it cannot be read
            if not present:
                raise layer.source.error(
                    ["extend"],
                    f"expected a path to a config file, got {_show(str(layer.extend))} (No such file)",
                )
            chain = list(self._chain(target, (*seen, path)))
        chain.append(layer)
        self._chains[path] = chain
        return chain

    def _settings_for_config(self, config: Optional[Path]) -> Settings:
        cached = self._by_config.get(config)
        if cached is not None:
            return cached
        if config is not None:
            layers = list(self._chain(config))
            project_root = find_project_root(config.parent)
        else:
            layers = []
            project_root = find_project_root(self._cwd)
        layers.extend(self._inline)
        layers.append(self._cli)
        settings = _build_settings(layers, config, project_root)
        if settings.target_version is None and not self._overrides.isolated:
            found = self._requires_python(config.parent if config is not None else self._cwd, project_root)
            if found is not None:
                settings = dataclasses.replace(settings, target_version=found[0], target_version_source=found[1])
        self._by_config[config] = settings
        return settings

    def _requires_python(self, directory: Path, project_root: Path) -> Optional[Tuple[Tuple[int, int], str]]:
        """(oldest version, where it is written) from `project.requires-python` of the
        nearest pyproject.toml at or above `directory` (not above the project root), as
        ruff infers its target version. A file that cannot be read or sets no lower bound
        gives nothing: the target then stays "any Python up to 3.14"."""
        current = directory
        while True:
            candidate = current / "pyproject.toml"
            if os.path.isfile(candidate):
                try:
                    doc = _parse_toml(candidate, _read_config_bytes(candidate))
                except ConfigError:
                    return None
                project = doc.get("project")
                spec = project.get("requires-python") if isinstance(project, dict) else None
                if not isinstance(spec, str):
                    return None
                version = from_requires_python(spec)
                if version is None:
                    return None
                return version, f"requires-python = {json.dumps(spec)} in {candidate}"
            if current == project_root or current.parent == current or not _is_within(current, project_root):
                return None
            current = current.parent


# --- --show-settings ----------------------------------------------------------------------
def _fmt(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Path):
        return json.dumps(str(value))
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (frozenset, set)):
        return "[" + ", ".join(json.dumps(v) for v in sorted(value)) + "]"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return repr(value)


def format_settings(settings: Settings) -> str:
    """Every resolved value of `settings`, one `key = value` per line, in a stable order."""
    lines: List[str] = [
        f"config-file = {_fmt(settings.config_path)}",
        f"project-root = {_fmt(settings.project_root)}",
        f"select = {_fmt(settings.select)}",
        f"fixable = {_fmt(settings.fixable) if settings.fixable is not None else '(all)'}",
        f"unfixable = {_fmt(settings.unfixable)}",
        f"fix = {_fmt(settings.fix)}",
        f"fix-only = {_fmt(settings.fix_only)}",
        f"unsafe-fixes = {_fmt(settings.unsafe_fixes)}",
        f"exclude = {_fmt(settings.exclude)}",
        f"extend-exclude = {_fmt(settings.extend_exclude)}",
        f"respect-gitignore = {_fmt(settings.respect_gitignore)}",
        f"force-exclude = {_fmt(settings.force_exclude)}",
        f"include-generated = {_fmt(settings.include_generated)}",
        f"target-version = {_fmt_target(settings)}",
        f"output-format = {_fmt(settings.output_format)}",
        f"cache-dir = {_fmt(settings.cache_dir)}",
        "",
        "[per-file-ignores]  # globs relative to the config file's directory",
    ]
    for pattern, codes in settings.per_file_ignores:
        lines.append(f"{json.dumps(pattern)} = {_fmt(codes)}")
    lines += ["", "[analysis]"]
    for f in dataclasses.fields(settings.analysis):
        lines.append(f"{f.name.replace('_', '-')} = {_fmt(getattr(settings.analysis, f.name))}")
    for code in sorted(settings.rule_options):
        options = settings.rule_options[code]
        lines += ["", f"[rules.{code}]"]
        if dataclasses.is_dataclass(options):
            for f in dataclasses.fields(options):
                lines.append(f"{f.name.replace('_', '-')} = {_fmt(getattr(options, f.name))}")
        else:
            lines.append(f"# {options!r}")
    tables = settings.tables
    lines += ["", "[models.default]", f"min-cache-tokens = {_fmt_min(tables.default_min)}"]
    for key in sorted(tables.models):
        info = tables.models[key]
        lines += ["", f"[models.{_key_part(key)}]"]
        if info.min_tokens is not None:
            lines.append(f"min-cache-tokens = {_fmt_min(info.min_tokens)}")
        for name in sorted(info.prices):
            lines.append(f"{name} = {info.prices[name]!r}")
        for name in sorted(info.facts):
            lines.append(f"{name} = {_fmt(list(info.facts[name]) if isinstance(info.facts[name], tuple) else info.facts[name])}")
    for name in sorted(tables.platforms):
        plat = tables.platforms[name]
        lines += [
            "",
            f"[platforms.{_key_part(name)}]",
            f"description = {json.dumps(plat.description)}",
            f"top-level-cache-control = {json.dumps(plat.top_level_cache_control)}",
            f"block-cache-control = {json.dumps(plat.block_cache_control)}",
            f"min-cache-tokens = {plat.min_cache_tokens}",
        ]
    return "\n".join(lines) + "\n"


def _fmt_target(settings: Settings) -> str:
    version = settings.target_version
    if version is None:
        return "(not set: any Python up to 3.14)"
    shown = json.dumps(f"py{version[0]}{version[1]}")
    source = settings.target_version_source
    return shown if source in (None, "target-version") else f"{shown}  # from {source}"


def _fmt_min(value: Any) -> str:
    return str(value.low) if value.low == value.high else f"[{value.low}, {value.high}]"
