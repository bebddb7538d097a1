"""Every fix produces a request the real SDK accepts and that caches what the rule promised.

The programs of `fixtures/rules/` and the code of every rule's documented examples are
*executed*: their request-building code runs with the real `anthropic`, `openai` and `boto3`
clients, pointed at a local stub transport (see `tests/sdk_stub.py`: `httpx2.MockTransport`
for the two SDKs, a botocore `before-send` hook for boto3; `litellm`, `requests` and `httpx`
are stand-ins that record what the program passes them). Nothing leaves the machine.

For each recorded request body the provider rules are checked (`sdk_stub.check_request`):
at most four breakpoints (tools + system + messages + the top-level one, or `cachePoint`s),
no `1h` breakpoint after a `5m` one, no top-level `cache_control` to Bedrock or Vertex, no
`copilot_cache_control` to anything but the Copilot API, valid `cache_control` values and
placements (keys allowed by the SDK's own request types). Then what the rule is about:

- CL001: after the fix a breakpoint covers the system prompt (before the fix none does);
- CL002: the program is called twice with different per-call values; after the fix the
  second call can read the static text from the cache the first call wrote (with Claude's
  explicit breakpoints: a breakpoint whose whole prefix is identical in both calls; with
  OpenAI's automatic caching: a common prefix), at least `REUSABLE_CHARS` characters
  (~1,000 tokens); before the fix it cannot;
- CL003: at most four breakpoints after the fix and at least one left (more than four
  before: the fixture's `run.py` sends a conversation long enough to show it);
- CL004: no root `cache_control` to a platform that rejects it (or to OpenRouter) after the
  fix, and a breakpoint with the same TTL instead;
- CL005: no `copilot_cache_control` off the Copilot API after the fix, and as many
  `cache_control` markers as there were Copilot ones.

The fixed program is what `cachelint --fix --unsafe-fixes` really produces in a copy of the
fixture (not the golden `fixed/`), so this tests the tool. A fixture's `run.py` says how to
call the program (`run()`); it may set `STUB_STOP_REASONS` to make the stub answer
`tool_use` a few times and drive an agent loop. Silent fixtures run unchanged and must
satisfy the provider rules. Fixed programs whose request is known to be wrong today are
listed in `KNOWN_BAD_FIXED` (xfail, strict).
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import inspect
import os
import shutil
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sdk_stub import (  # noqa: E402
    ROOT_MARKER_REJECTED,
    Sent,
    capture,
    check_request,
    marks,
    openai_breakpoints,
    reusable_chars,
    system_covered,
    system_text,
)
from test_rule_fixtures import copy_project, fix, fixture_dirs, rule_code  # noqa: E402

#: Characters of static text a cache hit must cover (~1,000 tokens at four per token).
REUSABLE_CHARS = 4000
#: A system prompt at least this long is "large": CL001 fires only above 1,024 tokens.
LARGE_SYSTEM_CHARS = 4096

#: Rules whose defect the provider rejects, and the request kinds (`Sent.fmt`) it shows in.
PROVIDER_REJECTS: Dict[str, Tuple[str, ...]] = {
    "CL015": ("genai",),
    "CL016": ("genai-cache",),
    "CL019": ("openai-chat", "openai-responses"),
}
#: Rules whose documented example must show its defect on the wire before the fix and not after.
WIRE_CODES = ("CL001", "CL002", "CL003", "CL004", "CL005", "CL017", *PROVIDER_REJECTS)

#: Fixed fixture programs whose requests are known to be wrong today, with the reason.
KNOWN_BAD_FIXED: Dict[str, str] = {}

#: Rule examples whose fixed code is known to produce a wrong or useless request.
KNOWN_BAD_EXAMPLES: Dict[str, str] = {}


# --- running a program ------------------------------------------------------------------------------
@contextlib.contextmanager
def imported(project: Path, module: str) -> Iterator[Any]:
    """Import `module` from `project` as a fresh top-level module (and whatever it imports
    from the project); every module of the project is forgotten afterwards, and the
    environment is restored."""
    names = {p.stem for p in project.glob("*.py")} | {
        p.name for p in project.iterdir() if (p / "__init__.py").is_file()
    }
    saved = {
        name: sys.modules.pop(name) for name in list(sys.modules) if name.split(".")[0] in names
    }
    saved_env = dict(os.environ)
    sys.path.insert(0, str(project))
    try:
        yield importlib.import_module(module)
    finally:
        sys.path.remove(str(project))
        for name in list(sys.modules):
            mod = sys.modules[name]
            file = getattr(mod, "__file__", None) or ""
            if name.split(".")[0] in names or file.startswith(str(project)):
                del sys.modules[name]
        sys.modules.update(saved)
        os.environ.clear()
        os.environ.update(saved_env)


def run_program(project: Path) -> List[Sent]:
    """Call `run()` of the project's `run.py` with the SDKs stubbed; the requests sent."""
    with capture() as recorder:
        with imported(project, "run") as entry:
            recorder.stop_reasons[:] = list(getattr(entry, "STUB_STOP_REASONS", []))
            entry.run()
    assert recorder.sent, "the program sent no request"
    return recorder.sent


def fixed_copy(fixture: Path, dest: Path) -> Path:
    """The fixture's project after the real `cachelint --fix --unsafe-fixes`, with its run.py."""
    project = copy_project(fixture, dest)
    code, _, err = fix(project)
    assert code in (0, 1), err
    shutil.copy(fixture / "run.py", project / "run.py")
    return project


def original_copy(fixture: Path, dest: Path) -> Path:
    project = copy_project(fixture, dest)
    shutil.copy(fixture / "run.py", project / "run.py")
    return project


# --- what each rule is about ------------------------------------------------------------------------
def _is_claude(sent: Sent) -> bool:
    return sent.fmt in ("anthropic", "converse") or "claude" in (sent.model or "")


def _explicit(sent: Sent) -> bool:
    """Caching happens at explicit breakpoints only (Claude, on any platform)."""
    return _is_claude(sent)


def defect(code: str, sents: List[Sent]) -> List[str]:
    """What is wrong in these requests in the sense of rule `code` (empty: nothing)."""
    found: List[str] = []
    if code == "CL001":
        for sent in sents:
            if (
                _is_claude(sent)
                and len(system_text(sent)) >= LARGE_SYSTEM_CHARS
                and not system_covered(sent)
            ):
                found.append(
                    f"{sent.url}: a {len(system_text(sent)):,}-char system prompt with no breakpoint covering it"
                )
    elif code == "CL002":
        pairs = _pairs(sents)
        assert pairs, "CL002 programs must send two requests of the same kind (run() calls twice)"
        for first, second in pairs:
            reusable = reusable_chars(first, second, _explicit(first))
            if reusable < REUSABLE_CHARS:
                found.append(
                    f"{second.url}: only {reusable:,} chars of the prompt can be read back from the cache"
                )
    elif code == "CL003":
        for sent in sents:
            if len(marks(sent)) > 4:
                found.append(f"{sent.url}: {len(marks(sent))} breakpoints")
    elif code == "CL004":
        for sent in sents:
            if sent.body.get(
                "cache_control"
            ) is not None and sent.platform in ROOT_MARKER_REJECTED | {"openrouter"}:
                found.append(f"{sent.url}: top-level cache_control to {sent.platform}")
    elif code == "CL005":
        for sent in sents:
            if sent.platform != "copilot" and "copilot_cache_control" in repr(sent.body):
                found.append(f"{sent.url}: copilot_cache_control to {sent.platform}")
    elif code == "CL017":
        for sent in sents:
            options = sent.body.get("prompt_cache_options") or {}
            if options.get("mode") == "explicit" and not openai_breakpoints(sent):
                found.append(f"{sent.url}: explicit cache mode and no prompt_cache_breakpoint: nothing is cached")
    elif code in PROVIDER_REJECTS:
        # Gemini and OpenAI mistakes the provider answers with an error: the request check
        # (`sdk_stub.check_request`) of the request kind the rule is about finds them.
        fmts = PROVIDER_REJECTS[code]
        for sent in sents:
            if sent.fmt in fmts:
                found += [f"{sent.url}: {p}" for p in check_request(sent)]
    return found


def _pairs(sents: List[Sent]) -> List[Tuple[Sent, Sent]]:
    """Consecutive requests to the same place in the same format (the same request site)."""
    pairs = []
    for first, second in zip(sents, sents[1:]):
        if (first.url, first.fmt) == (second.url, second.fmt):
            pairs.append((first, second))
    return pairs


def _copilot_markers(sents: List[Sent]) -> int:
    return sum(repr(s.body).count("'copilot_cache_control'") for s in sents)


def check_fixed(code: str, before: List[Sent], after: List[Sent]) -> List[str]:
    """Problems of the fixed program's requests: provider rules, then the rule's purpose."""
    problems = [f"{s.url}: {p}" for s in after for p in check_request(s)]
    problems += defect(code, after)
    if code == "CL003":
        problems += [f"{s.url}: the fix removed every breakpoint" for s in after if not marks(s)]
    if code == "CL004":
        ttls = {
            (s.body.get("cache_control") or {}).get("ttl", "5m")
            for s in before
            if s.body.get("cache_control")
        }
        for sent in after:
            if not any(m.ttl in ttls for m in marks(sent)):
                problems.append(
                    f"{sent.url}: no breakpoint with the top-level marker's TTL {sorted(ttls)} after the fix"
                )
    if code == "CL005":
        wanted = min(_copilot_markers(before), 4)
        have = sum(len(marks(s)) for s in after)
        if have < wanted:
            problems.append(
                f"{have} cache_control markers after the fix, {wanted} copilot_cache_control before"
            )
    return problems


# --- the fixtures -------------------------------------------------------------------------------------
def _runnable() -> List[Path]:
    return [
        d
        for d in fixture_dirs()
        if (d / "run.py").is_file()
        and rule_code(d) in WIRE_CODES
    ]


def _fixable() -> List[Any]:
    params = []
    for d in _runnable():
        if "-silent-" in d.name:
            continue
        if not ((d / "fixed").is_dir() or (d / "KNOWN_WRONG_FIX").is_file()):
            continue
        marks_ = (
            [pytest.mark.xfail(strict=True, reason=KNOWN_BAD_FIXED[d.name])]
            if d.name in KNOWN_BAD_FIXED
            else []
        )
        params.append(pytest.param(d, id=d.name, marks=marks_))
    return params


@pytest.mark.slow
@pytest.mark.parametrize("fixture", [pytest.param(d, id=d.name) for d in _runnable()])
def test_fixture_program_as_written(fixture: Path, tmp_path: Path) -> None:
    """A flagged program really has the defect on the wire; a silent one sends valid requests."""
    sents = run_program(original_copy(fixture, tmp_path / "project"))
    code = rule_code(fixture)
    if "-silent-" in fixture.name:
        problems = [f"{s.url}: {p}" for s in sents for p in check_request(s)]
        assert problems == [], problems
    else:
        assert defect(code, sents), (
            f"the {code} defect does not show in the requests the program sends"
        )


@pytest.mark.slow
@pytest.mark.parametrize("fixture", _fixable())
def test_fixed_fixture_program(fixture: Path, tmp_path: Path) -> None:
    """The real fix of a flagged program sends requests the provider accepts and that cache."""
    before = run_program(original_copy(fixture, tmp_path / "before"))
    after = run_program(fixed_copy(fixture, tmp_path / "after"))
    problems = check_fixed(rule_code(fixture), before, after)
    assert problems == [], problems


# --- the rules' documented examples ---------------------------------------------------------------
SENDING_METHODS = {
    "create",
    "stream",
    "converse",
    "converse_stream",
    "invoke_model",
    "completion",
    "post",
    "parse",
    "generate_content",
    "generate_content_stream",
}


def _example_cases() -> List[Any]:
    from cachelint.registry import all_rules

    cases = []
    for rule in all_rules():
        for i, example in enumerate(rule.invalid_examples()):
            if example.fixed_source is None or not _sending_functions(example.fixed_source):
                continue
            case_id = f"{rule.code}-invalid-{i}"
            marks_ = (
                [pytest.mark.xfail(strict=True, reason=KNOWN_BAD_EXAMPLES[case_id])]
                if case_id in KNOWN_BAD_EXAMPLES
                else []
            )
            cases.append(pytest.param(rule.code, example, id=case_id, marks=marks_))
    return cases


def _write_example(root: Path, example: Any, main_source: str, fixed: bool) -> Path:
    root.mkdir(parents=True)
    for rel, content in example.files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        text = example.expected_files.get(rel, content) if fixed else content
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    (root / "main.py").write_text(main_source, encoding="utf-8")
    return root


def _sending_functions(source: str) -> List[str]:
    """Module-level functions of the example that call an SDK method themselves."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            calls = [
                n
                for n in ast.walk(node)
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            ]
            if any(c.func.attr in SENDING_METHODS for c in calls):
                names.append(node.name)
    return names


def _conversation(variant: int, shape: str) -> List[Dict[str, Any]]:
    messages = []
    for i in range(6):
        role = "user" if i % 2 == 0 else "assistant"
        text = f"turn {i} of conversation {variant}"
        if shape == "text":
            messages.append({"role": role, "text": text})
        else:
            messages.append({"role": role, "content": [{"type": "text", "text": text}]})
    messages.append(
        {"role": "user", "text": f"last {variant}"}
        if shape == "text"
        else {"role": "user", "content": f"last {variant}"}
    )
    return messages


def _call(function: Callable[..., Any], variant: int) -> None:
    """Call an example function with made-up arguments that differ between variants."""
    params = list(inspect.signature(function).parameters.values())
    for shape in ("content", "text"):
        args = []
        for param in params:
            if param.name in ("history", "messages", "turns", "conversation"):
                args.append(_conversation(variant, shape))
            elif param.name == "model":
                args.append("claude-sonnet-4-5")
            else:
                args.append(f"{param.name} number {variant}")
        try:
            function(*args)
            return
        except KeyError:
            if shape == "text":
                raise


def run_example(root: Path) -> List[Sent]:
    source = (root / "main.py").read_text(encoding="utf-8")
    names = _sending_functions(source)
    assert names, "the example defines no function that sends a request"
    with capture() as recorder:
        with imported(root, "main") as main:
            for variant in (0, 1):
                for name in names:
                    _call(getattr(main, name), variant)
    assert recorder.sent, "the example sent no request"
    # Requests in the order of the variants: f(v0), g(v0), f(v1), g(v1) -> pair per function.
    per_function = len(recorder.sent) // 2
    ordered: List[Sent] = []
    for i in range(per_function):
        ordered += [recorder.sent[i], recorder.sent[i + per_function]]
    return ordered if len(recorder.sent) % 2 == 0 else recorder.sent


@pytest.mark.slow
@pytest.mark.parametrize("code,example", _example_cases())
def test_rule_example_fix_sends_valid_request(code: str, example: Any, tmp_path: Path) -> None:
    """A rule's documented fix, executed: the requests it sends satisfy the provider rules;
    for the rules of `WIRE_CODES`, the defect is on the wire before the fix and gone after it."""
    after = run_example(
        _write_example(tmp_path / "after", example, example.fixed_source, fixed=True)
    )
    if code in WIRE_CODES:
        try:
            before = run_example(
                _write_example(tmp_path / "before", example, example.source, fixed=False)
            )
        except Exception as exc:  # the SDK's own validation rejects the request before sending
            assert code in PROVIDER_REJECTS and type(exc).__name__ == "ValidationError", exc
            before = []
        else:
            assert defect(code, before), (
                f"the documented {code} example does not show its defect on the wire"
            )
        problems = check_fixed(code, before, after)
    else:
        problems = [f"{s.url}: {p}" for s in after for p in check_request(s)]
    assert problems == [], problems


# --- the checks themselves can fail -----------------------------------------------------------------
def _sent(
    body: Dict[str, Any],
    platform: str = "anthropic",
    fmt: str = "anthropic",
    url: str = "https://api.anthropic.com/v1/messages",
) -> Sent:
    return Sent("test", url, platform, fmt, body, body.get("model"))


def test_provider_rule_checks_catch_bad_bodies() -> None:
    cc = {"type": "ephemeral"}
    five = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 5,
        "system": [{"type": "text", "text": f"part {i}", "cache_control": cc} for i in range(4)],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "q", "cache_control": cc}]}
        ],
    }
    assert any("5 cache breakpoints" in p for p in check_request(_sent(five)))
    order = {
        "model": "m",
        "max_tokens": 5,
        "system": [{"type": "text", "text": "a", "cache_control": cc}],
        "messages": [
            {
                "role": "user",
                "content": [
                    {
                        "type": "text",
                        "text": "q",
                        "cache_control": {"type": "ephemeral", "ttl": "1h"},
                    }
                ],
            }
        ],
    }
    assert any("1h breakpoint" in p for p in check_request(_sent(order)))
    root = {
        "max_tokens": 5,
        "anthropic_version": "bedrock-2023-05-31",
        "cache_control": cc,
        "messages": [{"role": "user", "content": "q"}],
    }
    assert any("top-level" in p for p in check_request(_sent(root, platform="bedrock")))
    assert not any(
        "top-level" in p for p in check_request(_sent({**root, "model": "m"}, platform="anthropic"))
    )
    copilot = {
        "model": "m",
        "messages": [{"role": "user", "content": "q", "copilot_cache_control": cc}],
    }
    openrouter = "https://openrouter.ai/api/v1/chat/completions"
    assert any(
        "copilot_cache_control" in p
        for p in check_request(_sent(copilot, "openrouter", "openai-chat", openrouter))
    )
    capi = "https://api.githubcopilot.com/chat/completions"
    assert check_request(_sent(copilot, "copilot", "openai-chat", capi)) == []
    bad_value = {
        "model": "m",
        "max_tokens": 5,
        "system": [
            {"type": "text", "text": "a", "cache_control": {"type": "ephemeral", "ttl": "10m"}}
        ],
        "messages": [],
    }
    assert any("ttl" in p for p in check_request(_sent(bad_value)))
    thinking = {
        "model": "m",
        "max_tokens": 5,
        "messages": [
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "t", "signature": "s", "cache_control": cc}
                ],
            }
        ],
    }
    assert any("not allowed" in p for p in check_request(_sent(thinking)))
    on_message = {
        "model": "m",
        "max_tokens": 5,
        "messages": [{"role": "user", "content": "q", "cache_control": cc}],
    }
    assert any("not allowed on a message" in p for p in check_request(_sent(on_message)))


def test_cache_reuse_model() -> None:
    static = "S" * 5000
    cc = {"type": "ephemeral"}

    def body(dynamic: str, dynamic_first: bool, mark: bool = True) -> Sent:
        blocks = [{"type": "text", "text": static}, {"type": "text", "text": dynamic}]
        if dynamic_first:
            blocks.reverse()
        if mark:
            blocks[-1 if dynamic_first else 0]["cache_control"] = cc
        return _sent(
            {
                "model": "m",
                "max_tokens": 5,
                "system": blocks,
                "messages": [{"role": "user", "content": "q"}],
            }
        )

    assert reusable_chars(body("a", False), body("b", False), explicit=True) >= 5000
    assert reusable_chars(body("a", True), body("b", True), explicit=True) == 0
    assert (
        reusable_chars(body("a", False, mark=False), body("b", False, mark=False), explicit=True)
        == 0
    )
    one_block_a = _sent(
        {
            "model": "m",
            "max_tokens": 5,
            "system": [{"type": "text", "text": static + "a", "cache_control": cc}],
            "messages": [],
        }
    )
    one_block_b = _sent(
        {
            "model": "m",
            "max_tokens": 5,
            "system": [{"type": "text", "text": static + "b", "cache_control": cc}],
            "messages": [],
        }
    )
    assert reusable_chars(one_block_a, one_block_b, explicit=True) == 0
    assert reusable_chars(one_block_a, one_block_b, explicit=False) >= 5000


def test_stub_reaches_every_sdk() -> None:
    """The stub really drives each SDK: a body per client, with the URL of its platform."""
    import anthropic
    import boto3
    import openai

    with capture() as recorder:
        anthropic.Anthropic().messages.create(
            model="claude-sonnet-4-5", max_tokens=5, messages=[{"role": "user", "content": "a"}]
        )
        anthropic.AnthropicBedrock(aws_region="us-east-1").messages.create(
            model="us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            max_tokens=5,
            messages=[{"role": "user", "content": "b"}],
        )
        anthropic.AnthropicVertex(region="us-east5", project_id="p").messages.create(
            model="claude-sonnet-4-5@20250929",
            max_tokens=5,
            messages=[{"role": "user", "content": "c"}],
        )
        anthropic.AnthropicFoundry(resource="r").messages.create(
            model="claude-sonnet-4-5", max_tokens=5, messages=[{"role": "user", "content": "d"}]
        )
        openai.OpenAI(base_url="https://openrouter.ai/api/v1").chat.completions.create(
            model="anthropic/claude-sonnet-4.5", messages=[{"role": "user", "content": "e"}]
        )
        client = boto3.client("bedrock-runtime", region_name="us-east-1")
        client.converse(
            modelId="m",
            messages=[
                {"role": "user", "content": [{"text": "f"}, {"cachePoint": {"type": "default"}}]}
            ],
        )
        # botocore validates the structure against the service model (not enum values: those
        # are check_request's job), before anything is sent.
        from botocore.exceptions import ParamValidationError

        with pytest.raises(ParamValidationError, match="cachePoint"):
            client.converse(
                modelId="m", messages=[{"role": "user", "content": [{"cachePoint": "default"}]}]
            )
    platforms = [s.platform for s in recorder.sent]
    assert platforms == ["anthropic", "bedrock", "vertex", "foundry", "openrouter", "bedrock"], (
        platforms
    )
    assert [s.fmt for s in recorder.sent][-1] == "converse"


def test_stub_reaches_genai() -> None:
    """google-genai requests go through the stub too, on both platforms, and the Gemini
    checks see what the API rejects."""
    from google import genai
    from google.genai import types

    with capture() as recorder:
        client = genai.Client()
        cache = client.caches.create(
            model="gemini-2.5-flash",
            config=types.CreateCachedContentConfig(
                contents=["manual " * 2000], system_instruction="Be brief.", ttl="1h"
            ),
        )
        client.models.generate_content(
            model="gemini-2.5-flash",
            contents="q",
            config=types.GenerateContentConfig(
                cached_content=cache.name, system_instruction="Be brief."
            ),
        )
        vertex = genai.Client(vertexai=True, project="p", location="us-central1")
        vertex.models.generate_content(model="gemini-2.5-pro", contents="q")
    sent = recorder.sent
    assert [(s.platform, s.fmt) for s in sent] == [
        ("gemini", "genai-cache"),
        ("gemini", "genai"),
        ("vertex-gemini", "genai"),
    ]
    assert sent[0].body["ttl"] == "1h" and sent[1].body["cachedContent"] == cache.name
    assert any("Illegal duration" in p for p in check_request(sent[0]))
    assert any("CachedContent can not be used" in p for p in check_request(sent[1]))
    assert check_request(sent[2]) == []
    small = _sent({"model": "m", "contents": [{"parts": [{"text": "tiny"}]}], "ttl": "60s"},
                  "gemini", "genai-cache", "https://x/cachedContents")
    assert any("too small" in p for p in check_request(small))
