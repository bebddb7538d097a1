"""A constructor call that certainly raises ends its path (`analysis.frames.PathEnds`).

roboop's script called `Conversation(bot, cache_user_prompt=True)`, a keyword its
`__init__` no longer takes: Python raises `TypeError` there, and the agent loop after it
never runs, but the analysis bound the call anyway and reported the loop (a false CL013).
Only an `__init__` the class defines itself, undecorated, decides: a dataclass generates
its own, a base's may not be the one that runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

import cachelint

LOOP = '''
def main() -> None:
    history = []
    conversation = {construct}
    while True:
        history.append({{"role": "user", "content": input()}})
        reply = client.messages.create(model="claude-sonnet-4-5", max_tokens=512, messages=history)
        history.append({{"role": "assistant", "content": reply.content}})
'''
HEAD = '''import dataclasses

import anthropic

client = anthropic.Anthropic()


class Conversation:
    def __init__(self, bot: str, stream: bool = False) -> None:
        self.bot = bot
        self.messages = []


class Base:
    def __init__(self, bot: str) -> None:
        self.bot = bot


@dataclasses.dataclass
class Session(Base):
    topic: str
    messages: list = dataclasses.field(default_factory=list)
'''


def codes(tmp_path: Path, construct: str, wrap: bool = False) -> List[str]:
    (tmp_path / ".git").mkdir(exist_ok=True)
    body = LOOP.format(construct=construct)
    if wrap:  # the call inside `try`, its TypeError caught: the loop runs after all
        body = body.replace(f"    conversation = {construct}\n",
                            f"    try:\n        conversation = {construct}\n    except TypeError:\n"
                            f"        conversation = Conversation('helper')\n")
    return [d.code for d in cachelint.lint_source(HEAD + body, tmp_path / "main.py", config={"select": ["CL013"]})]


def test_a_keyword_the_init_does_not_take_ends_the_path(tmp_path: Path) -> None:
    assert codes(tmp_path, 'Conversation("helper", cache_user_prompt=True)') == []
    assert codes(tmp_path, 'Conversation("helper", stream=True)') == ["CL013"]


@pytest.mark.parametrize("construct", [
    'Session(topic="routers")',  # a dataclass: its generated __init__ takes `topic`, not Base's
    'Conversation("helper", **options())',  # keys not known
])
def test_what_may_not_raise_does_not_end_it(tmp_path: Path, construct: str) -> None:
    assert codes(tmp_path, construct) == ["CL013"]


def test_a_caught_type_error_lets_the_code_after_it_run(tmp_path: Path) -> None:
    assert codes(tmp_path, 'Conversation("helper", cache_user_prompt=True)', wrap=True) == ["CL013"]
