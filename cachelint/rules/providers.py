"""What the Gemini and OpenAI rules share: reading request fields whose value is certain,
the explicit Gemini caches a request uses, and removing or replacing one field safely.

Claude's caching markup sits on blocks (`support`); Gemini's explicit caching and OpenAI's
cache options are request fields instead (`config.cached_content`, `prompt_cache_options`),
so these rules look at one field of the request body and where it was written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from cachelint.analysis.request import Request
from cachelint.analysis.values import (
    DictV,
    Entry,
    ListV,
    Str,
    Value,
)
from cachelint.analysis.request_fields import (  # noqa: F401 (the rules read them from here)
    GEMINI_PLATFORMS,
    OPENAI_PLATFORMS,
    CACHE_OWNED_FIELDS,
    goes_only_to,
    config_of,
    is_set,
    set_guards,
    jointly,
    cache_requests,
    OPTIONS_TTLS,
    BREAKPOINT_TTLS,
    RETENTIONS,
    WRITTEN,
    is_openai_request,
    body_entry,
    cache_mode,
    sees_every_part,
)
from cachelint.diagnostics import Edit
from cachelint.fix.edits import FixUnavailable, remove_call_keyword_edit, remove_dict_entry_edit, replace_string_edit

if TYPE_CHECKING:  # pragma: no cover
    from cachelint.context import FileContext

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


