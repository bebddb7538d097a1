"""A run's worker pool serves every round (`cachelint.runner.lint.WorkerPool`): the
importers of a wrapper that a later round analyses go to the workers that already parsed
the modules they import, not to this process, which would parse them all again."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest

import cachelint
import cachelint.runner.lint as runner
from cachelint.runner.lint import POOL_THRESHOLD

LLM = '''import anthropic

client = anthropic.Anthropic()


def ask(system, question):
    return client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=system,
        messages=[{"role": "user", "content": question}],
    )
'''
# mentions no SDK: the prefilter skips it, and a later round analyses it because it
# imports a module that sends requests
CALLER = '''from llm import ask

POLICY = "You are the support assistant of Example Corp. Cite the policy. " * 300


def answer(question):
    return ask(POLICY, question)
'''


def _project(root: Path) -> None:
    (root / ".git").mkdir(parents=True)
    files: Dict[str, str] = {"llm.py": LLM, "caller_a.py": CALLER, "caller_b.py": CALLER}
    for i in range(POOL_THRESHOLD + 2):
        files[f"other_{i:02}.py"] = f"import anthropic\n\nclient_{i} = anthropic.Anthropic()\n"
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")


def test_a_later_round_runs_in_the_pool_the_first_round_started(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    rounds: List[List[str]] = []
    real = runner._pooled

    def spy(todo, *args, **kwargs):  # type: ignore[no-untyped-def]
        rounds.append(sorted(Path(p).name for p in todo))
        return real(todo, *args, **kwargs)

    monkeypatch.setattr(runner, "_pooled", spy)
    in_process = cachelint.lint_paths(["."], jobs=1)
    assert rounds == []
    findings = {(Path(d.filename).name, d.code) for d in in_process}
    assert ("caller_a.py", "CL001") in findings and ("caller_b.py", "CL001") in findings
    assert cachelint.lint_paths(["."], jobs=2) == in_process
    assert len(rounds) == 2 and len(rounds[0]) == POOL_THRESHOLD + 5
    assert rounds[1] == ["caller_a.py", "caller_b.py"]  # 2 files: in process, had no pool been running


def test_an_interruption_between_rounds_leaves_no_worker_behind(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while the main process looks for importers (the pool idle between rounds):
    the interruption goes on up, and the workers are gone."""
    import multiprocessing

    _project(tmp_path)
    monkeypatch.chdir(tmp_path)

    def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "_find_importers", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cachelint.lint_paths(["."], jobs=2)
    assert multiprocessing.active_children() == []


def test_an_interruption_while_the_workers_exit_kills_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    real_shutdown = ProcessPoolExecutor.shutdown
    abandoned: List[object] = []
    real_abandon = runner._abandon

    def shutdown(self, wait=True, **kwargs):  # type: ignore[no-untyped-def]
        if wait:
            raise KeyboardInterrupt
        return real_shutdown(self, wait=wait, **kwargs)

    def abandon(pool):  # type: ignore[no-untyped-def]
        abandoned.append(pool)
        real_abandon(pool)

    monkeypatch.setattr(ProcessPoolExecutor, "shutdown", shutdown)
    monkeypatch.setattr(runner, "_abandon", abandon)
    with pytest.raises(KeyboardInterrupt):
        cachelint.lint_paths(["."], jobs=2)
    assert len(abandoned) == 1
    assert multiprocessing.active_children() == []


def test_workers_started_by_spawn_share_the_plan_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """macOS and Windows start workers with spawn: the plan and the record of taken tasks
    (`Claims`) reach them as the pool's start-up arguments, not by fork."""
    import multiprocessing

    _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    spawn = multiprocessing.get_context("spawn")
    monkeypatch.setattr(multiprocessing, "get_context", lambda method=None: spawn)
    ran: List[int] = []
    real_run = runner.WorkerPool.run

    def run(self, chunks):  # type: ignore[no-untyped-def]
        ran.append(len(chunks))
        return real_run(self, chunks)

    monkeypatch.setattr(runner.WorkerPool, "run", run)
    pooled = cachelint.lint_paths(["."], jobs=2)
    assert ran and ran[0] >= 2  # the first round went to spawned workers, in several tasks
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    assert pooled == cachelint.lint_paths(["."], jobs=1)
    assert multiprocessing.active_children() == []
