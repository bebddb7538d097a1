"""Callers of a project's LLM wrapper are analysed although they name no SDK.

The prefilter skips files without an SDK name; `cachelint.importers` brings back those that
import a module the analysis found sending requests. Checked on the import detection itself
and through the command: the finding appears in the caller, survives the cache, follows an
edit of the wrapper, reaches callers of callers, and unrelated files stay unparsed.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Dict, List

import pytest
from click.testing import CliRunner

from cachelint.cli import main
from cachelint.engine import Engine
from cachelint.importers import imported_modules, importers, imports_name, module_names

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
PROMPTS = 'TRIAGE = "Classify the ticket by product area and urgency. " * 300\n'
TRIAGE = """\
from llm import complete
from prompts import TRIAGE


def triage(ticket):
    return complete(TRIAGE, ticket)
"""


@pytest.mark.parametrize(
    "source",
    [
        "import llm\n",
        "import os, app.llm as wrapper\n",
        "from llm import complete\n",
        "from app.llm import complete\n",
        "from app import llm\n",
        "from . import llm\n",
        "from .llm import complete\n",
        "    from llm import complete  # inside a function\n",
        "from app import (\n    prompts,\n    llm,\n)\n",
    ],
)
def test_imports_of_the_module_are_found(source: str) -> None:
    assert imports_name(imported_modules(source.encode()), {"llm"})


@pytest.mark.parametrize(
    "source",
    [
        "import llmtools\n",
        "from my_llm import complete\n",
        "from app.llm_utils import complete\n",
        "llm = 3\n",
        "print('import llm')\n",
        "from app import prompts  # llm later\n",
    ],
)
def test_other_names_are_not_imports_of_the_module(source: str) -> None:
    assert not imports_name(imported_modules(source.encode()), {"llm"})


@pytest.mark.parametrize(
    "source, modules",
    [
        ("import llm\n", [("llm", 0)]),
        ("import os, app.llm as wrapper\n", [("os", 0), ("app.llm", 0)]),
        ("from app import llm, prompts as p  # the wrapper\n", [("app", 0), ("app.llm", 0), ("app.prompts", 0)]),
        ("from ..pkg import (\n    llm,\n)\n", [("pkg", 2), ("pkg.llm", 2)]),
        ("from . import llm\n", [("", 1), ("llm", 1)]),
    ],
)
def test_imported_modules(source: str, modules: List[tuple]) -> None:
    assert list(imported_modules(source.encode())) == modules


def test_a_module_of_the_same_name_elsewhere_is_not_an_import_of_the_sender(tmp_path: Path) -> None:
    """`other/llm.py` shares the sender's name; only the importer of `app/llm.py` counts."""
    from cachelint.analysis.project import Project

    write(tmp_path, {"app/__init__.py": "", "app/llm.py": "", "app/triage.py": "from app.llm import ask\n",
                     "other/__init__.py": "", "other/llm.py": "", "other/job.py": "from other.llm import ask\n",
                     "other/rel.py": "from .llm import ask\n", "app/rel.py": "from . import llm\n"})
    project = Project(tmp_path)
    files = [str(tmp_path / f) for f in ("app/triage.py", "other/job.py", "other/rel.py", "app/rel.py")]
    candidates = [(f, tuple(imported_modules(Path(f).read_bytes()))) for f in files]
    found = importers(candidates, [str(tmp_path / "app/llm.py")], project.resolve_import)
    assert sorted(os.path.relpath(f, tmp_path) for f in found) == ["app/rel.py", "app/triage.py"]


def test_module_names_of_files_and_packages() -> None:
    assert module_names(["/p/app/llm.py", "/p/app/agents/__init__.py", "/p/bad-name.py"]) == {"llm", "agents"}


# --- through the command ------------------------------------------------------------------------
def write(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    write(root, {"pyproject.toml": '[tool.cachelint]\nselect = ["CL001"]\n', "llm.py": LLM, "prompts.py": PROMPTS,
                 "triage.py": TRIAGE, "unrelated.py": "import os\n\n\ndef size(p):\n    return os.path.getsize(p)\n"})
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def analysed(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """Files the engine linted with analysis forced (explicit or imported-sender)."""
    calls: List[str] = []
    real_lint = Engine.lint

    def counting_lint(self, path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("explicit"):
            calls.append(os.path.basename(path))
        return real_lint(self, path, *args, **kwargs)

    monkeypatch.setattr(Engine, "lint", counting_lint)
    return calls


def findings(*args: str) -> List[tuple]:
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:  # click >= 8.2 always keeps them apart
        runner = CliRunner()
    result = runner.invoke(main, ["--output-format", "json", *args], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return sorted((d["filename"].rsplit("/", 1)[-1], d["code"], d["location"]["row"]) for d in json.loads(result.stdout))


def test_the_caller_of_a_wrapper_gets_the_finding(project: Path, analysed: List[str]) -> None:
    assert findings("--no-cache", ".") == [("triage.py", "CL001", 6)]
    assert analysed == ["triage.py"]  # unrelated.py and prompts.py are never analysed


def test_the_finding_survives_the_cache_and_follows_the_wrapper(project: Path, analysed: List[str]) -> None:
    assert findings(".") == [("triage.py", "CL001", 6)]
    analysed.clear()
    assert findings(".") == [("triage.py", "CL001", 6)]
    assert analysed == []  # a fresh cache entry: nothing re-analysed
    # The wrapper stops calling the SDK: the caller's finding goes, cache or not.
    write(project, {"llm.py": "def complete(system, user_text):\n    return None\n"})
    assert findings(".") == []
    assert findings("--no-cache", ".") == []
    # ... and comes back with the SDK call, although triage.py has not changed.
    write(project, {"llm.py": LLM})
    assert findings(".") == [("triage.py", "CL001", 6)]


def test_a_warm_run_takes_the_skipped_files_imports_from_the_cache(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The callers of a wrapper are found from the import lists the cache kept: a warm run
    reads no skipped file again (on a large repository that was most of its time)."""
    import cachelint.importers

    assert findings(".") == [("triage.py", "CL001", 6)]
    scanned: List[int] = []
    real = cachelint.importers.imported_modules

    def counting(data: bytes):  # type: ignore[no-untyped-def]
        scanned.append(len(data))
        return real(data)

    monkeypatch.setattr(cachelint.importers, "imported_modules", counting)
    assert findings(".") == [("triage.py", "CL001", 6)]
    assert scanned == []


def test_a_warm_run_remembers_which_files_import_a_sender(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing changed: the importer search is answered from the cache; a new file changes
    the answer's key, so it is searched again (and the new caller found)."""
    import cachelint.runner.lint

    calls: List[int] = []
    real = cachelint.runner.lint.importers

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cachelint.runner.lint, "importers", counting)
    assert findings(".") == [("triage.py", "CL001", 6)]
    first = len(calls)
    assert first >= 1
    assert findings(".") == [("triage.py", "CL001", 6)]
    assert len(calls) == first  # remembered
    write(project, {"summary.py": "import llm\nfrom prompts import TRIAGE\n\n\ndef run(t):\n    return llm.complete(TRIAGE, t)\n"})
    assert findings(".") == [("summary.py", "CL001", 6), ("triage.py", "CL001", 6)]
    assert len(calls) > first


def test_a_new_caller_is_found_with_a_warm_cache(project: Path) -> None:
    assert findings(".") == [("triage.py", "CL001", 6)]
    write(project, {"summary.py": "import llm\nfrom prompts import TRIAGE\n\n\ndef run(t):\n    return llm.complete(TRIAGE, t)\n"})
    assert findings(".") == [("summary.py", "CL001", 6), ("triage.py", "CL001", 6)]


def test_callers_of_callers_are_found(project: Path) -> None:
    write(project, {
        "service.py": "from llm import complete\n\n\ndef ask(system, text):\n    return complete(system, text)\n",
        "triage.py": "from service import ask\nfrom prompts import TRIAGE\n\n\ndef triage(t):\n    return ask(TRIAGE, t)\n",
    })
    assert findings("--no-cache", ".") == [("triage.py", "CL001", 6)]


def test_callers_of_a_provider_factory_are_found(project: Path) -> None:
    """hazzel's shape: `review.py` names no SDK and calls `get_provider().chat(...)`, with
    the factory in a package `__init__` that sends nothing itself (it builds the provider
    that does). The factory's module leads to requests, so its importers are analysed."""
    write(project, {
        "providers/__init__.py": """\
            def get_provider():
                from .claude import ClaudeProvider
                return ClaudeProvider()
            """,
        "providers/claude.py": """\
            import anthropic


            class ClaudeProvider:
                def __init__(self):
                    self.client = anthropic.Anthropic()

                def chat(self, system, text):
                    return self.client.messages.create(
                        model="claude-sonnet-4-5", max_tokens=300, system=system,
                        messages=[{"role": "user", "content": text}],
                    )
            """,
        "triage.py": """\
            from providers import get_provider
            from prompts import TRIAGE


            def triage(ticket):
                return get_provider().chat(TRIAGE, ticket)
            """,
    })
    assert findings("--no-cache", ".") == [("triage.py", "CL001", 6)]


def test_importers_of_a_module_that_only_posts_elsewhere_are_not_analysed(project: Path, analysed: List[str]) -> None:
    """A function posting to some HTTP endpoint leads to a "request" by its text, but the
    module depends on no file that sends one: its importers (cognee's routers importing
    `send_telemetry`) are not analysed for it."""
    write(project, {
        "telemetry.py": """\
            # counts which provider (OpenAI, Anthropic) each run used
            import requests


            def send_telemetry(event):
                return requests.post("https://telemetry.example.com/v1/events", json={"event": event})
            """,
        "router.py": """\
            from telemetry import send_telemetry


            def add(item):
                send_telemetry("add")
                return item
            """,
    })
    assert findings("--no-cache", ".") == [("triage.py", "CL001", 6)]
    assert "router.py" not in analysed and "triage.py" in analysed
