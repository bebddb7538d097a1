"""A loop that marks only the elements whose own caching flag asks for it is not CL003's
"one breakpoint per element with no cap"; a loop that marks by role or by content is.

The silent shape is `fixtures/rules/CL003-silent-per-message-cache-flag` (motosan-ai's
serializer of `Message(cache=True)`, a false alarm on blind-labelled code). These tests
keep the rule from going quiet on the loops around it that do mark every element of a
kind: the flag must be a field of the loop's own element and be named for caching.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from project_files import concise_findings, write_project

LOOP = '''\
import anthropic

client = anthropic.Anthropic()


def send(turns):
    messages = []
    for turn in turns:
        if {test}:
            block = {{"type": "text", "text": turn["text"], "cache_control": {{"type": "ephemeral"}}}}
        else:
            block = {{"type": "text", "text": turn["text"]}}
        messages.append({{"role": turn["role"], "content": [block]}})
    return client.messages.create(model="claude-sonnet-4-5", max_tokens=500, messages=messages)
'''


@pytest.mark.parametrize("test", [
    'turn["role"] == "user"',  # every user message: a role, not a request for a breakpoint
    'turn["text"]',  # every message with text: nearly all of them
    'turn.get("pinned")',  # a flag not named for caching
])
def test_a_loop_marking_every_element_of_a_kind_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            test: str) -> None:
    monkeypatch.chdir(write_project(tmp_path, {"app.py": LOOP.format(test=test)}))
    assert "app.py:8:5: CL003" in concise_findings(tmp_path / "app.py", ["CL003"])


@pytest.mark.parametrize("test", ['turn.get("cache")', 'turn["cache_me"]'])
def test_a_loop_marking_the_elements_that_ask_for_it_is_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            test: str) -> None:
    monkeypatch.chdir(write_project(tmp_path, {"app.py": LOOP.format(test=test)}))
    assert "CL003" not in concise_findings(tmp_path / "app.py", ["CL003"])


def test_a_caching_flag_of_something_else_than_the_element_does_not_count(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    text = LOOP.format(test="settings.cache").replace("def send(turns):", "def send(turns, settings):")
    monkeypatch.chdir(write_project(tmp_path, {"app.py": text}))
    assert "app.py:8:5: CL003" in concise_findings(tmp_path / "app.py", ["CL003"])
