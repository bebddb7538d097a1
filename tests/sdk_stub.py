"""Run request-building code with the real SDK clients, against a local stub (no network).

`capture()` patches, for the duration of a `with` block:

- the `anthropic` and `openai` clients (every class: `Anthropic`, `AnthropicBedrock`,
  `AnthropicVertex`, `AnthropicFoundry`, `AnthropicBedrockMantle`, `OpenAI`, ...): their base
  client is given an `httpx2.Client` with a `MockTransport` (both SDKs are built on
  `httpx2`, not `httpx`, except the older releases Python 3.9 gets), plus fake credentials, so the SDK builds, serializes, signs and
  "sends" the request exactly as in production and parses a canned response;
- boto3/botocore: every client created gets a `before-send` hook that records the request
  body and returns a canned response, after botocore has validated the parameters against
  the service model (types and structure, as in production; enum values such as the
  `cachePoint` type are not validated client-side, `check_request` does that);
- `google.genai.Client`: every client gets an `httpx2.Client` with a `MockTransport` through
  its `http_options` (and stub credentials for Vertex AI), so `caches.create` and
  `models.generate_content` serialize their bodies exactly as in production (camelCase
  JSON); the stub answers with a cache name or a one-candidate response;
- `litellm`, `requests` and `httpx` (not installed here, or raw HTTP): stand-in modules whose
  `completion` / `post` record the request as the program passes it.

Each request is recorded as a `Sent` (which SDK, the URL, the platform it reaches, the body
format and the JSON body). `check_request()` then applies the provider rules of
`../shared/reference/providers.md` to one recorded body and returns the violations.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

MAX_BREAKPOINTS = 4
CACHE_CONTROL_KEYS = {"type", "ttl"}
TTLS = {"5m", "1h"}
#: Platforms whose legacy endpoints reject the request-root `cache_control` (providers.md §2.1, §2.4).
ROOT_MARKER_REJECTED = {"bedrock", "vertex"}


@dataclass
class Sent:
    """One request as it left the program."""

    sdk: str  # anthropic, openai, boto3, litellm, requests, httpx
    url: str
    platform: str  # anthropic, bedrock, bedrock-mantle, vertex, foundry, openrouter, copilot, openai, gateway
    fmt: str  # anthropic, openai-chat, openai-responses, converse, genai, genai-cache
    body: Dict[str, Any]
    model: Optional[str] = None

    @property
    def host(self) -> str:
        match = re.match(r"^[a-z]+://([^/:]+)", self.url)
        return match.group(1) if match else ""


@dataclass
class Recorder:
    sent: List[Sent] = field(default_factory=list)
    #: stop reasons the stub answers with, in turn (then "end_turn"), to drive agent loops
    stop_reasons: List[str] = field(default_factory=list)

    def next_stop_reason(self) -> str:
        return self.stop_reasons.pop(0) if self.stop_reasons else "end_turn"


# --- where a URL goes ---------------------------------------------------------------------------
def platform_of(url: str, model: Optional[str] = None) -> str:
    host = re.sub(r"^[a-z]+://", "", url).split("/", 1)[0].split(":")[0]
    if host.endswith("githubcopilot.com"):
        return "copilot"
    if host == "openrouter.ai":
        return "openrouter"
    if host == "api.anthropic.com":
        return "anthropic"
    if host.startswith("bedrock-mantle."):
        return "bedrock-mantle"
    if host.startswith("bedrock-runtime.") or host.startswith("bedrock."):
        return "bedrock"
    if host.endswith("aiplatform.googleapis.com"):
        return "vertex"
    if host.endswith(".services.ai.azure.com"):
        return "foundry"
    if host == "api.openai.com":
        return "openai"
    return "gateway"


def litellm_platform(model: str) -> str:
    prefix = model.split("/", 1)[0] if "/" in model else ""
    return {
        "bedrock": "bedrock",
        "vertex_ai": "vertex",
        "openrouter": "openrouter",
        "anthropic": "anthropic",
        "azure_ai": "foundry",
        "github_copilot": "copilot",
        "bedrock_mantle": "bedrock-mantle",
    }.get(prefix, "openai" if not prefix or prefix == "openai" else "gateway")


def format_of(url: str) -> str:
    if url.rstrip("/").endswith("/chat/completions"):
        return "openai-chat"
    if url.rstrip("/").endswith("/responses"):
        return "openai-responses"
    if url.endswith("/converse") or url.endswith("/converse-stream"):
        return "converse"
    return "anthropic"


# --- canned responses ---------------------------------------------------------------------------
def anthropic_response(stop_reason: str = "end_turn") -> Dict[str, Any]:
    return {
        "id": "msg_stub",
        "type": "message",
        "role": "assistant",
        "model": "claude-stub",
        "content": [{"type": "text", "text": "ok"}],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": 10,
            "output_tokens": 1,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        },
    }


def chat_response() -> Dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 0,
        "model": "stub",
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}
        ],
        "usage": {
            "prompt_tokens": 10,
            "completion_tokens": 1,
            "total_tokens": 11,
            "prompt_tokens_details": {"cached_tokens": 0},
        },
    }


def responses_response() -> Dict[str, Any]:
    return {
        "id": "resp_stub",
        "object": "response",
        "created_at": 0,
        "status": "completed",
        "model": "stub",
        "output": [
            {
                "type": "message",
                "id": "msg_stub",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "ok", "annotations": []}],
            }
        ],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": 10,
            "output_tokens": 1,
            "total_tokens": 11,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }


def count_tokens_response() -> Dict[str, Any]:
    return {"input_tokens": 1234}


def converse_response() -> Dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": "ok"}]}},
        "stopReason": "end_turn",
        "usage": {
            "inputTokens": 10,
            "outputTokens": 1,
            "totalTokens": 11,
            "cacheReadInputTokens": 0,
            "cacheWriteInputTokens": 0,
        },
        "metrics": {"latencyMs": 1},
    }


def response_for(url: str, recorder: Recorder) -> Dict[str, Any]:
    fmt = format_of(url)
    if fmt == "openai-chat":
        return chat_response()
    if fmt == "openai-responses":
        return responses_response()
    if fmt == "converse":
        return converse_response()
    if "count_tokens" in url or "count-tokens" in url:
        return count_tokens_response()
    return anthropic_response(recorder.next_stop_reason())


# --- the patches --------------------------------------------------------------------------------
def _record_http(recorder: Recorder, sdk: str, url: str, body: Any) -> None:
    if not isinstance(body, dict):
        return
    model = body.get("model")
    if model is None:
        match = re.search(r"/models?/([^/:]+)", url)
        model = match.group(1) if match else None
    recorder.sent.append(Sent(sdk, url, platform_of(url, model), format_of(url), body, model))


def _real_http_library() -> Any:
    """httpx2 where the SDKs use it (Python 3.10+ releases), else the real httpx (the older
    releases Python 3.9 installs), whichever the stand-in `httpx` module must imitate."""
    import importlib

    try:
        return importlib.import_module("httpx2")
    except ImportError:
        real = sys.modules.get("httpx")
        return real if real is not None and hasattr(real, "Client") else importlib.import_module("httpx")


def _sdk_patches(recorder: Recorder, stack: contextlib.ExitStack) -> None:
    import anthropic
    import anthropic._base_client as anthropic_base
    import openai._base_client as openai_base

    def handler(sdk: str, http: Any) -> Callable[[Any], Any]:
        def handle(request: Any) -> Any:
            url = str(request.url)
            body = json.loads(request.content) if request.content else None
            _record_http(recorder, sdk, url, body)
            return http.Response(200, json=response_for(url, recorder))

        return handle

    for module, sdk in ((anthropic_base, "anthropic"), (openai_base, "openai")):
        cls = module.SyncAPIClient
        original = cls.__init__
        # The SDK's own HTTP library: `httpx2` in the releases for Python 3.10+, `httpx` in
        # the older ones that Python 3.9 installs.
        http = getattr(module, "httpx2", None) or module.httpx

        def patched(
            self: Any, *args: Any, __original: Any = original, __sdk: str = sdk, __http: Any = http, **kwargs: Any
        ) -> None:
            kwargs["http_client"] = __http.Client(transport=__http.MockTransport(handler(__sdk, __http)))
            __original(self, *args, **kwargs)

        stack.callback(setattr, cls, "__init__", original)
        cls.__init__ = patched  # type: ignore[method-assign]

    vertex = anthropic.AnthropicVertex
    vertex_init = vertex.__init__

    def vertex_patched(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("access_token", "stub-token")  # google-auth is not used
        vertex_init(self, *args, **kwargs)

    stack.callback(setattr, vertex, "__init__", vertex_init)
    vertex.__init__ = vertex_patched  # type: ignore[method-assign]


def _genai_patches(recorder: Recorder, stack: contextlib.ExitStack) -> None:
    """google-genai: a mock transport on every client (see the module docstring)."""
    try:
        from google import genai
        from google.auth.credentials import Credentials
        from google.genai import types as genai_types
    except ImportError:  # pragma: no cover - google-genai is in the test extra
        return
    http = _real_http_library()
    counter = [0]

    class StubCredentials(Credentials):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.token = "stub-token"

        def refresh(self, request: Any) -> None:
            self.token = "stub-token"

    def handle(request: Any) -> Any:
        url = str(request.url)
        body = json.loads(request.content) if request.content else None
        platform = "vertex-gemini" if "aiplatform.googleapis.com" in url else "gemini"
        if url.split("?")[0].endswith("/cachedContents"):
            fmt = "genai-cache"
            model = (body or {}).get("model", "")
            counter[0] += 1
            name = url.split("/v1", 1)[-1].split("/", 1)[-1] + f"/stub-{counter[0]}"
            payload: Dict[str, Any] = {"name": name if "projects/" in name else f"cachedContents/stub-{counter[0]}", "model": model}
        else:
            fmt = "genai"
            match = re.search(r"/models/([^/:]+):", url)
            model = match.group(1) if match else None
            payload = {
                "candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}, "finishReason": "STOP"}],
                "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 1, "totalTokenCount": 11},
            }
        if isinstance(body, dict):
            recorder.sent.append(Sent("genai", url, platform, fmt, body, model))
        if "streamGenerateContent" in url:
            return http.Response(200, content=b"data: " + json.dumps(payload).encode() + b"\n\n",
                                 headers={"content-type": "text/event-stream"})
        return http.Response(200, json=payload)

    original = genai.Client.__init__

    def patched(self: Any, *args: Any, **kwargs: Any) -> None:
        options = kwargs.get("http_options") or genai_types.HttpOptions()
        if isinstance(options, dict):
            options = genai_types.HttpOptions(**options)
        kwargs["http_options"] = options.model_copy(update={"httpx_client": http.Client(transport=http.MockTransport(handle))})
        if kwargs.get("vertexai"):
            kwargs.setdefault("credentials", StubCredentials())
            kwargs.setdefault("project", "stub-project")
            kwargs.setdefault("location", "us-central1")
        else:
            kwargs.setdefault("api_key", "stub-key")
        original(self, *args, **kwargs)

    stack.callback(setattr, genai.Client, "__init__", original)
    genai.Client.__init__ = patched  # type: ignore[method-assign]


class _RawBody(io.BytesIO):
    """What botocore expects as `AWSResponse.raw`."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


def _boto_patches(recorder: Recorder, stack: contextlib.ExitStack) -> None:
    import botocore.session
    from botocore.awsrequest import AWSResponse

    def before_send(request: Any, **_: Any) -> Any:
        url = request.url
        body = json.loads(request.body) if request.body else None
        operation = url.rsplit("/", 1)[-1]
        if operation in ("invoke", "invoke-with-response-stream"):
            payload = anthropic_response(recorder.next_stop_reason())
            fmt, platform = "anthropic", "bedrock"
        else:
            payload = converse_response()
            fmt, platform = "converse", "bedrock"
        model = re.search(r"/model/([^/]+)/", url)
        if isinstance(body, dict):
            recorder.sent.append(
                Sent("boto3", url, platform, fmt, body, model.group(1) if model else None)
            )
        raw = _RawBody(json.dumps(payload).encode())
        return AWSResponse(url, 200, {"content-type": "application/json"}, raw)

    original = botocore.session.Session.create_client

    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        client.meta.events.register("before-send", before_send)
        return client

    stack.callback(setattr, botocore.session.Session, "create_client", original)
    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]


class _HttpResponse:
    def __init__(self, payload: Dict[str, Any]) -> None:
        self._payload = payload
        self.status_code = 200
        self.text = json.dumps(payload)

    def json(self) -> Dict[str, Any]:
        return self._payload

    def raise_for_status(self) -> None:
        return None


class _Obj(types.SimpleNamespace):
    pass


def _fake_modules(recorder: Recorder) -> Dict[str, types.ModuleType]:
    def post(url: str, *args: Any, json: Any = None, data: Any = None, **_: Any) -> _HttpResponse:
        body = json if json is not None else (_json_loads(data) if data else None)
        _record_http(recorder, "http", str(url), body)
        return _HttpResponse(response_for(str(url), recorder))

    def completion(model: str, messages: Sequence[Any] = (), **kwargs: Any) -> Any:
        body = {"model": model, "messages": list(messages), **kwargs}
        body = _json_loads(_json_dumps(body))  # what would be serialized
        platform = litellm_platform(model)
        recorder.sent.append(
            Sent("litellm", f"litellm:{model}", platform, "openai-chat", body, model)
        )
        message = _Obj(role="assistant", content="ok", tool_calls=None)
        return _Obj(choices=[_Obj(message=message, finish_reason="stop")])

    requests_mod = types.ModuleType("requests")
    requests_mod.post = post  # type: ignore[attr-defined]
    # `httpx` is httpx2's API with a recording `post`: the SDKs look for a loaded legacy
    # `httpx` module and must find real classes there.
    real_http = _real_http_library()
    httpx_mod = types.ModuleType("httpx")
    httpx_mod.__dict__.update(
        {k: getattr(real_http, k) for k in dir(real_http) if not k.startswith("__")}
    )
    httpx_mod.post = post  # type: ignore[attr-defined]
    litellm_mod = types.ModuleType("litellm")
    litellm_mod.completion = completion  # type: ignore[attr-defined]
    return {"requests": requests_mod, "httpx": httpx_mod, "litellm": litellm_mod}


def _json_dumps(value: Any) -> str:
    return json.dumps(value)


def _json_loads(value: Any) -> Any:
    return json.loads(value)


@contextlib.contextmanager
def capture(stop_reasons: Sequence[str] = ()) -> Iterator[Recorder]:
    """Patch the SDKs (see the module docstring); yields the recorder of sent requests."""
    recorder = Recorder(stop_reasons=list(stop_reasons))
    env = {
        "ANTHROPIC_API_KEY": "sk-ant-stub",
        "OPENAI_API_KEY": "sk-stub",
        "ANTHROPIC_FOUNDRY_API_KEY": "stub",
        "AWS_ACCESS_KEY_ID": "AKIASTUB",
        "AWS_SECRET_ACCESS_KEY": "stub",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "GOOGLE_API_KEY": "stub-key",
    }
    import os

    with contextlib.ExitStack() as stack:
        saved_env = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "ANTHROPIC_BASE_URL", "OPENAI_BASE_URL", "GEMINI_API_KEY",
                    "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_CLOUD_PROJECT", "GOOGLE_CLOUD_LOCATION"):
            saved_env.setdefault(key, os.environ.get(key))
            os.environ.pop(key, None)

        def restore_env() -> None:
            for key, value in saved_env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

        stack.callback(restore_env)
        saved_modules = {name: sys.modules.get(name) for name in ("requests", "httpx", "litellm")}
        sys.modules.update(_fake_modules(recorder))

        def restore_modules() -> None:
            for name, module in saved_modules.items():
                if module is None:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = module

        stack.callback(restore_modules)
        _sdk_patches(recorder, stack)
        _boto_patches(recorder, stack)
        _genai_patches(recorder, stack)
        yield recorder


# --- the provider rules -------------------------------------------------------------------------
@dataclass(frozen=True)
class Mark:
    """One breakpoint of a body, in prefix order: where, its TTL, and its value."""

    where: str
    ttl: str
    value: Any


def _anthropic_blocks(body: Dict[str, Any]) -> List[Tuple[str, Any]]:
    """(path, element) of every prefix element in order: tools, system blocks, message blocks."""
    out: List[Tuple[str, Any]] = []
    for i, tool in enumerate(body.get("tools") or []):
        out.append((f"tools[{i}]", tool))
    system = body.get("system")
    if isinstance(system, list):
        for i, block in enumerate(system):
            out.append((f"system[{i}]", block))
    elif system is not None:
        out.append(("system", system))
    for i, message in enumerate(body.get("messages") or []):
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):
            for j, block in enumerate(content):
                out.append((f"messages[{i}].content[{j}]", block))
                nested = block.get("content") if isinstance(block, dict) else None
                if isinstance(nested, list):
                    for k, inner in enumerate(nested):
                        out.append((f"messages[{i}].content[{j}].content[{k}]", inner))
        else:
            out.append((f"messages[{i}].content", content))
            if isinstance(message, dict) and "cache_control" in message:
                out.append((f"messages[{i}]", {"cache_control": message["cache_control"]}))
    return out


def _openai_blocks(body: Dict[str, Any]) -> List[Tuple[str, Any]]:
    out: List[Tuple[str, Any]] = []
    for i, tool in enumerate(body.get("tools") or []):
        out.append((f"tools[{i}]", tool))
    for i, message in enumerate(body.get("messages") or []):
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if isinstance(content, list):
            for j, part in enumerate(content):
                out.append((f"messages[{i}].content[{j}]", part))
        else:
            out.append((f"messages[{i}].content", content))
        if "cache_control" in message:
            out.append((f"messages[{i}]", {"cache_control": message["cache_control"]}))
    return out


def _converse_blocks(body: Dict[str, Any]) -> List[Tuple[str, Any]]:
    out: List[Tuple[str, Any]] = []
    for i, tool in enumerate((body.get("toolConfig") or {}).get("tools") or []):
        out.append((f"toolConfig.tools[{i}]", tool))
    for i, block in enumerate(body.get("system") or []):
        out.append((f"system[{i}]", block))
    for i, message in enumerate(body.get("messages") or []):
        for j, block in enumerate(message.get("content") or []):
            out.append((f"messages[{i}].content[{j}]", block))
    return out


def prefix_elements(sent: Sent) -> List[Tuple[str, Any]]:
    if sent.fmt == "converse":
        return _converse_blocks(sent.body)
    if sent.fmt == "anthropic":
        return _anthropic_blocks(sent.body)
    if sent.fmt == "openai-chat":
        return _openai_blocks(sent.body)
    if sent.fmt == "openai-responses":
        body = sent.body
        out = (
            [("instructions", body.get("instructions"))]
            if body.get("instructions") is not None
            else []
        )
        inputs = body.get("input")
        if isinstance(inputs, list):
            out.extend((f"input[{i}]", item) for i, item in enumerate(inputs))
        elif inputs is not None:
            out.append(("input", inputs))
        return out
    return []


def marks(sent: Sent) -> List[Mark]:
    """The breakpoints of a body in tools -> system -> messages order, the top-level one last
    (automatic caching puts it on the last cacheable block)."""
    found: List[Mark] = []
    for where, element in prefix_elements(sent):
        if not isinstance(element, dict):
            continue
        if sent.fmt == "converse":
            if "cachePoint" in element:
                point = element["cachePoint"]
                found.append(
                    Mark(where, point.get("ttl", "5m") if isinstance(point, dict) else "?", point)
                )
        elif "cache_control" in element:
            value = element["cache_control"]
            ttl = value.get("ttl", "5m") if isinstance(value, dict) else "?"
            found.append(Mark(where, ttl, value))
    root = sent.body.get("cache_control")
    if root is not None and sent.fmt != "converse":
        found.append(
            Mark("<top-level>", root.get("ttl", "5m") if isinstance(root, dict) else "?", root)
        )
    return found


def _walk_keys(value: Any, key: str, path: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            here = f"{path}.{k}" if path else str(k)
            if k == key:
                yield here
            yield from _walk_keys(v, key, here)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk_keys(v, key, f"{path}[{i}]")


# Allowed keys, from the SDK's own request types.
def _keys(typed_dict: Any) -> frozenset:
    return frozenset(typed_dict.__required_keys__ | typed_dict.__optional_keys__)


def _anthropic_shapes() -> Tuple[frozenset, Dict[str, frozenset], frozenset, frozenset]:
    import anthropic.types as t
    from anthropic.types import message_create_params as m

    root = _keys(m.MessageCreateParamsBase) | _keys(m.MessageCreateParamsNonStreaming) | {"stream"}
    blocks = {
        "text": _keys(t.TextBlockParam),
        "image": _keys(t.ImageBlockParam),
        "document": _keys(t.DocumentBlockParam),
        "search_result": _keys(t.SearchResultBlockParam),
        "tool_use": _keys(t.ToolUseBlockParam),
        "tool_result": _keys(t.ToolResultBlockParam),
        "thinking": _keys(t.ThinkingBlockParam),
        "redacted_thinking": _keys(t.RedactedThinkingBlockParam),
        "server_tool_use": _keys(t.ServerToolUseBlockParam),
        "container_upload": _keys(t.ContainerUploadBlockParam),
    }
    if hasattr(t, "UserMessageParam"):
        message = _keys(t.UserMessageParam) | _keys(t.AssistantMessageParam)
    else:  # the releases Python 3.9 installs have one MessageParam for both roles
        message = _keys(t.MessageParam)
    tool = _keys(t.ToolParam)
    return root, blocks, message, tool


def _cache_control_problems(where: str, value: Any) -> List[str]:
    if not isinstance(value, dict):
        return [f"{where}: cache_control is not an object: {value!r}"]
    problems = []
    if value.get("type") != "ephemeral":
        problems.append(
            f"{where}: cache_control type must be 'ephemeral', got {value.get('type')!r}"
        )
    if set(value) - CACHE_CONTROL_KEYS:
        problems.append(
            f"{where}: unknown cache_control keys {sorted(set(value) - CACHE_CONTROL_KEYS)}"
        )
    if "ttl" in value and value["ttl"] not in TTLS:
        problems.append(f"{where}: cache_control ttl must be '5m' or '1h', got {value['ttl']!r}")
    return problems


def _anthropic_shape_problems(sent: Sent) -> List[str]:
    root_keys, block_keys, message_keys, tool_keys = _anthropic_shapes()
    body = sent.body
    allowed_root = set(root_keys)
    if sent.platform in ("bedrock", "vertex"):
        allowed_root |= {"anthropic_version"}
    problems = [f"unknown request field {k!r}" for k in body if k not in allowed_root]
    if not isinstance(body.get("messages"), list):
        problems.append("messages is not a list")
    system = body.get("system")
    if isinstance(system, list):
        for i, block in enumerate(system):
            if (
                not isinstance(block, dict)
                or block.get("type") != "text"
                or not isinstance(block.get("text"), str)
            ):
                problems.append(f"system[{i}] is not a text block: {str(block)[:80]}")
            elif set(block) - block_keys["text"]:
                problems.append(
                    f"system[{i}]: fields {sorted(set(block) - block_keys['text'])} are not allowed"
                )
    elif system is not None and not isinstance(system, str):
        problems.append(f"system is neither a string nor a block list: {type(system).__name__}")
    for i, message in enumerate(body.get("messages") or []):
        if not isinstance(message, dict):
            problems.append(f"messages[{i}] is not an object")
            continue
        extra = set(message) - message_keys
        if extra:
            problems.append(f"messages[{i}]: fields {sorted(extra)} are not allowed on a message")
        if message.get("role") not in ("user", "assistant"):
            problems.append(f"messages[{i}]: role {message.get('role')!r}")
        content = message.get("content")
        if isinstance(content, list):
            for j, block in enumerate(content):
                kind = block.get("type") if isinstance(block, dict) else None
                if kind not in block_keys:
                    problems.append(f"messages[{i}].content[{j}]: unknown block type {kind!r}")
                    continue
                extra = set(block) - block_keys[kind]
                if extra:
                    problems.append(
                        f"messages[{i}].content[{j}] ({kind}): fields {sorted(extra)} are not allowed"
                    )
                if kind == "text" and not isinstance(block.get("text"), str):
                    problems.append(f"messages[{i}].content[{j}]: text is not a string")
        elif not isinstance(content, str):
            problems.append(f"messages[{i}].content is neither a string nor a block list")
    for i, tool in enumerate(body.get("tools") or []):
        if isinstance(tool, dict) and tool.get("type", "custom") == "custom":
            extra = set(tool) - tool_keys
            if extra:
                problems.append(f"tools[{i}]: fields {sorted(extra)} are not allowed")
            if "name" not in tool or "input_schema" not in tool:
                problems.append(f"tools[{i}]: a custom tool needs name and input_schema")
    return problems


def _openai_shape_problems(sent: Sent) -> List[str]:
    problems = []
    message_keys = {"role", "content", "name", "tool_calls", "tool_call_id", "refusal"}
    part_keys = {"type", "text", "image_url", "input_audio", "file"}
    # OpenRouter (and gateways that forward to Claude) read cache_control on content parts
    # and tool definitions (providers.md §4, §7).
    part_keys |= {"cache_control"}
    # OpenAI's explicit cache breakpoints (gpt-5.6+): ChatCompletionContentPartTextParam & co.
    part_keys |= {"prompt_cache_breakpoint"}
    tool_keys = {"type", "function", "cache_control"}
    if sent.platform == "copilot":
        message_keys |= {"copilot_cache_control"}
        tool_keys |= {"copilot_cache_control"}
    for i, message in enumerate(sent.body.get("messages") or []):
        if not isinstance(message, dict):
            problems.append(f"messages[{i}] is not an object")
            continue
        extra = set(message) - message_keys
        if extra:
            problems.append(f"messages[{i}]: fields {sorted(extra)} are ignored by {sent.platform}")
        content = message.get("content")
        if isinstance(content, list):
            for j, part in enumerate(content):
                if not isinstance(part, dict) or "type" not in part:
                    problems.append(f"messages[{i}].content[{j}] is not a content part")
                elif set(part) - part_keys:
                    problems.append(
                        f"messages[{i}].content[{j}]: fields {sorted(set(part) - part_keys)}"
                    )
                elif part["type"] == "text" and not isinstance(part.get("text"), str):
                    problems.append(f"messages[{i}].content[{j}]: text is not a string")
        elif content is not None and not isinstance(content, str):
            problems.append(f"messages[{i}].content is neither a string nor a part list")
    for i, tool in enumerate(sent.body.get("tools") or []):
        if isinstance(tool, dict) and set(tool) - tool_keys:
            problems.append(
                f"tools[{i}]: fields {sorted(set(tool) - tool_keys)} are ignored by {sent.platform}"
            )
    return problems


def check_request(sent: Sent) -> List[str]:
    """Violations of the provider rules by one recorded request (empty: the request is fine)."""
    problems: List[str] = []
    found = marks(sent)
    if len(found) > MAX_BREAKPOINTS:
        where = ", ".join(m.where for m in found)
        problems.append(f"{len(found)} cache breakpoints (at most {MAX_BREAKPOINTS}): {where}")
    seen_5m = None
    for mark in found:
        if mark.ttl == "5m":
            seen_5m = seen_5m or mark.where
        elif mark.ttl == "1h" and seen_5m is not None:
            problems.append(f"a 1h breakpoint at {mark.where} comes after the 5m one at {seen_5m}")
    root = sent.body.get("cache_control")
    litellm_rejects = sent.sdk == "litellm" and sent.platform in ROOT_MARKER_REJECTED
    if root is not None and (sent.platform in ROOT_MARKER_REJECTED or litellm_rejects):
        problems.append(f"top-level cache_control sent to {sent.platform}, which rejects it")
    if sent.platform != "copilot":
        for path in _walk_keys(sent.body, "copilot_cache_control"):
            problems.append(
                f"copilot_cache_control at {path} sent to {sent.host or sent.url} (not the Copilot API)"
            )
    for mark in found:
        if sent.fmt == "converse":
            point = mark.value
            if (
                not isinstance(point, dict)
                or point.get("type") != "default"
                or set(point) - {"type", "ttl"}
            ):
                problems.append(f"{mark.where}: invalid cachePoint {point!r}")
        else:
            problems.extend(_cache_control_problems(mark.where, mark.value))
    if sent.fmt == "anthropic":
        problems.extend(_anthropic_shape_problems(sent))
    elif sent.fmt == "openai-chat":
        problems.extend(_openai_shape_problems(sent))
    if sent.fmt in ("openai-chat", "openai-responses"):
        problems.extend(_openai_cache_option_problems(sent))
    elif sent.fmt == "genai":
        problems.extend(_genai_problems(sent))
    elif sent.fmt == "genai-cache":
        problems.extend(_genai_cache_problems(sent))
    return problems


# --- Gemini and OpenAI cache options (providers.md §3, §6; SDK types) ----------------------------
#: protobuf's JSON form of a Duration: seconds with up to nine fractional digits, then "s"
#: (google-genai `CreateCachedContentConfig.ttl`: "terminated by 's'. Example: "3.5s"").
DURATION_RE = re.compile(r"^-?\d+(\.\d{1,9})?s$")
#: The lowest published minimum of an explicit Gemini cache (1,024 tokens), in characters at
#: four per token: below it the API answers "Cached content is too small".
GEMINI_MIN_CACHE_CHARS = 4 * 1024


def _genai_text(value: Any) -> str:
    if isinstance(value, dict):
        return "".join(v if k == "text" and isinstance(v, str) else _genai_text(v) for k, v in value.items())
    if isinstance(value, list):
        return "".join(_genai_text(v) for v in value)
    return ""


def _genai_problems(sent: Sent) -> List[str]:
    body = sent.body
    owned = [k for k in ("systemInstruction", "tools", "toolConfig") if body.get(k)]
    if body.get("cachedContent") and owned:
        return [
            "400 INVALID_ARGUMENT: CachedContent can not be used with GenerateContent request setting "
            f"system_instruction, tools or tool_config (sets {', '.join(owned)})"
        ]
    return []


def _genai_cache_problems(sent: Sent) -> List[str]:
    body = sent.body
    problems = []
    ttl = body.get("ttl")
    if ttl is not None and not (isinstance(ttl, str) and DURATION_RE.match(ttl)):
        problems.append(f"400 INVALID_ARGUMENT: Illegal duration format for ttl {ttl!r} (must end with 's')")
    if ttl is not None and body.get("expireTime") is not None:
        problems.append("400 INVALID_ARGUMENT: oneof field 'expiration' is already set (ttl and expireTime)")
    chars = len(_genai_text(body.get("contents"))) + len(_genai_text(body.get("systemInstruction")))
    if chars < GEMINI_MIN_CACHE_CHARS:
        problems.append(f"400 INVALID_ARGUMENT: Cached content is too small ({chars} chars, about {chars // 4} tokens)")
    return problems


def _gpt_version(model: Optional[str]) -> Tuple[int, int]:
    match = re.search(r"gpt-(\d+)(?:\.(\d+))?", model or "")
    return (int(match.group(1)), int(match.group(2) or 0)) if match else (0, 0)


def openai_breakpoints(sent: Sent) -> List[Tuple[str, Any]]:
    """(where, value) of every `prompt_cache_breakpoint` of an OpenAI body, in order."""
    return [(where, el["prompt_cache_breakpoint"]) for where, el in _openai_parts(sent)
            if isinstance(el, dict) and "prompt_cache_breakpoint" in el]


def _openai_parts(sent: Sent) -> List[Tuple[str, Any]]:
    if sent.fmt == "openai-chat":
        return _openai_blocks(sent.body)
    out: List[Tuple[str, Any]] = []
    inputs = sent.body.get("input")
    for i, item in enumerate(inputs if isinstance(inputs, list) else []):
        content = item.get("content") if isinstance(item, dict) else None
        for j, part in enumerate(content if isinstance(content, list) else []):
            out.append((f"input[{i}].content[{j}]", part))
    return out


def _openai_cache_option_problems(sent: Sent) -> List[str]:
    """Values openai-python 3.63's types do not allow, and `in_memory` where the SDK says only
    `24h` is supported (gpt-5.5 and later)."""
    body = sent.body
    problems = []
    retention = body.get("prompt_cache_retention")
    if retention is not None and retention not in ("in_memory", "24h"):
        problems.append(f"prompt_cache_retention {retention!r} is not in_memory or 24h")
    if retention == "in_memory" and _gpt_version(sent.model) >= (5, 5):
        problems.append(f"prompt_cache_retention 'in_memory' is not supported by {sent.model} (only 24h)")
    options = body.get("prompt_cache_options")
    if options is not None:
        if not isinstance(options, dict):
            problems.append(f"prompt_cache_options {options!r} is not an object")
        else:
            ttls = ("30m",) if sent.fmt == "openai-chat" else ("30m", "12h")
            if "mode" in options and options["mode"] not in ("implicit", "explicit"):
                problems.append(f"prompt_cache_options.mode {options['mode']!r}")
            if "ttl" in options and options["ttl"] not in ttls:
                problems.append(f"prompt_cache_options.ttl {options['ttl']!r} is not one of {ttls}")
    for where, value in openai_breakpoints(sent):
        if not isinstance(value, dict) or value.get("mode") != "explicit" or value.get("ttl", "30m") not in ("30m", "12h"):
            problems.append(f"{where}: invalid prompt_cache_breakpoint {value!r}")
    return problems


# --- what a cache can read back ----------------------------------------------------------------
def _text(element: Any) -> str:
    """The prompt text an element contributes, canonically serialized (for comparisons)."""
    if isinstance(element, str):
        return element
    if isinstance(element, dict):
        stripped = {k: v for k, v in element.items() if k not in ("cache_control", "cachePoint")}
        return json.dumps(stripped, sort_keys=True, ensure_ascii=False)
    return json.dumps(element, sort_keys=True, ensure_ascii=False)


def _is_marker_only(sent: Sent, element: Any) -> bool:
    return sent.fmt == "converse" and isinstance(element, dict) and set(element) == {"cachePoint"}


def cached_prefixes(sent: Sent) -> List[str]:
    """The prompt prefix each breakpoint of the body writes to the cache (in order).

    With explicit breakpoints (Claude: `cache_control`, Converse `cachePoint`) a cache entry
    covers everything up to and including the marked element, and a later call reads it
    only if that whole prefix is byte-identical. The top-level marker covers the whole
    prompt. For OpenAI-format requests without breakpoints (automatic prefix caching) the
    entire prompt is the candidate prefix.
    """
    elements = prefix_elements(sent)
    texts: List[str] = []
    prefixes: List[str] = []
    for where, element in elements:
        if _is_marker_only(sent, element):
            prefixes.append("".join(texts))
            continue
        texts.append(_text(element))
        if isinstance(element, dict) and "cache_control" in element and sent.fmt != "converse":
            prefixes.append("".join(texts))
    if sent.body.get("cache_control") is not None:
        prefixes.append("".join(texts))
    return prefixes


def automatic_prefix(sent: Sent) -> str:
    return "".join(_text(e) for _, e in prefix_elements(sent) if not _is_marker_only(sent, e))


def reusable_chars(first: Sent, second: Sent, explicit: bool) -> int:
    """How many characters of `second`'s prompt can be read from the cache `first` wrote.

    `explicit`: the provider caches only at breakpoints (Claude); otherwise the longest
    common prefix counts (OpenAI's automatic caching).
    """
    if explicit:
        written = set(cached_prefixes(first))
        return max((len(p) for p in cached_prefixes(second) if p in written), default=0)
    a, b = automatic_prefix(first), automatic_prefix(second)
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def system_text(sent: Sent) -> str:
    """The system prompt's text (Anthropic `system`, Converse `system`, OpenAI system messages)."""
    body = sent.body
    if sent.fmt in ("anthropic", "converse"):
        system = body.get("system")
        if isinstance(system, str):
            return system
        return "".join(b.get("text", "") for b in system or [] if isinstance(b, dict))
    if sent.fmt == "openai-responses":
        return body.get("instructions") or ""
    out = []
    for message in body.get("messages") or []:
        if isinstance(message, dict) and message.get("role") in ("system", "developer"):
            content = message.get("content")
            if isinstance(content, str):
                out.append(content)
            elif isinstance(content, list):
                out.extend(p.get("text", "") for p in content if isinstance(p, dict))
    return "".join(out)


def system_covered(sent: Sent) -> bool:
    """A breakpoint sits on the last system element or after it (so it caches the system)."""
    elements = prefix_elements(sent)
    last_system = -1
    for i, (where, element) in enumerate(elements):
        is_system = where.startswith("system")
        if sent.fmt == "openai-chat" and where.startswith("messages["):
            index = int(where[len("messages[") :].split("]", 1)[0])
            message = sent.body["messages"][index]
            is_system = isinstance(message, dict) and message.get("role") in ("system", "developer")
        if is_system and not _is_marker_only(sent, element):
            last_system = i
    if last_system < 0:
        return False
    if sent.body.get("cache_control") is not None and sent.fmt != "converse":
        return True
    for i, (where, element) in enumerate(elements):
        if i < last_system or not isinstance(element, dict):
            continue
        if "cachePoint" in element or ("cache_control" in element and sent.fmt != "converse"):
            return True
    return False
