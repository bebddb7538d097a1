"""Generate `cachelint/data/sdk_methods.toml`: the request-sending methods of the LLM SDKs.

Why: cachelint recognises an SDK request by the attribute path taken on a client
(`client.beta.messages.create`). A hand-written list of paths falls behind every SDK release
(raw-response and streaming-response namespaces, beta twins, new endpoints), and a method
missing from it is a request the linter never sees. So the list is derived from the pinned
SDKs' own resource classes, and `tests/test_sdk_methods.py` regenerates it in memory and fails
when an installed SDK has a request method that the committed file lacks.

Usage:

    python scripts/gen_sdk_methods.py            # rewrite cachelint/data/sdk_methods.toml
    python scripts/gen_sdk_methods.py --check    # exit 1 when the file is out of date

How, without any network access: import the SDK and, for every client class cachelint knows
(`Anthropic`, `AsyncAnthropic`, the platform clients; `OpenAI`, `AsyncOpenAI`, the Azure
clients), make an instance with `cls.__new__(cls)`: `__init__` never runs, so no credentials
are looked up, no environment is read and no HTTP client is built. Resources are
`cached_property` objects that only wrap the client object, so the walk reaches them all:
every `cached_property` (resources, nested sub-resources such as `batches`, the
`with_raw_response` / `with_streaming_response` wrappers) is followed recursively, and every
public callable found on the way is a candidate method. Clients that build their resources in
`__init__` (the Bedrock, Bedrock Mantle and Vertex clients; every client of older SDK
releases) declare them as annotated class attributes (`messages: Messages`): those resource
classes are built on the uninitialised client instead. As a last resort the client is
built with a placeholder API key, which still sends nothing.

Which methods belong, decided by the method's signature:

- anthropic, format "anthropic": a *required* `messages` parameter (messages create, stream,
  parse, count_tokens, the beta twins, beta `tool_runner`). Required, because
  `beta.messages.thread()` takes an optional `messages` and sends nothing (it builds a
  server-side thread object);
- anthropic, format "anthropic-batch": a required `requests` parameter (Message Batches,
  whose every entry is a Messages body);
- openai, format "openai-chat": a required `messages` parameter (chat completions create,
  parse, stream and the `beta.chat` twins; the Assistants API's `beta.threads.create` takes
  an optional `messages` and no model);
- openai, format "openai-responses": an `input` parameter together with `instructions` and
  `previous_response_id` (responses create, parse, stream, compact, input_tokens.count and
  the `beta.responses` twins). `input` alone also names embeddings, moderations, speech and
  other endpoints whose body is no prompt.
- `counts_tokens`: the method is named `count_tokens` or `count` (token counting takes the
  request body but generates nothing).

It also lists, per SDK, the client methods that return a copy of the client (`copy`,
`with_options`, `with_middleware`: annotated `-> Self`), so that a request made through
`client.with_options(timeout=5).messages.create(...)` is still seen on that client.

Left out on purpose: legacy text completions (`client.completions.create`, openai; anthropic's
was removed from its SDK) take a bare `prompt=` string, with no system prompt, tools, or
`cache_control` - nothing cachelint checks. Agents, sessions, realtime, images, audio,
embeddings: no prompt request in the formats the rules read.

Paths are written without `with_raw_response` / `with_streaming_response`, which cachelint
looks through (`sdk.clean_path`); `variants` records where the method was found: "sync" and
"async" clients, "raw" and "streaming" response wrappers.

The file's `legacy` part (after the marker line) is hand-maintained: methods of older SDK
releases that real code still calls. This script copies it unchanged.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import inspect
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
DATA_FILE = ROOT / "cachelint" / "data" / "sdk_methods.toml"
#: Everything from this line on is hand-maintained and kept as is by the generator.
LEGACY_MARKER = "# ---- legacy: hand-maintained below this line; gen_sdk_methods.py keeps it as is ----"
WRAPPERS = {"with_raw_response": "raw", "with_streaming_response": "streaming"}
VARIANT_ORDER = ("sync", "async", "raw", "streaming")
#: Client classes walked per SDK (those missing from the installed release are skipped).
CLIENTS: Dict[str, Tuple[str, ...]] = {
    "anthropic": (
        "Anthropic",
        "AnthropicBedrock",
        "AnthropicBedrockMantle",
        "AnthropicVertex",
        "AnthropicFoundry",
        "AnthropicAWS",
        "AnthropicGoogleCloud",
    ),
    "openai": ("OpenAI", "AzureOpenAI"),
}
MAX_DEPTH = 8


@dataclass
class Found:
    """One request method: its body format and where it was found."""

    fmt: str
    counts_tokens: bool
    variants: Set[str] = field(default_factory=set)


def _required(sig: inspect.Signature, name: str) -> bool:
    param = sig.parameters.get(name)
    return param is not None and param.default is inspect.Parameter.empty


def request_format(sdk: str, name: str, sig: inspect.Signature) -> Optional[str]:
    """The body format of a method that sends a prompt request, else None (see the docstring)."""
    params = sig.parameters
    if sdk == "anthropic":
        if _required(sig, "messages"):
            return "anthropic"
        if _required(sig, "requests"):
            return "anthropic-batch"
        return None
    if sdk == "openai":
        if _required(sig, "messages"):
            return "openai-chat"
        if "input" in params and "instructions" in params and "previous_response_id" in params:
            return "openai-responses"
        return None
    raise ValueError(f"unknown SDK {sdk!r}")


def counts_tokens(name: str) -> bool:
    return name in ("count_tokens", "count")


def _is_resource(value: Any) -> bool:
    """An SDK resource object (recognisable by its raw-response wrapper), not a class."""
    return not isinstance(value, type) and hasattr(type(value), "with_raw_response")


def _walk(sdk: str, obj: Any, path: Tuple[str, ...], variants: FrozenSet[str], out: Dict[Tuple[str, ...], Found],
          depth: int = 0) -> int:
    """Record the request methods reachable from `obj`; returns how many attributes it visited."""
    if depth > MAX_DEPTH:
        return 0
    names = set(dir(type(obj)))
    names.update(getattr(obj, "__dict__", {}))
    visited = 0
    for name in sorted(names):
        if name.startswith("_"):
            continue
        try:
            static = inspect.getattr_static(obj, name)
        except AttributeError:
            continue
        # A sub-resource: a cached_property, or a resource object set in `__init__`.
        if isinstance(static, functools.cached_property) or _is_resource(static):
            try:
                sub = getattr(obj, name)
            except Exception:  # a resource that needs the real client: not a request namespace
                continue
            visited += 1
            wrapper = WRAPPERS.get(name)
            sub_path = path if wrapper else path + (name,)
            sub_variants = variants | {wrapper} if wrapper else variants
            visited += _walk(sdk, sub, sub_path, frozenset(sub_variants), out, depth + 1)
            continue
        if isinstance(static, (type, property, staticmethod, classmethod)) or not callable(static):
            continue
        try:
            sig = inspect.signature(getattr(obj, name))
        except (TypeError, ValueError, AttributeError):
            continue
        visited += 1
        fmt = request_format(sdk, name, sig)
        if fmt is None:
            continue
        key = path + (name,)
        found = out.setdefault(key, Found(fmt, counts_tokens(name)))
        if found.fmt != fmt:
            raise SystemExit(f"{sdk}: {'.'.join(key)} has format {found.fmt} in one variant and {fmt} in another")
        found.variants.update(variants)
    return visited


def _declared_resources(cls: type, client: Any) -> Any:
    """`client` with the resources its `__init__` would build, from the class annotations.

    Some clients (the Bedrock and Vertex ones; every client of older SDK releases) build
    their resources in `__init__` (`self.messages = Messages(self)`) and declare them as
    annotated class attributes (`messages: Messages`). A resource only wraps the client
    object, so building each declared resource class on the uninitialised client is enough.
    """
    for klass in reversed(cls.__mro__):
        namespace = vars(sys.modules[klass.__module__]) if klass.__module__ in sys.modules else {}
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            if name.startswith("_") or name in vars(client):
                continue
            try:
                resource = eval(annotation, dict(namespace)) if isinstance(annotation, str) else annotation
            except Exception:  # an annotation naming a type imported under TYPE_CHECKING only
                continue
            # A resource class is recognisable by its raw-response wrapper.
            if isinstance(resource, type) and hasattr(resource, "with_raw_response"):
                try:
                    setattr(client, name, resource(client))
                except Exception:
                    continue
    return client


def _instances(cls: type) -> Iterable[Any]:
    """Client objects to walk, cheapest first; the first that yields methods is used."""
    yield cls.__new__(cls)
    yield _declared_resources(cls, cls.__new__(cls))
    try:
        yield cls(api_key="placeholder-key-no-request-is-sent")
    except Exception:
        return


def client_copies(cls: type) -> Set[str]:
    """Public methods of a client class that return a copy of the client (`-> Self`).

    `client.with_options(timeout=5).messages.create(...)` is a request on the same client;
    cachelint's interpreter keeps the client through these calls (`sdk.returns_client`).
    """
    names: Set[str] = set()
    for name in dir(cls):
        static = inspect.getattr_static(cls, name, None)
        if name.startswith("_") or not inspect.isfunction(static):
            continue
        returns = static.__annotations__.get("return")
        if returns is not None and str(getattr(returns, "__name__", returns)).split(".")[-1] in ("Self", cls.__name__):
            names.add(name)
    return names


@dataclass
class SdkTable:
    """What the generator finds in one installed SDK."""

    version: str
    methods: Dict[Tuple[str, ...], Found]
    client_copies: Set[str]


def sdk_methods(sdk: str) -> SdkTable:
    """The request methods and client-copying methods of one SDK, from its client classes."""
    module = importlib.import_module(sdk)
    out: Dict[Tuple[str, ...], Found] = {}
    copies: Set[str] = set()
    for base in CLIENTS[sdk]:
        for name, variant in ((base, "sync"), ("Async" + base, "async")):
            cls = getattr(module, name, None)
            if not isinstance(cls, type):
                continue
            copies |= client_copies(cls)
            for client in _instances(cls):
                found: Dict[Tuple[str, ...], Found] = {}
                _walk(sdk, client, (), frozenset({variant}), found)
                if found:
                    for key, item in found.items():
                        merged = out.setdefault(key, Found(item.fmt, item.counts_tokens))
                        merged.variants.update(item.variants)
                    break
    return SdkTable(str(getattr(module, "__version__", "unknown")), out, copies)


def _toml_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def render_generated(tables: Dict[str, SdkTable]) -> str:
    """The generated part of the data file (everything before the legacy marker)."""
    lines = [
        "# The request-sending methods of the LLM SDKs, by attribute path on a client.",
        "#",
        "# GENERATED by scripts/gen_sdk_methods.py from the installed SDKs (see its docstring for",
        "# the rule that picks the methods); do not edit the [generated.*] tables by hand. Rerun",
        "# the script after upgrading an SDK; tests/test_sdk_methods.py fails until you do.",
        "#",
        "# path: attributes from the client, without with_raw_response / with_streaming_response",
        "#   (cachelint looks through those); format: the request body it takes; counts_tokens: a",
        "#   token-counting call (same body, generates nothing); variants: where the method exists",
        "#   (sync / async client, raw / streaming response wrappers).",
        "# client_copies: client methods that return a copy of the client (`-> Self`), through",
        "#   which a request is still made on that client: `client.with_options(...).messages.create`.",
        "",
    ]
    for sdk, table in tables.items():
        lines.append(f"[generated.{sdk}]")
        lines.append(f'version = "{table.version}"')
        lines.append(f"client_copies = {_toml_list(sorted(table.client_copies))}")
        lines.append("methods = [")
        for path in sorted(table.methods):
            found = table.methods[path]
            variants = [v for v in VARIANT_ORDER if v in found.variants]
            lines.append(
                f'    {{ path = {_toml_list(path)}, format = "{found.fmt}", '
                f"counts_tokens = {'true' if found.counts_tokens else 'false'}, variants = {_toml_list(variants)} }},"
            )
        lines.append("]")
        lines.append("")
    return "\n".join(lines)


def legacy_part(text: str) -> str:
    """The hand-maintained tail of an existing data file, marker line included."""
    index = text.find(LEGACY_MARKER)
    if index < 0:
        raise SystemExit(f"{DATA_FILE}: the legacy marker line is missing; restore it before regenerating")
    return text[index:]


def generate(sdks: Iterable[str] = ("anthropic", "openai")) -> Dict[str, SdkTable]:
    return {sdk: sdk_methods(sdk) for sdk in sdks}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the data file is out of date")
    args = parser.parse_args(argv)
    current = DATA_FILE.read_text(encoding="utf-8")
    text = render_generated(generate()) + "\n" + legacy_part(current)
    if args.check:
        if text != current:
            print(f"{DATA_FILE.relative_to(ROOT)} is out of date: run scripts/gen_sdk_methods.py", file=sys.stderr)
            return 1
        return 0
    if text != current:
        DATA_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {DATA_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
