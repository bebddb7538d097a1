"""The result cache: used when nothing changed, never the source of a wrong result.

Through the command: a second run re-analyses nothing that is unchanged, editing a prompt
module re-analyses the files that import it, and a deleted, truncated, garbled or
structurally wrong cache gives exactly the findings of a run without a cache. Directly on
`ResultCache`: entries are keyed on the file, its dependencies and the settings, and a
same-size edit inside one timestamp tick is caught by content.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest
from click.testing import Result

from cachelint import __version__
from cachelint.cache.results import RACY_WINDOW_NS, ResultCache, cache_directory
from cachelint.cli import main
from cachelint.diagnostics import Diagnostic, Location
from cachelint.engine import Engine, FileResult
from cachelint.source import content_digest as digest
from cli_runner import cli_runner as _cli_runner

BAD_TYPE = 'X = {"cache_control": {"type": "persistent"}}\n'
PROMPTS = 'SYSTEM = "Answer in one short paragraph. " * {repeat}\n'
APP = """\
import anthropic

from prompts import SYSTEM

client = anthropic.Anthropic()


def ask(question):
    return client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=200,
        system=SYSTEM,
        messages=[{"role": "user", "content": question}],
    )
"""



Cli = Callable[..., Result]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[tool.cachelint]\nselect = ["CL000", "CL001", "CL007"]\n', encoding="utf-8"
    )
    (root / "prompts.py").write_text(PROMPTS.format(repeat=320), encoding="utf-8")
    (root / "app.py").write_text(APP, encoding="utf-8")
    (root / "markers.py").write_text(BAD_TYPE, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def analysed(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """Paths the engine really linted (cache misses), in order."""
    calls: List[str] = []
    real_lint = Engine.lint

    def counting_lint(self, path, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(os.path.basename(path))
        return real_lint(self, path, *args, **kwargs)

    monkeypatch.setattr(Engine, "lint", counting_lint)
    return calls


@pytest.fixture
def cli(project: Path) -> Cli:
    def invoke(*args: str) -> Result:
        result = _cli_runner().invoke(
            main, ["--output-format", "json", *args], catch_exceptions=False
        )
        assert "Traceback" not in result.stderr
        return result

    return invoke


def summary(result: Result) -> List[tuple]:
    return [
        (os.path.basename(d["filename"]), d["code"], d["location"]["row"], d["message"])
        for d in json.loads(result.stdout)
    ]


def cache_files(project: Path) -> List[Path]:
    return sorted((project / ".cachelint_cache" / __version__).glob("*.json"))


# --- through the command ------------------------------------------------------------------------
def test_second_run_uses_the_cache_and_gives_the_same_output(
    cli: Cli, project: Path, analysed: List[str]
) -> None:
    first = cli()
    assert sorted(analysed) == ["app.py", "markers.py", "prompts.py"]
    assert {code for _, code, _, _ in summary(first)} == {"CL001", "CL007"}
    analysed.clear()
    second = cli()
    assert analysed == []
    assert second.stdout == first.stdout
    assert second.exit_code == first.exit_code == 1
    assert cli("--no-cache").stdout == first.stdout


def test_editing_an_imported_module_invalidates_its_importer(
    cli: Cli, project: Path, analysed: List[str]
) -> None:
    assert ("app.py", "CL001") in [(f, c) for f, c, _, _ in summary(cli())]
    analysed.clear()
    # the prompt becomes too small to cache: app.py's finding must go, though app.py is unchanged
    (project / "prompts.py").write_text(PROMPTS.format(repeat=3), encoding="utf-8")
    after = cli()
    assert "app.py" in analysed and "markers.py" not in analysed
    assert ("app.py", "CL001") not in [(f, c) for f, c, _, _ in summary(after)]
    assert after.stdout == cli("--no-cache").stdout


def test_editing_the_importer_and_settings_changes_invalidate(cli: Cli, project: Path) -> None:
    cli()
    (project / "markers.py").write_text(BAD_TYPE + BAD_TYPE.replace("X", "Y"), encoding="utf-8")
    assert [row for f, code, row, _ in summary(cli()) if f == "markers.py"] == [1, 2]
    assert [f for f, _, _, _ in summary(cli("--select", "CL007"))] == ["markers.py", "markers.py"]


def test_a_fixed_file_is_not_served_stale(cli: Cli, project: Path) -> None:
    cli()
    assert cli("--fix", "--select", "CL007").exit_code == 0
    assert [c for f, c, _, _ in summary(cli()) if f == "markers.py"] == []


@pytest.mark.parametrize(
    "damage",
    [
        "delete",
        "truncate",
        "garbage",
        "binary",
        "not-a-table",
        "wrong-version",
        "entry-types",
        "bad-diagnostic",
        "empty-dir",
        "too-deep",
    ],
)
def test_a_damaged_cache_never_gives_a_wrong_result(cli: Cli, project: Path, damage: str) -> None:
    expected = cli("--no-cache").stdout
    cli()
    files = cache_files(project)
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        if damage == "delete":
            path.unlink()
        elif damage == "truncate":
            path.write_text(text[: len(text) // 2], encoding="utf-8")
        elif damage == "garbage":
            path.write_text("{{{ not json", encoding="utf-8")
        elif damage == "binary":
            path.write_bytes(b"\xff\xfe\x00\x01" * 50)
        elif damage == "too-deep":  # valid JSON's start, nested beyond the decoder's recursion
            path.write_text("[" * 200_000, encoding="utf-8")
        elif damage == "not-a-table":
            path.write_text("[1, 2, 3]", encoding="utf-8")
        elif damage == "wrong-version":
            data = json.loads(text)
            data["version"] = "0.0.0-old"
            for entry in data["files"].values():
                entry["diagnostics"] = []
            path.write_text(json.dumps(data), encoding="utf-8")
        elif damage == "entry-types":
            data = json.loads(text)
            for key in data["files"]:
                data["files"][key] = {"stat": "x", "digest": 5, "explicit": False, "deps": [1]}
            path.write_text(json.dumps(data), encoding="utf-8")
        elif damage == "bad-diagnostic":
            data = json.loads(text)
            for entry in data["files"].values():
                entry["diagnostics"] = [{"code": "CL007", "location": "nowhere"}]
            path.write_text(json.dumps(data), encoding="utf-8")
    if damage == "empty-dir":
        import shutil

        shutil.rmtree(project / ".cachelint_cache")
        (project / ".cachelint_cache").mkdir()
    result = cli()
    assert result.stdout == expected
    assert cli().stdout == expected  # and the rewritten cache is good


def test_an_unwritable_cache_dir_only_costs_time(cli: Cli, project: Path) -> None:
    blocker = project / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    result = cli("--cache-dir", str(blocker / "cache"))
    assert result.exit_code == 1
    assert result.stdout == cli("--no-cache").stdout


# --- ResultCache directly -----------------------------------------------------------------------
def _result(path: Path, deps: Dict[str, str] = {}) -> FileResult:
    data = path.read_bytes()
    diagnostic = Diagnostic(
        "CL007", "invalid-cache-control", "m", str(path), Location(1, 2), Location(1, 3)
    )
    return FileResult(
        path=str(path), diagnostics=[diagnostic], digest=digest(data), deps=dict(deps)
    )


def _age(path: Path, seconds: float = 60) -> None:
    """Make `path` look changed long ago (outside the racy window)."""
    st = path.stat()
    old = st.st_mtime_ns - int(seconds * 1e9)
    os.utime(path, ns=(old, old))


def test_store_save_and_lookup_round_trip(tmp_path: Path) -> None:
    src = tmp_path / "a.py"
    src.write_text(BAD_TYPE, encoding="utf-8")
    _age(src)
    cache = ResultCache(tmp_path / "c")
    cache.store(_result(src), "fp", explicit=False)
    cache.save()
    again = ResultCache(tmp_path / "c")
    hit = again.lookup(str(src), "fp", explicit=False)
    assert hit is not None and hit.diagnostics == _result(src).diagnostics
    assert again.lookup(str(src), "other-settings", explicit=False) is None
    assert again.lookup(str(src), "fp", explicit=True) is None
    assert (tmp_path / "c" / "CACHEDIR.TAG").is_file()
    assert (tmp_path / "c" / ".gitignore").read_text() == "*\n"


def test_a_same_size_edit_in_the_same_timestamp_tick_is_caught(tmp_path: Path) -> None:
    """Coarse mtimes: the edit keeps size and mtime; only the content tells."""
    src = tmp_path / "a.py"
    src.write_text(BAD_TYPE, encoding="utf-8")
    before = src.stat()
    cache = ResultCache(tmp_path / "c")
    cache.store(_result(src), "fp", explicit=False)
    src.write_text(BAD_TYPE.replace("persistent", "persistenT"), encoding="utf-8")
    os.utime(src, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert src.stat().st_size == before.st_size
    assert cache.lookup(str(src), "fp", explicit=False) is None


def test_an_old_unchanged_file_is_trusted_by_stat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "a.py"
    src.write_text(BAD_TYPE, encoding="utf-8")
    _age(src, RACY_WINDOW_NS / 1e9 + 5)
    cache = ResultCache(tmp_path / "c")
    cache.store(_result(src), "fp", explicit=False)
    import cachelint.cache.results as cache_module

    def no_reads(path: str) -> None:
        raise AssertionError(f"{path} was read although its stat matched")

    monkeypatch.setattr(cache_module, "_digest_file", no_reads)
    assert cache.lookup(str(src), "fp", explicit=False) is not None


def test_a_racy_entry_settles_once_its_change_is_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "a.py"
    src.write_text(BAD_TYPE, encoding="utf-8")
    cache = ResultCache(tmp_path / "c")
    cache.store(_result(src), "fp", explicit=False)  # just written: checked by content
    _age(src)
    assert (
        cache.lookup(str(src), "fp", explicit=False) is not None
    )  # content compared, stat recorded
    cache.save()
    import cachelint.cache.results as cache_module

    def no_reads(path: str) -> None:
        raise AssertionError(f"{path} was read although its stat matched")

    monkeypatch.setattr(cache_module, "_digest_file", no_reads)
    assert ResultCache(tmp_path / "c").lookup(str(src), "fp", explicit=False) is not None


def test_a_touched_but_unchanged_file_is_a_hit(tmp_path: Path) -> None:
    src = tmp_path / "a.py"
    src.write_text(BAD_TYPE, encoding="utf-8")
    _age(src)
    cache = ResultCache(tmp_path / "c")
    cache.store(_result(src), "fp", explicit=False)
    os.utime(src)  # `touch`: new mtime, same bytes
    assert cache.lookup(str(src), "fp", explicit=False) is not None


def test_dependencies_changed_or_deleted_are_misses(tmp_path: Path) -> None:
    src, dep = tmp_path / "a.py", tmp_path / "prompts.py"
    src.write_text(BAD_TYPE, encoding="utf-8")
    dep.write_text("SYSTEM = 'x'\n", encoding="utf-8")
    _age(src)
    _age(dep)
    cache = ResultCache(tmp_path / "c")
    cache.store(_result(src, {str(dep): digest(dep.read_bytes())}), "fp", explicit=False)
    assert cache.lookup(str(src), "fp", explicit=False) is not None
    dep.write_text("SYSTEM = 'a longer prompt'\n", encoding="utf-8")
    assert cache.lookup(str(src), "fp", explicit=False) is None
    dep.unlink()
    assert cache.lookup(str(src), "fp", explicit=False) is None


def test_results_with_internal_errors_are_not_cached(tmp_path: Path) -> None:
    src = tmp_path / "a.py"
    src.write_text(BAD_TYPE, encoding="utf-8")
    result = _result(src)
    result.errors.append("CL007: internal error")
    cache = ResultCache(tmp_path / "c")
    cache.store(result, "fp", explicit=False)
    assert cache.lookup(str(src), "fp", explicit=False) is None


def test_cache_directory_precedence(tmp_path: Path) -> None:
    assert (
        cache_directory(str(tmp_path / "flag"), tmp_path, tmp_path / "cfg")
        == (tmp_path / "flag").resolve()
    )
    assert cache_directory(None, tmp_path, tmp_path / "cfg") == tmp_path / "cfg"
    assert cache_directory(None, tmp_path, None) == tmp_path / ".cachelint_cache"


def test_a_batch_checks_a_shared_dependency_once_and_a_later_lookup_sees_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Within `batch()` every file is stat-ed once however many entries depend on it; after
    the batch, lookups observe the disk again."""
    import cachelint.cache.results as cache_module

    dep = tmp_path / "prompts.py"
    dep.write_text("SYSTEM = 'x'\n", encoding="utf-8")
    _age(dep)
    sources = []
    cache = ResultCache(tmp_path / "c")
    for i in range(5):
        src = tmp_path / f"a{i}.py"
        src.write_text(BAD_TYPE, encoding="utf-8")
        _age(src)
        cache.store(_result(src, {str(dep): digest(dep.read_bytes())}), "fp", explicit=False)
        sources.append(src)
    stats: List[str] = []
    real_stat = cache_module.file_stat

    def counting_stat(path: str):  # type: ignore[no-untyped-def]
        stats.append(os.path.basename(path))
        return real_stat(path)

    monkeypatch.setattr(cache_module, "file_stat", counting_stat)
    with cache.batch():
        assert all(cache.lookup(str(s), "fp", explicit=False) is not None for s in sources)
    assert stats.count("prompts.py") == 1 and len(stats) == 6
    dep.write_text("SYSTEM = 'a longer prompt'\n", encoding="utf-8")
    assert cache.lookup(str(sources[0]), "fp", explicit=False) is None


def _sharing(tmp_path: Path, names: Tuple[str, ...], age_dep: bool = True) -> Tuple[Path, List[Path], ResultCache]:
    """A dependency module and source files that all depend on it (aged, so trusted by
    stat), with a cache holding their entries: (dep, sources, cache)."""
    dep = tmp_path / "prompts.py"
    dep.write_text("SYSTEM = 'x'\n", encoding="utf-8")
    if age_dep:
        _age(dep)
    sources = []
    for name in names:
        src = tmp_path / name
        src.write_text(BAD_TYPE, encoding="utf-8")
        _age(src)
        sources.append(src)
    cache = ResultCache(tmp_path / "c")
    _store_all(cache, sources, dep)
    return dep, sources, cache


def _store_all(cache: ResultCache, sources: List[Path], dep: Path) -> None:
    for src in sources:
        cache.store(_result(src, {str(dep): digest(dep.read_bytes())}), "fp", explicit=False)


def _saved_table(tmp_path: Path) -> Path:
    (table,) = (tmp_path / "c" / __version__).glob("fp.json")
    return table


def test_entries_share_one_record_of_a_dependency_and_old_records_are_dropped(tmp_path: Path) -> None:
    # Thousands of files depend on the same modules: the table keeps one record of each
    # dependency version, entries refer to it by index, and a version no entry uses any
    # more (its module was edited and its dependents stored again) is not written.
    dep, sources, cache = _sharing(tmp_path, ("a.py", "b.py", "c.py"))
    cache.save()
    table = _saved_table(tmp_path)
    data = json.loads(table.read_text(encoding="utf-8"))
    assert [v[0] for v in data["versions"]] == [str(dep)]
    assert {tuple(e["deps"]) for e in data["files"].values()} == {(0,)}

    dep.write_text("SYSTEM = 'a longer prompt'\n", encoding="utf-8")
    _age(dep, 200)
    again = ResultCache(tmp_path / "c")
    assert all(again.lookup(str(src), "fp", explicit=False) is None for src in sources)
    _store_all(again, sources, dep)
    again.save()
    data = json.loads(table.read_text(encoding="utf-8"))
    assert len(data["versions"]) == 1 and data["versions"][0][2] == digest(dep.read_bytes())
    third = ResultCache(tmp_path / "c")
    hits = [third.lookup(str(src), "fp", explicit=False) for src in sources]
    assert all(hit is not None and hit.deps == {str(dep): digest(dep.read_bytes())} for hit in hits)


@pytest.mark.parametrize("index", [-1, 7, "0", None])
def test_an_entry_with_a_bad_dependency_reference_is_a_miss(tmp_path: Path, index: object) -> None:
    _, (src,), cache = _sharing(tmp_path, ("a.py",))
    cache.save()
    table = _saved_table(tmp_path)
    data = json.loads(table.read_text(encoding="utf-8"))
    data["files"][str(src)]["deps"] = [index]
    table.write_text(json.dumps(data), encoding="utf-8")
    assert ResultCache(tmp_path / "c").lookup(str(src), "fp", explicit=False) is None


def test_a_settled_shared_dependency_is_trusted_by_stat_on_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dep, sources, cache = _sharing(tmp_path, ("a.py", "b.py"), age_dep=False)  # dep just written: racy
    _age(dep)
    assert cache.lookup(str(sources[0]), "fp", explicit=False) is not None  # content compared, stat settled
    cache.save()
    import cachelint.cache.results as cache_module

    def no_reads(path: str) -> None:
        raise AssertionError(f"{path} was read although its settled stat matched")

    monkeypatch.setattr(cache_module, "_digest_file", no_reads)
    # the settled stat is the shared record's: the next run trusts it without reading
    assert ResultCache(tmp_path / "c").lookup(str(sources[0]), "fp", explicit=False) is not None
