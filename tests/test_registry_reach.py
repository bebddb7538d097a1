"""A provider picked from a registry by configuration: the analysis follows every entry.

Real applications choose their backend from a dict of names to classes
(`PROVIDERS.get(config.provider)`), often filled on first use into a class attribute
(`if Factory._providers is None: Factory._providers = {...}`), and call it through an
attribute (`self.provider.call(...)`). `fixtures/analysis/recv-registry-factory-class-attr`
holds the whole chain across modules; these tests pin each step, and what must stay unknown.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

from cachelint.analysis import analyse_file, candidate_functions
from cachelint.analysis.project import Project
from cachelint.analysis.values import UnionV
from project_files import analysis_project

PROVIDERS = '''\
import anthropic
from anthropic import AnthropicBedrock

SYSTEM = "You review contracts clause by clause and cite the clause. " * 200


class Direct:
    def __init__(self):
        self.client = anthropic.Anthropic()

    def ask(self, text):
        return self.client.messages.create(model="claude-sonnet-4-5", max_tokens=100, system=SYSTEM,
                                           messages=[{"role": "user", "content": text}])


class OnBedrock:
    def __init__(self):
        self.client = AnthropicBedrock()

    def ask(self, text):
        return self.client.messages.create(model="anthropic.claude-sonnet-4-5", max_tokens=100, system=SYSTEM,
                                           messages=[{"role": "user", "content": text}])
'''


def _request_files(project: Project, root: Path, name: str) -> List[str]:
    result = analyse_file(project, str(root / name))
    return sorted(p.client for r in result.requests for p in r.platforms)


def test_a_registry_read_with_a_configured_key_is_each_of_its_entries(tmp_path: Path) -> None:
    main = (
        "from providers import Direct, OnBedrock\n\n"
        "REGISTRY = {'direct': Direct, 'bedrock': OnBedrock}\n\n\n"
        "def run(name, text):\n"
        "    provider = REGISTRY.get(name)\n"
        "    if provider is None:\n"
        "        raise ValueError(name)\n"
        "    return provider().ask(text)\n"
    )
    project = analysis_project(tmp_path, {"providers.py": PROVIDERS, "main.py": main})
    assert _request_files(project, tmp_path, "main.py") == ["Anthropic", "AnthropicBedrock"]


def test_a_registry_that_may_hold_more_stays_unknown(tmp_path: Path) -> None:
    # `update` with a mapping from elsewhere: which classes it holds is not known, and
    # nothing is guessed from the two that are
    main = (
        "from providers import Direct, OnBedrock\n\n\n"
        "def run(name, text, plugins):\n"
        "    registry = {'direct': Direct, 'bedrock': OnBedrock}\n"
        "    registry.update(plugins)\n"
        "    return registry.get(name)().ask(text)\n"
    )
    project = analysis_project(tmp_path, {"providers.py": PROVIDERS, "main.py": main})
    assert _request_files(project, tmp_path, "main.py") == []


def test_a_class_attribute_filled_on_first_use_is_read_back(tmp_path: Path) -> None:
    main = (
        "from providers import Direct\n\n\n"
        "class Factory:\n"
        "    _providers = None\n\n"
        "    @classmethod\n"
        "    def create(cls, name):\n"
        "        if cls._providers is None:\n"
        "            cls._providers = {'direct': Direct}\n"
        "        return cls._providers.get(name)()\n\n\n"
        "def run(name, text):\n"
        "    return Factory.create(name).ask(text)\n"
    )
    project = analysis_project(tmp_path, {"providers.py": PROVIDERS, "main.py": main})
    assert _request_files(project, tmp_path, "main.py") == ["Anthropic"]


def test_a_class_attribute_set_under_an_undecided_condition_may_still_be_the_old_value(tmp_path: Path) -> None:
    from cachelint.analysis.interp import Interpreter

    main = (
        "class Settings:\n"
        "    system = 'short'\n\n\n"
        "def configure(flag):\n"
        "    if flag:\n"
        "        Settings.system = 'long ' * 900\n"
    )
    project = analysis_project(tmp_path, {"main.py": main})
    module = project.module(str(tmp_path / "main.py"))
    assert module is not None
    interp = Interpreter(project, module)
    interp.run_module()
    interp.run_function(module.functions["configure"])
    value = interp.class_attr(module.classes["Settings"], "system")
    assert isinstance(value, UnionV)
    assert sorted(len(option.text or "") for option, _ in value.options) == [5, 4500]


def test_callers_of_a_factory_that_hands_out_sending_objects_are_chosen(tmp_path: Path) -> None:
    # `create` references the provider classes (a registry), so it leads to a request;
    # whoever keeps what it returns may call the providers' sending methods (`ask`)
    factory = (
        "from providers import Direct, OnBedrock\n\n\n"
        "class Factory:\n"
        "    @staticmethod\n"
        "    def registry():\n"
        "        return {'direct': Direct, 'bedrock': OnBedrock}\n\n"
        "    @staticmethod\n"
        "    def create(name):\n"
        "        return Factory.registry().get(name)()\n"
    )
    service = (
        "from factory import Factory\n\n\n"
        "class Service:\n"
        "    def __init__(self, name):\n"
        "        self.llm = Factory.create(name)\n\n"
        "    def review(self, text):\n"
        "        return self.llm.ask(text)\n\n"
        "    def unrelated(self, x):\n"
        "        return x + 1\n"
    )
    project = analysis_project(tmp_path, {"providers.py": PROVIDERS, "factory.py": factory, "service.py": service})
    module = project.module(str(tmp_path / "service.py"))
    assert module is not None
    assert sorted(node.name for node, _ in candidate_functions(module, project)) == ["__init__", "review"]
    assert _request_files(project, tmp_path, "service.py") == ["Anthropic", "AnthropicBedrock"]


def test_a_value_found_by_a_search_loop_that_breaks_goes_on_after_the_loop(tmp_path: Path) -> None:
    # claude-dev-cli finds its API configuration this way; the branch that breaks ended the
    # path like a `return`, so `found` was None after the loop on every path, the caller
    # raised, and the request after it was never reached
    main = (
        "import anthropic\n\n"
        "SYSTEM = 'You review contracts clause by clause and cite the clause. ' * 200\n\n\n"
        "def pick(configs):\n"
        "    found = None\n"
        "    for c in configs:\n"
        "        if c.get('default'):\n"
        "            found = c\n"
        "            break\n"
        "    if not found:\n"
        "        return None\n"
        "    return anthropic.Anthropic(api_key=found['key'])\n\n\n"
        "def run(configs, text):\n"
        "    client = pick(configs)\n"
        "    if client is None:\n"
        "        raise ValueError('no configuration')\n"
        "    return client.messages.create(model='claude-sonnet-4-5', max_tokens=100, system=SYSTEM,\n"
        "                                  messages=[{'role': 'user', 'content': text}])\n"
    )
    project = analysis_project(tmp_path, {"main.py": main})
    assert _request_files(project, tmp_path, "main.py") == ["Anthropic"]


def test_after_a_search_loop_the_way_out_without_break_stays_possible(tmp_path: Path) -> None:
    # joining what `break` bound must not replace what the loop leaves when nothing
    # matched: the request sent when no configuration is the default is still reached
    main = (
        "import anthropic\n\n"
        "SYSTEM = 'You review contracts clause by clause and cite the clause. ' * 200\n\n\n"
        "def run(configs, text):\n"
        "    found = None\n"
        "    for c in configs:\n"
        "        if c.get('default'):\n"
        "            found = c\n"
        "            break\n"
        "    if found is None:\n"
        "        return anthropic.Anthropic().messages.create(model='claude-sonnet-4-5', max_tokens=100,\n"
        "            system=SYSTEM, messages=[{'role': 'user', 'content': text}])\n"
        "    return None\n"
    )
    project = analysis_project(tmp_path, {"main.py": main})
    assert _request_files(project, tmp_path, "main.py") == ["Anthropic"]
