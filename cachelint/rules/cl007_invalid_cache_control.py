"""CL007: a `cache_control` or `cachePoint` value the provider rejects."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import Iterator, Optional, Tuple

from cachelint.analysis.request import Marker, Piece, Request
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Fix
from cachelint.fix.edits import (
    FixUnavailable,
    combine_edits,
    remove_dict_entry_edit,
    replace_string_edit,
)
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import support

VALID_TTLS = ("5m", "1h")
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?)?\s*$")


def _duration_seconds(text: str) -> Optional[float]:
    match = _DURATION_RE.match(text.lower())
    if not match:
        return None
    number = float(match.group(1))
    unit = (match.group(2) or "s")[0]
    return number * {"s": 1, "m": 60, "h": 3600}[unit]


def closest_ttl(text: str) -> Optional[str]:
    """The valid TTL a bad one most likely meant: up to five minutes is "5m", longer "1h"."""
    seconds = _duration_seconds(text)
    if seconds is None:
        return None
    return "5m" if seconds <= 300 else "1h"


def _str_key(node: Optional[ast.expr]) -> Optional[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _marker_entries(value: ast.expr) -> Iterator[Tuple[str, ast.expr]]:
    """(key, value node) of a literal marker written as `{...}` or `dict(...)`."""
    if isinstance(value, ast.Dict):
        for key, item in zip(value.keys, value.values):
            name = _str_key(key)
            if name is not None:
                yield name, item
    elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict":
        for kw in value.keywords:
            if kw.arg is not None:
                yield kw.arg, kw.value


def literal_markers(tree: ast.AST) -> Iterator[Tuple[str, ast.expr]]:
    """Every literal `cache_control`/`cachePoint` value in a module, with its field name.

    Found as a dict entry (`"cache_control": {...}`), a keyword argument
    (`cache_control={...}`) or a subscript assignment (`block["cache_control"] = {...}`).
    """
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                name = _str_key(key)
                if name in ("cache_control", "cachePoint"):
                    yield name, value
        elif isinstance(node, ast.keyword) and node.arg in ("cache_control", "cachePoint"):
            yield node.arg, node.value
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript):
                    name = _str_key(target.slice)  # type: ignore[arg-type]
                    if name in ("cache_control", "cachePoint"):
                        yield name, node.value


class InvalidCacheControl(Rule):
    """A `cache_control` or Bedrock `cachePoint` with a value the API does not accept.

    ## What it does
    Checks caching markers for values and places the provider does not accept:
    - `cache_control` must be `{"type": "ephemeral"}` with an optional `"ttl"` of `"5m"` or
      `"1h"`; a Bedrock Converse `cachePoint` must have `"type": "default"` and the same
      optional TTLs (checked on every literal marker in the file);
    - a marker on a `thinking` or `redacted_thinking` block, or on an empty text block, of a
      request (those blocks cannot carry one);
    - a marker on a message whose content is a plain string: a breakpoint belongs to a
      content block, so on the message object it is rejected (Anthropic's format) or
      silently ignored (OpenAI-style bodies sent to OpenRouter or litellm).

    ## Why is this bad?
    `"ephemeral"` is the only cache type and `"5m"`/`"1h"` the only TTLs. Any other value
    (`{"type": "persistent"}`, `ttl="10m"`) makes the provider reject the whole request
    with HTTP 400 (Bedrock: `ValidationException`), so the call fails, not just the cache.
    Thinking blocks and empty text blocks reject markers the same way ("Extra inputs are
    not permitted", "cache_control cannot be set for empty text blocks"). A marker on a
    string-content message caches nothing.

    ## Fix safety
    Each fix changes only the marker, and the request as written could not succeed; what
    decides its safety is what the repaired request costs:

    | Fix | Safety | Why |
    |---|---|---|
    | a bad `type` becomes `"ephemeral"` (`"default"` for `cachePoint`) | safe | the default 5-minute write, 1.25x input |
    | a bad TTL of five minutes or less becomes `"5m"` | safe | the default price, no longer than asked |
    | a bad TTL above five minutes (`"10m"`) becomes `"1h"` | unsafe | an hour-long write costs 2x input instead of 1.25x: opt in with `--unsafe-fixes` (or write `"5m"` by hand to keep the default price) |
    | a marker on a string-content message moves onto the content | safe | the same text as a one-block list |

    A TTL that is not a duration gets no fix. Markers on thinking or empty blocks are only
    reported: removing a breakpoint is a choice.

    ## References
    - [Prompt caching](https://platform.claude.com/docs/en/build-with-claude/prompt-caching)
    - `CacheControlEphemeralParam` in the anthropic SDK; `CachePointBlock` in the Bedrock
      Runtime API reference
    """

    code = "CL007"
    name = "invalid-cache-control"
    summary = "A cache_control or cachePoint value, or place, that the provider rejects or ignores."
    fix_applicability = Applicability.SAFE
    fix_availability = "sometimes"

    examples = [
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()
            SYSTEM = [{"type": "text", "text": "You are terse.", "cache_control": {"type": "persistent"}}]
            """,
            expected_message='type "persistent"',
            expected_fix="""
            import anthropic

            client = anthropic.Anthropic()
            SYSTEM = [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}]
            """,
            ranges=["4:80-4:92"],
        ),
        Invalid(
            """
            block = {"type": "text", "text": "..."}
            block["cache_control"] = {"type": "ephemeral", 'ttl': '10m'}
            """,
            expected_message='ttl "10m"',
            expected_fix="""
            block = {"type": "text", "text": "..."}
            block["cache_control"] = {"type": "ephemeral", 'ttl': '1h'}
            """,
            ranges=["2:55-2:60"],
        ),
        Invalid(
            """
            system = [{"text": "..."}, {"cachePoint": {"type": "ephemeral"}}]
            """,
            expected_message='cachePoint type "ephemeral"',
            expected_fix="""
            system = [{"text": "..."}, {"cachePoint": {"type": "default"}}]
            """,
            ranges=["1:52-1:63"],
        ),
        Invalid(
            """
            marker = dict(cache_control=dict(type="ephemeral", ttl="forever"))
            """,
            expected_message='ttl "forever"',
            ranges=["1:56-1:65"],
        ),
        Valid(
            """
            system = [{"type": "text", "text": "...", "cache_control": {"type": "ephemeral", "ttl": "1h"}}]
            tools = [{"toolSpec": {"name": "t"}}, {"cachePoint": {"type": "default", "ttl": "5m"}}]
            """,
            use_instead=True,
        ),
        Valid(
            """
            # A marker whose values are not literals is not checked here.
            block["cache_control"] = {"type": CACHE_TYPE, "ttl": settings.ttl}
            """
        ),
        Invalid(
            """
            import litellm

            RULES = "Answer from the knowledge base only."


            def ask(question: str):
                return litellm.completion(
                    model="anthropic/claude-sonnet-4-5",
                    messages=[
                        {"role": "system", "content": RULES, "cache_control": {"type": "ephemeral"}},
                        {"role": "user", "content": question},
                    ],
                )
            """,
            expected_message="plain string",
            expected_fix="""
            import litellm

            RULES = "Answer from the knowledge base only."


            def ask(question: str):
                return litellm.completion(
                    model="anthropic/claude-sonnet-4-5",
                    messages=[
                        {"role": "system", "content": [{"type": "text", "text": RULES, "cache_control": {"type": "ephemeral"}}]},
                        {"role": "user", "content": question},
                    ],
                )
            """,
            title="A marker on a message with string content",
            ranges=["10:50-10:88"],
        ),
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def follow_up(thinking: str, signature: str, question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=2000,
                    thinking={"type": "enabled", "budget_tokens": 1024},
                    messages=[
                        {"role": "user", "content": "Plan the migration."},
                        {"role": "assistant", "content": [
                            {"type": "thinking", "thinking": thinking, "signature": signature,
                             "cache_control": {"type": "ephemeral"}},
                        ]},
                        {"role": "user", "content": question},
                    ],
                )
            """,
            expected_message="thinking block",
            title="A marker on a thinking block",
            ranges=["15:18-15:56"],
        ),
    ]

    def check_module(self, ctx: FileContext) -> None:
        text = ctx.source.text
        if "cache_control" not in text and "cachePoint" not in text:
            return  # no marker to check: spare the walk of every node (large modules)
        for field_name, value in literal_markers(ctx.tree):
            expected_type = "ephemeral" if field_name == "cache_control" else "default"
            for key, node in _marker_entries(value):
                text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
                if text is None:
                    continue
                if key == "type" and text != expected_type:
                    self._report(
                        ctx,
                        node,
                        f'{field_name} type "{text}" is not valid: the only type is "{expected_type}"; '
                        "the provider rejects the request",
                        expected_type,
                        f'Use type "{expected_type}"',
                    )
                elif key == "ttl" and text not in VALID_TTLS:
                    ttl = closest_ttl(text)
                    self._report(
                        ctx,
                        node,
                        f'{field_name} ttl "{text}" is not valid: use "5m" or "1h"; '
                        "the provider rejects the request",
                        ttl,
                        f'Use ttl "{ttl}"' if ttl else None,
                    )

    def check_request(self, request: Request, ctx: FileContext) -> None:
        for piece in request.pieces:
            marker = piece.marker
            if marker is None or marker.field == "cachePoint":
                continue
            if marker.field == "cache_control@message" and piece.string_content:
                self._message_level(ctx, request, piece, marker)
            elif piece.block_type in ("thinking", "redacted_thinking"):
                self._report_marker(ctx, request, marker,
                                    f"cache_control on a {piece.block_type} block: the API rejects it with HTTP 400 "
                                    "(\"Extra inputs are not permitted\"); put the breakpoint on another block")
            elif piece.empty_text:
                self._report_marker(ctx, request, marker,
                                    "cache_control on an empty text block: the API rejects it with HTTP 400 "
                                    "(\"cache_control cannot be set for empty text blocks\")")

    def _report_marker(self, ctx: FileContext, request: Request, marker: Marker, message: str, fix: Optional[Fix] = None) -> None:
        support.report(ctx, self, request, marker.entry_span or marker.span, message, fix=fix)

    def _message_level(self, ctx: FileContext, request: Request, piece: Piece, marker: Marker) -> None:
        effect = ("the API rejects the request" if request.fmt == "anthropic"
                  else "it is ignored and nothing is cached")
        message = (f"cache_control on a message whose content is a plain string: {effect}; a breakpoint must be on a "
                   "content block (make the content a list of blocks)")
        fix = None
        literal, entry = marker.container, marker.entry_span
        value_src = support.marker_source(ctx, marker)
        if (literal is not None and entry is not None and value_src is not None and not literal.in_loop
                and (literal.module_level or literal.frame in request.frame_tokens) and literal.span.contains(entry)):
            src = ctx.load_source(entry.path)
            try:
                removal = remove_dict_entry_edit(src, literal.span.start, literal.span.end, "cache_control") if src else None
                plain = replace(piece, marker=None)
                added = support.marker_edits(ctx, request, plain, value_src, allow_param=True)
                if src is not None and removal is not None and added and all(a.path == removal.path for a in added):
                    fix = Fix(Applicability.SAFE, "Move cache_control onto the message's content block",
                              tuple(combine_edits(src, [removal, *added])))
            except FixUnavailable:
                fix = None
        self._report_marker(ctx, request, marker, message, fix)

    def _report(
        self, ctx: FileContext, node: ast.expr, message: str, replacement: Optional[str], title: Optional[str]
    ) -> None:
        start, end = ctx.node_range(node)
        fix = None
        if replacement is not None and title is not None:
            src = ctx.load_source(ctx.path)
            try:
                edit = replace_string_edit(src, start, end, replacement) if src is not None else None
            except FixUnavailable:
                edit = None
            if edit is not None:
                # a one-hour write costs 2x input, not the default 1.25x: the user opts in
                costly = replacement == "1h"
                fix = Fix(Applicability.UNSAFE if costly else Applicability.SAFE,
                          f"{title} (a 1-hour cache write costs 2x input instead of 1.25x)" if costly else title, (edit,))
        ctx.report(self, start, end, message, fix=fix, fix_title=fix.message if fix is not None else title)
