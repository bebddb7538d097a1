"""How a pooled run splits its files into the workers' tasks (`runner.lint.plan_chunks`), and
when a few files go to the pool at all.

Neighbouring files import the same modules, so tasks hold neighbours in path order and a
worker's bounded module cache keeps what its next file needs; big files go first and alone,
so that no worker is left with one huge file at the end while the other idles.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List

import pytest

from cachelint.runner.lint import CHUNK_BYTES, CHUNK_FILES, TASKS_PER_WORKER, plan_chunks

#: enough files that tasks reach their full size
MANY = 2 * CHUNK_FILES * TASKS_PER_WORKER


def test_small_files_go_in_path_order_in_tasks_of_bounded_size() -> None:
    paths = [f"pkg/{d}/m{i:03}.py" for d in ("b", "a") for i in range(MANY // 2 + 5)]
    chunks = plan_chunks(paths, {p: 100 for p in paths}, workers=2)
    assert [p for chunk in chunks for p in chunk] == sorted(paths)
    assert [len(c) for c in chunks] == [CHUNK_FILES] * (MANY // CHUNK_FILES) + [10]


def test_a_small_run_is_cut_finer_so_that_each_worker_gets_enough_tasks() -> None:
    paths = [f"m{i:03}.py" for i in range(224)]  # khoj's size: 7 files per task on 2 workers
    chunks = plan_chunks(paths, {p: 100 for p in paths}, workers=2)
    assert {len(c) for c in chunks} == {7} and len(chunks) == 2 * TASKS_PER_WORKER
    few = plan_chunks(paths[:10], {p: 100 for p in paths}, workers=2)
    assert few == [[p] for p in paths[:10]]


def test_a_task_ends_once_it_holds_more_than_the_byte_bound() -> None:
    third = CHUNK_BYTES // 3
    paths = [f"m{i:03}.py" for i in range(MANY)]
    chunks = plan_chunks(paths, {p: third + 1 for p in paths}, workers=2)
    assert chunks[:3] == [paths[0:3], paths[3:6], paths[6:9]]


def test_big_files_come_first_alone_largest_first() -> None:
    sizes = {"a/small.py": 10, "z/huge.py": CHUNK_BYTES * 4, "b/big.py": CHUNK_BYTES + 1, "c/tiny.py": 5}
    sizes.update({f"d/f{i:03}.py": 10 for i in range(MANY)})
    chunks = plan_chunks(list(sizes), sizes, workers=2)
    assert chunks[:3] == [["z/huge.py"], ["b/big.py"], ["a/small.py", "c/tiny.py"] + [f"d/f{i:03}.py" for i in range(CHUNK_FILES - 2)]]


def test_every_file_is_in_exactly_one_task() -> None:
    sizes = {f"d{i % 7}/f{i}.py": (i * 7919) % (CHUNK_BYTES // 2) + (CHUNK_BYTES if i % 13 == 0 else 0) for i in range(300)}
    chunks = plan_chunks(list(sizes), sizes, workers=2)
    flat = [p for chunk in chunks for p in chunk]
    assert sorted(flat) == sorted(sizes) and len(flat) == len(set(flat))
    assert all(len(c) <= CHUNK_FILES for c in chunks)
    assert plan_chunks([], {}, workers=2) == []



def test_files_that_took_long_last_time_go_first_and_alone_the_costliest_first() -> None:
    """The importers of an edited module of corpus L: in path order the one that took 2 s
    started third, and finished last."""
    paths = ["a/flow.py", "a/llm.py", "b/anthropic.py", "b/openai.py", "c/utils.py", "d/huge.py"]
    sizes = {p: 1000 for p in paths}
    sizes["d/huge.py"] = CHUNK_BYTES + 1
    costs = {"a/flow.py": 1.1, "a/llm.py": 0.8, "b/anthropic.py": 0.4, "b/openai.py": 2.0, "c/utils.py": 0.01}
    chunks = plan_chunks(paths, sizes, workers=2, costs=costs)
    assert chunks[:3] == [["b/openai.py"], ["a/flow.py"], ["d/huge.py"]]
    assert [p for chunk in chunks[3:] for p in chunk] == ["a/llm.py", "b/anthropic.py", "c/utils.py"]
    assert plan_chunks(paths, sizes, workers=2) == plan_chunks(paths, sizes, workers=2, costs={})
    assert plan_chunks(paths, sizes, workers=2)[0] == ["d/huge.py"]


# --- when a few files go to the pool ------------------------------------------------------------
def _project(root: Path, count: int) -> None:
    root.mkdir()
    (root / ".git").mkdir()
    for i in range(count):
        (root / f"m{i}.py").write_text(f"import anthropic\n\ndef call{i}():\n    return anthropic.Anthropic()\n",
                                       encoding="utf-8")


def _run_recording_pool(root: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> List[List[str]]:
    from click.testing import CliRunner

    import cachelint.runner.lint as lint
    from cachelint.cli import main

    pooled: List[List[str]] = []
    real = lint._pooled

    def spy(todo, *args, **kwargs):  # type: ignore[no-untyped-def]
        pooled.append(sorted(os.path.basename(p) for p in todo))
        return real(todo, *args, **kwargs)

    monkeypatch.setattr(lint, "_pooled", spy)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["--cache-dir", str(cache), "-j", "2", "-e", "."], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return pooled


def test_a_few_files_that_took_long_last_time_go_to_the_pool(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The importers of an edited module: fewer than `POOL_THRESHOLD` files, but the cache
    remembers what linting each cost, and together they cost more than `POOL_SECONDS`."""
    import json

    from cachelint.runner.lint import POOL_SECONDS

    root, cache = tmp_path / "root", tmp_path / "cache"
    _project(root, 3)
    assert _run_recording_pool(root, cache, monkeypatch) == []  # nothing known yet: in process
    (table,) = [t for t in cache.glob("*/*.json") if not t.name.startswith(("byte-index-", "memo"))]
    data = json.loads(table.read_text(encoding="utf-8"))
    assert all(entry["seconds"] >= 0 for entry in data["files"].values())
    for entry in data["files"].values():
        entry["seconds"] = POOL_SECONDS / 2  # as if each had been a large module
    table.write_text(json.dumps(data), encoding="utf-8")
    for i in range(3):
        (root / f"m{i}.py").write_text(f"import anthropic\n\ndef call{i}():\n    return anthropic.Anthropic()  # e\n",
                                       encoding="utf-8")
    assert _run_recording_pool(root, cache, monkeypatch) == [["m0.py", "m1.py", "m2.py"]]


def test_a_few_files_that_were_quick_last_time_stay_in_process(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache = tmp_path / "root", tmp_path / "cache"
    _project(root, 3)
    _run_recording_pool(root, cache, monkeypatch)
    for i in range(3):
        (root / f"m{i}.py").write_text(f"import anthropic\n\ndef call{i}():\n    return anthropic.Anthropic()  # e\n",
                                       encoding="utf-8")
    assert _run_recording_pool(root, cache, monkeypatch) == []
