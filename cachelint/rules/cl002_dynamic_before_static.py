"""CL002: per-call content placed in front of static prompt text worth caching."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from cachelint.analysis.request import Piece, Request
from cachelint.analysis.spans import Span
from cachelint.analysis.tokens import estimate_tokens
from cachelint.analysis.values import Kind, Part, Str
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Fix, Severity
from cachelint.fix.edits import FixUnavailable, minimal_edit
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import reorder, support

#: OpenAI caches prefixes from 1,024 tokens; Gemini's lowest published minimum is the same.
AUTOMATIC_CACHE_MIN = 1024


@dataclass(frozen=True)
class Finding:
    index: int
    piece: Piece
    part: Optional[Part]
    pushed: int
    #: the sections the pushed static text is in, in prefix order
    pushed_sections: Tuple[str, ...] = ()


def first_dynamic_before_static(request: Request) -> Optional[Finding]:
    """The first per-call part of the prefix and how many static tokens follow it.

    Everything static after the first per-call value is pushed out of the cache, also
    static text between later per-call values. Counting stops at per-call content in the
    messages (the conversation itself comes last by nature).
    """
    pieces = request.pieces
    for i, piece in enumerate(pieces):
        if piece.cacheable:
            continue
        if piece.kind != Kind.DYNAMIC:
            return None  # unknown content: cachelint cannot tell what follows is reused
        part = None
        after_in_piece = 0
        if isinstance(piece.value, Str):
            parts = piece.value.parts
            for j, candidate in enumerate(parts):
                if candidate.kind == Kind.DYNAMIC:
                    part = candidate
                    after_in_piece = estimate_tokens(sum(p.length or 0 for p in parts[j + 1 :] if p.kind.cacheable))
                    break
        pushed = after_in_piece
        sections = [piece.section] if after_in_piece else []
        for later in pieces[i + 1 :]:
            if later.cacheable and later.tokens is not None:
                pushed += later.tokens
                if later.tokens and later.section not in sections:
                    sections.append(later.section)
            elif later.section == "messages":
                break
        return Finding(i, piece, part, pushed, tuple(sections))
    return None


def worth_caching(request: Request, ctx: FileContext) -> int:
    """Static tokens that are worth a cache entry on the request's provider. Where sources
    disagree on the minimum, or the model is not known, the high value: like CL001, this
    rule claims caching is lost, and a disputed number must not make that claim."""
    if support.is_claude_request(request):
        return support.request_min_tokens(request, ctx.settings.tables).high
    return AUTOMATIC_CACHE_MIN


class DynamicBeforeStatic(Rule):
    """A value that changes on every call sits in front of static prompt text worth caching.

    ## What it does
    Walks each request's prefix in the order the provider builds it (tools, system,
    messages) and finds the first piece that changes per call: the clock
    (`datetime.now()`, `time.time()`), a UUID or random value, a function parameter,
    per-user or retrieved text, a value derived from those, `json.dumps` of per-call data,
    or the iteration order of a set. If static text follows it and that static text alone
    would be worth caching (the model's minimum cacheable prefix for Claude, the higher
    figure where sources disagree or the model is not known; 1,024 tokens for OpenAI's and
    Gemini's automatic caching), it is reported.

    Text computed once at import is not per-call: a module-level f-string with
    `datetime.now()` is static for the life of the process and is not reported.

    ## Why is this bad?
    Prompt caches match the prefix byte for byte. A timestamp, a user name or a retrieved
    document in front of a long static prompt makes every request's prefix new, so the
    static text behind it is processed at full price on every call, with Anthropic's
    explicit breakpoints and with the automatic prefix caching of OpenAI and Gemini alike.
    Put static content first and the per-call parts last.

    ## Fix safety
    The fix is unsafe: it changes the order of the prompt text (the model sees the same
    content in a different order, which can change its answers). For Claude, which caches
    at breakpoints, a string system prompt is split into a static block with a breakpoint
    followed by a block with the dynamic line (when the string is built in place or in a
    variable used only there), and a dynamic block is moved after the static blocks of a
    block list. For providers that cache prefixes automatically (OpenAI, Gemini), the line
    that holds the dynamic value moves to the end of the f-string, or a `+` concatenation is
    reordered so the static operands come first. Other shapes (a template constant filled
    per call, messages) get no fix.

    ## References
    - [Prompt caching: what invalidates the cache](https://platform.claude.com/docs/en/build-with-claude/prompt-caching)
    - [OpenAI prompt caching: structure prompts with static content first](https://platform.openai.com/docs/guides/prompt-caching)
    """

    code = "CL002"
    name = "dynamic-before-static"
    summary = "A per-call value sits in front of static prompt text, so that text is never read from the cache."
    severity = Severity.WARNING
    fix_applicability = Applicability.UNSAFE
    fix_availability = "sometimes"

    examples = [
        Invalid(
            """
            import anthropic

            RULES = "Cite the policy section for every answer. " * 400
            client = anthropic.Anthropic()


            def answer(question: str, user_name: str):
                system = RULES
                if user_name:
                    system = f"User: {user_name}\\n" + RULES
                return client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=800, system=system,
                    messages=[{"role": "user", "content": question}],
                )
            """,
            expected_message="is placed on some paths before",
            title="One branch puts the user's name in front of the shared rules",
            ranges=["10:27-10:36"],
        ),
        Invalid(
            """
            import datetime

            import anthropic

            RULES = "Answer only questions about our product catalogue. " * 300
            client = anthropic.Anthropic()


            def answer(question: str):
                system = f"Current time: {datetime.datetime.now():%H:%M}\\n{RULES}"
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=800,
                    system=system,
                    messages=[{"role": "user", "content": question}],
                )
            """,
            expected_message="the current time",
            expected_fix="""
            import datetime

            import anthropic

            RULES = "Answer only questions about our product catalogue. " * 300
            client = anthropic.Anthropic()


            def answer(question: str):
                system = [{"type": "text", "text": f"{RULES}", "cache_control": {"type": "ephemeral"}}, {"type": "text", "text": f"Current time: {datetime.datetime.now():%H:%M}"}]
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=800,
                    system=system,
                    messages=[{"role": "user", "content": question}],
                )
            """,
            title="A timestamp line in front of the static rules",
            ranges=["10:31-10:54"],
        ),
        Invalid(
            """
            from openai import OpenAI

            GUIDE = "Use the customer's language and cite the order number. " * 200
            client = OpenAI()


            def reply(customer_name: str, text: str):
                return client.chat.completions.create(
                    model="gpt-4.1",
                    messages=[
                        {"role": "system", "content": "Customer: " + customer_name + ". " + GUIDE},
                        {"role": "user", "content": text},
                    ],
                )
            """,
            expected_message="parameter `customer_name`",
            expected_fix="""
            from openai import OpenAI

            GUIDE = "Use the customer's language and cite the order number. " * 200
            client = OpenAI()


            def reply(customer_name: str, text: str):
                return client.chat.completions.create(
                    model="gpt-4.1",
                    messages=[
                        {"role": "system", "content": GUIDE + "Customer: " + customer_name + ". "},
                        {"role": "user", "content": text},
                    ],
                )
            """,
            title="Per-user text before OpenAI's automatically cached prefix",
            ranges=["11:58-11:71"],
        ),
        Invalid(
            """
            import anthropic

            HANDBOOK = "Quote the handbook section for every answer. " * 400
            client = anthropic.Anthropic()


            def ask(profile: str, question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=500,
                    system=[
                        {"type": "text", "text": profile},
                        {"type": "text", "text": HANDBOOK, "cache_control": {"type": "ephemeral"}},
                    ],
                    messages=[{"role": "user", "content": question}],
                )
            """,
            expected_message="~4,500 tokens",
            expected_fix="""
            import anthropic

            HANDBOOK = "Quote the handbook section for every answer. " * 400
            client = anthropic.Anthropic()


            def ask(profile: str, question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=500,
                    system=[
                        {"type": "text", "text": HANDBOOK, "cache_control": {"type": "ephemeral"}},
                        {"type": "text", "text": profile},
                    ],
                    messages=[{"role": "user", "content": question}],
                )
            """,
            title="A per-user block before the cached handbook block",
            ranges=["12:38-12:45"],
        ),
        Invalid(
            """
            import uuid

            import anthropic

            TEMPLATE = "Request {request_id}.\\n" + "Follow the escalation policy strictly. " * 500
            client = anthropic.Anthropic()


            def handle(ticket: str):
                return client.messages.create(
                    model="claude-haiku-4-5",
                    max_tokens=300,
                    system=TEMPLATE.format(request_id=uuid.uuid4()),
                    messages=[{"role": "user", "content": ticket}],
                )
            """,
            expected_message="a random UUID",
            title="A template constant filled per call (no automatic fix)",
            ranges=["13:43-13:55"],
        ),
        Valid(
            """
            import datetime

            import anthropic

            RULES = "Answer only questions about our product catalogue. " * 300
            client = anthropic.Anthropic()


            def answer(question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=800,
                    system=[
                        {"type": "text", "text": RULES, "cache_control": {"type": "ephemeral"}},
                        {"type": "text", "text": f"Current time: {datetime.datetime.now():%H:%M}"},
                    ],
                    messages=[{"role": "user", "content": question}],
                )
            """,
            use_instead=True,
            title="Static block first, with a breakpoint; the dynamic block after it",
        ),
        Valid(
            """
            import datetime

            import anthropic

            SYSTEM = f"Today is {datetime.date.today()}.\\n" + "Answer only product questions. " * 300
            client = anthropic.Anthropic()


            def answer(question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=800, system=SYSTEM,
                    messages=[{"role": "user", "content": question}],
                )
            """,
            title="A module-level f-string runs once at import: static per process",
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def answer(name: str, question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=800,
                    system=f"You are talking to {name}. Be brief.",
                    messages=[{"role": "user", "content": question}],
                )
            """,
            title="Too little static text after the dynamic part to be worth caching",
        ),
        Valid(
            """
            import anthropic

            RULES = "Answer only questions about our product catalogue. " * 300


            class Bot:
                def __init__(self, config):
                    self.client = anthropic.Anthropic()
                    self.preamble = config.preamble

                def answer(self, question: str):
                    return self.client.messages.create(
                        model="claude-sonnet-4-5", max_tokens=800,
                        system=self.preamble + RULES,
                        messages=[{"role": "user", "content": question}],
                    )
            """,
            title="Configuration fixed per instance is not assumed to change per call",
        ),
    ]

    def check_request(self, request: Request, ctx: FileContext) -> None:
        finding = first_dynamic_before_static(request)
        if finding is None or finding.pushed == 0:
            return
        threshold = worth_caching(request, ctx)
        if finding.pushed < threshold:
            return
        piece, part = finding.piece, finding.part
        label = (part.label if part is not None and part.label else piece.label) or "a value that changes per call"
        # a branch puts it first (`if user: system = f"..." + RULES`)
        paths = " on some paths" if part is not None and part.optional else ""
        hole_span = part.span if part is not None and part.span is not None else piece.span
        names = {"tools": "tools", "system": "system prompt", "messages": "messages"}
        section = " and ".join(names[s] for s in finding.pushed_sections or (piece.section,))
        message = (
            f"{label} ({support.where(ctx, hole_span)}) is placed{paths} before ~{finding.pushed:,} tokens of static "
            f"prompt text ({section}): the prefix changes on every call, so that text is never read from the "
            "cache. Put static content first and per-call content last"
        )
        fix = self._fix(ctx, request, finding)
        support.report(ctx, self, request, hole_span, message, fix=fix,
                   fix_title=fix.message if fix else "Move the dynamic part after the static text")

    def _fix(self, ctx: FileContext, request: Request, finding: Finding) -> Optional[Fix]:
        piece = finding.piece
        if piece.many:
            return None
        if support.is_claude_request(request) or request.fmt == "converse":
            # Claude caches at breakpoints: moving the dynamic text to the end of the same
            # block still leaves it inside the cached block. Split it into its own block.
            return self._split(ctx, request, finding) or self._move_block(ctx, request, finding)
        return self._reorder(ctx, finding) or self._move_block(ctx, request, finding)

    def _reorder(self, ctx: FileContext, finding: Finding) -> Optional[Fix]:
        """Automatic prefix caching (OpenAI, Gemini): static text first, dynamic text last."""
        value, part = finding.piece.value, finding.part
        if part is None or part.span is None or not isinstance(value, Str) or value.origin is None:
            return None
        # Rewrite the expression that built the string (which may be a few lines above the
        # call, or in a helper): moving text there changes this prompt's order.
        origin = value.origin
        src = ctx.load_source(origin.path)
        if src is None:
            return None
        try:
            edit = reorder.move_fstring_line(src, origin.start, origin.end, (part.span.start, part.span.end))
        except FixUnavailable:
            edit = None
        if edit is not None:
            return Fix(Applicability.UNSAFE, "Move the line with the dynamic value to the end", (edit,))
        edit = reorder.reorder_concat(src, value.operands) if value.origin == _chain_span(value) else None
        if edit is not None:
            return Fix(Applicability.UNSAFE, "Put the static text first and the dynamic part last", (edit,))
        return None

    def _split(self, ctx: FileContext, request: Request, finding: Finding) -> Optional[Fix]:
        """`system=f"Now: {t}\\n{RULES}"` -> a static block with a breakpoint, then a dynamic block."""
        piece, part, value = finding.piece, finding.part, finding.piece.value
        if request.fmt != "anthropic" or piece.section != "system" or not piece.string_content or piece.via_param:
            return None
        if part is None or part.span is None or not isinstance(value, Str) or value.origin is None or piece.span is None:
            return None
        origin = value.origin
        if origin != piece.span and not _sole_use(ctx, origin, piece.span):
            return None
        src = ctx.load_source(origin.path)
        if src is None:
            return None
        try:
            halves = reorder.split_fstring(src, origin.start, origin.end, (part.span.start, part.span.end))
        except FixUnavailable:
            halves = None
        if halves is None and value.origin == _chain_span(value):
            halves = reorder.split_concat(src, value.operands)
        if halves is None:
            return None
        static, dynamic = halves
        count, unbounded = request.breakpoint_count()
        marker = ', "cache_control": {"type": "ephemeral"}' if not unbounded and count < 4 else ""
        blocks = f'[{{"type": "text", "text": {static}{marker}}}, {{"type": "text", "text": {dynamic}}}]'
        edit = minimal_edit(src, origin.start, origin.end, blocks)
        if edit is None:
            return None
        return Fix(Applicability.UNSAFE, "Split into a static block with a breakpoint and a dynamic block after it", (edit,))

    def _move_block(self, ctx: FileContext, request: Request, finding: Finding) -> Optional[Fix]:
        piece = finding.piece
        literal = piece.list_container
        if literal is None or piece.list_span is None or literal.in_loop:
            return None
        if not (literal.module_level or literal.frame in request.frame_tokens):
            return None
        following = 0
        for later in request.pieces[finding.index + 1 :]:
            if later.list_container is None or later.list_container.span != literal.span or not later.cacheable:
                break
            following += 1
        if following == 0:
            return None
        src = ctx.load_source(literal.span.path)
        if src is None:
            return None
        edit = reorder.move_list_element_last(
            src, literal.span.start, literal.span.end, (piece.list_span.start, piece.list_span.end), following
        )
        if edit is None:
            return None
        return Fix(Applicability.UNSAFE, "Move the dynamic block after the static blocks", (edit,))


def _chain_span(value: Str) -> Optional[Span]:
    """The span covered by a `+` chain's operands (its origin when written in place)."""
    if not value.operands or value.operands[0][0] is None or value.operands[-1][0] is None:
        return None
    first, last = value.operands[0][0], value.operands[-1][0]
    return Span(first.path, first.start, last.end)


def _sole_use(ctx: FileContext, origin: Span, placement: Span) -> bool:
    """`system = f"..."` then `create(system=system)` and `system` used nowhere else in the
    function: the string can become a block list where it is built."""
    import ast

    if origin.path != ctx.path or placement.path != ctx.path:
        return False
    for func in ast.walk(ctx.tree):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        start, end = ctx.node_range(func)
        if not (start <= origin.start and origin.end <= end and start <= placement.start and placement.end <= end):
            continue
        name = None
        for node in ast.walk(func):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                if ctx.node_range(node.value) == (origin.start, origin.end):
                    name = node.targets[0].id
        if name is None:
            return False
        uses = [n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == name]
        loads = [n for n in uses if isinstance(n.ctx, ast.Load)]
        return len(uses) == 2 and len(loads) == 1 and ctx.node_range(loads[0]) == (placement.start, placement.end)
    return False
