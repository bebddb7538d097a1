"""The warm path keeps its behaviour: what it memoises and what it defers gives the same answers.

A run where every file is a cache hit must not recompute the settings fingerprint per file,
resolve every directory again, or read the head of every file to find generated code. These
tests pin the behaviour those shortcuts must keep: the fingerprint follows the settings it
describes, the resolver's memo answers as a full resolution would, and a generated file is
skipped (and only checked once its content changes) whether or not the cache answers for it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import re
import textwrap
from pathlib import Path
from typing import Callable, Dict, List

import pytest
from click.testing import Result

import cachelint.discovery.walk
from cachelint.cli import main
from cachelint.config.loader import CliOverrides, ConfigResolver
from cachelint.discovery.walk import discover
from cachelint.engine import Engine
from cachelint.config.settings import Settings
from cli_runner import cli_runner as _cli_runner

MARKER = "@" + "generated"  # split so this file is not itself generated code
BAD_TYPE = 'X = {"cache_control": {"type": "persistent"}}\n'


def write(root: Path, files: Dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


# --- the settings fingerprint -------------------------------------------------------------------
def test_the_fingerprint_is_computed_once_per_settings_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = ConfigResolver(tmp_path, CliOverrides()).default_settings
    calls: List[int] = []
    compute = Settings._compute_fingerprint

    def counting(self: Settings) -> str:
        calls.append(1)
        return compute(self)

    monkeypatch.setattr(Settings, "_compute_fingerprint", counting)
    first = settings.fingerprint()
    assert all(settings.fingerprint() == first for _ in range(5))
    assert len(calls) == 1
    assert first == compute(settings)  # the memo is the value itself


def test_the_fingerprint_memo_follows_the_settings(tmp_path: Path) -> None:
    settings = ConfigResolver(tmp_path, CliOverrides()).default_settings
    before = settings.fingerprint()
    # different settings are a new object: a new fingerprint, never the memo of the old one
    narrowed = dataclasses.replace(settings, select=frozenset({"CL007"}))
    assert narrowed.fingerprint() != before
    with_generated = dataclasses.replace(settings, include_generated=True)
    assert with_generated.fingerprint() != before
    # equal settings agree, memo or not, and the memo changes neither equality nor pickling
    same = dataclasses.replace(settings)
    assert same == settings and same.fingerprint() == before
    assert pickle.loads(pickle.dumps(settings)).fingerprint() == before
    write(tmp_path, {"cachelint.toml": 'select = ["CL007"]\n'})
    assert (
        ConfigResolver(tmp_path, CliOverrides()).default_settings.fingerprint()
        == narrowed.fingerprint()
    )


# --- the resolver's memo ------------------------------------------------------------------------
def test_settings_for_answers_as_a_full_resolution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        {
            "cachelint.toml": 'select = ["CL007"]\n',
            "pkg/a.py": "",
            "pkg/deep/c.py": "",
            "sub/cachelint.toml": 'select = ["CL001"]\n',
            "sub/b.py": "",
            "plain/pyproject.toml": "[tool.other]\n",  # no [tool.cachelint]: not a config
            "plain/d.py": "",
        },
    )
    (tmp_path / "pkg" / "alias.py").symlink_to(tmp_path / "sub" / "b.py")
    (tmp_path / "pkg" / "subdir").symlink_to(tmp_path / "sub", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    asked = [
        "pkg/a.py",
        "pkg",
        "pkg/deep",
        "pkg/deep/c.py",
        "pkg/alias.py",
        "pkg/subdir",
        "pkg/subdir/b.py",
        "sub/b.py",
        "sub",
        "plain/d.py",
        "plain",
        "missing.py",
        "pkg/../sub/b.py",
        ".",
        str(tmp_path / "sub" / "b.py"),
        str(tmp_path.resolve() / "pkg" / "deep" / "c.py"),  # as the walk found it
        str(tmp_path.resolve() / "plain" / "d.py"),
    ]
    expected = {}
    for rel in asked:
        fresh = ConfigResolver(tmp_path, CliOverrides())
        expected[rel] = fresh._settings_for_real(Path(rel)).config_path
    resolver = ConfigResolver(tmp_path, CliOverrides())
    discover(["."], resolver)  # the walk hands its directories' settings to the resolver
    for _ in range(2):  # a first answer (memo filled) and a second (memo read)
        for rel in asked:
            assert resolver.settings_for(Path(rel)).config_path == expected[rel], rel
            assert resolver.settings_for(rel).config_path == expected[rel], rel
    assert (
        expected["pkg/alias.py"]
        == expected["sub/b.py"]
        == tmp_path.resolve() / "sub" / "cachelint.toml"
    )
    assert expected["plain/d.py"] == tmp_path.resolve() / "cachelint.toml"


def test_the_walk_reads_the_config_of_a_nested_directory(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a/skip_me.py": "",
            "a/b/cachelint.toml": 'extend-exclude = ["skip_me.py"]\n',
            "a/b/skip_me.py": "",
            "a/b/c/skip_me.py": "",
            "a/b/c/keep.py": "",
            "a/p/pyproject.toml": "[project]\nname = 'x'\n",
            "a/p/skip_me.py": "",
        },
    )
    resolver = ConfigResolver(tmp_path, CliOverrides())
    files = [p.relative_to(tmp_path.resolve()).as_posix() for p in discover(["."], resolver).files]
    assert files == ["a/b/c/keep.py", "a/p/skip_me.py", "a/skip_me.py"]
    assert resolver.settings_for(tmp_path / "a" / "b" / "c" / "keep.py").extend_exclude == (
        "skip_me.py",
    )
    assert resolver.settings_for(tmp_path / "a" / "p" / "skip_me.py").extend_exclude == ()


def test_discovered_files_are_sorted_as_paths(tmp_path: Path) -> None:
    write(
        tmp_path,
        {name: "" for name in ("a-b/x.py", "a/b.py", "a.py", "a/b/c.py", "a_b.py", "A.py")},
    )
    result = discover(["."], ConfigResolver(tmp_path, CliOverrides()))
    assert result.files == sorted(result.files)
    assert result.paths == [str(p) for p in result.files]
    assert len(result.files) == 6


# --- generated files: checked by the linter, not at discovery ------------------------------------
def test_deferred_generated_check_lists_what_discovery_did_not_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a.py": "",
            "gen.py": f"# {MARKER}\n",
            "inc/cachelint.toml": "include-generated = true\n",
            "inc/gen2.py": f"# {MARKER}\n",
        },
    )
    root = tmp_path.resolve()
    resolver = ConfigResolver(tmp_path, CliOverrides())
    checked = discover(["."], resolver)
    assert [p.relative_to(root).as_posix() for p in checked.files] == ["a.py", "inc/gen2.py"]
    assert checked.unchecked_generated == set()
    deferred = discover(["."], resolver, defer_generated=True)
    assert [p.relative_to(root).as_posix() for p in deferred.files] == [
        "a.py",
        "gen.py",
        "inc/gen2.py",
    ]
    # include-generated is on under inc/: nothing to check there
    assert deferred.unchecked_generated == {str(root / "a.py"), str(root / "gen.py")}
    # named and walked: linted as named, so the walk's check is done at once
    named = discover([".", "gen.py"], resolver, defer_generated=True)
    assert (
        str(root / "gen.py") in named.paths
        and str(root / "gen.py") not in named.unchecked_generated
    )
    forced = discover([".", "gen.py"], resolver, force_exclude=True, defer_generated=True)
    assert str(root / "gen.py") not in forced.paths



@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    write(
        root,
        {
            "pyproject.toml": '[tool.cachelint]\nselect = ["CL007"]\n',
            "markers.py": BAD_TYPE,
            "gen.py": f"# {MARKER} by a tool\n" + BAD_TYPE,
            "gen_pb2.py": "# Generated by the protocol buffer compiler.  DO NOT EDIT!\n" + BAD_TYPE,
        },
    )
    monkeypatch.chdir(root)
    return root


Cli = Callable[..., Result]


@pytest.fixture
def cli(project: Path) -> Cli:
    def invoke(*args: str) -> Result:
        result = _cli_runner().invoke(
            main, ["--output-format", "json", *args], catch_exceptions=False
        )
        assert "Traceback" not in result.stderr
        return result

    return invoke


def _flagged(result: Result) -> List[str]:
    return sorted(os.path.basename(d["filename"]) for d in json.loads(result.stdout))


def _file_count(result: Result) -> int:
    match = re.search(r"cachelint \S+: (\d+) files", result.stderr)
    assert match, result.stderr
    return int(match.group(1))


def test_a_generated_file_is_skipped_on_cold_and_warm_runs(
    cli: Cli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    linted: List[str] = []
    real_lint = Engine.lint

    def counting_lint(self, path, *args, **kwargs):  # type: ignore[no-untyped-def]
        linted.append(os.path.basename(path))
        return real_lint(self, path, *args, **kwargs)

    monkeypatch.setattr(Engine, "lint", counting_lint)

    def no_sniff(path: object) -> bool:
        raise AssertionError(f"discovery read {path} while linting")

    monkeypatch.setattr(cachelint.discovery.walk, "_file_is_generated", no_sniff)
    cold = cli("--verbose")
    assert _flagged(cold) == ["markers.py"]
    assert _file_count(cold) == 1  # generated files are not counted, as before
    assert sorted(linted) == ["gen.py", "gen_pb2.py", "markers.py"]  # the linter checked them
    linted.clear()
    warm = cli("--verbose")
    assert linted == []  # all cache hits: no file read, the generated ones included
    assert warm.stdout == cold.stdout and _file_count(warm) == 1
    assert cli("--no-cache").stdout == cold.stdout
    linted.clear()
    # the cache entry says "generated" only for the content it was computed on
    (project / "gen.py").write_text("# no longer generated\n" + BAD_TYPE, encoding="utf-8")
    assert _flagged(cli()) == ["gen.py", "markers.py"]
    assert linted == ["gen.py"]


def test_generated_files_with_include_generated_and_listings(cli: Cli, project: Path) -> None:
    assert _flagged(cli()) == ["markers.py"]
    listed = _cli_runner().invoke(main, ["--show-files"])
    assert listed.stdout.split() == ["markers.py"]
    assert _flagged(cli("gen.py")) == ["gen.py"]  # named explicitly: linted
    assert _flagged(cli(".", "gen.py")) == ["gen.py", "markers.py"]
    assert _flagged(cli("--force-exclude", ".", "gen.py")) == ["markers.py"]
    (project / "pyproject.toml").write_text(
        '[tool.cachelint]\nselect = ["CL007"]\ninclude-generated = true\n', encoding="utf-8"
    )
    assert _flagged(cli()) == ["gen.py", "gen_pb2.py", "markers.py"]
    listed = _cli_runner().invoke(main, ["--show-files"])
    assert listed.stdout.split() == ["gen.py", "gen_pb2.py", "markers.py"]


# --- start-up: what a run answered from the cache imports ------------------------------------------
SELECTORS = [
    "ALL",
    "CL",
    "CL0",
    "CL00",
    "CL001",
    "cl007",
    " CL1 ",
    "invalid-cache-control",
    "Unused-Suppression",
    "CL01",
    "CL1",
]


def test_selectors_resolve_alike_with_or_without_the_rules_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import cachelint.rules
    from cachelint import registry

    def answers() -> list:
        out = []
        for sel in [*SELECTORS, "CL9", "nope", "CL0011"]:
            try:
                out.append(registry.resolve_selector(sel))
            except registry.UnknownSelector as exc:
                out.append(str(exc))
            out.append((registry.code_for(sel), registry.normalize_code(sel)))
        return out + [registry.default_selection()]

    with_rules = answers()
    assert with_rules[-1] == frozenset(r.code for r in registry.all_rules())
    monkeypatch.delattr(cachelint.rules, "ALL_RULES")  # not imported yet, as in a fresh process
    assert answers() == with_rules
    assert "ALL_RULES" not in vars(cachelint.rules)  # answered from the file names alone


def test_default_rule_options_are_built_on_first_use(tmp_path: Path) -> None:
    from cachelint.registry import all_rules
    from cachelint.config.settings import DefaultRuleOptions

    settings = ConfigResolver(tmp_path, CliOverrides()).default_settings
    assert isinstance(settings.rule_options, DefaultRuleOptions)
    expected = {r.code: r.options_class() for r in all_rules() if r.options_class is not None}
    assert dict(settings.rule_options) == expected and settings.rule_options == expected
    write(tmp_path, {"cachelint.toml": "[rules.CL001]\n"})  # a rules table: built at once
    configured = ConfigResolver(tmp_path, CliOverrides()).default_settings.rule_options
    assert type(configured) is dict and configured == expected


def test_a_run_answered_from_the_cache_imports_no_rule_analysis_pool_or_unused_format(
    project: Path,
) -> None:
    import subprocess
    import sys

    script = textwrap.dedent(
        """
        import json, sys
        from cachelint.cli import main
        try:
            main.main(args=["--output-format", "concise", "."], standalone_mode=False)
        except SystemExit:
            pass
        print(json.dumps(sorted(sys.modules)))
        """
    )

    def modules() -> List[str]:
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=project, capture_output=True, text=True, timeout=300
        )
        assert "markers.py:1" in done.stdout, done.stderr
        return json.loads(done.stdout.splitlines()[-1])

    cold = modules()  # fills the cache: the rules and the analysis ran
    rule_modules = [name for name in cold if name.startswith("cachelint.rules.")]
    assert rule_modules and "cachelint.analysis" in cold
    warm = modules()
    unwanted = [
        *rule_modules,
        "cachelint.analysis",
        "libcst",
        "multiprocessing",
        "concurrent.futures",
        "tempfile",
        "difflib",
        "cachelint.output.full",
        "cachelint.output.sarif",
        "cachelint.output.junit",
        "cachelint.fix.apply",
    ]
    assert [name for name in unwanted if name in warm] == []


def test_the_walkers_exclude_test_is_the_documented_one(tmp_path: Path) -> None:
    """`_Plan.excluded` (names by set or regex, anchored patterns by relative path) answers as
    `_matches_exclude(_rel_for_match(...), descendants=False)` for every kind of pattern."""
    from cachelint.discovery.walk import _matches_exclude, _Plan, _rel_for_match

    base = tmp_path.resolve() / "proj"
    cwd = tmp_path.resolve() / "proj" / "sub"
    patterns = (
        "build",
        "dist/",
        "*_pb2.py",
        "/top.py",
        "pkg/*.py",
        "a/**/b",
        "x\\*y",
        "[ab]c",
        "./gen",
        "nl",
        "?.py",
        "**/deep/",
        "sub",
        "y]",
    )
    names = [
        "build",
        "dist",
        "x_pb2.py",
        "top.py",
        "m.py",
        "b",
        "x*y",
        "xzy",
        "ac",
        "bc",
        "gen",
        "nl\n",
        "build\n",
        "dist\n",
        "q.py",
        "deep",
        "sub",
        "y]",
        "other.py",
        "é.py",
        "proj",
    ]
    directories = [
        base,
        base / "pkg",
        base / "a" / "k",
        cwd,
        tmp_path.resolve() / "out",
        base.parent,
    ]
    settings = dataclasses.replace(
        ConfigResolver(tmp_path, CliOverrides()).default_settings,
        project_root=base,
        exclude=patterns[:7],
        extend_exclude=patterns[7:],
    )
    plan = _Plan(settings, str(cwd))
    checked = 0
    for directory in directories:
        for name in names:
            path = directory / name
            for is_dir in (False, True):
                old = _matches_exclude(_rel_for_match(path, settings, cwd), settings, is_dir, False)
                assert plan.excluded(str(path), name, is_dir) == old, (path, is_dir)
                checked += 1
    assert checked == 252  # including base.parent / "proj": the config directory (rel ".")
    assert not plan.excluded(str(base), "proj", True)
