"""A loop over `xs or []` with `xs` an empty list runs no turn.

An empty list's truth is left unknown (a module-level list may be filled at run time), so
`tools or []` is "the first list or the second": both empty. The loop over it used to be
read as appending one element per turn, a tool with a breakpoint on each: CL003's "a
breakpoint on every element" and CL008 silent on the marked system prompt after it
(hazzel's review request, which passes no tools).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from project_files import concise_findings, write_project

PROGRAM = '''\
import anthropic

client = anthropic.Anthropic()


def convert(tools):
    out = []
    for t in tools or []:
        out.append({"name": t["name"], "input_schema": {}, "cache_control": {"type": "ephemeral"}})
    return out


def chat(messages, tools):
    kwargs = {"model": "claude-sonnet-4-5", "max_tokens": 10, "messages": messages,
              "system": [{"type": "text", "text": "Review the diff briefly.", "cache_control": {"type": "ephemeral"}}]}
    anth_tools = convert(tools)
    if anth_tools:
        kwargs["tools"] = anth_tools
    return client.messages.create(**kwargs)


def review(diff):
    return chat([{"role": "user", "content": diff}], {tools})
'''


def test_no_tools_means_no_tool_breakpoints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(write_project(tmp_path, {}))
    write_project(tmp_path, {"app.py": PROGRAM.replace("{tools}", "[]")})
    found = concise_findings(tmp_path / "app.py", ["CL003", "CL008"]).splitlines()
    at_review = [line for line in found if line.startswith("app.py:23:")]
    # the helper's own entry (any tools) keeps its CL003 at the loop, line 8
    assert [line.split(" ")[1] for line in at_review] == ["CL008"], found


def test_tools_given_still_carry_their_breakpoints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(write_project(tmp_path, {}))
    write_project(tmp_path, {"app.py": PROGRAM.replace("{tools}", '[{"name": "read"}, {"name": "write"}]')})
    assert "CL008" in concise_findings(tmp_path / "app.py", ["CL008"])
