"""`analysis.effects`: which calls the interpreter may skip when their result is dropped.

A wrong "without effect" loses a request (a helper that appends the user turn to the history
is skipped); a wrong "has effect" only costs time. These pin both sides on small modules.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Dict

import pytest

from cachelint.analysis.candidates import module_functions
from cachelint.analysis.effects import without_effect
from cachelint.analysis.project import Project

SOURCE = '''
import anthropic

LOG = []


class Chat:
    def __init__(self):
        self.history = []
        self.errors = 0
        self.client = anthropic.Anthropic()

    def log(self, text):
        """Console output and a scalar counter: nothing a request is made of."""
        style = {}
        style["bold"] = True
        self.errors += 1
        self.log_file = None
        print(text, style)

    def warn(self, text):
        self.log("warning: " + text)

    def remember(self, text):
        self.history.append({"role": "user", "content": text})

    def note(self, text):
        self.remember(text)

    def set_flag(self):
        self.use_cache = True

    def record(self, text):
        LOG.append(text)

    def mark(self, blocks):
        blocks[-1]["cache_control"] = {"type": "ephemeral"}

    def ask(self, text):
        return self.client.messages.create(model="claude-sonnet-4-5", max_tokens=10, messages=self.history)

    def ask_later(self, text):
        self.ask(text)

    def via_wrapper(self, text):
        self.send_to_llm(text)
'''


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, bool]:
    root: Path = tmp_path_factory.mktemp("effects")
    (root / ".git").mkdir()
    (root / "chat.py").write_text(textwrap.dedent(SOURCE), encoding="utf-8")
    project = Project(root)
    module = project.module(str(root / "chat.py"))
    assert module is not None
    sending = frozenset({"send_to_llm"})
    return {fn.name: without_effect(module, fn, sending) for fn, _owner in module_functions(module)}


@pytest.mark.parametrize("name", ["log", "warn"])
def test_console_output_and_scalar_state_have_no_effect(verdicts: Dict[str, bool], name: str) -> None:
    assert verdicts[name] is True


@pytest.mark.parametrize("name, why", [
    ("remember", "appends to the instance's history"),
    ("note", "calls a method of its module that appends"),
    ("set_flag", "sets a flag that may choose a branch"),
    ("record", "mutates a module-level list"),
    ("mark", "writes a cache marker"),
    ("ask", "sends a request"),
    ("ask_later", "calls a method that sends"),
    ("via_wrapper", "calls a name that leads to an LLM call elsewhere"),
])
def test_calls_that_can_change_a_request_are_followed(verdicts: Dict[str, bool], name: str, why: str) -> None:
    assert verdicts[name] is False, why


def test_the_verdict_depends_on_the_names_that_send(tmp_path: Path) -> None:
    """One worker analyses many files, each with its own names that lead to a request: a
    helper judged without effect for a file that does not know `ask` sends must still be
    followed for a file that does (the memo is keyed by those names too)."""
    (tmp_path / ".git").mkdir()
    path = tmp_path / "util.py"
    path.write_text("def relay(question):\n    ask(question)\n", encoding="utf-8")
    project = Project(str(tmp_path))
    module = project.module(str(path))
    assert module is not None
    (relay, _owner), = module_functions(module)
    assert without_effect(module, relay, frozenset()) is True
    assert without_effect(module, relay, frozenset({"ask"})) is False
    assert without_effect(module, relay, frozenset()) is True
