"""An agent loop written against an abstract provider class reaches its subclasses' requests.

agent-runner's loop calls `self.provider.chat(...)` with `provider: "BaseLLMProvider"`
imported under `if TYPE_CHECKING:`; the base's `chat` is abstract and the Anthropic
subclass in another module sends. The wrapper search asks the subclasses named in
`class X(Base)` headers which of the called methods they send with
(`candidates._subclass_senders`). These tests pin what makes a caller a candidate, what
does not, and that the files consulted are dependencies of the caller's result.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

from cachelint.analysis import analyse_file, candidate_functions
from cachelint.analysis import candidates
from cachelint.analysis.project import Project
from project_files import analysis_project

BASE = '''\
from abc import ABC, abstractmethod


class BaseProvider(ABC):
    @abstractmethod
    async def chat(self, messages: list) -> str:
        ...

    def describe(self) -> str:
        return type(self).__name__
'''

ANTHROPIC_PROVIDER = '''\
from anthropic import AsyncAnthropic

from base import BaseProvider

SYSTEM = "You are a careful research agent that cites every source. " * 120


class AnthropicProvider(BaseProvider):
    def __init__(self):
        self.client = AsyncAnthropic()

    async def chat(self, messages: list) -> str:
        reply = await self.client.messages.create(model="claude-sonnet-4-5", max_tokens=500, system=SYSTEM,
                                                  messages=messages)
        return reply.content[0].text
'''

ECHO_PROVIDER = '''\
from base import BaseProvider


class EchoProvider(BaseProvider):
    async def chat(self, messages: list) -> str:
        return messages[-1]["content"]
'''

AGENT = '''\
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from base import BaseProvider


class Agent:
    def __init__(self, provider: "BaseProvider") -> None:
        self.provider = provider
        self.history: list = []

    async def run(self, task: str) -> str:
        self.history.append({"role": "user", "content": task})
        while True:
            answer = await self.provider.{method}(self.history)
            self.history.append({"role": "assistant", "content": answer})
            if answer.endswith("DONE"):
                return answer
            self.history.append({"role": "user", "content": "continue"})
'''


def _record_summaries(monkeypatch) -> List[str]:
    """The file names the wrapper search asks exports of, in order, from now on."""
    summarised: List[str] = []
    real = candidates._exports

    def recording(project: Project, path: str, depth: int, wanted):
        summarised.append(Path(path).name)
        return real(project, path, depth, wanted)

    monkeypatch.setattr(candidates, "_exports", recording)
    return summarised


def _candidate_names(project: Project, root: Path, name: str) -> list:
    module = project.module(str(root / name))
    assert module is not None
    return sorted(node.name for node, _ in candidate_functions(module, project))


def test_a_loop_calling_an_abstract_method_reaches_the_sending_subclass(tmp_path: Path) -> None:
    project = analysis_project(tmp_path, {"base.py": BASE, "anthropic_provider.py": ANTHROPIC_PROVIDER,
                                  "echo_provider.py": ECHO_PROVIDER, "agent.py": AGENT.replace("{method}", "chat")})
    assert _candidate_names(project, tmp_path, "agent.py") == ["run"]
    result = analyse_file(project, str(tmp_path / "agent.py"))
    assert [(r.api, r.loop is not None) for r in result.requests] == [("anthropic.messages.create", True)]
    # the subclass files consulted are dependencies: editing them re-analyses the loop
    assert {Path(p).name for p in result.deps} >= {"base.py", "anthropic_provider.py"}


def test_a_method_no_subclass_sends_with_leaves_the_caller_alone(tmp_path: Path) -> None:
    # `describe` is a concrete method of the base that no subclass overrides to send
    project = analysis_project(tmp_path, {"base.py": BASE, "anthropic_provider.py": ANTHROPIC_PROVIDER,
                                  "agent.py": AGENT.replace("{method}", "describe")})
    assert _candidate_names(project, tmp_path, "agent.py") == []
    assert analyse_file(project, str(tmp_path / "agent.py")).requests == []


def test_subclasses_that_never_send_are_not_summarised(tmp_path: Path, monkeypatch) -> None:
    # only the echo provider subclasses the base: its bytes hold no sending call, so the
    # search reads it (a dependency) but never parses or summarises it
    project = analysis_project(tmp_path, {"base.py": BASE, "echo_provider.py": ECHO_PROVIDER,
                                  "agent.py": AGENT.replace("{method}", "chat")})
    summarised = _record_summaries(monkeypatch)
    assert _candidate_names(project, tmp_path, "agent.py") == []
    assert "echo_provider.py" not in summarised
    assert "base.py" in summarised


def test_the_number_of_subclass_files_summarised_is_bounded(tmp_path: Path, monkeypatch) -> None:
    files = {"base.py": BASE, "agent.py": AGENT.replace("{method}", "chat")}
    # more sending subclasses than the bound, none of them sending from `chat`
    for i in range(candidates.MAX_SUBCLASS_FILES + 3):
        files[f"p{i:02d}.py"] = (
            "from anthropic import Anthropic\nfrom base import BaseProvider\n\n\n"
            f"class P{i}(BaseProvider):\n"
            "    def warm_up(self, messages):\n"
            "        return Anthropic().messages.create(model='claude-sonnet-4-5', max_tokens=5, messages=messages)\n"
        )
    project = analysis_project(tmp_path, files)
    summarised = _record_summaries(monkeypatch)
    assert _candidate_names(project, tmp_path, "agent.py") == []
    assert len({name for name in summarised if name.startswith("p")}) == candidates.MAX_SUBCLASS_FILES


TEMPLATE_BASE = '''\
from abc import ABC, abstractmethod


class ModelProvider(ABC):
    def complete(self, history):
        request = self.build_request(history)
        return self.run(request)

    def name(self):
        return type(self).__name__

    @abstractmethod
    def build_request(self, history):
        ...

    @abstractmethod
    def run(self, request):
        ...
'''

TEMPLATE_CLAUDE = '''\
import anthropic

from base import ModelProvider

SYSTEM = "You are a shell agent that explains each command before running it. " * 100


class ClaudeProvider(ModelProvider):
    def __init__(self):
        self.client = anthropic.Anthropic()

    def build_request(self, history):
        return {"model": "claude-sonnet-4-5", "max_tokens": 1000, "system": SYSTEM, "messages": history}

    def run(self, request):
        return self.client.messages.create(**request)
'''

TEMPLATE_AGENT = '''\
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from base import ModelProvider


class Agent:
    def __init__(self, provider: "ModelProvider"):
        self.provider = provider
        self.history = []

    def run(self, goal):
        self.history.append({"role": "user", "content": goal})
        while True:
            reply = self.provider.{method}(self.history)
            self.history.append({"role": "assistant", "content": reply.content})
            if reply.stop_reason != "tool_use":
                return reply
'''


def test_a_template_method_of_the_base_leads_to_the_subclass_request(tmp_path: Path) -> None:
    # `complete()` is concrete in the base and calls the abstract `run()` the Claude
    # subclass sends with: calling `complete` leads to a request
    project = analysis_project(tmp_path, {"base.py": TEMPLATE_BASE, "claude.py": TEMPLATE_CLAUDE,
                                  "agent.py": TEMPLATE_AGENT.replace("{method}", "complete")})
    assert _candidate_names(project, tmp_path, "agent.py") == ["run"]
    result = analyse_file(project, str(tmp_path / "agent.py"))
    assert [(r.api, r.loop is not None, r.history_appends != ()) for r in result.requests] == [
        ("anthropic.messages.create", True, True)]


def test_a_base_method_that_calls_no_sending_method_stays_no_candidate(tmp_path: Path) -> None:
    project = analysis_project(tmp_path, {"base.py": TEMPLATE_BASE, "claude.py": TEMPLATE_CLAUDE,
                                  "agent.py": TEMPLATE_AGENT.replace("{method}", "name")})
    assert _candidate_names(project, tmp_path, "agent.py") == []


def test_a_remembered_answer_counts_the_same_files_as_a_fresh_one(tmp_path: Path, monkeypatch) -> None:
    # two importers of the same base: the second gets the subclasses' answer from the
    # memo, and must count the files it came from towards its import budget and its
    # dependencies exactly as the first did (a file's result must not depend on which
    # files its worker analysed before it)
    files = {"base.py": BASE, "anthropic_provider.py": ANTHROPIC_PROVIDER, "echo_provider.py": ECHO_PROVIDER,
             "agent.py": AGENT.replace("{method}", "chat"), "agent2.py": AGENT.replace("{method}", "chat")}
    project = analysis_project(tmp_path, files)
    explored = []
    real = candidates._explore

    def recording(project_: Project, paths) -> None:
        real(project_, paths)
        if project_.explored is not None:
            explored.append(frozenset(project_.explored))

    monkeypatch.setattr(candidates, "_explore", recording)
    seen = []
    for name in ("agent.py", "agent2.py"):
        explored.clear()
        project.deps = {}
        assert _candidate_names(project, tmp_path, name) == ["run"]
        seen.append(({Path(p).name for p in explored[-1]} - {name},
                     {Path(p).name for p in project.deps} - {name}))
    assert seen[0] == seen[1]
    assert "anthropic_provider.py" in seen[1][0] and "anthropic_provider.py" in seen[1][1]
