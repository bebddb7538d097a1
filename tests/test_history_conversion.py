"""A history converted into an SDK's format each turn grows when the stored history does.

Real agents keep their conversation in their own message objects and convert it on every
call (`for msg in history: converted.append({...})`: agent-runner, storm-agent's
`format_for_api`). The converted list is new each turn, but it is filled from the stored
history, so the request grows with it: CL013 must see the growth. A loop over a slice of
the history (a sliding window) or over a list made afresh each turn must not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from project_files import concise_findings, write_project

PROGRAM = '''\
import anthropic

client = anthropic.Anthropic()


class History:
    def __init__(self):
        self.messages = []

    def add(self, role, content):
        self.messages.append({{"role": role, "content": content}})

    def get(self):
        return self.messages.copy()


def convert(messages):
    converted = []
    for message in {iterated}:
        converted.append({{"role": message["role"], "content": message["content"]}})
    return converted


def agent(task, run_tool):
    history = History()
    history.add("user", task)
    while True:
        response = client.messages.create(model="claude-sonnet-4-5", max_tokens=1000,
                                          messages=convert({argument}))
        if response.stop_reason != "tool_use":
            return response
        history.add("assistant", response.content)
        history.add("user", [{{"type": "tool_result", "tool_use_id": b.id, "content": run_tool(b)}}
                             for b in response.content if b.type == "tool_use"])
'''


def _cl013(tmp_path: Path, iterated: str, argument: str, program: str = PROGRAM) -> bool:
    write_project(tmp_path, {"agent.py": program.format(iterated=iterated, argument=argument)})
    return "CL013" in concise_findings(tmp_path / "agent.py", ["CL013"])


@pytest.mark.parametrize("argument", ["history.messages", "history.get()"])
def test_a_converted_copy_of_the_stored_history_grows(tmp_path: Path, argument: str) -> None:
    assert _cl013(tmp_path, "messages", argument)


def test_a_sliding_window_of_the_history_does_not(tmp_path: Path) -> None:
    assert not _cl013(tmp_path, "messages[-2:]", "history.messages")


def test_a_list_made_afresh_each_turn_does_not(tmp_path: Path) -> None:
    assert not _cl013(tmp_path, "messages", '[{"role": "user", "content": task}]')


def test_a_window_a_loop_builds_by_stopping_itself_does_not(tmp_path: Path) -> None:
    program = PROGRAM.replace(
        '''        converted.append({{"role": message["role"], "content": message["content"]}})''',
        '''        converted.append({{"role": message["role"], "content": message["content"]}})
        if len(converted) == 4:
            break''')
    assert not _cl013(tmp_path, "messages", "history.messages", program)


COMPREHENSION = PROGRAM.replace(
    '''    converted = []
    for message in {iterated}:
        converted.append({{"role": message["role"], "content": message["content"]}})
    return converted''',
    '''    return [{{"role": message["role"], "content": message["content"]}} for message in {iterated}]''')


@pytest.mark.parametrize("argument", ["history.messages", "history.get()"])
def test_a_history_converted_by_a_comprehension_grows(tmp_path: Path, argument: str) -> None:
    # claudeway: `[msg.to_api_format() for msg in self.messages]`
    assert COMPREHENSION != PROGRAM
    assert _cl013(tmp_path, "messages", argument, COMPREHENSION)


def test_a_comprehension_over_a_window_of_the_history_does_not(tmp_path: Path) -> None:
    assert not _cl013(tmp_path, "messages[-2:]", "history.messages", COMPREHENSION)


def test_a_comprehension_over_a_list_made_afresh_each_turn_does_not(tmp_path: Path) -> None:
    assert not _cl013(tmp_path, "messages", '[{"role": "user", "content": task}]', COMPREHENSION)
