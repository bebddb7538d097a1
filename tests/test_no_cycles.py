"""The analysis leaves no reference cycles behind: what it drops, reference counting frees.

`cachelint.runner.collector` makes the cyclic garbage collector's full collections rare
(they walk every syntax tree a worker holds, a third of the time on wide import closures).
That is safe only while the analysis makes no cycles that outlive a file: each one would
hold what it reaches (a frame's values, a module's tree) until a full collection. This
lints every analysis fixture with the collector off and then asks it what was garbage.
Each cycle this test has caught, it would catch again: a class referring strongly to its
module, an unknown value that is its own root, the request builder holding the
interpreter, a closure's frame binding the closure.
"""

from __future__ import annotations

import gc
import shutil
from collections import Counter
from pathlib import Path
from typing import Iterator, List

import pytest

from cachelint.config.loader import ConfigResolver, CliOverrides
from cachelint.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "analysis"
NOT_PROJECT = {"expected.json", "KNOWN_WRONG", "README.md", "_outside", "__pycache__", ".cachelint_cache"}


@pytest.fixture
def collector_off() -> Iterator[None]:
    """The collector off, nothing left over from earlier tests, and saved garbage restored."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.collect()
        if was_enabled:
            gc.enable()


def _copy_projects(tmp_path: Path) -> List[Path]:
    projects = []
    for fixture in sorted(p for p in FIXTURES.iterdir() if (p / "main.py").is_file()):
        project = tmp_path / fixture.name
        shutil.copytree(fixture, project, ignore=lambda _d, names: [n for n in names if n in NOT_PROJECT])
        (project / ".git").mkdir()
        projects.append(project)
    return projects


def _cyclic_garbage() -> Counter:
    """Types of the objects the collector finds unreachable now, cachelint's and syntax
    trees' only (a library's own cycles are not ours to fix)."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    gc.collect()
    found = Counter(
        f"{type(obj).__module__}.{type(obj).__qualname__}"
        for obj in gc.garbage
        if type(obj).__module__.startswith(("cachelint", "ast", "_ast"))
    )
    gc.set_debug(0)
    gc.garbage.clear()
    gc.collect()  # free them for good: cleared, they are unreachable cycles again
    return found


def test_linting_the_analysis_fixtures_makes_no_cycles(tmp_path: Path, collector_off: None) -> None:
    projects = _copy_projects(tmp_path)
    assert len(projects) > 100  # the fixtures are there: an empty run proves nothing
    sent = 0
    for project in projects:
        engine = Engine(ConfigResolver(project, CliOverrides()).settings_for)
        result = engine.lint(str(project / "main.py"), explicit=True)
        sent += result.sends_requests
        del engine, result
    assert sent > 100  # the analysis ran: interpreters, frames, values, classes were made
    assert _cyclic_garbage() == Counter()


def test_the_check_sees_a_cycle(collector_off: None) -> None:
    """The garbage check itself: a cycle of the analysis's objects is reported."""
    from cachelint.analysis.values import DictV

    outer, inner = DictV(None), DictV(None)
    outer.open.append(inner)
    inner.open.append(outer)
    del outer, inner
    assert _cyclic_garbage() == Counter({"cachelint.analysis.values.DictV": 2})


LLM = '''\
import anthropic
import openai


class LLMBase:
    def generate(self, messages, system=None):
        raise NotImplementedError


class AnthropicLLM(LLMBase):
    def generate(self, messages, system=None):
        return anthropic.Anthropic().messages.create(model="claude-sonnet-4-5", max_tokens=9, messages=messages)


class OpenAILLM(LLMBase):
    def generate(self, messages, system=None):
        return openai.OpenAI().chat.completions.create(model="gpt-4.1", messages=messages)
'''


def test_what_outlives_a_file_finds_its_classes_in_the_modules_held_now(tmp_path: Path) -> None:
    """A class refers to its module weakly, so nothing kept from one file's analysis to the
    next may hold a class: the interface a method name dispatches to (`interface_dispatch`)
    is remembered by its key and found again in the module as it is loaded now, after the
    memory bound dropped the one it was found in."""
    from cachelint.analysis.interp import Interpreter
    from cachelint.analysis.project import Project
    from cachelint.analysis.spans import Span

    (tmp_path / "llm.py").write_text(LLM, encoding="utf-8")
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text("x = 1\n", encoding="utf-8")
    project = Project(tmp_path)
    project.module_cache_bytes = 0  # between files, keep only the file about to be analysed
    dispatched = []
    for name in ("a.py", "b.py"):
        project.module(str(tmp_path / name))
        project.trim()
        module = project.module(str(tmp_path / name))
        interp = Interpreter(project, module, sending_names=frozenset({"generate"}))
        value = interp.interface_dispatch("generate", Span(module.path, 0, 1))
        dispatched.append(sorted(func.owner.name for func, _guard in value.options))
        interp.release()
        del interp, module, value
        gc.collect()  # the first file's llm.py is gone now (no cycle kept it)
    assert dispatched == [["AnthropicLLM", "OpenAILLM"]] * 2
    assert project.interfaces == {"generate": (str((tmp_path / "llm.py").resolve()), 5)}


def test_an_instance_that_keeps_its_own_bound_method_leaves_no_cycle(tmp_path: Path, collector_off: None) -> None:
    """`self.on_reply = self._log`: the instance's attribute holds a method bound to the
    instance, as in Python. The analysis's values made the same cycle, holding the
    instance's state and the method's syntax until a full collection."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.py").write_text(
        "import anthropic\n\n"
        "class Agent:\n"
        "    def __init__(self):\n"
        "        self.client = anthropic.Anthropic()\n"
        "        self.on_reply = self._log\n\n"
        "    def _log(self, text):\n"
        "        return text\n\n"
        "    def ask(self, question):\n"
        "        reply = self.client.messages.create(model='claude-sonnet-4-5', max_tokens=9,\n"
        "                                            messages=[{'role': 'user', 'content': question}])\n"
        "        return self.on_reply(reply)\n",
        encoding="utf-8",
    )
    engine = Engine(ConfigResolver(tmp_path, CliOverrides()).settings_for)
    result = engine.lint(str(tmp_path / "main.py"), explicit=True)
    assert result.sends_requests
    del engine, result
    assert _cyclic_garbage() == Counter()
