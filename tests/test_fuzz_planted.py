"""Property tests on generated projects that plant real LLM call shapes (tests/strategies.py).

Every generated project is linted and fixed in-process by the real engine and fixer, the
fixed files are written, and the project is linted and fixed again. Whatever the shape:

* no internal error, no exception;
* every fixed file parses;
* a second `--fix --unsafe-fixes` changes nothing;
* a file changes only if the first lint reported a fix edit in it;
* where the generator knows the truth, the findings agree with it (five or more literal
  breakpoints give CL003, a literal invalid TTL gives CL007, a large static system prompt
  with no breakpoint gives CL001 and a small one does not, a request-level
  `cache_control` sent through AnthropicBedrock/AnthropicVertex gives CL004, four or fewer
  literal breakpoints and no loop never give CL003).

The seed is fixed (derandomize) so CI runs the same examples every time;
`CACHELINT_FUZZ_EXAMPLES=2000` runs more.
"""

from __future__ import annotations

import ast
import os
import tempfile
from pathlib import Path
from typing import List

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings

from cachelint.config.loader import CliOverrides, ConfigResolver
from cachelint.engine import Engine
from strategies import ANTHROPIC_SDK, CLIENTS, Planted, lint_and_fix, planted_projects, write_files

EXAMPLES = int(os.environ.get("CACHELINT_FUZZ_EXAMPLES", "0")) or None


def _settings(default: int):
    return settings(
        max_examples=EXAMPLES or default,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def _codes_in(results, path: str, first: int, last: int) -> List[str]:
    result = results[path]
    return [d.code for d in result.diagnostics if first <= d.location.row <= last]


def _check_project(planted: Planted, newline: str = "\n") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = write_files(root, planted.files, newline)
        before = {p: Path(p).read_bytes() for p in paths}
        run = lint_and_fix(root, paths)
        assert not run.errors, run.errors
        # linting wrote nothing
        assert {p: Path(p).read_bytes() for p in paths} == before
        for path, text in run.changed.items():
            assert path in run.fixable_paths, f"{path} changed without a reported fix"
            ast.parse(text)
            if newline == "\r\n":
                assert text.count("\n") == text.count("\r\n"), f"{path}: a fix wrote a bare LF into a CRLF file"
        # write the fixes like the CLI does (same codec, same line endings)
        for path, text in run.changed.items():
            Path(path).write_bytes(text.encode("utf-8"))
        again = lint_and_fix(root, paths)
        assert not again.errors, again.errors
        assert again.changed == {}, "a second --fix --unsafe-fixes changed: " + ", ".join(again.changed)
        _sanity(planted, run.results, os.path.realpath(str(root / planted.main)))


def _sanity(planted: Planted, results, main: str) -> None:
    """Findings agree with what the generator knows for certain."""
    for truth in planted.requests:
        if truth.suppressed:
            continue
        codes = _codes_in(results, main, truth.first_row, truth.last_row)
        anthropic = truth.client in ANTHROPIC_SDK
        if anthropic and truth.literal_breakpoints is not None and truth.literal_breakpoints >= 5:
            assert "CL003" in codes, f"{truth.function}: {truth.literal_breakpoints} literal breakpoints, no CL003"
        if (anthropic and truth.literal_breakpoints is not None and truth.literal_breakpoints <= 4
                and not truth.unbounded_loop):
            assert "CL003" not in codes, f"{truth.function}: {truth.literal_breakpoints} breakpoints reported as CL003"
        if anthropic and truth.bad_literal_marker:
            # the marker may sit in a helper the request was built by: anywhere in the file
            assert "CL007" in [d.code for d in results[main].diagnostics], f"{truth.function}: a literal invalid marker, no CL007"
        if anthropic and truth.static_system_chars is not None and truth.literal_breakpoints == 0:
            if truth.static_system_chars >= 12_000:  # ~3,000 tokens: above every model's minimum
                assert "CL001" in codes, f"{truth.function}: {truth.static_system_chars} static chars, no CL001"
            elif truth.static_system_chars <= 2_000:  # ~500 tokens: below every minimum
                assert "CL001" not in codes, f"{truth.function}: a {truth.static_system_chars}-char prompt got CL001"
        if (truth.client in ("bedrock", "async_bedrock", "vertex") and truth.top_level_cache_control
                and truth.passing in ("kwargs", "splat", "mixed")):
            assert "CL004" in codes, f"{truth.function}: top-level cache_control on {truth.platform}, no CL004"


@pytest.mark.slow
@_settings(250)
@given(planted_projects())
def test_planted_projects_lint_and_fix_cleanly(planted: Planted) -> None:
    _check_project(planted)


@pytest.mark.slow
@_settings(60)
@given(planted_projects())
def test_planted_projects_with_crlf_line_endings(planted: Planted) -> None:
    _check_project(planted, newline="\r\n")


@pytest.mark.slow
@_settings(40)
@given(planted_projects())
def test_planted_projects_through_the_cli(planted: Planted) -> None:
    """The command itself: exit 0/1, no traceback, fixed output parses, second fix no-op."""
    from click.testing import CliRunner

    from cachelint.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = write_files(root, planted.files)
        runner = CliRunner()
        cwd = os.getcwd()
        os.chdir(root)
        try:
            first = runner.invoke(main, ["--no-cache", "--isolated", "--select", "ALL", "."])
            assert first.exit_code in (0, 1), first.output
            assert first.exception is None or isinstance(first.exception, SystemExit), first.exception
            fixed = runner.invoke(main, ["--no-cache", "--isolated", "--select", "ALL", "--fix", "--unsafe-fixes", "."])
            assert fixed.exit_code in (0, 1), fixed.output
            assert "Traceback" not in fixed.output and "error:" not in fixed.output, fixed.output
            snapshot = {p: Path(p).read_bytes() for p in paths}
            for data in snapshot.values():
                ast.parse(data)
            second = runner.invoke(main, ["--no-cache", "--isolated", "--select", "ALL", "--fix", "--unsafe-fixes", "."])
            assert second.exit_code in (0, 1), second.output
            assert {p: Path(p).read_bytes() for p in paths} == snapshot
        finally:
            os.chdir(cwd)


def test_engine_is_deterministic_on_a_planted_project() -> None:
    """Two fresh engines give the same findings for the same project (no hidden state)."""
    planted = find(planted_projects(), lambda p: len(p.requests) == 3,
                   settings=settings(database=None, derandomize=True, phases=[Phase.generate]))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = write_files(root, planted.files)
        runs = []
        for _ in range(2):
            engine = Engine(ConfigResolver(root, CliOverrides(select=("ALL",), isolated=True)).settings_for)
            runs.append([(d.code, d.location, d.message) for p in paths for d in engine.lint(p).diagnostics])
        assert runs[0] == runs[1]


SHAPES = {
    "six literal breakpoints": lambda t: t.client in ANTHROPIC_SDK and (t.literal_breakpoints or 0) >= 6,
    "four or fewer literal breakpoints": lambda t: t.client in ANTHROPIC_SDK and t.literal_breakpoints is not None
    and 1 <= t.literal_breakpoints <= 4,
    "invalid literal marker": lambda t: t.client in ANTHROPIC_SDK and t.bad_literal_marker,
    "top-level cache_control on Bedrock/Vertex": lambda t: t.client in ("bedrock", "vertex")
    and t.top_level_cache_control and t.passing in ("kwargs", "splat"),
    "large static system prompt": lambda t: t.client in ANTHROPIC_SDK and t.literal_breakpoints == 0
    and (t.static_system_chars or 0) >= 12_000,
    "small static system prompt": lambda t: t.client in ANTHROPIC_SDK and t.literal_breakpoints == 0
    and t.static_system_chars is not None and t.static_system_chars <= 2_000,
    "unbounded marking loop": lambda t: t.unbounded_loop,
}


def _client_can_have(shape: str, client: str) -> bool:
    """Whether a request of `client` can have `shape` (the search looks among those only)."""
    if shape == "unbounded marking loop":
        return True
    if shape == "top-level cache_control on Bedrock/Vertex":
        return client in ("bedrock", "vertex")
    return client in ANTHROPIC_SDK


@pytest.mark.slow
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_generator_plants_each_known_shape_and_it_is_judged_right(shape: str) -> None:
    """The sanity checks above are not vacuous: the generator does produce each shape whose
    truth is known, and the findings on it agree."""
    predicate = SHAPES[shape]
    clients = tuple(c for c in CLIENTS if _client_can_have(shape, c.name))
    planted = find(
        planted_projects(clients, min_requests=3),
        lambda p: any(predicate(t) and not t.suppressed for t in p.requests),
        settings=settings(database=None, derandomize=True, max_examples=5_000, phases=[Phase.generate],
                          suppress_health_check=list(HealthCheck)),
    )
    _check_project(planted)


@pytest.mark.slow
@_settings(25)
@given(planted_projects())
def test_stdin_fix_gives_the_same_text_as_fixing_the_file(planted: Planted) -> None:
    """`--fix --stdin-filename main.py` prints what `--fix main.py` writes (editors use the
    former, pre-commit the latter); both exit 0 or 1."""
    from click.testing import CliRunner

    from cachelint.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_files(root, planted.files)
        source = (root / "main.py").read_bytes()
        cwd = os.getcwd()
        os.chdir(root)
        try:
            args = ["--no-cache", "--isolated", "--select", "ALL", "--fix", "--unsafe-fixes"]
            try:
                runner = CliRunner(mix_stderr=False)  # click < 8.2
            except TypeError:
                runner = CliRunner()
            piped = runner.invoke(main, [*args, "--stdin-filename", "main.py"], input=source)
            assert piped.exit_code in (0, 1), piped.output
            assert piped.exception is None or isinstance(piped.exception, SystemExit), piped.exception
            assert (root / "main.py").read_bytes() == source, "--stdin-filename wrote the file on disk"
            on_disk = runner.invoke(main, [*args, "main.py"])
            assert on_disk.exit_code in (0, 1), on_disk.output
            assert piped.stdout_bytes == (root / "main.py").read_bytes()
        finally:
            os.chdir(cwd)
