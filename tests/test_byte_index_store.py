"""The project's byte index kept in the result cache (`cachelint.cache.byte_index`).

A run with a cache reads only the files that changed since the index was stored; the
answers (`defining_files`, the class headers behind `subclasses`) are those of an index
built from the bytes, whatever the store holds: stale, corrupt, foreign or racy entries
are never used.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Dict, List

import pytest

import cachelint.analysis.project as project_module
from cachelint.analysis.project import Project
from cachelint.cache.byte_index import ByteIndexStore

OLD = time.time_ns() - 3600 * 10**9  # an hour ago: outside the racy window


def _write(root: Path, files: Dict[str, str], mtime_ns: int = OLD) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        os.utime(path, ns=(mtime_ns, mtime_ns))


FILES = {
    "base.py": "class Base:\n    def ask(self): ...\n",
    "impl.py": "from base import Base\n\nclass Impl(Base):\n    async def ask(self): ...\n    def other(self): ...\n",
    "pkg/__init__.py": "",
    "pkg/more.py": "class More(Impl, Generic[T]):\n    pass\n\ndef helper(x): ...\n",
}


def _answers(project: Project) -> Dict[str, List]:
    return {
        "ask": project.defining_files("ask"),
        "helper": project.defining_files("helper"),
        "classes": sorted((base, path, sub) for base in ("Base", "Impl", "Generic", "T") for path, sub in project.class_headers(base)),
    }


def _project(root: Path, cache: Path) -> Project:
    project = Project(root)
    project.index_store = ByteIndexStore(cache, project.root)
    return project


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """Every file the byte index reads."""
    seen: List[str] = []
    real = project_module.read_regular_file

    def spy(path: str) -> bytes:
        seen.append(os.path.basename(path))
        return real(path)

    monkeypatch.setattr(project_module, "read_regular_file", spy)
    return seen


def test_a_second_run_reads_no_file_and_answers_the_same(tmp_path: Path, reads: List[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project_module, "INDEX_SAVE_AFTER", 0)
    root, cache = tmp_path / "root", tmp_path / "cache"
    _write(root, FILES)
    built = _answers(Project(root))
    assert _answers(_project(root, cache)) == built
    assert len(reads) == 2 * len(FILES)  # the plain project, then the first stored run
    reads.clear()
    assert _answers(_project(root, cache)) == built
    assert reads == []
    assert built["ask"] == [str((root / "base.py").resolve()), str((root / "impl.py").resolve())]
    assert ("Impl", str((root / "pkg/more.py").resolve()), "More") in built["classes"]


def test_an_edited_file_is_read_again(tmp_path: Path, reads: List[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project_module, "INDEX_SAVE_AFTER", 0)
    root, cache = tmp_path / "root", tmp_path / "cache"
    _write(root, FILES)
    _answers(_project(root, cache))
    # same size, other time: a rename of one letter
    _write(root, {"pkg/more.py": FILES["pkg/more.py"].replace("helper", "helpor")}, mtime_ns=OLD + 10**9)
    reads.clear()
    answers = _answers(_project(root, cache))
    assert reads == ["more.py"]
    assert answers["helper"] == [] and answers == _answers(Project(root))


def test_a_deleted_file_is_gone_from_the_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project_module, "INDEX_SAVE_AFTER", 0)
    root, cache = tmp_path / "root", tmp_path / "cache"
    _write(root, FILES)
    _answers(_project(root, cache))
    (root / "impl.py").unlink()
    answers = _answers(_project(root, cache))
    assert answers["ask"] == [str((root / "base.py").resolve())]
    assert answers == _answers(Project(root))


def test_a_few_changes_do_not_rewrite_the_store(tmp_path: Path, reads: List[str]) -> None:
    """Writing corpus L's store costs more than reading a few edited files again."""
    root, cache = tmp_path / "root", tmp_path / "cache"
    _write(root, {f"m{i}.py": f"def f{i}(): ...\n" for i in range(project_module.INDEX_SAVE_AFTER + 1)})
    _answers(_project(root, cache))
    store = _project(root, cache).index_store.file
    written = store.stat().st_mtime_ns
    _write(root, {"m0.py": "def g0(): ...\n"}, mtime_ns=OLD + 10**9)
    reads.clear()
    assert _project(root, cache).defining_files("g0") == [str((root / "m0.py").resolve())]
    assert reads == ["m0.py"]
    assert store.stat().st_mtime_ns == written


def test_a_file_changed_within_the_racy_window_is_not_stored(tmp_path: Path, reads: List[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Its size and time could be the same after another edit in the same clock tick."""
    monkeypatch.setattr(project_module, "INDEX_SAVE_AFTER", 0)
    root, cache = tmp_path / "root", tmp_path / "cache"
    _write(root, FILES)
    _write(root, {"base.py": FILES["base.py"]}, mtime_ns=time.time_ns())
    _answers(_project(root, cache))
    reads.clear()
    _answers(_project(root, cache))
    assert reads == ["base.py"]


@pytest.mark.parametrize("damage", ["not json", "too deep", "other code", "other root", "bad row", "bad names", "odd headers",
                                    "spaced names", "not words", "line break"])
def test_a_damaged_or_foreign_store_is_never_an_answer(tmp_path: Path, damage: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project_module, "INDEX_SAVE_AFTER", 0)
    root, cache = tmp_path / "root", tmp_path / "cache"
    _write(root, FILES)
    _answers(_project(root, cache))
    store = _project(root, cache).index_store.file
    data = json.loads(store.read_text(encoding="utf-8"))
    if damage in ("other code", "other root"):
        # what the rows of a store made by other code or for another root would claim
        for row in data["files"].values():
            row[3] = ""
        data["files"]["pkg/more.py"][3] = "ask"
    if damage == "not json":
        store.write_text("{", encoding="utf-8")
    elif damage == "too deep":
        store.write_text("[" * 200_000, encoding="utf-8")
    else:
        if damage == "other code":
            data["code"] = "0" * 16
        elif damage == "other root":
            data["root"] = str(tmp_path / "elsewhere")
        elif damage == "bad row":
            data["files"]["pkg/more.py"] = [1, 2, 3]
        elif damage == "bad names":
            data["files"]["pkg/more.py"][3] = ["ask"]
        elif damage == "odd headers":
            data["files"]["pkg/more.py"][2] = "Impl More Generic"
        elif damage == "spaced names":
            data["files"]["pkg/more.py"][3] = "ask  helper"
        elif damage == "not words":
            data["files"]["pkg/more.py"][3] = "ask helper\u00e9"
        elif damage == "line break":
            data["files"]["pkg/more.py"][3] = "ask\nhelper"
        store.write_text(json.dumps(data), encoding="utf-8")
    answers = _answers(_project(root, cache))
    assert answers == _answers(Project(root))
    assert str((root / "pkg/more.py").resolve()) not in answers["ask"]


def test_unsaved_text_is_indexed_but_not_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """stdin and fix passes give the project text that is not on disk."""
    monkeypatch.setattr(project_module, "INDEX_SAVE_AFTER", 0)
    root, cache = tmp_path / "root", tmp_path / "cache"
    _write(root, FILES)
    project = _project(root, cache)
    more = str((root / "pkg/more.py").resolve())
    project.set_override(more, b"def unsaved(): ...\n")
    assert project.defining_files("unsaved") == [more]
    assert _project(root, cache).defining_files("unsaved") == []
    assert _project(root, cache).defining_files("helper") == [more]


def test_a_run_with_a_cache_keeps_the_index_and_summaries_and_one_without_does_not(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the command: the stores sit in the cache directory, in process and in the
    pool's workers alike; `--no-cache` writes nothing."""
    from click.testing import CliRunner

    from cachelint.cli import main

    monkeypatch.setattr(project_module, "INDEX_SAVE_AFTER", 0)
    root = tmp_path / "root"
    files = dict(FILES)
    files["app.py"] = (
        "import anthropic\nfrom impl import Impl\n\nclass Sub(Impl):\n    pass\n\n"
        "def run(x: Impl):\n    return anthropic.Anthropic().messages.create(model='claude-sonnet-4-5', max_tokens=10,"
        " messages=[{'role': 'user', 'content': x.ask()}])\n"
    )
    for i in range(30):  # enough files for the process pool
        files[f"calls/c{i}.py"] = f"import anthropic\n\ndef call{i}(): return anthropic.Anthropic()\n"
    _write(root, files)
    (root / ".git").mkdir()
    monkeypatch.chdir(root)
    for jobs in ("1", "2"):
        cache = tmp_path / f"cache-{jobs}"
        result = CliRunner().invoke(main, ["--cache-dir", str(cache), "-j", jobs, "-e", "."], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        stores = list(cache.glob("*/byte-index-*.json"))
        assert len(stores) == 1, jobs
        stored = json.loads(stores[0].read_text(encoding="utf-8"))["files"]
        # the linted files' own text is indexed from memory, the others' from the disk
        assert stored["impl.py"][3] == "ask other", jobs
        # and the summaries of the modules the linted files import (`cache.summaries`)
        summarised = {json.loads(f.read_text(encoding="utf-8"))["path"] for f in cache.glob("*/summaries/*.json")}
        assert str((root / "impl.py").resolve()) in summarised, jobs
    none = tmp_path / "none"
    result = CliRunner().invoke(main, ["--no-cache", "--cache-dir", str(none), "-e", "."], catch_exceptions=False)
    assert result.exit_code == 0 and not none.exists()


def test_a_name_is_found_as_a_whole_word_only() -> None:
    """The rows are searched as strings: `ask` is not defined by a file defining `task`,
    nor is `Base` a base of a class whose header names `BaseModel`."""
    from cachelint.analysis.byte_index import defines, headers_naming, index_file, index_row

    row = index_row(index_file(b"class A(BaseModel, Base):\n    def task(self): ...\nclass B(Base): ...\ndef asks(): ...\n"))
    assert row == ("BaseModel A Base A Base B", "task asks")
    assert headers_naming(row, "Base") == ["A", "B"] and headers_naming(row, "Model") == []
    assert defines(row, "task") and not defines(row, "ask") and not defines(row, "as")
