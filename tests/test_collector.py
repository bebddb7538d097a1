"""The collector setting of a lint run: full collections rare during the run, and the
process's own thresholds back afterwards (see `cachelint.runner.collector`)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import List, Tuple

import pytest
from click.testing import CliRunner

from cachelint.runner.collector import FULL_COLLECTION_EVERY, tuned_for_lint_run


def test_a_run_makes_full_collections_rare_and_restores_the_thresholds() -> None:
    before = gc.get_threshold()
    with tuned_for_lint_run():
        young, middle, full = gc.get_threshold()
        assert (young, middle) == before[:2]
        assert full == FULL_COLLECTION_EVERY != before[2]
    assert gc.get_threshold() == before


def test_the_thresholds_come_back_when_the_run_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError):
        with tuned_for_lint_run():
            raise RuntimeError("a run interrupted")
    assert gc.get_threshold() == before


def test_the_command_runs_tuned_and_leaves_the_caller_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In process (as a program calling `main` would): the analysis runs with the tuned
    thresholds, and the calling process gets its own back."""
    from cachelint.cli import main
    import cachelint.runner.lint as lint

    seen: List[Tuple[int, int, int]] = []
    real = lint._lint_round

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.get_threshold())
        return real(*args, **kwargs)

    monkeypatch.setattr(lint, "_lint_round", spy)
    (tmp_path / "app.py").write_text("import anthropic\nclient = anthropic.Anthropic()\n", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    before = gc.get_threshold()
    result = CliRunner().invoke(main, ["--no-cache", "app.py"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert seen and all(t[2] == FULL_COLLECTION_EVERY for t in seen)
    assert gc.get_threshold() == before


def test_a_spawned_worker_is_tuned_too(tmp_path: Path) -> None:
    """Workers inherit the setting through fork, but not through spawn (macOS, Windows):
    the pool's initializer applies it itself."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from cachelint.config.loader import CliOverrides
    from cachelint.runner.lint import _init_worker

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_init_worker,
                             initargs=(str(tmp_path), CliOverrides(), False)) as pool:
        assert pool.submit(gc.get_threshold).result(timeout=60)[2] == FULL_COLLECTION_EVERY


def test_the_language_server_runs_tuned(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server holds the project's parsed modules for as long as the editor runs."""
    pytest.importorskip("pygls")
    import cachelint.server as server
    import cachelint.server.lsp as lsp

    seen: List[Tuple[int, int, int]] = []
    monkeypatch.setattr(lsp, "serve", lambda: seen.append(gc.get_threshold()) or 0)
    before = gc.get_threshold()
    assert server.run() == 0
    assert seen == [(*before[:2], FULL_COLLECTION_EVERY)]
    assert gc.get_threshold() == before
