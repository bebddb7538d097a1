"""What cachelint knows about LLM SDKs: clients, request methods, endpoints, volatile calls.

Checked against anthropic 2.12, openai 2.53/3.x, boto3 1.44, google-genai 3.4 and litellm
1.106 (signatures and client classes; see the README's references). The anthropic and openai
request methods are not written here: they are generated from the installed SDKs into
`cachelint/data/sdk_methods.toml` (`scripts/gen_sdk_methods.py`, checked by
`tests/test_sdk_methods.py`). Everything here is about *recognising* code; provider
behaviour that sources dispute lives in the data tables.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Optional, Tuple
from urllib.parse import urlparse

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

# --- clients ------------------------------------------------------------------------------
ANTHROPIC_CLIENTS: Dict[str, str] = {
    "Anthropic": "anthropic",
    "AnthropicBedrock": "bedrock",
    "AnthropicBedrockMantle": "bedrock-mantle",
    "AnthropicVertex": "vertex",
    "AnthropicFoundry": "foundry",
    "AnthropicAWS": "aws",
    "AnthropicGoogleCloud": "google-cloud",
}
ANTHROPIC_CLIENTS.update({"Async" + name: platform for name, platform in list(ANTHROPIC_CLIENTS.items())})
# The SDKs export `Client`/`AsyncClient` as aliases of their main client classes.
ANTHROPIC_CLIENTS.update({"Client": "anthropic", "AsyncClient": "anthropic"})

OPENAI_CLIENTS = {"OpenAI", "AsyncOpenAI", "AzureOpenAI", "AsyncAzureOpenAI", "Client", "AsyncClient"}
HTTP_CLIENT_FACTORIES = {
    "requests.Session",
    "requests.session",
    "requests.sessions.Session",
    "httpx.Client",
    "httpx.AsyncClient",
    "aiohttp.ClientSession",
}
HTTP_FUNCTIONS = {
    "requests.post": "post",
    "requests.request": "request",
    "httpx.post": "post",
    "httpx.request": "request",
    "httpx.stream": "stream",
}
LITELLM_FUNCTIONS = {"completion", "acompletion", "responses", "aresponses", "text_completion", "atext_completion"}

# Packages whose own names win over same-named project modules: when the linted project
# vendors or *is* one of these SDKs, `from anthropic import Anthropic` still means the SDK.
SDK_PACKAGES = ("anthropic", "openai", "boto3", "botocore", "litellm", "google.genai", "requests", "httpx", "aiohttp")


def is_sdk_name(dotted: str) -> bool:
    """Whether the absolute module name `dotted` is one of `SDK_PACKAGES` or inside one."""
    return any(dotted == p or dotted.startswith(p + ".") for p in SDK_PACKAGES)


def client_for_constructor(qualname: str) -> Optional[Tuple[str, str, Optional[str]]]:
    """(sdk, class name, platform or None when it depends on `base_url`) for a client class."""
    parts = qualname.split(".")
    name = parts[-1]
    if parts[0] == "anthropic" and name in ANTHROPIC_CLIENTS:
        canonical = {"Client": "Anthropic", "AsyncClient": "AsyncAnthropic"}.get(name, name)
        return "anthropic", canonical, ANTHROPIC_CLIENTS[name]
    if parts[0] == "openai" and name in OPENAI_CLIENTS:
        canonical = {"Client": "OpenAI", "AsyncClient": "AsyncOpenAI"}.get(name, name)
        return "openai", canonical, "azure-openai" if "Azure" in name else None
    if qualname in ("google.genai.Client", "google.genai.client.Client"):
        return "genai", "genai.Client", None
    if qualname in ("litellm.Router", "litellm.router.Router"):
        return "litellm", "Router", None
    if qualname in HTTP_CLIENT_FACTORIES:
        return "http", qualname, None
    return None


def is_boto3_client_factory(qualname: str) -> bool:
    return qualname in (
        "boto3.client",
        "boto3.Session.client",
        "boto3.session.Session.client",
        "aioboto3.Session.client",
        "botocore.session.Session.create_client",
    )


# --- request methods ------------------------------------------------------------------------
@dataclass(frozen=True)
class Method:
    """A request-sending SDK method: `api` names it, `fmt` is the body format it takes."""

    api: str
    fmt: str
    counts_tokens: bool = False


#: Response wrappers the SDKs put between a resource and its methods
#: (`client.messages.with_raw_response.create`): the same request, so paths look through them.
#: `with_options(...)`, `copy(...)` and `with_middleware(...)` are calls, not attributes: the
#: interpreter maps such a call on a client back to the client (`returns_client`), so they
#: never reach a method path.
_LOOK_THROUGH = ("with_raw_response", "with_streaming_response")

#: The anthropic and openai request methods live in `cachelint/data/sdk_methods.toml`, generated
#: from the SDKs' resource classes by `scripts/gen_sdk_methods.py` (plus a hand-kept legacy part).
SDK_METHODS_FILE = Path(__file__).resolve().parent.parent / "data" / "sdk_methods.toml"
#: Client methods returning the client itself, whatever the SDK (the data file adds its own).
_CLIENT_COPIES = frozenset({"with_options", "copy"})


@dataclass(frozen=True)
class _Tables:
    """The generated method tables, loaded once per process."""

    methods: Dict[str, Dict[Tuple[str, ...], Method]]
    client_copies: FrozenSet[str]
    untyped_anthropic: Dict[Tuple[str, ...], Method]
    untyped_openai: Dict[Tuple[str, ...], Method]


@lru_cache(maxsize=None)
def _tables() -> _Tables:
    """Parse the data file (about 1 ms), on first use rather than at import."""
    with open(SDK_METHODS_FILE, "rb") as fh:
        data = tomllib.load(fh)
    methods: Dict[str, Dict[Tuple[str, ...], Method]] = {}
    copies = set(_CLIENT_COPIES)
    for sdk_name, table in data.get("generated", {}).items():
        copies.update(table.get("client_copies", ()))
        entries = list(table.get("methods", ())) + list(data.get("legacy", {}).get(sdk_name, ()))
        found = methods.setdefault(sdk_name, {})
        for entry in entries:
            path = tuple(entry["path"])
            api = f"{sdk_name}." + ".".join(path)
            found[path] = Method(api, entry["format"], bool(entry.get("counts_tokens", False)))
    anthropic = methods.get("anthropic", {})
    openai = methods.get("openai", {})
    return _Tables(
        methods={
            "anthropic": anthropic,
            "openai": openai,
            "bedrock-runtime": BEDROCK_METHODS,
            "genai": GENAI_METHODS,
            "litellm": LITELLM_ROUTER_METHODS,
        },
        client_copies=frozenset(copies),
        untyped_anthropic=dict(anthropic),
        # `responses.create` on an unknown receiver is too generic a name to claim.
        untyped_openai={k: v for k, v in openai.items() if "responses" not in k},
    )


def __getattr__(name: str) -> Dict[Tuple[str, ...], Method]:
    """`ANTHROPIC_METHODS` and friends, derived from the data file on first access."""
    if name == "ANTHROPIC_METHODS":
        return _tables().methods["anthropic"]
    if name == "OPENAI_METHODS":
        return _tables().methods["openai"]
    if name == "UNTYPED_ANTHROPIC_PATHS":
        return _tables().untyped_anthropic
    if name == "UNTYPED_OPENAI_PATHS":
        return _tables().untyped_openai
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


BEDROCK_METHODS = {
    ("invoke_model",): Method("bedrock.invoke_model", "invoke"),
    ("invoke_model_with_response_stream",): Method("bedrock.invoke_model_with_response_stream", "invoke"),
    ("converse",): Method("bedrock.converse", "converse"),
    ("converse_stream",): Method("bedrock.converse_stream", "converse"),
}
GENAI_METHODS = {
    ("models", "generate_content"): Method("genai.models.generate_content", "genai"),
    ("models", "generate_content_stream"): Method("genai.models.generate_content_stream", "genai"),
    ("caches", "create"): Method("genai.caches.create", "genai-cache"),
}
GENAI_METHODS.update({("aio",) + path: Method(m.api.replace("genai.", "genai.aio."), m.fmt) for path, m in list(GENAI_METHODS.items())})
LITELLM_ROUTER_METHODS = {
    ("completion",): Method("litellm.Router.completion", "openai-chat"),
    ("acompletion",): Method("litellm.Router.acompletion", "openai-chat"),
}


def clean_path(path: Tuple[str, ...]) -> Tuple[str, ...]:
    return tuple(p for p in path if p not in _LOOK_THROUGH)


def method_for(sdk: str, path: Tuple[str, ...]) -> Optional[Method]:
    """The request method at attribute `path` of a client of `sdk`, if it is one."""
    return _tables().methods.get(sdk, {}).get(clean_path(path))


def returns_client(name: str) -> bool:
    """True for a client method that returns the client (`with_options`, `copy`, ...)."""
    return name in _tables().client_copies


# Unknown receivers: attribute chains distinctive enough to recognise with LLM-shaped args
# (`UNTYPED_ANTHROPIC_PATHS`, `UNTYPED_OPENAI_PATHS`: derived in `_tables`).
NOT_LLM_PATHS = {("beta", "threads", "messages", "create"), ("threads", "messages", "create")}


def untyped_method(path: Tuple[str, ...], keywords: Tuple[str, ...]) -> Optional[Method]:
    """Recognise `x.messages.create(...)` on a receiver of unknown type by its arguments.

    Twilio and Plivo also have `client.messages.create` (with `to=`, `body=`), and OpenAI's
    Assistants API has `beta.threads.messages.create`; only a call that passes what an LLM
    request needs (`messages`/`system` with `model` or `max_tokens`) counts.
    """
    path = clean_path(path)
    for size in (4, 3, 2):
        tail = path[-size:]
        if tail in NOT_LLM_PATHS:
            return None
    kw = set(keywords)
    tables = _tables()
    for size in (4, 3, 2):
        tail = path[-size:]
        if tail in tables.untyped_openai and ("messages" in kw or "model" in kw):
            return tables.untyped_openai[tail]
        if tail in tables.untyped_anthropic and (
            ("messages" in kw or "system" in kw) and ("max_tokens" in kw or "model" in kw)
        ):
            return tables.untyped_anthropic[tail]
    return None


# --- endpoints ------------------------------------------------------------------------------
_HOSTS = (
    (re.compile(r"(^|\.)api\.anthropic\.com$"), "anthropic"),
    (re.compile(r"(^|\.)openrouter\.ai$"), "openrouter"),
    (re.compile(r"(^|\.)githubcopilot\.com$"), "copilot"),
    (re.compile(r"\.openai\.azure\.com$"), "azure-openai"),
    (re.compile(r"\.services\.ai\.azure\.com$"), "foundry"),
    (re.compile(r"^api\.openai\.com$"), "openai"),
    (re.compile(r"^bedrock-mantle\.[\w-]+\.api\.aws$"), "bedrock-mantle"),
    (re.compile(r"^bedrock-runtime[\w.-]*\.amazonaws\.com$"), "bedrock"),
    (re.compile(r"^aws-external-anthropic\.[\w-]+\.api\.aws$"), "aws"),
    (re.compile(r"aiplatform\.googleapis\.com$"), "vertex"),
    (re.compile(r"^claude\.googleapis\.com$"), "google-cloud"),
    (re.compile(r"^generativelanguage\.googleapis\.com$"), "gemini"),
)


def platform_for_url(url: str, openai_format: bool = False) -> str:
    """Platform a base URL or endpoint points at; "gateway" for any other host.

    `openai_format`: the request is in OpenAI's chat-completions format (the OpenAI SDK, or
    an HTTP post to a `/chat/completions` path): on api.anthropic.com that is the OpenAI SDK
    compatibility layer, a platform of its own (it does no prompt caching)."""
    parsed = urlparse(url if "://" in url else "https://" + url)
    host = (parsed.hostname or "").lower()
    if not host:
        return "unknown"
    for pattern, platform in _HOSTS:
        if pattern.search(host):
            if platform == "foundry" and "/anthropic" not in parsed.path and "/models" in parsed.path:
                return "gateway"
            if platform == "anthropic" and (openai_format or parsed.path.rstrip("/").endswith("/chat/completions")):
                return "anthropic-openai"
            return platform
    return "gateway"


def format_for_path(url: str) -> Optional[str]:
    """Body format of an HTTP endpoint from its path (`/v1/messages`, `/chat/completions`)."""
    path = urlparse(url if "://" in url else "https://x/" + url.lstrip("/")).path.rstrip("/")
    if path.endswith("/messages") and not path.endswith("/threads/messages") and "/threads/" not in path:
        return "anthropic"
    if path.endswith("/chat/completions"):
        return "openai-chat"
    if path.endswith("/responses"):
        return "openai-responses"
    if path.endswith(":rawPredict") or path.endswith(":streamRawPredict"):
        return "anthropic"
    return None


def litellm_platform(model: str) -> Optional[str]:
    """Platform a litellm model string routes to, from its provider prefix."""
    prefix = model.split("/", 1)[0].lower() if "/" in model else ""
    table = {
        "anthropic": "anthropic",
        "bedrock": "bedrock",
        "bedrock_mantle": "bedrock-mantle",
        "vertex_ai": "vertex",
        "vertex_ai_beta": "vertex",
        "azure_ai": "foundry",
        "openrouter": "openrouter",
        "github_copilot": "copilot",
        "openai": "openai",
        "azure": "azure-openai",
        "gemini": "gemini",
        "litellm_proxy": "gateway",
        "databricks": "gateway",
    }
    if prefix in table:
        platform = table[prefix]
        if platform == "vertex" and "claude" not in model.lower():
            return "vertex-gemini"
        return platform
    lowered = model.lower()
    if lowered.startswith("claude"):
        return "anthropic"
    if lowered.startswith(("gpt-", "o1", "o3", "o4", "chatgpt")):
        return "openai"
    if lowered.startswith("gemini"):
        return "gemini"
    return None


# --- volatile calls -------------------------------------------------------------------------
#: Calls whose result changes on every call (inside a function) -> label for messages.
PER_CALL = {
    "datetime.datetime.now": "the current time (datetime.now())",
    "datetime.datetime.utcnow": "the current time (datetime.utcnow())",
    "datetime.datetime.today": "the current date (datetime.today())",
    "datetime.date.today": "the current date (date.today())",
    "time.time": "the current time (time.time())",
    "time.time_ns": "the current time (time.time_ns())",
    "time.strftime": "the current time (time.strftime())",
    "time.localtime": "the current time (time.localtime())",
    "time.gmtime": "the current time (time.gmtime())",
    "time.ctime": "the current time (time.ctime())",
    "time.asctime": "the current time (time.asctime())",
    "time.monotonic": "a clock reading",
    "time.perf_counter": "a clock reading",
    "uuid.uuid1": "a random UUID",
    "uuid.uuid4": "a random UUID",
    "os.urandom": "random bytes",
    "input": "user input",
    "pendulum.now": "the current time (pendulum.now())",
    "arrow.now": "the current time (arrow.now())",
    "arrow.utcnow": "the current time (arrow.utcnow())",
}
PER_CALL_MODULES = {"random": "a random value", "secrets": "a random value"}
#: Calls fixed for a process (environment, host) -> label.
PER_PROCESS = {
    "os.getpid": "the process id",
    "socket.gethostname": "the host name",
    "platform.node": "the host name",
    "getpass.getuser": "the user name",
    "os.getcwd": "the working directory",
}


def volatile_call(qualname: str) -> Optional[Tuple[str, str]]:
    """("call" | "process", label) for a call whose result is not static, else None."""
    if qualname in PER_CALL:
        return "call", PER_CALL[qualname]
    head = qualname.split(".", 1)[0]
    if head in PER_CALL_MODULES and "." in qualname:
        return "call", PER_CALL_MODULES[head] + f" ({qualname.split('.', 1)[1]}())"
    if qualname in PER_PROCESS:
        return "process", PER_PROCESS[qualname]
    return None
