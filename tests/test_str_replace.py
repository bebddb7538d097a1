"""`template.replace(placeholder, value)` puts the value where the placeholder was.

Prompt templates are filled with `str.replace` as often as with `.format`
(`SYSTEM.replace("{{user}}", name)`, a loop over `**values` replacing `{{key}}`). The
analysis used to keep the template's text whenever an argument was not known, so a prompt
starting with the user's name was taken for a static one: a false CL001 (whose fix caches
nothing) and a missed CL002.
"""

from __future__ import annotations

from pathlib import Path

from project_files import concise_findings, write_project

HEADER = '''\
import anthropic

client = anthropic.Anthropic()
GUIDE = "Follow the house style guide carefully. " * 200
'''

SEND = '''
    return client.messages.create(model="claude-sonnet-4-5", max_tokens=100, system=system,
                                  messages=[{"role": "user", "content": question}])
'''


def _findings(tmp_path: Path, body: str) -> str:
    tmp_path.mkdir(exist_ok=True)
    write_project(tmp_path, {"app.py": HEADER + body + SEND})
    return concise_findings(tmp_path / "app.py", ["CL001", "CL002"])


def test_a_per_call_value_replacing_the_first_placeholder_comes_first(tmp_path: Path) -> None:
    found = _findings(tmp_path, '''
TEMPLATE = "You are helping {{user}} today.\\n" + GUIDE


def ask(user_name, question):
    system = TEMPLATE.replace("{{user}}", user_name)''')
    assert "CL002" in found and "user_name" in found
    assert "CL001" not in found


def test_a_static_replacement_keeps_the_prompt_static(tmp_path: Path) -> None:
    found = _findings(tmp_path, '''
TEMPLATE = "You are the {{team}} assistant.\\n" + GUIDE


def ask(question):
    system = TEMPLATE.replace("{{team}}", "billing")''')
    assert "CL001" in found and "CL002" not in found


def test_placeholders_filled_by_a_loop_over_keyword_arguments(tmp_path: Path) -> None:
    # compliance-flag's `_render_template`: `for key in values` over `**values` visits
    # the keyword names written at the call, each replacing its own placeholder
    render = '''
TEMPLATE = "Reviewing for {{user}}.\\n" + GUIDE + "\\nRules: {{rules}}"


def render(template, **values):
    text = template
    for key in values:
        text = text.replace("{{" + key + "}}", values[key])
    return text
'''
    dynamic = _findings(tmp_path / "dynamic", render + '''

def ask(user_name, question):
    system = render(TEMPLATE, user=user_name, rules="none")''')
    assert "CL002" in dynamic and "CL001" not in dynamic
    static = _findings(tmp_path / "static", render + '''

def ask(question):
    system = render(TEMPLATE, user="the auditors", rules="none")''')
    assert "CL001" in static and "CL002" not in static
