"""CL007: a `cache_control` or `cachePoint` value the provider rejects."""

from __future__ import annotations

import ast
import re
from typing import Iterator, Optional, Tuple

from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Fix
from cachelint.fixes import FixUnavailable, replace_string_edit
from cachelint.rule import Invalid, Rule, Valid

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
    Checks literal caching markers: `cache_control` must be `{"type": "ephemeral"}` with an
    optional `"ttl"` of `"5m"` or `"1h"`; a Bedrock Converse `cachePoint` must have
    `"type": "default"` and the same optional TTLs.

    ## Why is this bad?
    `"ephemeral"` is the only cache type and `"5m"`/`"1h"` the only TTLs. Any other value
    (`{"type": "persistent"}`, `ttl="10m"`) makes the provider reject the whole request
    with HTTP 400 (Bedrock: `ValidationException`), so the call fails, not just the cache.

    ## Fix safety
    The fix is safe: it changes only the marker (a bad type becomes `"ephemeral"` or
    `"default"`; a bad TTL becomes `"5m"` when it asked for five minutes or less, else
    `"1h"`), and the request as written could not succeed. A TTL that is not a duration
    gets no fix.

    ## References
    - [Prompt caching](https://platform.claude.com/docs/en/build-with-claude/prompt-caching)
    - `CacheControlEphemeralParam` in the anthropic SDK; `CachePointBlock` in the Bedrock
      Runtime API reference
    """

    code = "CL007"
    name = "invalid-cache-control"
    summary = "A cache_control or cachePoint value that the provider rejects."
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
        ),
        Invalid(
            """
            system = [{"text": "..."}, {"cachePoint": {"type": "ephemeral"}}]
            """,
            expected_message='cachePoint type "ephemeral"',
            expected_fix="""
            system = [{"text": "..."}, {"cachePoint": {"type": "default"}}]
            """,
        ),
        Invalid(
            """
            marker = dict(cache_control=dict(type="ephemeral", ttl="forever"))
            """,
            expected_message='ttl "forever"',
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
    ]

    def check_module(self, ctx: FileContext) -> None:
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
                fix = Fix(Applicability.SAFE, title, (edit,))
        ctx.report(self, start, end, message, fix=fix, fix_title=title)
