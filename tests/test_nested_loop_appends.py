"""A history that grows inside an inner loop of an agent loop grows the agent loop's requests.

mcp-chatbot's tool loop sends the conversation once per turn (`while depth < MAX`) and, in
an inner loop over the reply's parts, extends it with each tool call and its result. The
appends were recorded on the inner loop only, which does not enclose the request, so the
growing history was not seen (a labelled CL013, missed). A list made afresh in each turn
and filled in an inner loop does not grow across turns and must stay silent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from project_files import concise_findings, write_project

AGENT = '''\
import anthropic

client = anthropic.Anthropic()


def ask(question, tools, run_tool):
    messages = [{{"role": "user", "content": question}}]
    for _ in range(50):
        {fresh}reply = client.messages.create(model="claude-sonnet-4-5", max_tokens=1000, tools=tools, messages=messages)
        used = False
        for part in reply.content:
            if part.type == "tool_use":
                used = True
                messages.{grow}
        if not used:
            return reply
'''

EXTEND = '''extend([
                    {"role": "assistant", "content": [part]},
                    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": part.id,
                                                  "content": run_tool(part.name, part.input)}]},
                ])'''
APPEND = '''append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": part.id,
                                                         "content": run_tool(part.name, part.input)}]})'''


@pytest.mark.parametrize("grow", [EXTEND, APPEND])
def test_a_history_grown_in_an_inner_loop_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, grow: str) -> None:
    monkeypatch.chdir(write_project(tmp_path, {"agent.py": AGENT.format(fresh="", grow=grow)}))
    assert "agent.py:9:17: CL013" in concise_findings(tmp_path / "agent.py", ["CL013"])


def test_a_list_made_afresh_each_turn_and_filled_in_an_inner_loop_is_not(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = 'messages = [{"role": "user", "content": question}]\n        '
    monkeypatch.chdir(write_project(tmp_path, {"agent.py": AGENT.format(fresh=fresh, grow=EXTEND)}))
    assert "CL013" not in concise_findings(tmp_path / "agent.py", ["CL013"])
