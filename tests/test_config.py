"""Configuration: finding config files, inheritance, overrides, validation, selection.

Every test builds a real directory tree under `tmp_path` and asks a `ConfigResolver`,
as the CLI does.
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

import cachelint.rules
from cachelint.config.loader import (
    CliOverrides,
    ConfigResolver,
    find_project_root,
    format_settings,
)
from cachelint.rule import Rule
from cachelint.rules.cl000_invalid_source import InvalidSource
from cachelint.rules.cl007_invalid_cache_control import InvalidCacheControl
from cachelint.config.settings import DEFAULT_EXCLUDES, AnalysisOptions, ConfigError


# --- test rules ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SizeOptions:
    max_size: int = 3
    ratio: float = 0.5
    strict: bool = False
    label: str = "x"
    names: Tuple[str, ...] = ("a",)
    tags: List[str] = field(default_factory=list)
    limit: Optional[int] = None


class SizeRule(Rule):
    """Flags nothing; exists so tests can configure options.

    ## What it does
    Nothing.
    """

    code = "CL901"
    name = "test-size"
    summary = "test rule with options"
    options_class = SizeOptions


class OtherRule(Rule):
    """Flags nothing; a second selectable rule.

    ## What it does
    Nothing.
    """

    code = "CL902"
    name = "test-other"
    summary = "test rule without options"


@pytest.fixture(autouse=True)
def rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """A known rule set, so selection results do not depend on which rules exist today."""
    monkeypatch.setattr(
        cachelint.rules, "ALL_RULES", [InvalidSource, InvalidCacheControl, SizeRule, OtherRule]
    )


ALL = {"CL000", "CL007", "CL901", "CL902"}


def write(root: Path, files: Dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def resolver(cwd: Path, **kwargs) -> ConfigResolver:
    return ConfigResolver(cwd, CliOverrides(**kwargs))


def error_of(cwd: Path, **kwargs) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        r = resolver(cwd, **kwargs)
        r.settings_for(cwd / "pkg" / "mod.py")
    return info.value


# --- discovery of config files ------------------------------------------------------------
def test_no_config_gives_defaults_and_cwd_as_root(tmp_path: Path) -> None:
    s = resolver(tmp_path).default_settings
    assert s.config_path is None
    assert s.select == ALL
    assert s.exclude == DEFAULT_EXCLUDES
    assert s.respect_gitignore is True and s.force_exclude is False
    assert s.project_root == tmp_path.resolve()
    assert s.rule_options["CL901"] == SizeOptions()
    assert s.analysis == AnalysisOptions()


def test_precedence_within_one_directory(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".cachelint.toml": 'select = ["CL007"]\n',
            "cachelint.toml": 'select = ["CL000"]\n',
            "pyproject.toml": '[tool.cachelint]\nselect = ["CL901"]\n',
        },
    )
    r = resolver(tmp_path)
    assert r.default_settings.config_path == tmp_path.resolve() / ".cachelint.toml"
    assert r.default_settings.select == {"CL007"}
    (tmp_path / ".cachelint.toml").unlink()
    assert resolver(tmp_path).default_settings.select == {"CL000"}
    (tmp_path / "cachelint.toml").unlink()
    assert resolver(tmp_path).default_settings.select == {"CL901"}


def test_pyproject_without_table_is_skipped(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.cachelint]\nselect = ["CL007"]\n',
            "sub/pyproject.toml": '[project]\nname = "sub"\n[tool.ruff]\nline-length = 10\n',
            "sub/mod.py": "",
        },
    )
    s = resolver(tmp_path).settings_for(tmp_path / "sub" / "mod.py")
    assert s.config_path == tmp_path.resolve() / "pyproject.toml"
    assert s.select == {"CL007"}


# --- a pyproject.toml that is not ours and does not parse --------------------------------------
#: Real shapes: a benchmark's data file, a template with placeholders, a file in UTF-16.
NOT_OURS_BROKEN = [
    pytest.param(b'[project]\nname = "bench"\nversion = {{ version }}\n', "invalid TOML", id="template"),
    pytest.param(b"[project\nname = 1\n", "invalid TOML", id="syntax"),
    pytest.param(b'[project]\nname = "caf\xe9"\n', "not UTF-8", id="latin-1"),
    pytest.param(b"x = " + b"[" * 2000 + b"]" * 2000 + b"\n", "nested too deeply", id="deep"),
]


@pytest.mark.parametrize("data, needle", NOT_OURS_BROKEN)
def test_broken_pyproject_without_cachelint_is_skipped_with_a_warning(
    tmp_path: Path, data: bytes, needle: str
) -> None:
    """A dataset's pyproject.toml that does not parse must not stop the run: it cannot
    configure cachelint, so the next config up applies and one warning names the file."""
    write(tmp_path, {"pyproject.toml": '[tool.cachelint]\nselect = ["CL007"]\n', "sub/mod.py": ""})
    (tmp_path / "sub" / "pyproject.toml").write_bytes(data)
    told: List[str] = []
    r = ConfigResolver(tmp_path, CliOverrides(), warn=told.append)
    s = r.settings_for(tmp_path / "sub" / "mod.py")
    assert s.config_path == tmp_path.resolve() / "pyproject.toml"
    assert s.select == {"CL007"}
    r.settings_for(tmp_path / "sub")  # asked again: warned once per file
    (line,) = told
    assert r.warnings == told
    assert line.startswith(f"{tmp_path.resolve() / 'sub' / 'pyproject.toml'}: ")
    assert needle in line and "skipped" in line and "\n" not in line


def test_broken_pyproject_without_cachelint_in_cwd_gives_defaults(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"[project\n")
    r = resolver(tmp_path)  # the constructor resolves the current directory
    assert r.default_settings.config_path is None
    assert len(r.warnings) == 1


@pytest.mark.parametrize(
    "data",
    [
        b'[tool.cachelint]\nselect = ["CL007"\n',
        b'[tool.cachelint.rules.CL901]\nmax-size = \n',
        b'[ tool . "cachelint" ]\nselect = [\n',
        b'[project\ntool.cachelint.select = ["CL007"]\n',
        b'[tool]\ncachelint = { select = ["CL007"\n',
        b'[tool]\ncachelint.select = ["CL007"\n',
        b'[tool.cachelint]\nname = "caf\xe9"\n',
    ],
)
def test_broken_pyproject_claiming_cachelint_is_still_an_error(tmp_path: Path, data: bytes) -> None:
    """Whatever way the file spells a cachelint table, its defect is a broken cachelint
    configuration: exit 2 and one line, as before."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "pyproject.toml").write_bytes(data)
    err = error_of(tmp_path)
    assert err.path == str(tmp_path.resolve() / "pkg" / "pyproject.toml")
    assert "invalid TOML" in err.message or "not UTF-8" in err.message


def test_claims_cachelint_ignores_other_mentions() -> None:
    from cachelint.config.loader import claims_cachelint

    assert not claims_cachelint(b'[project]\ndependencies = ["cachelint>=0.1"]\n[tool.ruff\n')
    assert not claims_cachelint(b"[tool.cachelintx]\n")
    assert claims_cachelint(b"\n  [tool.cachelint]\n")


@pytest.mark.parametrize(
    "files",
    [
        {"cachelint.toml": 'select = ["CL007"\n'},
        {".cachelint.toml": "[project\n"},
        {"pyproject.toml": "[tool.cachelint]\nselect = 1\n"},
        {"pyproject.toml": "[tool]\ncachelint = 1\n"},
    ],
)
def test_broken_cachelint_configuration_stays_an_error(tmp_path: Path, files: Dict[str, str]) -> None:
    write(tmp_path, files)
    error_of(tmp_path)


def test_broken_pyproject_named_by_config_or_extend_is_an_error(tmp_path: Path) -> None:
    """A file the user names is meant as configuration: its defect is an error, also after
    discovery skipped the same file."""
    (tmp_path / "pyproject.toml").write_bytes(b"[project\n")
    write(tmp_path, {"sub/cachelint.toml": 'extend = "../pyproject.toml"\n', "sub/mod.py": ""})
    r = resolver(tmp_path)
    assert len(r.warnings) == 1
    with pytest.raises(ConfigError, match="invalid TOML"):
        r.settings_for(tmp_path / "sub" / "mod.py")
    with pytest.raises(ConfigError, match="invalid TOML"):
        resolver(tmp_path, config_args=("pyproject.toml",))


def test_unreadable_pyproject_is_skipped_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unreadable pyproject.toml cannot say whether it configures cachelint; most are
    other tools' files, so it is skipped with a warning (simulated: root reads anything)."""
    write(tmp_path, {"pyproject.toml": '[tool.cachelint]\nselect = ["CL007"]\n', "sub/pyproject.toml": ""})
    locked = tmp_path.resolve() / "sub" / "pyproject.toml"
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    r = resolver(tmp_path)
    assert r.settings_for(tmp_path / "sub").select == {"CL007"}
    (line,) = r.warnings
    assert "cannot read config file: Permission denied" in line and "skipped" in line
    write(tmp_path, {"cachelint.toml": 'extend = "sub/pyproject.toml"\n'})
    with pytest.raises(ConfigError, match="Permission denied"):
        resolver(tmp_path)


def test_a_directory_that_cannot_be_searched_has_no_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a directory without search permission `Path.is_file` raises PermissionError;
    its files cannot be read either, so it simply has no config of its own."""
    write(tmp_path, {"cachelint.toml": 'select = ["CL007"]\n', "locked/mod.py": ""})
    locked = str(tmp_path.resolve() / "locked")
    real_stat = os.stat

    def stat(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.fspath(path).startswith(locked + os.sep):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    r = resolver(tmp_path)
    assert r.settings_for(tmp_path / "locked").select == {"CL007"}
    assert find_project_root(Path(locked)) == Path(locked)


def test_closest_config_wins_without_merging(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "cachelint.toml": 'select = ["CL007"]\nextend-exclude = ["gen"]\nunsafe-fixes = true\n',
            "a/cachelint.toml": 'ignore = ["CL000"]\n',
            "a/b/c/mod.py": "",
            "other/mod.py": "",
        },
    )
    r = resolver(tmp_path)
    nested = r.settings_for(tmp_path / "a" / "b" / "c" / "mod.py")
    assert nested.config_path == tmp_path.resolve() / "a" / "cachelint.toml"
    assert nested.select == ALL - {"CL000"}  # the parent's select is not inherited
    assert nested.extend_exclude == ()
    assert nested.unsafe_fixes is None
    top = r.settings_for(tmp_path / "other" / "mod.py")
    assert top.select == {"CL007"} and top.extend_exclude == ("gen",) and top.unsafe_fixes is True
    # A directory asks for its own config, too.
    assert r.settings_for(tmp_path / "a").config_path == nested.config_path


def test_settings_are_shared_and_files_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cachelint.config.loader as config

    write(tmp_path, {"cachelint.toml": 'select = ["CL007"]\n', "x/y/a.py": "", "z/b.py": ""})
    reads: List[Path] = []
    original = config._read_config_bytes
    monkeypatch.setattr(config, "_read_config_bytes", lambda p: reads.append(p) or original(p))
    r = resolver(tmp_path)
    first = r.settings_for(tmp_path / "x" / "y" / "a.py")
    second = r.settings_for(tmp_path / "z" / "b.py")
    assert first is second is r.default_settings
    assert reads == [tmp_path.resolve() / "cachelint.toml"]


# --- extend -------------------------------------------------------------------------------
def test_extend_child_wins_and_extend_keys_accumulate(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": """
            [tool.cachelint]
            select = ["CL0"]
            extend-select = ["CL901"]
            extend-exclude = ["generated/"]
            unsafe-fixes = true
            output-format = "json"
            cache-dir = ".cache"
            per-file-ignores = { "pkg/tests/*.py" = ["CL007"] }
            extend-per-file-ignores = { "*_pb2.py" = ["CL000"] }
            [tool.cachelint.rules.CL901]
            max-size = 10
            label = "base"
        """,
            "pkg/cachelint.toml": """
            extend = "../pyproject.toml"
            extend-select = ["CL902"]
            extend-exclude = ["vendored"]
            output-format = "concise"
            [rules.test-size]
            label = "child"
        """,
            "pkg/tests/test_a.py": "",
        },
    )
    s = resolver(tmp_path).settings_for(tmp_path / "pkg" / "tests" / "test_a.py")
    assert s.config_path == tmp_path.resolve() / "pkg" / "cachelint.toml"
    assert s.select == {"CL000", "CL007", "CL901", "CL902"}
    assert s.unsafe_fixes is True  # inherited
    assert s.output_format == "concise"  # the extending file wins
    assert s.cache_dir == tmp_path.resolve() / ".cache"  # relative to the file that set it
    assert set(s.extend_exclude) == {"generated/", "vendored"}
    # Anchored patterns of the base stay relative to the base's directory.
    assert s.enabled_for(str(tmp_path / "pkg" / "tests" / "test_a.py")) == {
        "CL000",
        "CL901",
        "CL902",
    }
    assert s.enabled_for(str(tmp_path / "pkg" / "other.py")) == {"CL000", "CL007", "CL901", "CL902"}
    assert s.enabled_for(str(tmp_path / "pkg" / "x_pb2.py")) == {"CL007", "CL901", "CL902"}
    assert s.rule_options["CL901"] == SizeOptions(max_size=10, label="child")


def test_extend_select_reset_by_child_select(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "base.toml": 'extend-select = ["CL901"]\nignore = ["CL007"]\n',
            "cachelint.toml": 'extend = "base.toml"\nselect = ["CL007", "CL902"]\n',
        },
    )
    assert resolver(tmp_path).default_settings.select == {"CL007", "CL902"}


def test_extend_chain_of_three(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "shared/one.toml": 'select = ["CL007"]\nrespect-gitignore = false\n',
            "shared/two.toml": 'extend = "one.toml"\nextend-select = ["CL901"]\n',
            "cachelint.toml": 'extend = "shared/two.toml"\nextend-select = ["CL902"]\n',
        },
    )
    s = resolver(tmp_path).default_settings
    assert s.select == {"CL007", "CL901", "CL902"}
    assert s.respect_gitignore is False


def test_extend_patterns_from_a_subdirectory_config_are_prefixed(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "configs/base.toml": 'extend-exclude = ["/gen", "tmp"]\n',
            "cachelint.toml": 'extend = "configs/base.toml"\n',
        },
    )
    s = resolver(tmp_path).default_settings
    assert set(s.extend_exclude) == {"/configs/gen", "/configs/**/tmp"}


@pytest.mark.parametrize(
    "files, needle",
    [
        ({"cachelint.toml": 'extend = "cachelint.toml"\n'}, "circular"),
        (
            {
                "cachelint.toml": 'extend = "a.toml"\n',
                "a.toml": 'extend = "b.toml"\n',
                "b.toml": 'extend = "a.toml"\n',
            },
            "circular",
        ),
        ({"cachelint.toml": 'extend = "missing.toml"\n'}, "No such file"),
        ({"cachelint.toml": "extend = 3\n"}, "expected a path to a config file, got 3"),
    ],
)
def test_extend_errors(tmp_path: Path, files: Dict[str, str], needle: str) -> None:
    write(tmp_path, files)
    err = error_of(tmp_path)
    assert needle in err.message
    assert err.key == "extend"
    assert err.path is not None and err.path.endswith(".toml")


def test_extend_pyproject_without_table_is_an_error(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "base/pyproject.toml": "[project]\nname='x'\n",
            "cachelint.toml": 'extend = "base/pyproject.toml"\n',
        },
    )
    err = error_of(tmp_path)
    assert "no [tool.cachelint] table" in err.message


# --- --config, --isolated -----------------------------------------------------------------
def test_config_file_applies_to_every_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "ci/strict.toml": 'select = ["CL901"]\n',
            "cachelint.toml": 'select = ["CL007"]\n',
            "a/cachelint.toml": 'select = ["CL000"]\n',
        },
    )
    r = resolver(tmp_path, config_args=("ci/strict.toml",))
    assert r.settings_for(tmp_path / "a" / "x.py").select == {"CL901"}
    assert r.default_settings.config_path == tmp_path.resolve() / "ci" / "strict.toml"


def test_inline_config_overrides_closest_config(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "cachelint.toml": 'select = ["CL007"]\nunsafe-fixes = false\n[rules.CL901]\nmax-size = 5\n',
            "a/cachelint.toml": 'select = ["CL000"]\n',
        },
    )
    r = resolver(
        tmp_path,
        config_args=(
            "unsafe-fixes = true",
            "extend-select = ['CL902']",
            "rules.CL901.label = 'inline'",
        ),
    )
    top = r.default_settings
    assert top.unsafe_fixes is True
    assert top.select == {"CL007", "CL902"}
    assert top.rule_options["CL901"] == SizeOptions(max_size=5, label="inline")  # merged key by key
    assert r.settings_for(tmp_path / "a" / "m.py").select == {"CL000", "CL902"}


def test_inline_config_with_config_file(tmp_path: Path) -> None:
    write(tmp_path, {"ci.toml": 'select = ["CL007"]\n'})
    r = resolver(tmp_path, config_args=("ci.toml", "extend-select = ['CL901']"))
    assert r.default_settings.select == {"CL007", "CL901"}


@pytest.mark.parametrize(
    "args, needle",
    [
        (("missing.toml",), "missing.toml: No such file or directory"),
        (("select = [",), "neither a config file nor a TOML"),
        (("extend = 'x.toml'",), "`extend` cannot be used in a --config override"),
        (("a.toml", "b.toml"), "only one config file"),
        (("selct = []",), "did you mean `select`?"),
    ],
)
def test_bad_config_args(tmp_path: Path, args: Tuple[str, ...], needle: str) -> None:
    write(tmp_path, {"a.toml": "", "b.toml": ""})
    err = error_of(tmp_path, config_args=args)
    assert err.path is None
    assert needle in str(err)


def test_isolated_ignores_config_files_but_not_inline_overrides(tmp_path: Path) -> None:
    write(tmp_path, {"cachelint.toml": 'select = ["CL007"]\nextend-exclude = ["x"]\n'})
    r = resolver(tmp_path, isolated=True, config_args=("ignore = ['CL902']",))
    s = r.settings_for(tmp_path / "m.py")
    assert s.config_path is None
    assert s.select == ALL - {"CL902"}
    assert s.extend_exclude == ()
    err = error_of(tmp_path, isolated=True, config_args=("cachelint.toml",))
    assert "--isolated" in err.message


def test_isolated_ignores_broken_config(tmp_path: Path) -> None:
    write(tmp_path, {"cachelint.toml": "select = [\n"})
    assert resolver(tmp_path, isolated=True).default_settings.config_path is None


# --- selection ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "config, cli, expected",
    [
        ("", {}, ALL),
        ('select = ["CL007"]', {}, {"CL007"}),
        ('select = ["CL0"]\nextend-select = ["CL901"]', {}, {"CL000", "CL007", "CL901"}),
        ('ignore = ["CL9"]', {}, {"CL000", "CL007"}),
        (
            'select = ["ALL"]\nignore = ["CL0"]\nextend-select = ["CL007"]',
            {},
            {"CL007", "CL901", "CL902"},
        ),
        ('select = ["CL007", "test-size"]', {}, {"CL007", "CL901"}),
        ('select = ["CL007"]', {"select": ("CL901",)}, {"CL901"}),
        ('select = ["CL007"]', {"extend_select": ("CL902",)}, {"CL007", "CL902"}),
        ('select = ["CL0"]', {"ignore": ("CL000",)}, {"CL007"}),
        ('ignore = ["CL007"]', {"extend_select": ("CL007",)}, ALL),
        ('ignore = ["CL007"]', {"select": ("ALL",)}, ALL),
        ("", {"select": ("CL9",), "ignore": ("test-other",)}, {"CL901"}),
    ],
)
def test_selection_precedence(tmp_path: Path, config: str, cli: dict, expected: set) -> None:
    write(tmp_path, {"cachelint.toml": config + "\n"})
    assert resolver(tmp_path, **cli).default_settings.select == expected


@pytest.mark.parametrize(
    "flag, field_name",
    [("--select", "select"), ("--extend-select", "extend_select"), ("--ignore", "ignore")],
)
def test_unknown_cli_selector(tmp_path: Path, flag: str, field_name: str) -> None:
    err = error_of(tmp_path, **{field_name: ("CL999",)})
    assert err.path is None and err.key == flag
    assert "unknown rule selector 'CL999'" in err.message


def test_fixable_and_unfixable(tmp_path: Path) -> None:
    write(tmp_path, {"cachelint.toml": 'fixable = ["CL0"]\nunfixable = ["CL000"]\n'})
    s = resolver(tmp_path).default_settings
    assert s.fixable == {"CL000", "CL007"}
    assert s.unfixable == {"CL000"}
    assert s.is_fixable("CL007") and not s.is_fixable("CL000") and not s.is_fixable("CL901")
    assert resolver(tmp_path, isolated=True).default_settings.fixable is None


# --- per-file-ignores ---------------------------------------------------------------------
def test_per_file_ignores_matching(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": """
            [tool.cachelint.per-file-ignores]
            "tests/" = ["CL007"]
            "src/*.py" = ["test-size"]
            "*_pb2.py" = ["CL9"]
            "/top.py" = ["CL000"]
        """,
        },
    )
    s = resolver(tmp_path).default_settings
    root = tmp_path.resolve()

    def enabled(rel: str) -> set:
        return set(s.enabled_for(str(root / rel)))

    assert enabled("tests/a/test_x.py") == ALL - {"CL007"}
    assert enabled("pkg/tests/test_x.py") == ALL - {"CL007"}  # no `/` inside: any depth
    assert enabled("src/m.py") == ALL - {"CL901"}
    assert enabled("src/sub/m.py") == ALL  # `*` does not cross `/` (ruff#21425)
    assert enabled("a/b/msg_pb2.py") == {"CL000", "CL007"}
    assert enabled("top.py") == ALL - {"CL000"}
    assert enabled("sub/top.py") == ALL  # anchored at the config directory


# --- every key ----------------------------------------------------------------------------
def test_every_key_valid(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "prompts").mkdir()
    write(
        tmp_path,
        {
            "pyproject.toml": """
            [tool.cachelint]
            select = ["CL0", "CL901"]
            ignore = ["CL000"]
            extend-select = ["CL902"]
            per-file-ignores = { "tests/*" = ["CL007"] }
            extend-per-file-ignores = { "docs/*" = ["CL901"] }
            exclude = ["only_this"]
            extend-exclude = ["also_this/"]
            respect-gitignore = false
            force-exclude = true
            unsafe-fixes = true
            fixable = ["ALL"]
            unfixable = ["CL007"]
            output-format = "sarif"
            cache-dir = "build/cache"
            include-generated = true

            [tool.cachelint.rules.CL901]
            max-size = 7
            ratio = 2
            strict = true
            label = "y"
            names = ["b", "c"]
            tags = ["t"]
            limit = 4

            [tool.cachelint.models."claude-sonnet-4-5"]
            min-cache-tokens = 2048

            [tool.cachelint.platforms.bedrock]
            min-cache-tokens = 1500

            [tool.cachelint.analysis]
            max-call-depth = 5
            prompt-paths = ["prompts", "."]
            max-prompt-file-bytes = 1000
        """,
        },
    )
    s = resolver(tmp_path).default_settings
    root = tmp_path.resolve()
    assert s.project_root == root
    assert s.select == {"CL007", "CL901", "CL902"}
    assert s.per_file_ignores == (
        ("tests/*", frozenset({"CL007"})),
        ("docs/*", frozenset({"CL901"})),
    )
    assert s.exclude == ("only_this",)
    assert s.extend_exclude == ("also_this/",)
    assert (s.respect_gitignore, s.force_exclude, s.unsafe_fixes, s.include_generated) == (
        False,
        True,
        True,
        True,
    )
    assert s.fixable == ALL and s.unfixable == {"CL007"}
    assert s.output_format == "sarif"
    assert s.cache_dir == root / "build" / "cache"
    opts = s.rule_options["CL901"]
    assert opts == SizeOptions(7, 2.0, True, "y", ("b", "c"), ["t"], 4)
    assert isinstance(opts.ratio, float) and isinstance(opts.names, tuple)
    assert s.tables.min_tokens("claude-sonnet-4-5", None).high == 2048
    assert s.tables.platform("bedrock").min_cache_tokens == 1500
    assert s.analysis == AnalysisOptions(
        max_call_depth=5, prompt_paths=("prompts", "."), max_prompt_file_bytes=1000
    )


@pytest.mark.parametrize(
    "toml, key, needle",
    [
        (
            'selct = ["CL007"]',
            "tool.cachelint.selct",
            "unknown setting `selct`; did you mean `select`?",
        ),
        (
            'extend_exclude = ["x"]',
            "tool.cachelint.extend_exclude",
            "did you mean `extend-exclude`?",
        ),
        ("select = 3", "tool.cachelint.select", "expected a list of rule selectors, got 3"),
        (
            'select = "CL007"',
            "tool.cachelint.select",
            'expected a list of rule selectors, got "CL007"',
        ),
        ('ignore = ["CL999"]', "tool.cachelint.ignore", "unknown rule selector 'CL999'"),
        (
            'extend-select = ["test-sise"]',
            "tool.cachelint.extend-select",
            "did you mean `test-size`?",
        ),
        ('fixable = ["nope"]', "tool.cachelint.fixable", "unknown rule selector"),
        ("unfixable = [1]", "tool.cachelint.unfixable", "expected a list of rule selectors"),
        (
            'per-file-ignores = ["x"]',
            "tool.cachelint.per-file-ignores",
            "expected a table mapping globs",
        ),
        (
            'per-file-ignores = { "a.py" = ["CL999"] }',
            'tool.cachelint.per-file-ignores."a.py"',
            "unknown rule selector",
        ),
        (
            'extend-per-file-ignores = { "a.py" = "CL007" }',
            'tool.cachelint.extend-per-file-ignores."a.py"',
            "expected a list",
        ),
        ("exclude = [1]", "tool.cachelint.exclude", "expected a list of glob patterns, got [1]"),
        ('extend-exclude = [""]', "tool.cachelint.extend-exclude", "non-empty"),
        (
            'respect-gitignore = "yes"',
            "tool.cachelint.respect-gitignore",
            'expected a boolean (true or false), got "yes"',
        ),
        ("force-exclude = 1", "tool.cachelint.force-exclude", "expected a boolean"),
        ("unsafe-fixes = []", "tool.cachelint.unsafe-fixes", "expected a boolean"),
        ("include-generated = 0", "tool.cachelint.include-generated", "expected a boolean"),
        (
            'output-format = "text"',
            "tool.cachelint.output-format",
            "expected one of full, concise, json",
        ),
        ("cache-dir = false", "tool.cachelint.cache-dir", "expected a directory path, got false"),
        ("rules = 1", "tool.cachelint.rules", "expected a table"),
        (
            "[tool.cachelint.rules.CL999]\nx = 1",
            "tool.cachelint.rules.CL999",
            "unknown rule `CL999`",
        ),
        (
            "[tool.cachelint.rules.CL901]\nmax-sise = 1",
            "tool.cachelint.rules.CL901.max-sise",
            "did you mean `max-size`?",
        ),
        (
            "[tool.cachelint.rules.CL901]\nmax_size = 1",
            "tool.cachelint.rules.CL901.max_size",
            "did you mean `max-size`?",
        ),
        (
            "[tool.cachelint.rules.CL901]\nmax-size = '3'",
            "tool.cachelint.rules.CL901.max-size",
            'expected an integer, got "3"',
        ),
        (
            "[tool.cachelint.rules.CL901]\nmax-size = true",
            "tool.cachelint.rules.CL901.max-size",
            "expected an integer, got true",
        ),
        (
            "[tool.cachelint.rules.CL901]\nratio = 'x'",
            "tool.cachelint.rules.CL901.ratio",
            "expected a number",
        ),
        (
            "[tool.cachelint.rules.CL901]\nstrict = 1",
            "tool.cachelint.rules.CL901.strict",
            "expected a boolean",
        ),
        (
            "[tool.cachelint.rules.CL901]\nnames = [1]",
            "tool.cachelint.rules.CL901.names",
            "expected a list of strings, got [1]",
        ),
        (
            "[tool.cachelint.rules.CL901]\nlimit = 'x'",
            "tool.cachelint.rules.CL901.limit",
            "expected an integer",
        ),
        (
            "[tool.cachelint.rules.test-other]\nx = 1",
            "tool.cachelint.rules.test-other.x",
            "CL902 (test-other) has no options",
        ),
        (
            '[tool.cachelint.models."claude-sonnet-4-5"]\nmin-cache-tokens = "x"',
            "tool.cachelint.models.claude-sonnet-4-5.min-cache-tokens",
            "expected a token count",
        ),
        (
            "[tool.cachelint.platforms.bedrock]\nblock-cache-control = 'maybe'",
            "tool.cachelint.platforms.bedrock.block-cache-control",
            "expected one of supported",
        ),
        ("models = 1", "tool.cachelint.models", "expected a table"),
        ("analysis = []", "tool.cachelint.analysis", "expected a table"),
        (
            "[tool.cachelint.analysis]\nmax-depth = 1",
            "tool.cachelint.analysis.max-depth",
            "did you mean `max-call-depth`?",
        ),
        (
            "[tool.cachelint.analysis]\nmax-call-depth = 7",
            "tool.cachelint.analysis.max-call-depth",
            "from 0 to 6, got 7",
        ),
        (
            "[tool.cachelint.analysis]\nmax-call-depth = -1",
            "tool.cachelint.analysis.max-call-depth",
            "from 0 to 6",
        ),
        (
            "[tool.cachelint.analysis]\nmax-prompt-file-bytes = 0",
            "tool.cachelint.analysis.max-prompt-file-bytes",
            "positive integer, got 0",
        ),
        (
            "[tool.cachelint.analysis]\nprompt-paths = 'p'",
            "tool.cachelint.analysis.prompt-paths",
            "expected a list of directories",
        ),
        (
            "[tool.cachelint.analysis]\nprompt-paths = ['../outside']",
            "tool.cachelint.analysis.prompt-paths",
            "outside",
        ),
    ],
)
def test_invalid_values(tmp_path: Path, toml: str, key: str, needle: str) -> None:
    (tmp_path / ".git").mkdir()
    text = toml if toml.startswith("[tool") else "[tool.cachelint]\n" + toml
    write(tmp_path, {"pyproject.toml": text + "\n"})
    err = error_of(tmp_path)
    assert err.path == str(tmp_path.resolve() / "pyproject.toml")
    assert err.key == key
    assert needle in err.message
    assert str(err).startswith(f"{err.path}: {key}: ")


def test_top_level_keys_in_cachelint_toml_have_short_key_paths(tmp_path: Path) -> None:
    write(tmp_path, {"cachelint.toml": "[rules.CL901]\nmax-size = 'big'\n"})
    err = error_of(tmp_path)
    assert err.key == "rules.CL901.max-size"


def test_toml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"cachelint.toml": 'select = ["CL007"]\nignore = ["CL000" "CL007"]\nunsafe-fixes = true\n'},
    )
    err = error_of(tmp_path)
    assert err.path == str(tmp_path.resolve() / "cachelint.toml")
    assert "invalid TOML" in err.message and "line" in err.message and "column" in err.message


def test_non_utf8_config(tmp_path: Path) -> None:
    (tmp_path / "cachelint.toml").write_bytes(b'select = ["\xff"]\n')
    assert "not UTF-8" in error_of(tmp_path).message


def test_unreadable_config_file(tmp_path: Path) -> None:
    path = tmp_path / "cachelint.toml"
    path.write_text('select = ["CL007"]\n')
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("permissions are not enforced for this user (root)")
        err = error_of(tmp_path)
        assert err.path == str(path.resolve())
        assert "cannot read config file" in err.message
    finally:
        path.chmod(0o644)


def test_prompt_paths_escaping_through_a_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "link").symlink_to(outside, target_is_directory=True)
    write(project, {"cachelint.toml": '[analysis]\nprompt-paths = ["link"]\n'})
    err = error_of(project)
    assert err.key == "analysis.prompt-paths"
    assert "outside" in err.message and "never reads outside the project root" in err.message


def test_prompt_paths_are_relative_to_the_config_and_stored_relative_to_root(
    tmp_path: Path,
) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"pkg/cachelint.toml": '[analysis]\nprompt-paths = ["prompts", "../shared"]\n'})
    s = resolver(tmp_path).settings_for(tmp_path / "pkg" / "m.py")
    assert s.project_root == tmp_path.resolve()
    assert s.analysis.prompt_paths == ("pkg/prompts", "shared")


def test_rule_options_reach_the_rule(tmp_path: Path) -> None:
    write(tmp_path, {"cachelint.toml": "[rules.test-size]\nmax-size = 42\n"})
    s = resolver(tmp_path).default_settings
    rule = SizeRule(s.rule_options[SizeRule.code])
    assert rule.options.max_size == 42
    assert rule.options.label == "x"


def test_rule_options_rejected_by_the_options_class(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    @dataclass(frozen=True)
    class Checked:
        size: int = 1

        def __post_init__(self) -> None:
            if self.size < 1:
                raise ValueError("size must be at least 1")

    class CheckedRule(Rule):
        """Doc.

        ## What it does
        Nothing.
        """

        code = "CL903"
        name = "test-checked"
        summary = "x"
        options_class = Checked

    monkeypatch.setattr(cachelint.rules, "ALL_RULES", [CheckedRule])
    write(tmp_path, {"cachelint.toml": "[rules.CL903]\nsize = 0\n"})
    err = error_of(tmp_path)
    assert err.key == "rules.CL903" and "size must be at least 1" in err.message


def test_bad_cli_output_format(tmp_path: Path) -> None:
    err = error_of(tmp_path, output_format="xml")
    assert err.path is None and err.key == "--output-format"


def test_cli_values_beat_config(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "cachelint.toml": """
                unsafe-fixes = true
                force-exclude = false
                respect-gitignore = true
                output-format = "json"
                cache-dir = "c1"
            """
        },
    )
    (tmp_path / "sub").mkdir()
    r = ConfigResolver(
        tmp_path / "sub",
        CliOverrides(
            unsafe_fixes=False,
            force_exclude=True,
            respect_gitignore=False,
            output_format="github",
            cache_dir="c2",
        ),
    )
    s = r.default_settings
    assert (s.unsafe_fixes, s.force_exclude, s.respect_gitignore, s.output_format) == (
        False,
        True,
        False,
        "github",
    )
    assert s.cache_dir == tmp_path.resolve() / "sub" / "c2"  # CLI paths are relative to the CWD


# --- project root -------------------------------------------------------------------------
def test_project_root(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".hg").mkdir(parents=True)
    write(repo, {"pkg/sub/cachelint.toml": "", "pkg/sub/m.py": "", "other/m.py": ""})
    write(tmp_path, {"norepo/cfg/cachelint.toml": "", "norepo/cfg/x/m.py": ""})
    r = resolver(repo / "other")
    # No config: the nearest VCS root of the CWD.
    assert r.default_settings.project_root == repo.resolve()
    assert r.settings_for(repo / "pkg" / "sub" / "m.py").project_root == repo.resolve()
    assert (
        resolver(tmp_path / "norepo" / "cfg" / "x").default_settings.project_root
        == (tmp_path / "norepo" / "cfg").resolve()
    )
    assert find_project_root(tmp_path / "norepo") == tmp_path / "norepo"


# --- --show-settings ----------------------------------------------------------------------
def test_format_settings_is_complete_and_stable(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "cachelint.toml": """
                select = ["CL007"]
                per-file-ignores = { "t/*" = ["CL007"] }
                [rules.CL901]
                max-size = 9
            """
        },
    )
    s = resolver(tmp_path).default_settings
    text = format_settings(s)
    assert text == format_settings(resolver(tmp_path).default_settings)
    for line in (
        'select = ["CL007"]',
        "fixable = (all)",
        "respect-gitignore = true",
        '"t/*" = ["CL007"]',
        "[rules.CL901]",
        "max-size = 9",
        "max-call-depth = 3",
        "[platforms.bedrock]",
        f'config-file = "{tmp_path.resolve() / "cachelint.toml"}"',
    ):
        assert line in text.splitlines(), line
