"""What a method stores on an object reached through its base class is there at the next call.

A loop calling `model.act(...)` on a parameter typed by a base class is dispatched to the
subclasses that define `act`, each on an instance of that subclass. That instance was made
anew at every call, so the conversation the subclass keeps in `self._messages` (reset,
then appended to on every turn: wikimoth's agentic browsing loop) started empty each turn,
and CL013 saw no growth. The instance is now one per receiver and subclass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from project_files import concise_findings, write_project

PROGRAM = '''\
import anthropic


class AgenticModel:
    def reset(self):
        raise NotImplementedError

    def act(self, question, observation):
        raise NotImplementedError


class ClaudeModel(AgenticModel):
    def __init__(self):
        self._client = anthropic.Anthropic()
        self._messages = []

    def reset(self):
        self._messages = []

    def act(self, question, observation):
        {history}
        reply = self._client.messages.create(model="claude-sonnet-4-5", max_tokens=500, messages=messages)
        self._messages.append({{"role": "assistant", "content": reply.content}})
        return reply


def browse(question, notes, model: AgenticModel):
    model.reset()
    observation = ""
    for _ in range(12):
        action = model.act(question, observation)
        observation = notes.read(action)
'''

GROWING = ('self._messages.append({"role": "user", "content": observation or question})\n'
           '        messages = self._messages')
ONE_SHOT = 'messages = [{"role": "user", "content": observation or question}]'


def _cl013(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, history: str) -> str:
    monkeypatch.chdir(write_project(tmp_path, {"agent.py": PROGRAM.format(history=history)}))
    return concise_findings(tmp_path / "agent.py", ["CL013"])


def test_a_history_kept_on_the_dispatched_object_grows_across_the_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "agent.py:32:18: CL013" in _cl013(tmp_path, monkeypatch, GROWING)


def test_a_fresh_list_each_call_does_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "CL013" not in _cl013(tmp_path, monkeypatch, ONE_SHOT)
