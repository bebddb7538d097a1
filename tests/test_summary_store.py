"""Module summaries kept in the result cache (`cachelint.cache.summaries`).

A run with a cache reads the summaries of the modules a file imports from the store
instead of parsing them; what the analysis finds is the same as with summaries made from
the bytes, and a stale, damaged, foreign or racy entry is never used.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Dict, List

import pytest

from cachelint.analysis import analyse_file
from cachelint.analysis.candidates import Summary, _summarise, summary_from_json, summary_to_json
from cachelint.analysis.project import Project
from cachelint.cache.summaries import SummaryStore

ROOT = Path(__file__).resolve().parent.parent
OLD = time.time_ns() - 3600 * 10**9  # an hour ago: outside the racy window

FILES = {
    "llm.py": (
        "import anthropic\nfrom typing import Optional\n\nclass Helper:\n    pass\n\n"
        "def ask(prompt: str, system: Optional[str] = None):\n"
        "    return anthropic.Anthropic().messages.create(model='claude-sonnet-4-5', max_tokens=10,\n"
        "        system=system or 'x', messages=[{'role': 'user', 'content': prompt}])\n"
    ),
    "service.py": (
        "from llm import ask\nfrom utils import shout\n\ndef triage(text):\n    return ask(text, system=PROMPT)\n\n"
        "def report(text):\n    return shout(text)\n\nPROMPT = 'p' * 9000\n"
    ),
    # read by the wrapper search for its summary, never by the interpreter
    "utils.py": "def shout(text):\n    return text.upper()\n",
    "main.py": "from service import triage\n\ndef run(t):\n    return triage(t)\n",
}


def _write(root: Path, files: Dict[str, str], mtime_ns: int = OLD) -> None:
    root.mkdir(exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.write_text(text, encoding="utf-8")
        os.utime(path, ns=(mtime_ns, mtime_ns))


def _analyse(root: Path, store: SummaryStore, name: str = "main.py"):  # type: ignore[no-untyped-def]
    project = Project(root)
    project.summary_store = store
    result = analyse_file(project, str(root / name))
    return project, result


def _requests(result) -> List[str]:  # type: ignore[no-untyped-def]
    return sorted(f"{r.api} {r.call_span.start}" for r in result.requests)


@pytest.mark.parametrize("fixture", ["recv-registry-import-module", "val-import-package-constant", "loop-agent-history"])
def test_a_summary_comes_back_from_json_as_it_was(fixture: str) -> None:
    project = Project(ROOT / "fixtures" / "analysis" / fixture)
    for path in sorted((ROOT / "fixtures" / "analysis" / fixture).rglob("*.py")):
        module = project.module(str(path))
        assert module is not None
        summary = _summarise(module, None)
        again = summary_from_json(json.loads(json.dumps(summary_to_json(summary))))
        assert again == summary and isinstance(again, Summary)


def test_a_second_run_parses_only_what_it_interprets_and_finds_the_same(tmp_path: Path) -> None:
    root, store = tmp_path / "root", SummaryStore(tmp_path / "cache")
    _write(root, FILES)
    plain = analyse_file(Project(root), str(root / "main.py"))
    first, with_store = _analyse(root, store)
    second, from_store = _analyse(root, store)
    assert _requests(plain) == _requests(with_store) == _requests(from_store) != []
    assert sorted(os.path.basename(p) for p in first.parse_log) == ["llm.py", "main.py", "service.py", "utils.py"]
    assert sorted(os.path.basename(p) for p in second.parse_log) == ["llm.py", "main.py", "service.py"]
    assert dict(from_store.deps) == dict(plain.deps)  # the cache's dependencies, digests too


def test_an_edited_module_is_summarised_again(tmp_path: Path) -> None:
    root, store = tmp_path / "root", SummaryStore(tmp_path / "cache")
    _write(root, FILES)
    _analyse(root, store)
    # `triage` no longer calls the wrapper: main.py's call sends nothing now
    _write(root, {"service.py": FILES["service.py"].replace("return ask(", "return len(")}, mtime_ns=OLD + 10**9)
    _project, result = _analyse(root, store)
    assert _requests(result) == _requests(analyse_file(Project(root), str(root / "main.py"))) == []


def test_a_module_changed_within_the_racy_window_is_not_stored(tmp_path: Path) -> None:
    root, store = tmp_path / "root", SummaryStore(tmp_path / "cache")
    _write(root, FILES)
    _write(root, {"llm.py": FILES["llm.py"]}, mtime_ns=time.time_ns())
    _analyse(root, store)
    stored = {json.loads(f.read_text(encoding="utf-8"))["path"] for f in store.folder.glob("*.json")}
    assert str((root / "service.py").resolve()) in stored
    assert str((root / "llm.py").resolve()) not in stored


@pytest.mark.parametrize("damage", ["not json", "too deep", "other code", "other path", "other stat", "bad summary"])
def test_a_damaged_or_foreign_entry_is_never_an_answer(tmp_path: Path, damage: str) -> None:
    root, store = tmp_path / "root", SummaryStore(tmp_path / "cache")
    _write(root, FILES)
    _analyse(root, store)
    entry = store._file(str((root / "service.py").resolve()))
    data = json.loads(entry.read_text(encoding="utf-8"))
    # what the damaged entry would claim: `triage` calls nothing, so `run` sends nothing
    data["summary"]["functions"] = [[name, []] for name, _calls in data["summary"]["functions"]]
    data["summary"]["open_calls"] = []
    if damage == "not json":
        entry.write_text("{", encoding="utf-8")
    elif damage == "too deep":
        entry.write_text("[" * 200_000, encoding="utf-8")
    else:
        if damage == "other code":
            data["code"] = "0" * 16
        elif damage == "other path":
            data["path"] = str(root / "elsewhere.py")
        elif damage == "other stat":
            data["stat"][1] += 1
        elif damage == "bad summary":
            data["summary"]["chosen"] = [99]
        entry.write_text(json.dumps(data), encoding="utf-8")
    _project, result = _analyse(root, store)
    assert _requests(result) == _requests(analyse_file(Project(root), str(root / "main.py"))) != []


def test_unsaved_text_is_summarised_from_memory(tmp_path: Path) -> None:
    """stdin and fix passes hand the project text that is not on disk: on disk `triage`
    sends nothing (and that is stored), in memory it calls the wrapper."""
    root, store = tmp_path / "root", SummaryStore(tmp_path / "cache")
    _write(root, {**FILES, "service.py": FILES["service.py"].replace("return ask(", "return len(")})
    _project, on_disk = _analyse(root, store)
    assert _requests(on_disk) == []
    project = Project(root)
    project.summary_store = store
    project.set_override(str((root / "service.py").resolve()), FILES["service.py"].encode())
    assert _requests(analyse_file(project, str(root / "main.py"))) != []


def test_a_stored_summary_does_not_depend_on_which_modules_the_project_has(tmp_path: Path) -> None:
    """`capwords` is searched only when a capitalised import resolves to a project module;
    a stored summary must hold it whatever the project (a module may be added later)."""
    root, store = tmp_path / "root", SummaryStore(tmp_path / "cache")
    files = dict(FILES)
    files["service.py"] = "from helpers import Client\n\ndef triage(text):\n    return Client().ask(text)\n"
    _write(root, files)  # no helpers.py in the project yet
    project = Project(root)
    project.summary_store = store
    module = project.module(str(root / "service.py"))
    assert module is not None
    from cachelint.analysis.candidates import _summary_at, summarise

    assert summarise(module, project).capwords == frozenset() and not module.summary.capwords_whole
    stored = _summary_at(project, str(root / "service.py"))
    assert stored is not None and "Client" in stored.capwords
    again = store.load(str((root / "service.py").resolve()), SummaryStore.stat(str((root / "service.py").resolve())))
    assert again == stored
