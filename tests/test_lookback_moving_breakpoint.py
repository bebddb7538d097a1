"""CL014 judges only a breakpoint that moves with the turns of an agent loop.

The 20-block lookback matters when each turn's breakpoint sits further on than the last
one and must find the entry the previous turn wrote. A breakpoint made once before the
loop (ziya's conversation boundary, marked after the history is converted) is read back
at the same place every turn. A breakpoint made by a helper the loop calls every turn, on
a copy of the history (meeting-helper's `_with_cache_breakpoints`), moves, even though the
marked block is a new dict made outside the loop's own body.
"""

from __future__ import annotations

from pathlib import Path

from project_files import concise_findings, write_project

TURN = '''
        if response.stop_reason != "tool_use":
            return response
        messages.append({"role": "assistant", "content": response.content})
        messages.append({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": block.id, "content": run_tool(block)}
            for block in response.content if block.type == "tool_use"
        ]})
'''

HELPER_EACH_TURN = '''\
import anthropic

client = anthropic.Anthropic()


def with_breakpoint(messages):
    if not messages:
        return messages
    marked = [dict(m) for m in messages]
    blocks = [dict(b) for b in marked[-1]["content"]]
    blocks[-1] = {**blocks[-1], "cache_control": {"type": "ephemeral"}}
    marked[-1] = {"role": "user", "content": blocks}
    return marked


def agent(task, run_tool):
    messages = [{"role": "user", "content": [{"type": "text", "text": task}]}]
    while True:
        response = client.messages.create(model="claude-sonnet-4-5", max_tokens=4000,
                                          messages=with_breakpoint(messages))
''' + TURN

FIXED_BEFORE_LOOP = '''\
import anthropic

client = anthropic.Anthropic()


def convert(history):
    messages = []
    for turn in history:
        messages.append({"role": turn["role"], "content": turn["text"]})
    if len(messages) >= 2:
        boundary = messages[-2]
        boundary["content"] = [{"type": "text", "text": boundary["content"], "cache_control": {"type": "ephemeral"}}]
    return messages


def agent(history, run_tool):
    messages = convert(history)
    while True:
        response = client.messages.create(model="claude-sonnet-4-5", max_tokens=4000, messages=messages)
''' + TURN


def _lint(tmp_path: Path, source: str) -> str:
    write_project(tmp_path, {"agent.py": source})
    return concise_findings(tmp_path / "agent.py", ["CL014"])


def test_a_breakpoint_a_helper_moves_every_turn_is_judged(tmp_path: Path) -> None:
    out = _lint(tmp_path, HELPER_EACH_TURN)
    assert "CL014" in out and "20 blocks" in out


def test_a_breakpoint_fixed_before_the_loop_is_not(tmp_path: Path) -> None:
    assert "CL014" not in _lint(tmp_path, FIXED_BEFORE_LOOP)
