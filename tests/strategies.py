"""Hypothesis strategies that plant LLM call shapes in generated Python projects.

The shapes follow the call-site census of real packages (clients made in `__init__`, a
factory or at module level; requests passed as literal kwargs, as a `**params` dict built
over several statements, or from a helper; system prompts that are module constants of
another module, f-strings with clock/uuid/parameter holes, `+=` chains and `.format()`
templates; messages built by loops and marked by post-passes or helpers; 0-7 breakpoints
with valid and invalid TTLs; a request-level `cache_control`).

A `Planted` project is a dict of files plus what is known to be true about each request,
so tests can check sanity properties where the truth is certain (six literal breakpoints
must give CL003, a literal `"ttl": "10m"` must give CL007, ...). Where the truth depends on
analysis the generator cannot predict (loops over parameters, helpers), the request's
`literal_breakpoints` is None and only the robustness properties apply.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from hypothesis import strategies as st

# --- clients ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientKind:
    name: str
    imports: Tuple[str, ...]
    ctor: str  # constructor expression; "" for module-function APIs (litellm)
    family: str  # anthropic | openai | converse | litellm
    model: str  # model expression (source text)
    platform: str  # anthropic | bedrock | vertex | foundry | openai | openrouter | boto3 | litellm
    is_async: bool = False


CLIENTS: Tuple[ClientKind, ...] = (
    ClientKind("anthropic", ("import anthropic",), "anthropic.Anthropic()", "anthropic",
               '"claude-sonnet-4-5"', "anthropic"),
    ClientKind("async_anthropic", ("from anthropic import AsyncAnthropic",), "AsyncAnthropic()", "anthropic",
               '"claude-sonnet-4-5"', "anthropic", is_async=True),
    ClientKind("bedrock", ("from anthropic import AnthropicBedrock",), 'AnthropicBedrock(aws_region="us-east-1")',
               "anthropic", '"us.anthropic.claude-sonnet-4-5-20250929-v1:0"', "bedrock"),
    ClientKind("async_bedrock", ("import anthropic",), 'anthropic.AsyncAnthropicBedrock(aws_region="us-east-1")',
               "anthropic", '"us.anthropic.claude-sonnet-4-5-20250929-v1:0"', "bedrock", is_async=True),
    ClientKind("vertex", ("from anthropic import AnthropicVertex",),
               'AnthropicVertex(region="us-east5", project_id="proj")', "anthropic",
               '"claude-sonnet-4-5@20250929"', "vertex"),
    ClientKind("foundry", ("from anthropic import AnthropicFoundry",), 'AnthropicFoundry(resource="contoso")',
               "anthropic", '"claude-sonnet-4-5"', "foundry"),
    ClientKind("openai", ("from openai import OpenAI",), "OpenAI()", "openai", '"gpt-4o"', "openai"),
    ClientKind("openrouter", ("import openai",),
               'openai.OpenAI(base_url="https://openrouter.ai/api/v1", api_key="sk-or")', "openai",
               '"anthropic/claude-sonnet-4.5"', "openrouter"),
    ClientKind("boto3", ("import boto3",), 'boto3.client("bedrock-runtime", region_name="us-east-1")', "converse",
               '"us.anthropic.claude-sonnet-4-5-20250929-v1:0"', "boto3"),
    ClientKind("litellm", ("import litellm",), "", "litellm", '"anthropic/claude-sonnet-4-5"', "litellm"),
    ClientKind("litellm_bedrock", ("from litellm import completion",), "", "litellm",
               '"bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0"', "litellm"),
)

#: Clients whose requests are Claude Messages API requests made with the anthropic SDK.
ANTHROPIC_SDK = {"anthropic", "async_anthropic", "bedrock", "async_bedrock", "vertex", "foundry"}

# --- markers ------------------------------------------------------------------------------------

VALID_TTLS = (None, "5m", "1h")
INVALID_TTLS = ("10m", "forever", "")


@dataclass(frozen=True)
class Marker:
    ttl: Optional[str]  # None: no ttl key
    style: str  # dict | name | call
    bad_type: bool = False

    @property
    def valid(self) -> bool:
        return not self.bad_type and self.ttl in VALID_TTLS

    @property
    def literal(self) -> bool:
        """Written as a dict display at the place it is used (CL007 can see it there)."""
        return self.style == "dict"

    def anthropic(self) -> str:
        if self.style == "name":
            return "EPH"
        kind = "persistent" if self.bad_type else "ephemeral"
        if self.style == "call":
            ttl = "" if self.ttl is None else f", ttl={self.ttl!r}"
            return f"dict(type={kind!r}{ttl})"
        ttl = "" if self.ttl is None else f', "ttl": "{self.ttl}"'
        return f'{{"type": "{kind}"{ttl}}}'

    def cache_point(self) -> str:
        kind = "persistent" if self.bad_type else "default"
        ttl = "" if self.ttl is None else f', "ttl": "{self.ttl}"'
        return f'{{"cachePoint": {{"type": "{kind}"{ttl}}}}}'


markers = st.one_of(
    st.builds(Marker, ttl=st.sampled_from(VALID_TTLS), style=st.sampled_from(["dict", "dict", "call"])),
    st.just(Marker(None, "name")),
    st.builds(Marker, ttl=st.sampled_from(INVALID_TTLS), style=st.sampled_from(["dict", "dict", "call"])),
    st.just(Marker(None, "dict", bad_type=True)),
)

valid_markers = st.one_of(
    st.builds(Marker, ttl=st.sampled_from(VALID_TTLS), style=st.just("dict")),
    st.just(Marker(None, "name")),
)

# --- the truth about one planted request ------------------------------------------------------


@dataclass
class RequestTruth:
    function: str
    client: str
    family: str
    platform: str
    passing: str
    #: breakpoints the request certainly carries, when every marker is a literal the
    #: analysis can count on every path; None when loops, helpers or parameters decide
    literal_breakpoints: Optional[int]
    unbounded_loop: bool
    #: a marker written as a dict display with an invalid ttl or type
    bad_literal_marker: bool
    top_level_cache_control: bool
    suppressed: bool
    #: characters of a `system=` string that is entirely static (module constants), else None
    static_system_chars: Optional[int] = None
    first_row: int = 0
    last_row: int = 0


@dataclass
class Planted:
    files: Dict[str, str]
    requests: List[RequestTruth] = field(default_factory=list)
    main: str = "main.py"

    def describe(self) -> str:
        return "\n".join(f"# --- {name}\n{text}" for name, text in self.files.items())


# --- text pieces -----------------------------------------------------------------------------

HOLES = (
    ("clock", "datetime.datetime.now()"),
    ("clock", "datetime.datetime.now():%H:%M"),
    ("clock", "time.time()"),
    ("uuid", "uuid.uuid4()"),
    ("param", "user_name"),
    ("param", "question"),
)


@st.composite
def prompt_text(draw, ctx: "_Ctx") -> Tuple[List[str], str]:
    """(statements to run first, expression of the text). Registers module constants."""
    kind = draw(st.sampled_from(
        ["short", "big", "imported", "imported_attr", "param", "fstring", "module_fstring", "plus_eq", "format"]))
    if kind == "short":
        return [], draw(st.sampled_from(['"You are terse."', "'Answer in French.'", '"""Be brief."""']))
    if kind == "big":
        name = ctx.big(draw)
        ctx.last_static_chars = ctx.big_chars
        return [], name
    if kind == "imported":
        ctx.prompts_module(draw)
        ctx.imports.add("from prompts import SYSTEM_PROMPT")
        ctx.last_static_chars = ctx.prompt_chars
        return [], "SYSTEM_PROMPT"
    if kind == "imported_attr":
        ctx.prompts_module(draw)
        ctx.imports.add("import prompts")
        ctx.last_static_chars = ctx.prompt_chars
        return [], "prompts.SYSTEM_PROMPT"
    if kind == "param":
        return [], "system_text"
    hole = draw(st.sampled_from(HOLES))
    ctx.hole_imports(hole)
    big = ctx.big(draw)
    first = draw(st.booleans())
    if kind == "fstring":
        text = f'f"{{{hole[1]}}}\\n{{{big}}}"' if first else f'f"{{{big}}}\\n{{{hole[1]}}}"'
        return [], text
    if kind == "module_fstring":
        if hole[0] == "param":
            hole = ("clock", "datetime.date.today()")
            ctx.imports.add("import datetime")
        name = f"HEADER_{len(ctx.constants)}"
        ctx.constants.append(f'{name} = f"Today is {{{hole[1]}}}.\\n{{{big}}}"')
        return [], name
    if kind == "plus_eq":
        stmts = ['system_prompt = "You are a support agent.\\n"']
        hole_stmt = f'system_prompt += f"Context: {{{hole[1]}}}\\n"'
        big_stmt = f"system_prompt += {big}"
        stmts += [hole_stmt, big_stmt] if first else [big_stmt, hole_stmt]
        return stmts, "system_prompt"
    # format
    name = f"TEMPLATE_{len(ctx.constants)}"
    words = draw(st.integers(min_value=50, max_value=1500))
    body = "Follow the house style. " * 1
    ctx.constants.append(
        f'{name} = ("Date: {{date}}\\n" + "{body}" * {words} + "\\nUser: {{name}}")'
        if first else f'{name} = ("{body}" * {words} + "\\nDate: {{date}}\\nUser: {{name}}")')
    ctx.hole_imports(("clock", "datetime"))
    return [], f"{name}.format(date=datetime.date.today(), name=user_name)"


class _Ctx:
    """Module-level state while one file is generated."""

    def __init__(self) -> None:
        self.imports: set = set()
        self.constants: List[str] = []
        self.helpers: Dict[str, str] = {}
        self.files: Dict[str, str] = {}
        self._big: Optional[str] = None
        self.big_chars = 0
        self.prompt_chars = 0
        #: length of the last prompt text drawn when it is entirely static, else None
        self.last_static_chars: Optional[int] = None

    def big(self, draw) -> str:
        if self._big is None:
            reps = draw(st.sampled_from([3, 40, 400, 1200, 3000]))
            self._big = "BIG"
            self.big_chars = reps * len("Follow the style guide and cite sources. ")
            self.constants.append(f'BIG = "Follow the style guide and cite sources. " * {reps}')
        return self._big

    def prompts_module(self, draw) -> None:
        if "prompts.py" in self.files:
            return
        reps = draw(st.sampled_from([5, 500, 2500]))
        shape = draw(st.sampled_from(["mul", "concat", "paren", "fstring"]))
        if shape == "mul":
            body = f'SYSTEM_PROMPT = "You are a careful assistant. " * {reps}\n'
            self.prompt_chars = 28 * reps
        elif shape == "concat":
            body = f'_INTRO = "You are a careful assistant.\\n"\nSYSTEM_PROMPT = _INTRO + "Rules. " * {reps}\n'
            self.prompt_chars = 28 + 7 * reps
        elif shape == "paren":
            body = 'SYSTEM_PROMPT = (\n    "You are a careful assistant. "\n' + '    "Keep answers short. "\n' * min(reps, 200) + ")\n"
            self.prompt_chars = 29 + 20 * min(reps, 200)
        else:
            body = f'_RULES = "Rule. " * {reps}\nSYSTEM_PROMPT = f"{{_RULES}}\\nEnd of rules."\n'
            self.prompt_chars = 6 * reps + 14
        self.files["prompts.py"] = '"""Prompts."""\n\n' + body

    def hole_imports(self, hole: Tuple[str, str]) -> None:
        if hole[0] == "clock":
            self.imports.add("import datetime")
            self.imports.add("import time")
        elif hole[0] == "uuid":
            self.imports.add("import uuid")

    def helper(self, name: str, text: str) -> None:
        self.helpers.setdefault(name, text)


# --- one request ---------------------------------------------------------------------------------


def _content_blocks(texts_marks: List[Tuple[str, Optional[Marker]]], converse: bool) -> str:
    parts = []
    for text, mark in texts_marks:
        if converse:
            parts.append(f'{{"text": {text}}}')
            if mark is not None:
                parts.append(mark.cache_point())
        else:
            cc = "" if mark is None else f', "cache_control": {mark.anthropic()}'
            parts.append(f'{{"type": "text", "text": {text}{cc}}}')
    return "[" + ", ".join(parts) + "]"


#: Valid but unusual statements run on the request's `messages` list before the call: the
#: analysis must follow or give up on them, never crash. (Any of them makes the breakpoint
#: count unknowable for the sanity checks.)
MESSAGE_OPS: Tuple[str, ...] = (
    "messages = messages[-10:]",
    'messages.extend([{"role": "user", "content": question}])',
    'messages.insert(0, {"role": "user", "content": "hi"})',
    'messages += [{"role": "assistant", "content": "ok"}]',
    "messages = [*messages]",
    "messages = list(reversed(messages))",
    "if len(messages) > 1:\n    messages[0], messages[-1] = messages[-1], messages[0]",
    "for i, m in enumerate(messages):\n    if i == 2:\n        break\nelse:\n    pass",
    "messages = [m for m in messages if m] or messages",
    "try:\n    messages = messages + [dict(role='user', content=str(1 / len(history)))]\nexcept ZeroDivisionError:\n    pass",
    "with open(__file__) as fh:\n    pass",
    "if (n := len(messages)) > 3:\n    messages = messages[n - 3:]",
    "messages = messages if messages else [{'role': 'user', 'content': question}]",
    "del messages[1:1]",
    "messages.sort(key=lambda m: m['role'] == 'system', reverse=True)",
)

#: The same for a `params` dict that is splatted into the call.
PARAM_OPS: Tuple[str, ...] = (
    'params |= {"temperature": 0.2}' if sys.version_info >= (3, 9) else 'params.update(temperature=0.2)',
    'params = {**params, "metadata": {"user_id": user_name}}',
    'params.pop("tools", None)',
    "params = dict(params, stream=False)",
    'params.update({"extra_headers": {"x-trace": "1"}})',
    'if user_name:\n    params["system"] = system_text',
    'params.setdefault("temperature", 0)',
    "params = {k: v for k, v in params.items() if v is not None}",
    'try:\n    params["timeout"] = float(user_name)\nexcept ValueError:\n    pass',
    'while False:\n    params.clear()',
    "params = {**params}",
    'params["messages"] = params.get("messages", []) + [{"role": "user", "content": question}]',
) + ((
    'match user_name:\n    case "a":\n        params["temperature"] = 0\n    case _:\n        pass',
) if sys.version_info >= (3, 10) else ())


@st.composite
def request_function(draw, ctx: _Ctx, client: ClientKind, index: int) -> Tuple[str, RequestTruth]:
    """Source of one function (or class) making one request, and its truth."""
    family = client.family
    converse = family == "converse"
    literal = True  # every breakpoint is a literal the analysis must count
    count = 0
    bad = False
    unbounded = False
    pre: List[str] = []  # statements before the call, in the function body

    # how many of the places that can hold a breakpoint get one: none (uncached requests),
    # some, or nearly all (too many breakpoints)
    density = draw(st.sampled_from([0, 0, 5, 9]))

    def mark(optional: bool = True) -> Optional[Marker]:
        nonlocal count, bad
        if optional and draw(st.integers(0, 9)) >= density:
            return None
        m = draw(markers)
        count += 1
        if not m.valid and m.literal:
            bad = True
        if m.style == "name":
            ctx.constants.append('EPH = {"type": "ephemeral"}') if 'EPH = {"type": "ephemeral"}' not in ctx.constants else None
        return m

    kwargs: List[Tuple[str, str]] = []
    model_kw = "modelId" if converse else "model"
    kwargs.append((model_kw, client.model))
    if family == "anthropic":
        kwargs.append(("max_tokens", str(draw(st.sampled_from([256, 1024, 4096])))))

    # system
    system_shape = draw(st.sampled_from(["none", "string", "blocks", "helper"]))
    static_system = None
    if system_shape != "none":
        ctx.last_static_chars = None
        stmts, text = draw(prompt_text(ctx))
        if system_shape == "string":
            static_system = ctx.last_static_chars
        pre.extend(stmts)
        if family in ("openai", "litellm"):
            system_msg: Optional[str]
            if system_shape == "string":
                system_msg = f'{{"role": "system", "content": {text}}}'
            else:
                n = draw(st.integers(1, 3))
                blocks = [(text if i == n - 1 else '"Part."', mark()) for i in range(n)]
                system_msg = f'{{"role": "system", "content": {_content_blocks(blocks, False)}}}'
        else:
            system_msg = None
            if system_shape == "string" and not converse:
                kwargs.append(("system", text))
            elif system_shape == "helper" and not converse:
                m = draw(valid_markers)
                ctx.helper("build_system", (
                    "def build_system(text, ttl=None):\n"
                    '    block = {"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}\n'
                    "    if ttl:\n"
                    '        block["cache_control"]["ttl"] = ttl\n'
                    "    return [block]\n"))
                ttl = f", ttl={m.ttl!r}" if m.ttl else ""
                kwargs.append(("system", f"build_system({text}{ttl})"))
                count += 1
                literal = False
            else:
                n = draw(st.integers(1, 3))
                blocks = [(text if i == 0 else f'"Part {i}."', mark()) for i in range(n)]
                kwargs.append(("system", _content_blocks(blocks, converse)))
    else:
        system_msg = None

    # messages
    msg_shape = draw(st.sampled_from(["literal", "literal", "loop", "param"]))
    post = "none"
    if msg_shape == "literal":
        n = draw(st.integers(1, 4))
        items = []
        if system_msg is not None:
            items.append(system_msg)
        for i in range(n):
            role = "user" if i % 2 == 0 else "assistant"
            text = "question" if i == n - 1 else f'"Turn {i}."'
            if draw(st.booleans()) or converse:
                k = draw(st.integers(1, 2))
                blocks = [(text, mark()) for _ in range(k)]
                items.append(f'{{"role": "{role}", "content": {_content_blocks(blocks, converse)}}}')
            else:
                items.append(f'{{"role": "{role}", "content": {text}}}')
        messages_expr = "[" + ", ".join(items) + "]"
        if draw(st.booleans()):
            pre.append(f"messages = {messages_expr}")
            messages_expr = "messages"
    else:
        literal = False
        if msg_shape == "loop":
            pre.append("messages = []" if system_msg is None else f"messages = [{system_msg}]")
            block = '{"text": turn["text"]}' if converse else '{"type": "text", "text": turn["text"]}'
            pre.append("for turn in history:")
            pre.append(f'    messages.append({{"role": turn["role"], "content": [{block}]}})')
            last = '{"text": question}' if converse else '{"type": "text", "text": question}'
            pre.append(f'messages.append({{"role": "user", "content": [{last}]}})')
        else:
            pre.append("messages = list(history)")
        post = draw(st.sampled_from(["none", "mark_last", "mark_all", "mark_last_two", "helper", "remove_then_mark"]))
        m = draw(markers)
        used = post in ("mark_last", "mark_all", "mark_last_two", "remove_then_mark") or (converse and post == "helper")
        if not m.valid and m.literal and used:
            bad = True
        if m.style == "name" and 'EPH = {"type": "ephemeral"}' not in ctx.constants:
            ctx.constants.append('EPH = {"type": "ephemeral"}')
        if converse:
            cp = m.cache_point()
            if post == "mark_last":
                pre.append(f'messages[-1]["content"].append({cp})')
            elif post in ("mark_all", "mark_last_two"):
                sl = "messages" if post == "mark_all" else "messages[-2:]"
                pre += [f"for m in {sl}:", f'    m["content"].append({cp})']
                unbounded = post == "mark_all"
            elif post == "helper":
                ctx.helper("add_cache_point", (
                    "def add_cache_point(msgs):\n"
                    f'    msgs[-1]["content"].append({cp})\n'
                    "    return msgs\n"))
                pre.append("messages = add_cache_point(messages)")
        else:
            cc = m.anthropic()
            if post == "mark_last":
                pre.append(f'messages[-1]["content"][-1]["cache_control"] = {cc}')
            elif post in ("mark_all", "mark_last_two"):
                sl = "messages" if post == "mark_all" else "messages[-2:]"
                pre += [f"for m in {sl}:", f'    m["content"][-1]["cache_control"] = {cc}']
                unbounded = post == "mark_all"
            elif post == "helper":
                ctx.helper("add_cache", (
                    "def add_cache(msgs, marker=None):\n"
                    "    for msg in msgs:\n"
                    '        for block in msg["content"]:\n'
                    '            block.pop("cache_control", None)\n'
                    '    msgs[-1]["content"][-1]["cache_control"] = marker or {"type": "ephemeral"}\n'
                    "    return msgs\n"))
                pre.append("add_cache(messages)")
            elif post == "remove_then_mark":
                pre += ["for m in messages:", '    m["content"][-1].pop("cache_control", None)',
                        f'messages[-1]["content"][-1]["cache_control"] = {cc}']
        messages_expr = "messages"
    kwargs.append(("messages", messages_expr))

    # tools
    if draw(st.booleans()):
        n = draw(st.integers(1, 3))
        tools = []
        for i in range(n):
            m = mark()
            if converse:
                tools.append(f'{{"toolSpec": {{"name": "tool_{i}", "inputSchema": {{"json": {{"type": "object"}}}}}}}}')
                if m is not None:
                    tools.append(m.cache_point())
            elif family == "openai":
                cc = "" if m is None else f', "cache_control": {m.anthropic()}'
                tools.append(f'{{"type": "function", "function": {{"name": "tool_{i}", "parameters": {{"type": "object"}}}}{cc}}}')
            else:
                cc = "" if m is None else f', "cache_control": {m.anthropic()}'
                tools.append(f'{{"name": "tool_{i}", "input_schema": {{"type": "object"}}{cc}}}')
        tools_expr = "[" + ", ".join(tools) + "]"
        if converse:
            kwargs.append(("toolConfig", f'{{"tools": {tools_expr}}}'))
        else:
            kwargs.append(("tools", tools_expr))

    # top-level cache_control
    top = family in ("anthropic", "litellm") and draw(st.integers(0, 4)) == 0
    if top:
        m = draw(valid_markers)
        if m.style == "name" and 'EPH = {"type": "ephemeral"}' not in ctx.constants:
            ctx.constants.append('EPH = {"type": "ephemeral"}')
        kwargs.append(("cache_control", m.anthropic()))
        count += 1

    # unusual but valid statements on the request values
    if msg_shape != "param" and "messages" in messages_expr and draw(st.integers(0, 3)) == 0:
        for op in draw(st.lists(st.sampled_from(MESSAGE_OPS), min_size=1, max_size=3)):
            pre.extend(op.split("\n"))
        literal = False
    weird_params = draw(st.integers(0, 3)) == 0

    # how the arguments reach the call
    passing = draw(st.sampled_from(["kwargs", "kwargs", "splat", "mixed", "helper_params"]))
    if passing == "splat":
        first, rest = kwargs[:2], kwargs[2:]
        pre.append("params = {" + ", ".join(f'"{k}": {v}' for k, v in first) + "}")
        for k, v in rest:
            style = draw(st.sampled_from(["item", "update", "setdefault"]))
            if style == "item":
                pre.append(f'params["{k}"] = {v}')
            elif style == "update":
                pre.append(f"params.update({k}={v})")
            else:
                pre.append(f'params.setdefault("{k}", {v})')
        if weird_params:
            for op in draw(st.lists(st.sampled_from(PARAM_OPS), min_size=1, max_size=3)):
                pre.extend(op.split("\n"))
            literal = False
        args_src = "**params"
    elif passing == "mixed":
        split = draw(st.integers(0, len(kwargs)))
        extra = kwargs[split:]
        pre.append("extra = {" + ", ".join(f'"{k}": {v}' for k, v in extra) + "}")
        args_src = ", ".join([f"{k}={v}" for k, v in kwargs[:split]] + ["**extra"])
    elif passing == "helper_params":
        name = f"build_params_{index}"
        body = "    return {" + ", ".join(f'"{k}": {v}' for k, v in kwargs) + "}\n"
        helper_pre = "".join(f"    {s}\n" for s in pre)
        ctx.helper(name, f"def {name}(question, history, user_name, system_text):\n" + helper_pre + body)
        pre = []
        args_src = f"**{name}(question, history, user_name, system_text)"
        literal = False
    else:
        layout = draw(st.sampled_from(["one-line", "one-per-line", "commented"]))
        if layout == "one-line":
            args_src = ", ".join(f"{k}={v}" for k, v in kwargs)
        else:
            # black style, the body indented by the caller; `commented` adds a comment after
            # each argument and a trailing comma, as real code has
            note = "  # see docs" if layout == "commented" else ""
            args_src = "\n" + "".join(f"    {k}={v},{note}\n" for k, v in kwargs)

    # the call and where the client lives
    method = {
        "anthropic": draw(st.sampled_from(["messages.create", "messages.create", "beta.messages.create", "messages.stream"])),
        "openai": "chat.completions.create",
        "converse": draw(st.sampled_from(["converse", "converse_stream"])),
        "litellm": "completion",
    }[family]
    if method == "messages.stream":
        method = "messages.create"  # stream() is a context manager; keep the shape simple
    where = draw(st.sampled_from(["module", "local", "attr", "factory"])) if client.ctor else "module"
    aw = "await " if client.is_async else ""
    fn_def = "async def" if client.is_async else "def"
    suppressed = draw(st.integers(0, 9)) == 0
    comment = "  # cachelint: ignore" if suppressed else ""
    if family == "litellm":
        receiver = "litellm.completion" if client.name == "litellm" else "completion"
        if client.name == "litellm" and draw(st.booleans()):
            receiver = "litellm.acompletion" if client.is_async else "litellm.completion"
        call = f"{aw}{receiver}({args_src}){comment}"
    elif where == "module":
        var = f"client_{client.name}"
        ctx.constants.append(f"{var} = {client.ctor}") if f"{var} = {client.ctor}" not in ctx.constants else None
        call = f"{aw}{var}.{method}({args_src}){comment}"
    elif where == "local":
        pre.insert(0, f"client = {client.ctor}")
        call = f"{aw}client.{method}({args_src}){comment}"
    elif where == "factory":
        ctx.helper(f"get_client_{client.name}", f"def get_client_{client.name}():\n    return {client.ctor}\n")
        call = f"{aw}get_client_{client.name}().{method}({args_src}){comment}"
    else:
        call = f"{aw}self.client.{method}({args_src}){comment}"
    for line in client.imports:
        ctx.imports.add(line)

    params = "question: str, history: list, user_name: str = \"x\", system_text: str = \"\""
    body = [*pre, *f"return {call}".split("\n")]
    fname = f"ask_{index}"
    if where == "attr":
        src = (f"class Agent{index}:\n"
               f"    def __init__(self):\n"
               f"        self.client = {client.ctor}\n\n"
               f"    {fn_def} {fname}(self, {params}):\n" + "".join(f"        {s}\n" for s in body))
    else:
        src = f"{fn_def} {fname}({params}):\n" + "".join(f"    {s}\n" for s in body)
    truth = RequestTruth(
        function=fname,
        client=client.name,
        family=family,
        platform=client.platform,
        passing=passing,
        literal_breakpoints=count if literal and not unbounded else None,
        unbounded_loop=unbounded,
        bad_literal_marker=bad,
        top_level_cache_control=top,
        suppressed=suppressed,
        static_system_chars=static_system if family == "anthropic" else None,
    )
    return src, truth


@st.composite
def planted_projects(draw, clients: Tuple[ClientKind, ...] = CLIENTS, min_requests: int = 1) -> Planted:
    """A small project: `main.py` with 1-3 requests, maybe `prompts.py`, maybe noise."""
    ctx = _Ctx()
    n = draw(st.integers(min_requests, 3))
    pieces: List[Tuple[str, RequestTruth]] = []
    for i in range(n):
        client = draw(st.sampled_from(clients))
        pieces.append(draw(request_function(ctx, client, i)))
    noise = draw(st.sampled_from([
        "",
        "def unrelated(x):\n    return [y * 2 for y in x if y]\n",
        "class Config:\n    model = \"claude-sonnet-4-5\"\n    retries = 3\n",
        "# cachelint: ignore[CL003]\nLIMIT = 4\n",
        "if __name__ == \"__main__\":\n    print(ask_0(\"hi\", []))\n",
    ]))
    header = '"""Generated module."""\n\n' + "\n".join(sorted(ctx.imports)) + "\n\n"
    consts = "\n".join(dict.fromkeys(ctx.constants))
    helpers = "\n\n".join(ctx.helpers.values())
    text = header + (consts + "\n\n\n" if consts else "") + (helpers + "\n\n" if helpers else "")
    truths = []
    for src, truth in pieces:
        text += "\n"
        truth.first_row = text.count("\n") + 1
        text += src
        truth.last_row = text.count("\n")
        truths.append(truth)
    if noise:
        text += "\n\n" + noise
    files = dict(ctx.files)
    files["main.py"] = text
    return Planted(files=files, requests=truths)


# --- running cachelint in-process on a planted project ---------------------------------------


@dataclass
class FixRun:
    """What linting and fixing a project in-process produced."""

    results: Dict[str, object]
    changed: Dict[str, str]
    errors: List[str]
    #: file -> fix edits the first lint reported in it (whatever their applicability)
    fixable_paths: set
    notes: List[str]


def write_files(root, files: Dict[str, str], newline: str = "\n") -> List[str]:
    """Write `files` under `root` (a `.git` marker makes it the project root)."""
    import os

    (root / ".git").mkdir(exist_ok=True)
    paths = []
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.replace("\n", newline).encode("utf-8"))
        paths.append(os.path.realpath(str(target)))
    return sorted(paths)


def lint_and_fix(root, paths: List[str], *, unsafe: bool = True, select: Tuple[str, ...] = ("ALL",),
                 strict: bool = False) -> FixRun:
    """Lint `paths` under project `root` with the real engine, then run the real fixer."""
    from pathlib import Path

    from cachelint.config.loader import CliOverrides, ConfigResolver
    from cachelint.engine import Engine
    from cachelint.fix.apply import Fixer

    resolver = ConfigResolver(Path(root), CliOverrides(select=select, isolated=True))
    engine = Engine(resolver.settings_for, strict=strict)
    results = {p: engine.lint(p) for p in paths}
    errors = [e for r in results.values() for e in r.errors]
    notes = [n for r in results.values() for n in r.notes]
    fixable = {e.path for r in results.values() for d in r.diagnostics if d.fix is not None for e in d.fix.edits}
    outcome = Fixer(engine, unsafe).run(dict(results), set())
    errors += outcome.errors + [e for r in outcome.results.values() for e in r.errors]
    return FixRun(results=results, changed=dict(outcome.changed), errors=errors, fixable_paths=fixable,
                  notes=notes)
