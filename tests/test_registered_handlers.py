"""Handlers registered inside a function, and the fields of objects made elsewhere.

A bot or web app registers its handlers inside a setup function (`register_commands(bot)`,
`create_app()`): the handler is a decorated nested function that reads the setup
function's locals (the client, the provider) and that no code calls by name. Run only on
its own, its closure was unknown and its request never built; it is now also run where it
is defined, with the setup function's locals (turborg's `!ask`).

A parameter typed by a class is an object made elsewhere: a field whose class-level default
is empty (`args: tuple = ()`) holds what its maker gave, not certainly nothing (the `!ask`
handler returned early on `if not " ".join(envelope.args)`).
"""

from __future__ import annotations

from pathlib import Path

from cachelint.analysis import analyse_file
from project_files import analysis_project

HANDLERS = '''\
import anthropic

GUIDE = "Answer as the project's support engineer, citing the documentation. " * 150


class Bot:
    def __init__(self):
        self.handlers = {}

    def on_command(self, name):
        def register(fn):
            self.handlers[name] = fn
            return fn
        return register


def register_commands(bot: Bot, client: anthropic.Anthropic):
    @bot.on_command("ask")
    def _ask(question):
        return client.messages.create(model="claude-sonnet-4-5", max_tokens=200, system=GUIDE,
                                      messages=[{"role": "user", "content": question}])
'''


def _requests(tmp_path: Path, text: str) -> list:
    project = analysis_project(tmp_path, {"app.py": text})
    return analyse_file(project, str(tmp_path / "app.py")).requests


def _rows(requests: list, text: str) -> list:
    """The line of each request's SDK call."""
    return [text.count("\n", 0, r.call_span.start) + 1 for r in requests]


def _with_client(requests: list) -> list:
    """The requests sent by a client the analysis knows (run on its own, the handler's
    call is still recorded, sent by an unknown client that no rule judges)."""
    return [r for r in requests if [p.name for p in r.platforms] == ["anthropic"]]


def test_a_registered_handler_sends_with_its_setup_function_s_client(tmp_path: Path) -> None:
    requests = _with_client(_requests(tmp_path, HANDLERS))
    assert _rows(requests, HANDLERS) == [20]
    system = [p for p in requests[0].pieces if p.section == "system"]
    assert system and system[0].static_tokens >= 2000


def test_a_handler_called_by_name_is_run_where_it_is_called_only(tmp_path: Path) -> None:
    # `_ask(...)` is called below: that call runs it with its arguments; running it at
    # its definition too would add a request with unknown arguments
    text = HANDLERS + "    return _ask(GUIDE[:10])\n"
    requests = _with_client(_requests(tmp_path, text))
    assert _rows(requests, text) == [20]  # one request: from the call, with its argument


def test_an_undecorated_nested_function_is_not_run_at_its_definition(tmp_path: Path) -> None:
    text = HANDLERS.replace('    @bot.on_command("ask")\n', "")
    assert _with_client(_requests(tmp_path, text)) == []


ENVELOPE = '''\
import anthropic
from dataclasses import dataclass

client = anthropic.Anthropic()


@dataclass
class Envelope:
    sender: str
    args: tuple = ()


def handle(envelope: Envelope):
    question = " ".join(envelope.args).strip()
    if not question:
        return None
    return client.messages.create(model="claude-sonnet-4-5", max_tokens=200,
                                  messages=[{"role": "user", "content": question}])
'''


def test_an_empty_default_of_a_typed_parameter_s_field_may_hold_anything(tmp_path: Path) -> None:
    assert _rows(_requests(tmp_path, ENVELOPE), ENVELOPE) == [17]


def test_an_object_made_here_keeps_its_empty_default(tmp_path: Path) -> None:
    text = ENVELOPE.replace("def handle(envelope: Envelope):\n", "def handle():\n    envelope = Envelope(sender='me')\n")
    assert _requests(tmp_path, text) == []
