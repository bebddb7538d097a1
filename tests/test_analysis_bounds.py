"""The analysis stays bounded on wide projects, and its shortcuts never change an answer.

The search for imported wrappers follows only imports that can matter, reads at most
`IMPORT_MODULES_BUDGET` modules per file (all or nothing), and remembers each module's
answer for the next file; a worker keeps a bounded number of parsed modules. These tests
check the answers, not the timings: a remembered answer equals a fresh one, a dependency
read through the memo is still recorded for the result cache, and over budget the file's
own functions are still analysed.
"""

from __future__ import annotations

import re

from pathlib import Path
from typing import List

import pytest

import cachelint.analysis.candidates as analysis
from cachelint.analysis import analyse_file, candidate_functions
from cachelint.analysis.byte_index import index_file
from cachelint.analysis.project import Project

LLM = """\
import anthropic

client = anthropic.Anthropic()


def complete(system, user_text):
    return client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=300,
        system=system,
        messages=[{"role": "user", "content": user_text}],
    )
"""
SERVICE = """\
from llm import complete


def summarise(text):
    return complete("Summarise. " * 400, text)


def unrelated(x):
    return x + 1
"""
CALLER = """\
from service import summarise


def handle(ticket):
    return summarise(ticket)


def other():
    return 2
"""
CLASS_LLM = """\
import anthropic


class Assistant:
    def __init__(self):
        self.client = anthropic.Anthropic()

    def answer(self, question):
        return self.client.messages.create(
            model="claude-sonnet-4-5", max_tokens=100,
            system="Answer. " * 400, messages=[{"role": "user", "content": question}],
        )
"""
CLASS_CALLER = """\
from assistant import Assistant


class Bot:
    def __init__(self):
        self.helper = Assistant()

    def reply(self, text):
        return self.helper.answer(text)
"""


def _write(root: Path, files: dict) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _names(root: Path, name: str, project: Project) -> List[str]:
    module = project.module(str(root / name))
    assert module is not None
    return sorted(node.name for node, _ in candidate_functions(module, project))


def test_a_caller_of_a_wrapper_of_a_wrapper_is_a_candidate(tmp_path: Path) -> None:
    _write(tmp_path, {"llm.py": LLM, "service.py": SERVICE, "caller.py": CALLER})
    assert _names(tmp_path, "caller.py", Project(tmp_path)) == ["handle"]


def test_a_method_called_through_an_attribute_of_an_imported_class_is_followed(tmp_path: Path) -> None:
    _write(tmp_path, {"assistant.py": CLASS_LLM, "bot.py": CLASS_CALLER})
    assert "reply" in _names(tmp_path, "bot.py", Project(tmp_path))


def test_a_wrapper_re_exported_by_a_package_is_followed(tmp_path: Path) -> None:
    _write(tmp_path, {
        "pkg/__init__.py": "from pkg.llm import complete\n",
        "pkg/llm.py": LLM,
        "caller.py": "from pkg import complete\n\n\ndef go(t):\n    return complete('S. ' * 500, t)\n",
    })
    assert _names(tmp_path, "caller.py", Project(tmp_path)) == ["go"]


def test_a_remembered_answer_equals_a_fresh_one_and_keeps_its_dependencies(tmp_path: Path) -> None:
    _write(tmp_path, {"llm.py": LLM, "service.py": SERVICE, "caller.py": CALLER, "caller2.py": CALLER})
    project = Project(tmp_path)
    first = analyse_file(project, str(tmp_path / "caller.py"))
    second = analyse_file(project, str(tmp_path / "caller2.py"))  # the memo answers now
    fresh = analyse_file(Project(tmp_path), str(tmp_path / "caller2.py"))
    assert len(second.requests) == len(fresh.requests) == len(first.requests) == 1
    assert {Path(p).name for p in second.deps} == {Path(p).name for p in fresh.deps}
    # The wrapper search alone, answered from the memo, still records what it depended on.
    module = project.module(str(tmp_path / "caller2.py"))
    project.deps = {}
    candidate_functions(module, project)
    assert {"llm.py", "service.py"} <= {Path(p).name for p in project.deps}


def test_over_budget_the_file_keeps_its_own_candidates_and_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    helpers = {f"h{i}.py": f"from h{i + 1} import f{i + 1}\n\n\ndef f{i}(x):\n    return f{i + 1}(x)\n" for i in range(6)}
    helpers["h6.py"] = "def f6(x):\n    return x\n"
    own = "import anthropic\nfrom h0 import f0\n\n\ndef direct():\n    return anthropic.Anthropic().messages.create(model='m', max_tokens=1, messages=[])\n\n\ndef via(x):\n    return f0(x)\n"
    _write(tmp_path, {**helpers, "app.py": own})
    monkeypatch.setattr(analysis, "IMPORT_MODULES_BUDGET", 2)  # the chain reaches 3 (IMPORT_DEPTH)
    project = Project(tmp_path)
    notes: List[str] = []
    module = project.module(str(tmp_path / "app.py"))
    chosen = sorted(node.name for node, _ in candidate_functions(module, project, notes))
    assert chosen == ["direct"]
    assert len(notes) == 1 and "more than 2 project modules" in notes[0]
    # Nothing partial was remembered: with a budget that fits, the full answer comes back.
    monkeypatch.setattr(analysis, "IMPORT_MODULES_BUDGET", 128)
    notes.clear()
    assert sorted(node.name for node, _ in candidate_functions(module, project, notes)) == ["direct"]
    assert notes == []


def test_the_budget_decision_does_not_depend_on_the_memo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file over budget is over budget whether the modules' answers were remembered from an
    earlier file or not (otherwise results would depend on the order a worker saw files)."""
    _write(tmp_path, {"llm.py": LLM, "service.py": SERVICE, "caller.py": CALLER, "small.py": "from llm import complete\n\n\ndef a(t):\n    return complete('x', t)\n"})
    monkeypatch.setattr(analysis, "IMPORT_MODULES_BUDGET", 1)
    warm = Project(tmp_path)
    assert _names(tmp_path, "small.py", warm) == ["a"]  # one module: within budget, remembered
    assert _names(tmp_path, "caller.py", warm) == _names(tmp_path, "caller.py", Project(tmp_path)) == []


def test_the_module_cache_is_trimmed_between_files_to_its_budget(tmp_path: Path) -> None:
    _write(tmp_path, {f"m{i}.py": f"X = {'1' * 100}\n" for i in range(10)})
    project = Project(tmp_path)
    project.module_cache_bytes = 350
    for i in range(10):
        project.module(str(tmp_path / f"m{i}.py"))
    assert len(project._modules) == 10  # never during a file's analysis
    project.trim()
    assert len(project._modules) == 3
    assert all(Path(p).name in {"m7.py", "m8.py", "m9.py"} for p in project._modules)  # least recently used go first


def test_relinting_unchanged_bytes_keeps_what_is_known(tmp_path: Path) -> None:
    _write(tmp_path, {"llm.py": LLM, "service.py": SERVICE, "caller.py": CALLER})
    project = Project(tmp_path)
    analyse_file(project, str(tmp_path / "caller.py"))
    memo = dict(project.candidate_memo)
    assert memo
    project.set_override(str(tmp_path / "llm.py"), (tmp_path / "llm.py").read_bytes())
    assert project.candidate_memo == memo
    project.set_override(str(tmp_path / "llm.py"), b"def complete(s, u):\n    return None\n")
    assert project.candidate_memo == {}
    assert _names(tmp_path, "caller.py", project) == []  # the wrapper no longer calls an SDK


def test_linting_a_trimmed_module_with_its_summarised_bytes_keeps_what_is_known(tmp_path: Path) -> None:
    """A worker trims parsed modules between files but keeps their summaries; linting such a
    file later with the same bytes is not an edit, with other bytes it is."""
    _write(tmp_path, {"llm.py": LLM, "service.py": SERVICE, "caller.py": CALLER})
    project = Project(tmp_path)
    analyse_file(project, str(tmp_path / "caller.py"))
    llm = str((tmp_path / "llm.py").resolve())
    assert llm in project.summaries
    project.module(str(tmp_path / "caller.py"))  # the most recently used module stays
    project.module_cache_bytes = 0
    project.trim()
    assert llm not in project._modules
    memo, definers = dict(project.candidate_memo), project.defining_files("complete")
    project.set_override(llm, (tmp_path / "llm.py").read_bytes())
    assert project.candidate_memo == memo and llm in project.summaries
    assert project.defining_files("complete") == definers
    project.set_override(llm, b"def other(s, u):\n    return None\n")
    assert project.candidate_memo == {} and llm not in project.summaries
    assert llm not in project.defining_files("complete")


def test_a_property_read_deeper_than_the_call_depth_is_unknown_not_a_crash(tmp_path: Path) -> None:
    """A property getter reached at the depth limit is not followed: its value is unknown.
    (It used to crash that part of the analysis: 490 files of corpus L lost their request.)"""
    _write(tmp_path, {"bot.py": """\
import anthropic


class Bot:
    def __init__(self):
        self.client = anthropic.Anthropic()

    @property
    def prompt(self):
        return "You are terse. " * 300

    def c(self):
        return self.prompt

    def b(self):
        return self.c()

    def a(self):
        return self.b()

    def ask(self, q):
        self.a()
        return self.client.messages.create(
            model="claude-sonnet-4-5", max_tokens=10, system="Static. " * 500,
            messages=[{"role": "user", "content": q}],
        )
"""})
    result = analyse_file(Project(tmp_path), str(tmp_path / "bot.py"), strict=True)
    assert result.errors == []
    assert len(result.requests) == 1


CONFIG_WITH_PROSE = '''\
import json


def load_settings(path):
    """Read the settings. One REST request (see the server) may reload them; never send(
    anything from here."""
    # a request (with retries) happens elsewhere
    with open(path) as fh:
        return json.load(fh)


def get_settings():
    return load_settings("settings.json")


class Outbox:
    def send(self, message):
        return message.upper()

    async def stream(self, message):
        return message
'''
FACTORY = '''\
import anthropic


def make_client():
    return anthropic.Anthropic()


def ask(question):
    return make_client().messages.create(
        model="claude-sonnet-4-5", max_tokens=100, messages=[{"role": "user", "content": question}],
    )
'''
FACTORY_CALLERS = '''\
from factory import ask, make_client


def ping():
    return make_client() is not None


def answer(question):
    return ask(question)
'''


def test_prose_that_names_a_request_chooses_no_function(tmp_path: Path) -> None:
    # A docstring or comment saying "request (" or "send(" is not a raw HTTP call, nor is
    # the header `def send(`: neither the function nor its callers are worth interpreting.
    _write(tmp_path, {"settings.py": CONFIG_WITH_PROSE})
    assert _names(tmp_path, "settings.py", Project(tmp_path)) == []


EVERYDAY_NAMES = '''\
import asyncio


class Cache:
    def append(self, item):
        self.items.append(item)


def collect(results):
    responses = []
    for completion in results:
        responses.append(completion.text)
    return responses


def relay(ws, frame):
    ws.send(frame)


def forward(ws, frames):
    for frame in frames:
        relay(ws, frame)


def estimate(text):
    return count_tokens(text) + 1


def config_for(settings: "AnthropicConfig", region):
    return {"bedrock_region": region, "anthropic_settings": settings}
'''


def test_everyday_names_that_sdks_also_use_choose_no_function(tmp_path: Path) -> None:
    # `responses`, `completion`, `count_tokens(`, `ws.send(`, a provider's config class: none
    # is a request, so neither these functions nor their callers are worth interpreting.
    _write(tmp_path, {"util.py": EVERYDAY_NAMES})
    assert _names(tmp_path, "util.py", Project(tmp_path)) == []


def _top_level_alternatives(pattern: str) -> List[str]:
    """The alternatives of `pattern` outside any group."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    return parts + [pattern[start:]]


def test_every_trigger_alternative_starts_at_a_word_boundary() -> None:
    # The search runs over every module's whole code, prompts included: an alternative
    # that does not start with `\b` is tried at every letter (2.3x the time of the search
    # of a 3 MB module of prompts).
    alternatives = _top_level_alternatives(analysis._SENDING) + _top_level_alternatives(analysis._MENTION)
    assert len(alternatives) > 6
    assert [a for a in alternatives if not a.startswith("\\b")] == []


LITELLM_NAMES = '''\
import litellm
from litellm import acompletion, completion as ask_model

SYSTEM = "You are terse. " * 300


def direct(q):
    return ask_model(model="anthropic/claude-haiku-4-5", messages=[{"role": "user", "content": q}])


def chosen(q, is_async):
    fn = acompletion if is_async else ask_model
    return fn(model="anthropic/claude-haiku-4-5", messages=[{"role": "user", "content": q}])


def through_module(q):
    return litellm.completion(model="anthropic/claude-haiku-4-5", messages=[{"role": "user", "content": q}])


def caller(q):
    return direct(q)


def unrelated(results):
    responses = [r for r in results]
    return responses
'''


def test_litellm_functions_count_under_the_names_the_module_bound_them_to(tmp_path: Path) -> None:
    # `completion` as a bare word is a request only where the module imported litellm's, and
    # then under its alias too (`ask_model`), called or handed on (`fn = ... else ask_model`).
    _write(tmp_path, {"agent.py": LITELLM_NAMES})
    project = Project(tmp_path)
    assert _names(tmp_path, "agent.py", project) == ["caller", "chosen", "direct", "through_module"]
    module = project.module(str(tmp_path / "agent.py"))
    assert module is not None
    assert analysis.module_triggers(module).sending.search("x = acompletion") is not None
    assert analysis.module_triggers(module).sending.search("def acompletion(x):") is None


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_module_code_blanks_prose_and_keeps_every_offset(tmp_path: Path, newline: str) -> None:
    from cachelint.analysis.candidates import module_code

    text = newline.join([
        '"""Module doc: send(it) later."""',
        "def f(url):",
        '    """One request (see below)."""',
        "    # post(it) in a comment",
        '    color = "#fff"  # a quote before the hash: this comment is kept',
        "    return requests.post(url)  # trailing",
        "",
    ])
    (tmp_path / "m.py").write_bytes(text.encode())
    module = Project(tmp_path).module(str(tmp_path / "m.py"))
    assert module is not None
    code = module_code(module)
    assert len(code) == len(module.text)
    assert [i for i, c in enumerate(code) if c in "\r\n"] == [i for i, c in enumerate(module.text) if c in "\r\n"]
    assert "send(it)" not in code and "One request" not in code and "post(it)" not in code and "trailing" not in code
    assert 'color = "#fff"' in code and "requests.post(url)" in code


def test_callers_of_a_client_factory_are_chosen_only_when_they_reach_a_request(tmp_path: Path) -> None:
    # `make_client` is worth interpreting (it builds the client), but calling it sends
    # nothing: `ping` is not chosen; `answer` calls `ask`, which sends, and is.
    _write(tmp_path, {"factory.py": FACTORY, "callers.py": FACTORY_CALLERS})
    project = Project(tmp_path)
    assert _names(tmp_path, "factory.py", project) == ["ask", "make_client"]
    assert _names(tmp_path, "callers.py", project) == ["answer"]


HEAVY_HELPER = '''\
import anthropic

client = anthropic.Anthropic()
SYSTEM = "You review contracts clause by clause. " * 300


def tally(rows, start):
    total = start
    for row in rows:
        for cell in row:
            for ch in cell:
                if ch == "x":
                    total += 1
                elif ch == "y":
                    total -= 1
    return total


def crunch(rows):
'''
HEAVY_HELPER += "".join(f"    t{i} = tally(rows, {i})\n" for i in range(400))
HEAVY_HELPER += '''    return 0


def review(rows, clause):
    flagged = crunch(rows)
    return client.messages.create(
        model="claude-sonnet-4-5", max_tokens=100, system=SYSTEM,
        messages=[{"role": "user", "content": clause}],
    )
'''


def test_steps_spent_in_helpers_that_cannot_send_do_not_drop_the_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `crunch` reaches no request and would exhaust the entry's step budget on its own;
    # past the helper budget its remaining calls are opaque, so `review`'s request is kept.
    # Both budgets are made small here, so the test does not depend on how many steps an
    # expression costs today.
    from cachelint.analysis.interp import calls, core

    monkeypatch.setattr(core, "MAX_STEPS", 6_000)
    monkeypatch.setattr(calls, "HELPER_STEPS", 1_500)
    _write(tmp_path, {"review.py": HEAVY_HELPER})
    review = str((tmp_path / "review.py").resolve())
    found = analyse_file(Project(tmp_path), review, strict=True)
    assert [r.call_span.path for r in found.requests] == [review]
    # Without the helper budget the entry runs out of steps and its request is lost.
    monkeypatch.setattr(calls, "HELPER_STEPS", 60_000)
    assert analyse_file(Project(tmp_path), review, strict=True).requests == []


LOOPS = '''\
import anthropic

client = anthropic.Anthropic()


def line(item):
    return "- " + item


def build(items):
    text = "Rules:\\n"
    for item in items:
        text += line(item)
    return text


def ask(items, question):
    system = build(items)
    history = []
    while True:
        history.append({"role": "user", "content": question})
        reply = client.messages.create(model="claude-sonnet-4-5", max_tokens=10, system=system, messages=history)
        history.append({"role": "assistant", "content": reply.content})
'''


def test_a_loop_that_sends_nothing_runs_once_and_one_that_sends_runs_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `build`'s loop sends no request: one pass. `ask`'s loop sends: a second pass sees the
    # history the first grew, and the request is reported as a growing conversation.
    from cachelint.analysis.interp import Interpreter

    calls: List[str] = []
    original = Interpreter.call_function

    def counting(self, func, args, kwargs, span, frame):  # type: ignore[no-untyped-def]
        calls.append(func.name)
        return original(self, func, args, kwargs, span, frame)

    monkeypatch.setattr(Interpreter, "call_function", counting)
    _write(tmp_path, {"loops.py": LOOPS})
    found = analyse_file(Project(tmp_path), str(tmp_path / "loops.py"), strict=True)
    assert calls.count("line") == calls.count("build") > 0
    growing = [r for r in found.requests if r.history_appends]
    assert growing and all(r.loop is not None for r in growing)


NAMES_CALLED = """\
import functools


def outer(llm):
    def inner(x):
        return llm.ask(x)
    cb = llm.handler.generate  # handed on, then a comment
    return functools.partial(inner, llm.system)


def last(llm, data):
    data["key"] = llm.finish  # a comment kept (a quote precedes it) after the last name


def tail():
    return done
(first, second) = (1, 2)


class Agent:
    def run(self, q):
        return run_tool(self.llm.generate, q) + helper (q)

    def providers(self, kind):
        table = {"anthropic": AnthropicProvider, 'openai':
                 OpenAIProvider, "none": None}
        if isinstance(kind, KindEnum) or kind.cast(cast_to=Message):
            return table
        cls = LocalProvider if kind else RemoteProvider
        fallback = cls or BackupProvider
        if kind == SpecialKind or kind != OtherKind:
            fallback = None
        return DefaultProvider
"""


#: What the search for called names meant before it searched within the module's text:
#: these regexes on each function's own text, copied out (`_calls_in` must find the same)
_CALLED_IN_TEXT = re.compile(r"\b(?<!def )(?<!class )(\w+)\s*\(")
_HEADS_IN_TEXT = re.compile(r"\b(\w+)\s*\.\s*(\w+)\s*\(")
_HANDED_IN_TEXT = re.compile(
    r"(?:[\"']\s*:|\s=|\b(?:return|else|or))\s*(?!(?:None|True|False)\b)([A-Z][A-Z0-9_]*[a-z]\w*)\s*(?=[,)}\n]|\bif\b|$)",
    re.MULTILINE)


def test_names_called_per_function_are_those_each_function_text_holds(tmp_path: Path) -> None:
    """`_calls_in` searches each function's range of the module's text and finds what
    searching its own text copied out found: nested names count for the enclosing
    function, a reference at a function's end before a comment counts, a `(` opening the
    next statement does not; classes handed on as values count, classes only tested or
    passed by keyword do not."""
    (tmp_path / "m.py").write_text(NAMES_CALLED)
    module = Project(tmp_path).module(str(tmp_path / "m.py"))
    assert module is not None
    code = analysis.module_code(module)
    functions = analysis.module_functions(module)
    ranges = [module.index.node_range(node) for node, _ in functions]
    names = [node.name for node, _ in functions]
    found = dict(zip(names, (analysis._calls_in(code, a, b) for a, b in ranges)))
    called = {name: names_called for name, (names_called, _) in found.items()}
    per_text = {
        node.name: frozenset(_CALLED_IN_TEXT.findall(code[a:b]) + analysis._REFERENCED_RE.findall(code[a:b])
                             + _HANDED_IN_TEXT.findall(code[a:b]))
        for (node, _), (a, b) in zip(functions, ranges)
    }
    assert called == per_text
    heads = {name: sorted(through) for name, (_, through) in found.items()}
    assert heads == {node.name: sorted(_HEADS_IN_TEXT.findall(code[a:b])) for (node, _), (a, b) in zip(functions, ranges)}
    assert called["outer"] == {"ask", "generate", "partial", "system"} and called["inner"] == {"ask"}
    assert called["last"] == {"finish"} and called["tail"] == frozenset()
    assert called["run"] == {"run_tool", "generate", "helper"}
    assert called["providers"] == {"AnthropicProvider", "OpenAIProvider", "isinstance", "cast", "LocalProvider",
                                   "RemoteProvider", "BackupProvider", "DefaultProvider"}
    assert heads["outer"] == [("functools", "partial"), ("llm", "ask")] and heads["providers"] == [("kind", "cast")]


def test_a_class_handed_on_follows_a_whole_word() -> None:
    """`or`, `else` and `return` hand a class on as whole words only: in `x = orProvider`
    (a name starting with `or`), nothing is (the one regex before read `or` + `Provider`)."""
    code = "def f(x):\n    a = orProvider\n    b = x or Provider\n    return Other\n"
    assert analysis._handed_classes(code, 0, len(code)) == ["Provider", "Other"]
    assert _HANDED_IN_TEXT.findall(code) == ["Provider", "Provider", "Other"]


INDEXED = (
    b"# a class Fake(Base) in a comment, and a paren that is never closed: (\n"
    b"class Real(\n    Base, mixins.Logged\n):\n"
    b"    async def ask(self): ...\n"
    b"    asyncdef = 1\n"
    b"\tdef\ttabbed(x): ...\n"
    b"x = 'undef hidden(y)'\n"
    b"class Other(Real):\r\n    def run(self): pass\r\n"
    b"class NoBases:\n    pass\n"
)


def test_the_byte_index_reads_headers_at_line_starts_only() -> None:
    """`index_file` finds `class`/`def` headers only where indentation (or `async`)
    alone precedes them on their line, whatever comes before in comments or strings."""
    headers, names = index_file(INDEXED)
    assert headers == (("Base", "Real"), ("mixins", "Real"), ("Logged", "Real"), ("Real", "Other"))
    assert set(names) == {"ask", "tabbed", "run"} and len(names) == 3


def test_a_module_read_only_for_its_summary_is_held_only_within_the_memory_bound(tmp_path: Path) -> None:
    """The wrapper search summarises every imported module; within one file's analysis
    `trim` cannot run, so a module parsed only for its summary is dropped at once when
    the held modules exceed `module_cache_bytes` (a file of litellm held 290 MB of trees).
    The summary stays, and a later parse of the same bytes reuses it."""
    _write(tmp_path, {"llm.py": LLM, "service.py": SERVICE})
    llm = str((tmp_path / "llm.py").resolve())
    small = Project(tmp_path)
    small.module_cache_bytes = 0
    summary = analysis._summary_at(small, llm)
    assert summary is not None and llm not in small._modules and small.summaries[llm] is summary
    reparsed = small.module(llm)
    assert reparsed is not None and reparsed.summary is summary and llm in small._modules
    roomy = Project(tmp_path)
    analysis._summary_at(roomy, llm)
    assert llm in roomy._modules


def test_names_called_searches_the_functions_text_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A data module is mostly constants: the search for called names reads each
    function's range, not the module (a 3 MB data module: +0.1 s when it read it all)."""
    searched: List[tuple] = []

    class Recording:
        def __init__(self, pattern):  # type: ignore[no-untyped-def]
            self.pattern = pattern

        def findall(self, text, pos=0, endpos=None):  # type: ignore[no-untyped-def]
            searched.append((pos, len(text) if endpos is None else endpos))
            return self.pattern.findall(text, pos, len(text) if endpos is None else endpos)

    monkeypatch.setattr(analysis, "_CALL_RE", Recording(analysis._CALL_RE))
    code = "DATA = [" + "f(1), " * 1000 + "]\ndef a():\n    def b():\n        g()\n    h()\n"
    start = code.index("def a")
    inner = (code.index("def b"), code.index("    h()") - 1)
    calls = [analysis._calls_in(code, a, b)[0] for a, b in [(start, len(code) - 1), inner]]
    assert calls == [frozenset({"g", "h"}), frozenset({"g"})]
    assert searched == [(start, len(code) - 1), inner]
