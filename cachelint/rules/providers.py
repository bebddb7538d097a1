"""What the Gemini and OpenAI rules share: reading request fields whose value is certain,
the explicit Gemini caches a request uses, and removing or replacing one field safely.

Claude's caching markup sits on blocks (`support`); Gemini's explicit caching and OpenAI's
cache options are request fields instead (`config.cached_content`, `prompt_cache_options`),
so these rules look at one field of the request body and where it was written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, List, Optional, Tuple

from cachelint.analysis.request import Request
from cachelint.analysis.values import (
    Const,
    DictV,
    Entry,
    Guard,
    ListV,
    ResponseV,
    Str,
    Value,
    options_of,
    satisfiable,
)
from cachelint.diagnostics import Edit
from cachelint.fixes import FixUnavailable, remove_call_keyword_edit, remove_dict_entry_edit, replace_string_edit

if TYPE_CHECKING:  # pragma: no cover
    from cachelint.context import FileContext

GEMINI_PLATFORMS = ("gemini", "vertex-gemini")
OPENAI_PLATFORMS = ("openai", "azure-openai")
#: Fields of `GenerateContentConfig` a request that uses an explicit cache must not set: they
#: belong in `CreateCachedContentConfig` (the API answers 400 INVALID_ARGUMENT otherwise).
CACHE_OWNED_FIELDS = ("system_instruction", "tools", "tool_config")


def goes_only_to(request: Request, platforms: Iterable[str]) -> bool:
    """Every platform the request may reach is one of `platforms`, and is known."""
    allowed = set(platforms)
    return bool(request.platforms) and all(p.known and p.name in allowed for p in request.platforms)


def config_of(request: Request) -> Optional[DictV]:
    """The `config=` of a google-genai request (`GenerateContentConfig` or a dict)."""
    config = request.args.get("config")
    return config if isinstance(config, DictV) else None


def is_set(value: Value) -> bool:
    """The value is certainly present on the wire (not None, not empty, not unknown)."""
    if isinstance(value, Str):
        return value.text != "" and (value.text is not None or bool(value.parts))
    if isinstance(value, ResponseV):
        return True
    if isinstance(value, DictV):
        return bool(value.entries) or bool(value.open)
    if isinstance(value, ListV):
        return bool(value.items)
    if isinstance(value, Const):
        return value.value is not None and value.value != "" and value.value is not False
    return False


def set_guards(entry: Optional[Entry]) -> List[Guard]:
    """The conditions under which a dict entry is sent with a certainly present value."""
    if entry is None:
        return []
    return [entry.guard + guard for option, guard in options_of(entry.value) if is_set(option)]


def jointly(request: Request, *guard_lists: List[Guard]) -> bool:
    """Some path sets all of the fields (one guard of each list holds at once)."""
    combos: List[Guard] = [request.path_guard]
    for guards in guard_lists:
        combos = [c + g for c in combos for g in guards if satisfiable(c + g)]
        if not combos:
            return False
    return True


def cache_requests(request: Request) -> Optional[List[Request]]:
    """The `caches.create` requests whose cache a `generate_content` request uses, or None
    when the `cached_content` value does not come from one the analysis saw."""
    config = config_of(request)
    entry = config.entries.get("cached_content") if config is not None else None
    if entry is None:
        return None
    found: List[Request] = []
    for option, _ in options_of(entry.value):
        if not isinstance(option, ResponseV) or option.api.rsplit(".", 2)[-2:] != ["caches", "create"]:
            return None
        if option.attrs not in (("name",),):
            return None
        found.extend(r for r in option.origin if isinstance(r, Request))
    return found or None


def entry_text(ctx: "FileContext", entry: Entry) -> Optional[str]:
    """The source text of an entry's value, for comparing two fields."""
    span = entry.value.span
    if span is None:
        return None
    src = ctx.load_source(span.path)
    return src.text[span.start : span.end] if src is not None else None


def same_value(ctx: "FileContext", a: Entry, b: Entry) -> bool:
    """The two entries send the same value: one expression, or equal known text."""
    if a.value is b.value or (a.value.span is not None and a.value.span == b.value.span):
        return True
    if isinstance(a.value, Str) and isinstance(b.value, Str) and a.value.text is not None:
        return a.value.text == b.value.text
    if isinstance(a.value, ListV) and isinstance(b.value, ListV) and len(a.value.items) == len(b.value.items):
        # `tools=[LOOKUP]` in both places: the same tool objects (one module constant)
        pairs = zip(a.value.items, b.value.items)
        if all(x.value is y.value and not x.many and not y.many for x, y in pairs):
            return True
    text_a, text_b = entry_text(ctx, a), entry_text(ctx, b)
    return text_a is not None and text_a == text_b and text_a.isidentifier()


def written_here(request: Request, holder: DictV) -> bool:
    """The dict (or `Config(...)` call) was written by the code that builds this request,
    not by a helper shared with other requests, and not in a loop."""
    literal = holder.literal
    if literal is None or literal.in_loop:
        return False
    return literal.module_level or literal.frame in request.frame_tokens


def remove_field_edit(ctx: "FileContext", request: Request, holder: DictV, key: str) -> Optional[Edit]:
    """The edit removing `key` from the dict display or `Config(...)` call `holder`."""
    entry = holder.entries.get(key)
    literal = holder.literal
    if entry is None or literal is None or entry.cond or not written_here(request, holder):
        return None
    if entry.key_span is None or not literal.span.contains(entry.key_span):
        return None  # written by a later statement (`config["tools"] = ...`), not in the display
    src = ctx.load_source(literal.span.path)
    if src is None:
        return None
    try:
        if literal.kind == "dict":
            return remove_dict_entry_edit(src, literal.span.start, literal.span.end, key)
        if literal.kind == "dict-call":
            return remove_call_keyword_edit(src, literal.span.start, literal.span.end, key)
    except FixUnavailable:
        return None
    return None


def replace_literal_edit(ctx: "FileContext", value: Value, new: str) -> Optional[Edit]:
    """Replace a string literal's text (keeping its quotes)."""
    if not isinstance(value, Str) or value.text is None or value.span is None:
        return None
    src = ctx.load_source(value.span.path)
    if src is None:
        return None
    try:
        return replace_string_edit(src, value.span.start, value.span.end, new)
    except FixUnavailable:
        return None


# --- OpenAI -----------------------------------------------------------------------------------------
#: `prompt_cache_options.ttl` values each API's types allow (openai-python 3.63:
#: `completion_create_params.PromptCacheOptions.ttl: Literal["30m"]`,
#: `response_create_params.PromptCacheOptions.ttl: Literal["30m", "12h"]`).
OPTIONS_TTLS = {"openai-chat": ("30m",), "openai-responses": ("30m", "12h")}
#: `prompt_cache_breakpoint.ttl` (`PromptCacheBreakpoint.ttl: Literal["30m", "12h"]`, both APIs).
BREAKPOINT_TTLS = ("30m", "12h")
#: `prompt_cache_retention: Optional[Literal["in_memory", "24h"]]`
RETENTIONS = ("in_memory", "24h")
#: How many breakpoints one request writes (`PromptCacheOptions.mode` docstring): "With
#: `implicit`, OpenAI creates one implicit breakpoint and writes up to the latest three
#: explicit breakpoints in the request. With `explicit`, ... up to the latest four".
WRITTEN = {"implicit": 3, "explicit": 4}


def is_openai_request(request: Request) -> bool:
    """An OpenAI Chat Completions or Responses request that certainly reaches OpenAI."""
    return request.fmt in OPTIONS_TTLS and goes_only_to(request, OPENAI_PLATFORMS)


def body_entry(request: Request, name: str) -> Optional[Entry]:
    """The request field `name`, from the call's keywords (or the body dict) or `extra_body`."""
    body = request.args.get("request_body")
    if not isinstance(body, DictV):
        return None
    entry = body.entries.get(name)
    if entry is None:
        extra = body.get("extra_body")
        if isinstance(extra, DictV):
            entry = extra.entries.get(name)
    return entry


def cache_mode(request: Request) -> Tuple[Optional[str], bool]:
    """(`prompt_cache_options.mode` as sent, whether it is known): ("implicit", True) when
    the options or the mode are left out (the default)."""
    entry = body_entry(request, "prompt_cache_options")
    if entry is None:
        return "implicit", True
    options = entry.value
    if entry.cond or not isinstance(options, DictV) or options.open:
        return None, False
    mode = options.entries.get("mode")
    if mode is None:
        return "implicit", True
    if mode.cond or not isinstance(mode.value, Str) or mode.value.text is None:
        return None, False
    return mode.value.text, True


def sees_every_part(request: Request) -> bool:
    """The analysis saw every content part the request sends (so "no breakpoint" is certain)."""
    if request.incomplete or request.hidden_markers:
        return False
    for piece in request.pieces:
        if piece.may_mark or piece.tokens is None and piece.block_type is None:
            return False
    return True
