"""The SDK method table (`cachelint/data/sdk_methods.toml`) against the installed SDKs.

The anthropic and openai request methods cachelint recognises are generated from the SDKs'
own resource classes by `scripts/gen_sdk_methods.py`. These tests:

- regenerate the table in memory from the installed `anthropic` and `openai` and fail, naming
  the methods, when an installed SDK has a request method (or a client-copying method such as
  `with_options`) that the committed file lacks - the sign that an SDK release added one. Hand
  kept legacy entries (methods of older releases) never make them fail; generated entries the
  installed SDK lacks only fail when it is the very release the file was generated from;
- check that `sdk.method_for` recognises every way code reaches a method: sync and async
  clients, beta namespaces, raw- and streaming-response wrappers, legacy namespaces;
- run the analysis on a small program to see requests made through `with_options(...)`,
  `with_middleware(...)`, response wrappers and legacy namespaces found on the right client.

When the first test fails after an SDK upgrade: run `python scripts/gen_sdk_methods.py`,
read `git diff cachelint/data/sdk_methods.toml`, and commit the file.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import textwrap
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, List, Set, Tuple

import pytest

from cachelint.analysis import sdk

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "gen_sdk_methods.py"
SDKS = ("anthropic", "openai")

Path_ = Tuple[str, ...]


@lru_cache(maxsize=None)
def _generator() -> ModuleType:
    """`scripts/gen_sdk_methods.py` as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("gen_sdk_methods", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_sdk_methods"] = module  # its dataclasses resolve annotations through it
    spec.loader.exec_module(module)
    return module


def _committed() -> Dict[str, Any]:
    with open(sdk.SDK_METHODS_FILE, "rb") as fh:
        return tomllib.load(fh)


def _entries(items: List[Dict[str, Any]]) -> Dict[Path_, Tuple[str, bool]]:
    return {tuple(e["path"]): (e["format"], bool(e.get("counts_tokens", False))) for e in items}


def _names(paths: Set[Path_]) -> str:
    return ", ".join(".".join(p) for p in sorted(paths))


@pytest.mark.slow
@pytest.mark.parametrize("sdk_name", SDKS)
def test_data_file_lists_every_request_method_of_the_installed_sdk(sdk_name: str) -> None:
    pytest.importorskip(sdk_name, reason=f"{sdk_name} is a test extra; the table is checked against it")
    gen = _generator()
    installed = gen.sdk_methods(sdk_name)
    assert installed.methods, (
        f"found no request method in the installed {sdk_name} {installed.version}: the SDK's client "
        "layout changed; fix scripts/gen_sdk_methods.py before trusting the table"
    )
    data = _committed()
    table = data["generated"][sdk_name]
    generated = _entries(table["methods"])
    legacy = _entries(data.get("legacy", {}).get(sdk_name, []))
    known = {**generated, **legacy}
    found = {path: (f.fmt, f.counts_tokens) for path, f in installed.methods.items()}
    regenerate = "run `python scripts/gen_sdk_methods.py`, review `git diff cachelint/data/sdk_methods.toml`"

    added = set(found) - set(known)
    assert not added, (
        f"{sdk_name} {installed.version} has request methods that cachelint/data/sdk_methods.toml "
        f"(generated from {table['version']}) lacks: {_names(added)}; {regenerate}"
    )
    changed = {path for path in found if known[path] != found[path]}
    assert not changed, (
        f"{sdk_name} {installed.version}: format or counts_tokens differ from the data file for "
        + "; ".join(f"{'.'.join(p)}: file {known[p]}, SDK {found[p]}" for p in sorted(changed))
        + f"; {regenerate}"
    )
    copies = installed.client_copies - set(table.get("client_copies", []))
    assert not copies, (
        f"{sdk_name} {installed.version} clients have methods returning the client that the data file "
        f"lacks: {', '.join(sorted(copies))}; {regenerate}"
    )
    if installed.version == table["version"]:
        # The very release the file came from: its generated part must be exactly what the
        # generator writes (a removed method or a hand edit shows here).
        removed = set(generated) - set(found)
        assert not removed, (
            f"the data file lists methods that {sdk_name} {installed.version} does not have: "
            f"{_names(removed)}; move them to the legacy part if old releases had them, then {regenerate}"
        )
        text = sdk.SDK_METHODS_FILE.read_text(encoding="utf-8")
        header = f"[generated.{sdk_name}]"
        section = header + gen.render_generated({sdk_name: installed}).split(header, 1)[1]
        assert section in text, f"the [generated.{sdk_name}] table is out of date: {regenerate}"


def test_legacy_entries_are_not_in_the_generated_part() -> None:
    """A legacy entry shadowing a generated one would hide a format the generator decided."""
    data = _committed()
    for sdk_name in SDKS:
        generated = set(_entries(data["generated"][sdk_name]["methods"]))
        legacy = data.get("legacy", {}).get(sdk_name, [])
        for entry in legacy:
            assert tuple(entry["path"]) not in generated, entry["path"]
            assert entry.get("releases") and entry.get("source"), f"{entry['path']}: say which releases had it"
    assert sdk.SDK_METHODS_FILE.read_text(encoding="utf-8").count(_generator().LEGACY_MARKER) == 1


RECOGNISED: List[Tuple[str, Path_, str]] = [
    # sync and async clients take the same paths
    ("anthropic", ("messages", "create"), "anthropic.messages.create"),
    ("anthropic", ("messages", "count_tokens"), "anthropic.messages.count_tokens"),
    ("anthropic", ("messages", "batches", "create"), "anthropic.messages.batches.create"),
    # beta
    ("anthropic", ("beta", "messages", "create"), "anthropic.beta.messages.create"),
    ("anthropic", ("beta", "messages", "tool_runner"), "anthropic.beta.messages.tool_runner"),
    # raw and streaming response wrappers, on a resource or on the client
    ("anthropic", ("messages", "with_raw_response", "create"), "anthropic.messages.create"),
    ("anthropic", ("with_raw_response", "messages", "create"), "anthropic.messages.create"),
    ("anthropic", ("beta", "messages", "with_streaming_response", "create"), "anthropic.beta.messages.create"),
    ("anthropic", ("beta", "with_raw_response", "messages", "batches", "create"),
     "anthropic.beta.messages.batches.create"),
    # legacy namespaces of older releases
    ("anthropic", ("beta", "prompt_caching", "messages", "create"), "anthropic.beta.prompt_caching.messages.create"),
    ("anthropic", ("beta", "prompt_caching", "messages", "stream"), "anthropic.beta.prompt_caching.messages.stream"),
    ("anthropic", ("beta", "prompt_caching", "messages", "with_raw_response", "create"),
     "anthropic.beta.prompt_caching.messages.create"),
    ("anthropic", ("beta", "tools", "messages", "create"), "anthropic.beta.tools.messages.create"),
    ("openai", ("chat", "completions", "create"), "openai.chat.completions.create"),
    ("openai", ("chat", "completions", "with_raw_response", "create"), "openai.chat.completions.create"),
    ("openai", ("beta", "chat", "completions", "parse"), "openai.beta.chat.completions.parse"),
    ("openai", ("beta", "chat", "completions", "stream"), "openai.beta.chat.completions.stream"),
    ("openai", ("responses", "with_raw_response", "create"), "openai.responses.create"),
    ("openai", ("with_streaming_response", "responses", "create"), "openai.responses.create"),
    ("openai", ("responses", "input_tokens", "count"), "openai.responses.input_tokens.count"),
]


@pytest.mark.parametrize("sdk_name,path,api", RECOGNISED, ids=[".".join(p) for _, p, _ in RECOGNISED])
def test_method_for_recognises(sdk_name: str, path: Path_, api: str) -> None:
    method = sdk.method_for(sdk_name, path)
    assert method is not None and method.api == api, (sdk_name, path, method)


NOT_REQUESTS: List[Tuple[str, Path_]] = [
    ("anthropic", ("models", "list")),
    ("anthropic", ("files", "upload")),
    ("anthropic", ("completions", "create")),  # legacy text completions: no system, no cache_control
    ("anthropic", ("beta", "messages", "thread")),  # builds a thread object, sends nothing
    ("anthropic", ("messages", "batches", "list")),
    ("openai", ("completions", "create")),
    ("openai", ("embeddings", "create")),
    ("openai", ("beta", "threads", "create")),
    ("openai", ("beta", "threads", "messages", "create")),
]


@pytest.mark.parametrize("sdk_name,path", NOT_REQUESTS, ids=[".".join(p) for _, p in NOT_REQUESTS])
def test_method_for_leaves_out(sdk_name: str, path: Path_) -> None:
    assert sdk.method_for(sdk_name, path) is None


def test_every_variant_of_every_method_is_recognised() -> None:
    """Each method at every path its variants allow: plain, and behind each wrapper it has."""
    data = _committed()
    for sdk_name in SDKS:
        for entry in data["generated"][sdk_name]["methods"]:
            path = tuple(entry["path"])
            assert {"sync", "async"} <= set(entry["variants"]), f"{path}: not on both clients"
            spellings = [path]
            for variant, wrapper in (("raw", "with_raw_response"), ("streaming", "with_streaming_response")):
                if variant in entry["variants"]:
                    spellings.append(path[:-1] + (wrapper,) + path[-1:])
                    spellings.append((wrapper,) + path)
            for spelling in spellings:
                method = sdk.method_for(sdk_name, spelling)
                assert method is not None, (sdk_name, spelling)
                assert method.fmt == entry["format"] and method.counts_tokens == entry["counts_tokens"]


def test_derived_tables_and_client_copies() -> None:
    assert sdk.ANTHROPIC_METHODS[("beta", "prompt_caching", "messages", "create")].fmt == "anthropic"
    assert sdk.OPENAI_METHODS[("chat", "completions", "create")].fmt == "openai-chat"
    for name in ("with_options", "copy", "with_middleware"):
        assert sdk.returns_client(name), name
    assert not sdk.returns_client("messages")
    # An unknown receiver: a distinctive legacy chain with LLM-shaped arguments.
    path = ("llm", "beta", "prompt_caching", "messages", "create")
    method = sdk.untyped_method(path, ("model", "max_tokens", "messages"))
    assert method is not None and method.api == "anthropic.beta.prompt_caching.messages.create"
    assert sdk.untyped_method(("x", "responses", "create"), ("model", "input")) is None


PROGRAM = '''
import anthropic
import openai

client = anthropic.Anthropic()
aclient = anthropic.AsyncAnthropic()
oai = openai.OpenAI()
MSG = [{"role": "user", "content": "hi"}]


def options():
    return client.with_options(timeout=5).messages.create(model="claude-sonnet-4-5", max_tokens=9, messages=MSG)


def middleware():
    return client.with_middleware(None).messages.create(model="claude-sonnet-4-5", max_tokens=9, messages=MSG)


async def raw_async():
    return await aclient.beta.messages.with_raw_response.create(model="claude-sonnet-4-5", max_tokens=9, messages=MSG)


def streaming():
    return client.with_streaming_response.messages.create(model="claude-sonnet-4-5", max_tokens=9, messages=MSG)


def legacy():
    return client.beta.prompt_caching.messages.stream(model="claude-sonnet-4-5", max_tokens=9, messages=MSG)


def chat_raw():
    return oai.chat.completions.with_raw_response.create(model="gpt-5", messages=MSG)


def beta_parse():
    return oai.beta.chat.completions.parse(model="gpt-5", messages=MSG)
'''

#: (row, api, platforms) of each request in PROGRAM
EXPECTED = [
    (11, "anthropic.messages.create", "anthropic"),
    (15, "anthropic.messages.create", "anthropic"),
    (19, "anthropic.beta.messages.create", "anthropic"),
    (23, "anthropic.messages.create", "anthropic"),
    (27, "anthropic.beta.prompt_caching.messages.stream", "anthropic"),
    (31, "openai.chat.completions.create", "openai"),
    (35, "openai.beta.chat.completions.parse", "openai"),
]


def test_analysis_finds_requests_through_every_spelling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests made through client copies, wrappers and legacy namespaces, on a known client."""
    from click.testing import CliRunner

    from cachelint.cli import main

    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.cachelint]\n", encoding="utf-8")
    (tmp_path / "main.py").write_text(textwrap.dedent(PROGRAM).lstrip("\n"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    env = {name: None for name in os.environ if name.startswith("CACHELINT_")}
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        runner = CliRunner()  # click >= 8.2 keeps stdout apart by itself
    args = ["--show-requests", "main.py", "--output-format", "json", "--no-cache"]
    result = runner.invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    requests = json.loads(result.stdout)
    got = sorted(
        (r["location"]["row"], r["api"], ",".join(p["name"] for p in r["platforms"]))
        for r in requests
        if r["receiver_known"]
    )
    assert got == EXPECTED
