"""A tool whose JSON schema is built with computed keys still lets the rules count breakpoints.

A stored value under a key the analysis cannot read (`d[name] = value`) might be a
`cache_control` marker, so a request holding one is "built by code that handles cache
markers" and the rules that count breakpoints stay silent on it. Agents derive their tool
schemas from function signatures (`properties[param] = {"type": ...}`: text2sql-framework's
`_function_to_schema`), and that made every request sending such tools silent, its growing
agent loop included. A breakpoint on a tool can only be a key of the tool's own object;
what its `input_schema` holds never is. A tool object that takes keys it cannot read is
still taken as possibly marked.
"""

from __future__ import annotations

from pathlib import Path

from project_files import concise_findings, write_project

PROGRAM = '''\
import inspect

import anthropic

client = anthropic.Anthropic()
SYSTEM = [{{"type": "text", "text": "You answer questions about the database.", "cache_control": {{"type": "ephemeral"}}}}]


def schema_of(func):
    properties = {{}}
    for name in inspect.signature(func).parameters:
        properties[name] = {{"type": "string"}}
    tool = {{"name": func.__name__, "description": func.__doc__ or "", "input_schema": {{"type": "object", "properties": properties}}}}
{extra}
    return tool


def agent(question, functions, run_tool):
    tools = [schema_of(f) for f in functions]
    messages = [{{"role": "user", "content": question}}]
    for _ in range(50):
        response = client.messages.create(model="claude-sonnet-4-5", max_tokens=1000, system=SYSTEM,
                                          tools=tools, messages=messages)
        messages.append({{"role": "assistant", "content": response.content}})
        if response.stop_reason != "tool_use":
            return response
        messages.append({{"role": "user", "content": run_tool(response)}})
'''


def _findings(tmp_path: Path, extra: str = "") -> str:
    write_project(tmp_path, {"agent.py": PROGRAM.format(extra=extra)})
    return concise_findings(tmp_path / "agent.py", ["CL013"])


def test_schema_built_with_computed_keys_does_not_hide_the_growing_history(tmp_path: Path) -> None:
    assert "CL013" in _findings(tmp_path)


def test_tool_object_taking_unread_keys_may_be_marked(tmp_path: Path) -> None:
    # `tool[option] = setting` for options chosen at run time: `option` may be
    # `cache_control`, so the tool may carry a breakpoint the analysis cannot see
    extra = "    for option, setting in func.tool_options.items():\n        tool[option] = setting"
    assert "CL013" not in _findings(tmp_path, extra)
