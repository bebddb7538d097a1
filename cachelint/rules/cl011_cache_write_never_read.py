"""CL011: a breakpoint whose cached prefix changes on every call."""

from __future__ import annotations

from typing import List, Optional, Tuple

from cachelint.analysis.request import Marker, Piece, Request
from cachelint.analysis.values import Kind, Str
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Edit, Fix, Severity
from cachelint.fix.edits import FixUnavailable, combine_edits, remove_dict_entry_edit
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import support


def first_dynamic(pieces: List[Piece]) -> Optional[Tuple[int, Piece]]:
    """The first piece of the prefix that changes on every call, if that is certain.

    A message of a one-shot request is new on every call. Elsewhere (tools, system) only a
    value that changes for certain counts (the clock, a UUID, a random value): a parameter
    or a lookup may well repeat from call to call (the same system prompt passed to a
    wrapper, a tool built from the same schema), and then the cache entry is read."""
    for i, piece in enumerate(pieces):
        if piece.kind == Kind.DYNAMIC:
            if piece.section == "messages" or _certainly_per_call(piece):
                return i, piece
            return None  # may repeat: cannot say the entry is never read
        if not piece.kind.cacheable:
            return None  # unknown content: cannot say the prefix changes per call
    return None


def _certainly_per_call(piece: Piece) -> bool:
    value = piece.value
    if isinstance(value, Str):
        return any(part.volatile for part in value.parts)
    return bool(getattr(value, "volatile", False))


class CacheWriteNeverRead(Rule):
    """A breakpoint caches a prefix that contains content changing on every call.

    ## What it does
    For each breakpoint of a Claude request, looks at the prefix it caches (tools, system
    and messages up to the marker) and reports it when that prefix holds something that
    changes on every call for certain: a timestamp, a UUID or a random value in tools or
    system, or the user's latest message in a one-shot request. A marker on the latest
    message is fine when a later turn resends it (an agent loop that appends to the same
    history, or a history the caller passes in). A parameter or a looked-up value in tools
    or system may repeat from call to call (the same prompt passed to a wrapper), and an
    unknown value may be anything: both stay silent.

    ## Why is this bad?
    Every call writes a new cache entry (1.25x the input price, 2x for a one-hour TTL) for a
    prefix no later call will match, so the entry is never read: caching makes these calls
    more expensive, not less. The static part before the dynamic content is what should be
    cached.

    ## Fix safety
    The fix is unsafe because it moves a breakpoint: it removes the marker and puts one at
    the end of the static part (the last static block before the first dynamic one), when
    both edits can be made in dict displays written for this request.

    ## References
    - [Prompt caching: pricing and what to cache](https://platform.claude.com/docs/en/build-with-claude/prompt-caching)
    """

    code = "CL011"
    name = "cache-write-never-read"
    summary = "A breakpoint's cached prefix changes on every call: each call pays a cache write that is never read."
    severity = Severity.WARNING
    fix_applicability = Applicability.UNSAFE
    fix_availability = "sometimes"

    examples = [
        Invalid(
            """
            import uuid

            import anthropic

            POLICY = "Quote the refund policy before answering. " * 300
            client = anthropic.Anthropic()


            def answer(question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=500,
                    system=[
                        {"type": "text", "text": POLICY},
                        {"type": "text", "text": f"Request id: {uuid.uuid4()}", "cache_control": {"type": "ephemeral"}},
                    ],
                    messages=[{"role": "user", "content": question}],
                )
            """,
            expected_message="a random UUID",
            expected_fix="""
            import uuid

            import anthropic

            POLICY = "Quote the refund policy before answering. " * 300
            client = anthropic.Anthropic()


            def answer(question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=500,
                    system=[
                        {"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}},
                        {"type": "text", "text": f"Request id: {uuid.uuid4()}"},
                    ],
                    messages=[{"role": "user", "content": question}],
                )
            """,
            ranges=["15:69-15:107"],
        ),
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def summarize(document: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=500,
                    messages=[{"role": "user", "content": [
                        {"type": "text", "text": document, "cache_control": {"type": "ephemeral", "ttl": "1h"}},
                    ]}],
                )
            """,
            expected_message="2x",
            title="A one-shot request caches its only (per-call) message",
            ranges=["11:48-11:99"],
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def chat(history: list, question: str):
                messages = history + [{"role": "user", "content": [
                    {"type": "text", "text": question, "cache_control": {"type": "ephemeral"}},
                ]}]
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=500, messages=messages)
            """,
            title="A conversation: the next turn resends this message and reads the entry",
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def ask(system_prompt: str, question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=500,
                    system=[{"type": "text", "text": system_prompt, "cache_control": {"type": "ephemeral"}}],
                    messages=[{"role": "user", "content": question}],
                )
            """,
            title="A system prompt passed in: callers may pass the same one every time, and then it is read",
        ),
        Valid(
            """
            import uuid

            import anthropic

            POLICY = "Quote the refund policy before answering. " * 300
            client = anthropic.Anthropic()


            def answer(question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=500,
                    system=[
                        {"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}},
                        {"type": "text", "text": f"Request id: {uuid.uuid4()}"},
                    ],
                    messages=[{"role": "user", "content": question}],
                )
            """,
            use_instead=True,
        ),
        Valid(
            """
            import datetime

            import anthropic

            RULES = "Cite the policy section for every answer. " * 400
            client = anthropic.Anthropic()


            def answer(question: str, debug: bool):
                system = RULES
                if debug:
                    system += f"\\nNow: {datetime.datetime.now()}"
                return client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=800,
                    system=[{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
                    messages=[{"role": "user", "content": question}],
                )
            """,
            title="The clock is added on one branch only: the other branch reads the entry back",
        ),
    ]

    def check_request(self, request: Request, ctx: FileContext) -> None:
        if not (support.is_claude_request(request) or request.fmt == "converse") or request.hidden_markers:
            return
        continues = support.conversation_continues(request)
        candidates: List[Tuple[int, Marker]] = [(i, m) for i, m in request.markers() if not m.cond and not m.many]
        for index, marker in candidates:
            prefix = list(request.pieces[: index + 1])
            found = first_dynamic(prefix)
            if found is None:
                continue
            position, piece = found
            if piece.section == "messages" and continues:
                continue
            write = "2x" if marker.effective_ttl == "1h" else "1.25x"
            static = support.total_tokens(prefix[:position]) or 0
            label = piece.label or "per-call content"
            message = (
                f"This breakpoint caches a prefix that includes {label} ({support.where(ctx, piece.span)}), which "
                f"changes on every call: each call pays a cache write ({write} input) that no later call reads. "
                + (f"Put the breakpoint after the ~{static:,} static tokens before it" if static else
                   "Nothing before it is static; drop the breakpoint or cache static content first")
            )
            fix = self._fix(ctx, request, index, marker, position) if static else None
            support.report(ctx, self, request, marker.entry_span or marker.span, message, fix=fix,
                       fix_title=fix.message if fix else "Move the breakpoint to the end of the static part")

    def _fix(self, ctx: FileContext, request: Request, index: int, marker: Marker, position: int) -> Optional[Fix]:
        literal, entry = marker.container, marker.entry_span
        value_src = support.marker_source(ctx, marker)
        if literal is None or entry is None or value_src is None or marker.field != "cache_control":
            return None
        if literal.in_loop or not (literal.module_level or literal.frame in request.frame_tokens) or not literal.span.contains(entry):
            return None
        target = request.pieces[position - 1]
        if target.marker is not None:
            return None
        src = ctx.load_source(entry.path)
        if src is None:
            return None
        try:
            removal = remove_dict_entry_edit(src, literal.span.start, literal.span.end, "cache_control")
            added = support.marker_edits(ctx, request, target, value_src)
            if removal is None or not added:
                return None
            edits: List[Edit] = [e for e in added if e.path != src.path]
            edits += combine_edits(src, [removal, *[e for e in added if e.path == src.path]])
        except FixUnavailable:
            return None
        return Fix(Applicability.UNSAFE, "Move the breakpoint to the end of the static part", tuple(edits))
