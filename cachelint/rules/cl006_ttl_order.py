"""CL006: a 1-hour cache breakpoint after a 5-minute one."""

from __future__ import annotations

from typing import List, Optional, Tuple

from cachelint.analysis.request import Marker, Piece, Request
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Edit, Fix, Severity
from cachelint.fix.edits import FixUnavailable, add_dict_entry_edit, parse_snippet_expression, replace_string_edit
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import support


def ordered_markers(request: Request) -> List[Tuple[Optional[Piece], Marker]]:
    """Breakpoints in the order the provider processes them (tools, system, messages),
    the top-level one last (it lands on the last block); conditional or repeated ones
    and TTLs that are not literals are left out: their order cannot be judged."""
    out: List[Tuple[Optional[Piece], Marker]] = []
    for piece in request.pieces:
        marker = piece.marker
        if marker is not None and not marker.cond and marker.ttl != "?":
            out.append((piece, marker))
    top = request.top_level
    if top is not None and not top.cond and top.ttl != "?":
        out.append((None, top))
    return out


class TtlOrder(Rule):
    """A breakpoint with `ttl: "1h"` comes after one with the default 5-minute TTL.

    ## What it does
    Reads the breakpoints of each Claude request (and the `cachePoint`s of a Bedrock
    Converse request) in the order the provider processes them: tools, then system, then
    messages, the top-level automatic marker last. A marker without `ttl` lasts five
    minutes. It reports a `"1h"` marker that follows a five-minute one.

    ## Why is this bad?
    Longer-lived entries must come first. The API rejects the request with HTTP 400:
    "a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block"
    (Bedrock: a `ValidationException`).

    ## Fix safety
    Only TTLs change, never the prompt. The fix picks the cheaper repair and says which:
    when the prefix kept by the earlier 5-minute breakpoints is smaller than the part the
    1-hour breakpoint protects, it raises the earlier ones to `"1h"`; otherwise, or when
    sizes are unknown, it lowers the later one to `"5m"`. Lowering is safe (cheaper writes,
    the default lifetime). Raising is unsafe: an hour-long write costs 2x input instead of
    1.25x, so a user opts in with `--unsafe-fixes`. A marker value shared with other
    breakpoints (a module constant) is not edited.

    ## References
    - [Prompt caching: 1-hour cache duration](https://platform.claude.com/docs/en/build-with-claude/prompt-caching)
    - [claude-code#37842](https://github.com/anthropics/claude-code/issues/37842)
    """

    code = "CL006"
    name = "ttl-order"
    summary = "A 1-hour cache breakpoint comes after a 5-minute one; the API rejects the request."
    severity = Severity.ERROR
    fix_applicability = Applicability.SAFE
    fix_availability = "sometimes"

    examples = [
        Invalid(
            """
            import anthropic

            BOOK = "The complete style book of the newsroom. " * 600
            client = anthropic.Anthropic()


            def edit(article: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=2000,
                    system=[
                        {"type": "text", "text": "You are a copy editor.", "cache_control": {"type": "ephemeral"}},
                        {"type": "text", "text": BOOK, "cache_control": {"type": "ephemeral", "ttl": "1h"}},
                    ],
                    messages=[{"role": "user", "content": article}],
                )
            """,
            expected_message="raising the earlier breakpoint",
            expected_fix="""
            import anthropic

            BOOK = "The complete style book of the newsroom. " * 600
            client = anthropic.Anthropic()


            def edit(article: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=2000,
                    system=[
                        {"type": "text", "text": "You are a copy editor.", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
                        {"type": "text", "text": BOOK, "cache_control": {"type": "ephemeral", "ttl": "1h"}},
                    ],
                    messages=[{"role": "user", "content": article}],
                )
            """,
            title="A small 5-minute prefix before a large 1-hour block: raise it",
            ranges=["13:61-13:95"],
        ),
        Invalid(
            """
            import anthropic

            BOOK = "The complete style book of the newsroom. " * 600
            client = anthropic.Anthropic()


            def edit(article: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=2000,
                    system=[{"type": "text", "text": BOOK, "cache_control": {"type": "ephemeral", "ttl": "5m"}}],
                    messages=[{"role": "user", "content": [
                        {"type": "text", "text": article, "cache_control": {"type": "ephemeral", "ttl": "1h"}},
                    ]}],
                )
            """,
            expected_message="lowering the later breakpoint",
            expected_fix="""
            import anthropic

            BOOK = "The complete style book of the newsroom. " * 600
            client = anthropic.Anthropic()


            def edit(article: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=2000,
                    system=[{"type": "text", "text": BOOK, "cache_control": {"type": "ephemeral", "ttl": "5m"}}],
                    messages=[{"role": "user", "content": [
                        {"type": "text", "text": article, "cache_control": {"type": "ephemeral", "ttl": "5m"}},
                    ]}],
                )
            """,
            title="A large 5-minute prefix before a 1-hour message: lower the later one",
            ranges=["13:64-13:98"],
        ),
        Invalid(
            """
            import boto3

            runtime = boto3.client("bedrock-runtime")
            RULES = "Follow the runbook. " * 400


            def triage(alert: str):
                return runtime.converse(
                    modelId="us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                    system=[{"text": RULES}, {"cachePoint": {"type": "default"}}],
                    messages=[{"role": "user", "content": [{"text": alert}, {"cachePoint": {"type": "default", "ttl": "1h"}}]}],
                )
            """,
            expected_message="cachePoint",
            title="Bedrock Converse cachePoints follow the same rule",
            expected_fix="""
            import boto3

            runtime = boto3.client("bedrock-runtime")
            RULES = "Follow the runbook. " * 400


            def triage(alert: str):
                return runtime.converse(
                    modelId="us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                    system=[{"text": RULES}, {"cachePoint": {"type": "default"}}],
                    messages=[{"role": "user", "content": [{"text": alert}, {"cachePoint": {"type": "default", "ttl": "5m"}}]}],
                )
            """,
            ranges=["11:80-11:112"],
        ),
        Valid(
            """
            import anthropic

            BOOK = "The complete style book of the newsroom. " * 600
            client = anthropic.Anthropic()


            def edit(article: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=2000,
                    system=[{"type": "text", "text": BOOK, "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
                    messages=[{"role": "user", "content": [
                        {"type": "text", "text": article, "cache_control": {"type": "ephemeral"}},
                    ]}],
                )
            """,
            use_instead=True,
            title="1-hour first, 5-minute later",
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def edit(article: str, ttl: str):
                return client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=2000,
                    system=[{"type": "text", "text": "Copy editor.", "cache_control": {"type": "ephemeral"}}],
                    messages=[{"role": "user", "content": [
                        {"type": "text", "text": article, "cache_control": {"type": "ephemeral", "ttl": ttl}},
                    ]}],
                )
            """,
            title="A TTL chosen at run time cannot be judged",
        ),
    ]

    def check_request(self, request: Request, ctx: FileContext) -> None:
        if not (support.is_claude_request(request) or request.fmt == "converse") or request.hidden_markers:
            return
        markers = ordered_markers(request)
        first_short = next((i for i, (_, m) in enumerate(markers) if m.effective_ttl == "5m"), None)
        if first_short is None:
            return
        late_long = [i for i, (_, m) in enumerate(markers) if i > first_short and m.effective_ttl == "1h"]
        if not late_long:
            return
        field = "cachePoint" if markers[late_long[0]][1].field == "cachePoint" else "cache_control"
        _, bad = markers[late_long[0]]
        fix, choice = self._fix(ctx, request, markers, first_short, late_long)
        message = (
            f"A {field} with ttl \"1h\" ({support.where(ctx, bad.span)}) comes after one with the 5-minute TTL "
            f"({support.where(ctx, markers[first_short][1].span)}): the API processes tools, system, messages in order "
            "and rejects a 1-hour breakpoint after a 5-minute one with HTTP 400"
        )
        if choice:
            message += f"; {choice}"
        support.report(ctx, self, request, bad.span, message, fix=fix, fix_title=fix.message if fix else "Order the TTLs 1h before 5m")

    def _fix(self, ctx: FileContext, request: Request, markers: List[Tuple[Optional[Piece], Marker]],
             first_short: int, late_long: List[int]) -> Tuple[Optional[Fix], str]:
        last_long = late_long[-1]
        shorts_before = [i for i in range(last_long) if markers[i][1].effective_ttl == "5m"]
        raise_ok = self._prefix_tokens(request, markers, shorts_before[-1]) if shorts_before else None
        protected = self._segment_tokens(request, markers, shorts_before[-1], last_long) if shorts_before else None
        if raise_ok is not None and protected is not None and raise_ok < protected:
            edits = self._set_ttl(ctx, request, [markers[i][1] for i in shorts_before], "1h")
            choice = (f"raising the earlier breakpoint{'s' if len(shorts_before) > 1 else ''} to \"1h\" costs a 2x write on "
                      f"~{raise_ok:,} tokens instead of 1.25x, less than losing the hour on the ~{protected:,} tokens after them")
            if edits:
                return Fix(Applicability.UNSAFE, "Raise the earlier breakpoints to ttl \"1h\" (a 1-hour cache write "
                           "costs 2x input instead of 1.25x)", tuple(edits)), choice
            return None, choice
        edits = self._set_ttl(ctx, request, [markers[i][1] for i in late_long], "5m")
        choice = "lowering the later breakpoint to \"5m\" keeps writes at 1.25x input"
        if edits:
            return Fix(Applicability.SAFE, "Lower the later breakpoint to ttl \"5m\"", tuple(edits)), choice
        return None, choice

    @staticmethod
    def _index(request: Request, marker: Marker) -> Optional[int]:
        for i, piece in enumerate(request.pieces):
            if piece.marker is marker:
                return i
        return None

    def _prefix_tokens(self, request: Request, markers: List[Tuple[Optional[Piece], Marker]], k: int) -> Optional[int]:
        index = self._index(request, markers[k][1])
        return request.prefix_tokens(index) if index is not None else None

    def _segment_tokens(self, request: Request, markers: List[Tuple[Optional[Piece], Marker]], a: int, b: int) -> Optional[int]:
        start = self._index(request, markers[a][1])
        end = self._index(request, markers[b][1])
        if start is None or end is None:
            return None
        total = 0
        for piece in request.pieces[start + 1 : end + 1]:
            if piece.tokens is None:
                return None
            total += piece.tokens
        return total

    def _set_ttl(self, ctx: FileContext, request: Request, targets: List[Marker], ttl: str) -> List[Edit]:
        """Edits giving each marker `ttl`, or [] when one of them cannot be edited alone."""
        edits: List[Edit] = []
        spans = [m.span for _, m in ordered_markers(request)]
        for marker in targets:
            if marker.span is None or spans.count(marker.span) > 1 or marker.many:
                return []
            src = ctx.load_source(marker.span.path)
            if src is None:
                return []
            try:
                node = parse_snippet_expression(src, marker.span.start, marker.span.end)
            except FixUnavailable:
                return []
            edit = _ttl_edit(src, marker, node, ttl)
            if edit is None:
                return []
            edits.append(edit)
        return edits


def _ttl_edit(src, marker: Marker, node, ttl: str) -> Optional[Edit]:  # type: ignore[no-untyped-def]
    import libcst as cst

    if not isinstance(node, cst.Dict):
        return None
    for element in node.elements:
        if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString) and element.key.evaluated_value == "ttl":
            if not isinstance(element.value, cst.SimpleString):
                return None
            # Locate the value literal inside the marker's text.
            text = src.text[marker.span.start : marker.span.end]
            literal = element.value.value
            key_pos = text.find(element.key.value)
            pos = text.find(literal, key_pos + len(element.key.value))
            if key_pos < 0 or pos < 0:
                return None
            start = marker.span.start + pos
            try:
                return replace_string_edit(src, start, start + len(literal), ttl)
            except FixUnavailable:
                return None
    try:
        return add_dict_entry_edit(src, marker.span.start, marker.span.end, '"ttl"', f'"{ttl}"')
    except FixUnavailable:
        return None
