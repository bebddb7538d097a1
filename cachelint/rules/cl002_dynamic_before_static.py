"""CL002: per-call content placed in front of static prompt text worth caching."""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import Any, List, Optional, Tuple

from cachelint.analysis.request import Piece, Request
from cachelint.analysis.spans import Span
from cachelint.analysis.tokens import estimate_tokens
from cachelint.analysis.values import Kind, Part, Str
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Edit, Fix, Severity
from cachelint.fix.edits import FixUnavailable, combine_edits, minimal_edit
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
    content in a different order, which can change its answers).

    For Claude, which caches at breakpoints, moving the per-call line to the end of the same
    block would leave it inside the cached block, so the text is cut in two: the static text
    keeps (or gets) the breakpoint and the per-call line becomes a block of its own after
    it. This works where the text is written as an f-string, a `+` concatenation, a
    `.format()` or `%` template written in place, or `CONSTANT.format(...)` whose template
    constant starts with the per-call line and is used nowhere else (the line leaves the
    constant and is formatted on its own); and where it is placed as a string `system`, a
    text block of a block list, a content part (OpenRouter), or a Bedrock Converse `system`
    block (the new block goes after the `cachePoint`). A whole per-call block in front of
    static blocks moves after them (and their `cachePoint`), and a breakpoint is added after
    the static blocks when there is none and the request has room for one.

    For providers that cache prefixes automatically (OpenAI, Gemini), the line that holds
    the per-call value moves to the end of the f-string or template (its `%` argument to the
    end of the tuple), or a `+` concatenation is reordered so the static operands come
    first.

    No fix is offered for text returned by a helper, tools, messages, or a template used
    in more than one place (another use would change too).

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
            ranges=["13:43-13:55"],
            expected_fix="""
            import uuid

            import anthropic

            TEMPLATE = "Follow the escalation policy strictly. " * 500
            client = anthropic.Anthropic()


            def handle(ticket: str):
                return client.messages.create(
                    model="claude-haiku-4-5",
                    max_tokens=300,
                    system=[{"type": "text", "text": TEMPLATE.format(), "cache_control": {"type": "ephemeral"}}, {"type": "text", "text": "Request {request_id}.".format(request_id=uuid.uuid4())}],
                    messages=[{"role": "user", "content": ticket}],
                )
            """,
            title="A template constant whose first line is filled per call",
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
            return (self._split(ctx, request, finding) or self._split_in_list(ctx, request, finding)
                    or self._move_block(ctx, request, finding))
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
        hole = (part.span.start, part.span.end)
        try:
            edit = reorder.move_fstring_line(src, origin.start, origin.end, hole)
        except FixUnavailable:
            edit = None
        if edit is not None:
            return Fix(Applicability.UNSAFE, "Move the line with the dynamic value to the end", (edit,))
        edit = reorder.reorder_concat(src, value.operands) if value.origin == _chain_span(value) else None
        if edit is not None:
            return Fix(Applicability.UNSAFE, "Put the static text first and the dynamic part last", (edit,))
        edit = (reorder.move_template_line_in_place(src, origin.start, origin.end, hole)
                or reorder.move_percent_line_in_place(src, origin.start, origin.end, hole))
        if edit is not None:
            return Fix(Applicability.UNSAFE, "Move the template line with the per-call field to the end", (edit,))
        edits = self._constant_template_to_end(ctx, src, origin, hole)
        if edits:
            return Fix(Applicability.UNSAFE, "Move the template line with the per-call field to the end", tuple(edits))
        return None

    # --- cutting the text in two ---------------------------------------------------------------
    def _halves(self, ctx: FileContext, piece: Piece, part: Optional[Part]) -> Optional[Tuple[List[Edit], str]]:
        """Edits after which the expression that builds the piece's text builds its static
        text only, and the source of an expression for the per-call line. The f-string, `+`
        chain or `.format` call is rewritten where it is written; a template constant used
        once loses its leading per-call line."""
        value = piece.value
        if part is None or part.span is None or not isinstance(value, Str) or value.origin is None:
            return None
        origin = value.origin
        src = ctx.load_source(origin.path)
        if src is None:
            return None
        hole = (part.span.start, part.span.end)
        halves = None
        try:
            halves = reorder.split_fstring(src, origin.start, origin.end, hole)
        except FixUnavailable:
            halves = None
        if halves is None and value.origin == _chain_span(value):
            halves = reorder.split_concat(src, value.operands)
        if halves is None:
            halves = reorder.split_template_in_place(src, origin.start, origin.end, hole)
        if halves is None:
            halves = reorder.split_percent_in_place(src, origin.start, origin.end, hole)
        if halves is not None:
            edit = minimal_edit(src, origin.start, origin.end, halves[0])
            return ([edit] if edit is not None else []), halves[1]
        return self._constant_template(ctx, src, origin, hole)

    def _template_constant(self, ctx: FileContext, src: Any, origin: Span) -> Optional[Tuple[Any, Any, str, str]]:
        """For `NAME.format(...)` at `origin`, where NAME is a module-level string constant
        the project uses only here: (its file, its value's ast node, its text, NAME)."""
        import ast

        from cachelint.syntax import parse_expression

        try:
            call = parse_expression(src.text[origin.start:origin.end])
        except SyntaxError:
            return None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name)):
            return None
        name = call.func.value.id
        uses = ctx.name_uses(name)
        definitions = []
        for path, offset in uses:
            where = ctx.load_source(path)
            if where is None:
                return None
            row = where.index.location(offset).row
            if re.match(rf"{re.escape(name)}\s*(:[^=]*)?=[^=]", where.index.line_text(row)):
                definitions.append(path)
        # the definition and this call, nothing else
        if len(uses) != 2 or len(definitions) != 1:
            return None
        where = ctx.load_source(definitions[0])
        tree = support.module_tree(ctx, definitions[0])
        if where is None or tree is None:
            return None
        for stmt in tree.body:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
            if len(targets) == 1 and isinstance(targets[0], ast.Name) and targets[0].id == name and stmt.value is not None:
                text = reorder.constant_text(stmt.value)
                if text is None:
                    return None
                return where, stmt.value, text, name
        return None

    def _constant_template(self, ctx: FileContext, src: Any, origin: Span, hole: Tuple[int, int]) -> Optional[Tuple[List[Edit], str]]:
        found = self._template_constant(ctx, src, origin)
        if found is None:
            return None
        where, node, text, name = found
        cut = reorder.format_call_sources(src, origin.start, origin.end, hole, text, name)
        if cut is None:
            return None
        line, static_call, line_src = cut
        start, end = where.index.node_range(node)
        drop = reorder.leading_line_edit(where, start, end, line)
        call = minimal_edit(src, origin.start, origin.end, static_call)
        if drop is None:
            return None
        return [drop] + ([call] if call is not None else []), line_src

    def _constant_template_to_end(self, ctx: FileContext, src: Any, origin: Span, hole: Tuple[int, int]) -> Optional[List[Edit]]:
        """Automatic caching: the template constant's leading per-call line moves to its end."""
        found = self._template_constant(ctx, src, origin)
        if found is None:
            return None
        where, node, text, name = found
        cut = reorder.format_call_sources(src, origin.start, origin.end, hole, text, name)
        if cut is None:
            return None
        line = cut[0]
        start, end = where.index.node_range(node)
        drop = reorder.leading_line_edit(where, start, end, line)
        if drop is None:
            return None
        from cachelint.fix.edits import make_edit, string_literal

        sep = "" if text.endswith("\n") else "\n"
        tail = make_edit(where, end, end, " + " + string_literal(sep + line))
        return [drop, tail]

    def _split(self, ctx: FileContext, request: Request, finding: Finding) -> Optional[Fix]:
        """`system=f"Now: {t}\\n{RULES}"` -> a static block with a breakpoint, then a dynamic
        block; the same for a Claude model's plain-string message content on OpenRouter."""
        piece, value = finding.piece, finding.piece.value
        if piece.section != "system" or not piece.string_content or piece.via_param:
            return None
        if request.fmt not in ("anthropic", "openai-chat"):
            return None
        if not isinstance(value, Str) or value.origin is None or piece.span is None:
            return None
        origin = value.origin
        if origin != piece.span and not _sole_use(ctx, origin, piece.span):
            return None
        halves = self._halves(ctx, piece, finding.part)
        if halves is None:
            return None
        edits, dynamic = halves
        src = ctx.load_source(origin.path)
        if src is None:
            return None
        count, unbounded = request.breakpoint_count()
        marker = ', "cache_control": {"type": "ephemeral"}' if not unbounded and count < 4 else ""
        from cachelint.fix.edits import make_edit

        wrapped = [
            make_edit(src, origin.start, origin.start, '[{"type": "text", "text": '),
            *edits,
            make_edit(src, origin.end, origin.end, f'{marker}}}, {{"type": "text", "text": {dynamic}}}]'),
        ]
        combined = _combine(ctx, wrapped)
        if combined is None:
            return None
        return Fix(Applicability.UNSAFE, "Split into a static block with a breakpoint and a dynamic block after it",
                   tuple(combined))

    def _split_in_list(self, ctx: FileContext, request: Request, finding: Finding) -> Optional[Fix]:
        """A text block of a block list (system blocks, content parts, Converse `system`)
        whose text starts with a per-call line: the block keeps the static text, and a new
        block with the line goes after the static blocks that follow it and after their
        breakpoint (a Converse `cachePoint` block too), which is added when there is none."""
        piece = finding.piece
        literal, site, block = piece.list_container, piece.list_span, piece.container
        if literal is None or site is None or block is None or literal.in_loop:
            return None
        if not (literal.module_level or literal.frame in request.frame_tokens or support.private_helper(ctx, literal.span)):
            return None
        value = piece.value
        if not isinstance(value, Str) or value.origin is None or piece.span is None:
            return None
        if not block.span.contains(value.origin) and not _sole_use(ctx, value.origin, piece.span):
            return None
        halves = self._halves(ctx, piece, finding.part)
        if halves is None:
            return None
        edits, dynamic = halves
        src = ctx.load_source(literal.span.path)
        if src is None:
            return None
        # the static run this block opens, in the same list display
        run = [piece]
        for later in request.pieces[finding.index + 1:]:
            if later.list_container is None or later.list_container.span != literal.span or not later.cacheable \
                    or later.list_span is None:
                break
            run.append(later)
        marked = [p for p in run if p.marker is not None]
        converse = request.fmt == "converse"
        after = run[-1].list_span.end  # type: ignore[union-attr]
        last_marker = run[-1].marker
        if converse and last_marker is not None and last_marker.entry_span is not None \
                and literal.span.contains(last_marker.entry_span):
            after = max(after, last_marker.entry_span.end)
        new_block = f'{{"text": {dynamic}}}' if converse else f'{{"type": "text", "text": {dynamic}}}'
        insert = ", " + new_block
        if not marked or (converse and last_marker is None):
            count, unbounded = request.breakpoint_count()
            if unbounded or count >= 4:
                return None
            if converse:
                insert = ", " + support.CACHE_POINT + insert
            else:
                target = run[-1]
                if target.container is None:
                    return None
                if target is piece:
                    # the block is rewritten by `edits` too: the key goes into the result
                    return self._split_marked_block(ctx, src, request, piece, edits, insert) if edits else None
                from cachelint.fix.edits import add_dict_entry_edit

                try:
                    mark = add_dict_entry_edit(src, target.container.span.start, target.container.span.end,
                                               '"cache_control"', support.EPHEMERAL)
                except FixUnavailable:
                    return None
                if mark is None:
                    return None
                edits = edits + [mark]
        from cachelint.fix.edits import make_edit

        after, insert = _on_own_line(src, after, insert, run[-1].list_span.start)  # type: ignore[union-attr]
        combined = _combine(ctx, [*edits, make_edit(src, after, after, insert)])
        if combined is None:
            return None
        return Fix(Applicability.UNSAFE, "Move the per-call line to a block of its own after the cached static text",
                   tuple(combined))

    def _split_marked_block(self, ctx: FileContext, src: Any, request: Request, piece: Piece,
                            edits: List[Edit], insert: str) -> Optional[Fix]:
        """The split block itself gets the breakpoint: its dict display with the text
        rewritten and a `cache_control` entry, then the new block."""
        from cachelint.fix.apply import apply_edits
        from cachelint.fix.edits import FixUnavailable as Unavailable, append_element, dict_element, render_expression

        assert piece.container is not None
        span = piece.container.span
        elsewhere = [e for e in edits if e.path != span.path or e.start < span.start or e.end > span.end]
        edits = [e for e in edits if e not in elsewhere]
        local = [type(e)(e.path, e.start - span.start, e.end - span.start, e.content, e.location, e.end_location) for e in edits]
        new_block = apply_edits(src.text[span.start:span.end], local)
        import libcst as cst

        try:
            node = cst.parse_expression(new_block)
        except cst.ParserSyntaxError:
            return None
        if not isinstance(node, cst.Dict):
            return None
        try:
            rendered = render_expression(src, append_element(node, dict_element('"cache_control"', support.EPHEMERAL)))
        except Unavailable:
            return None
        if piece.list_span is None or piece.list_span.end != span.end:
            return None
        after, insert = _on_own_line(src, span.end, insert, span.start)
        edit = minimal_edit(src, span.start, after, rendered + src.text[span.end:after] + insert)
        combined = _combine(ctx, [edit, *elsewhere]) if edit is not None else None
        if combined is None:
            return None
        return Fix(Applicability.UNSAFE, "Move the per-call line to a block of its own after the cached static text",
                   tuple(combined))

    def _move_block(self, ctx: FileContext, request: Request, finding: Finding) -> Optional[Fix]:
        """A whole per-call block before static blocks of the same list display: it moves
        after them (and, for Converse, after their `cachePoint` block). Claude caches only
        at a breakpoint, so one is added after the static blocks when they have none."""
        piece = finding.piece
        literal = piece.list_container
        if literal is None or piece.list_span is None or literal.in_loop:
            return None
        if not (literal.module_level or literal.frame in request.frame_tokens):
            return None
        run: List[Piece] = []
        for later in request.pieces[finding.index + 1 :]:
            if later.list_container is None or later.list_container.span != literal.span or not later.cacheable:
                break
            run.append(later)
        if not run:
            return None
        src = ctx.load_source(literal.span.path)
        if src is None:
            return None
        explicit = support.is_claude_request(request) or request.fmt == "converse"
        following = len(run)
        insert: Optional[str] = None
        mark: Optional[Tuple[str, str]] = None
        last = run[-1].marker
        if request.fmt == "converse" and last is not None and last.entry_span is not None \
                and literal.span.contains(last.entry_span) and last.entry_span != run[-1].list_span:
            following += 1  # the cachePoint block closes the static run
        elif explicit and not any(p.marker is not None for p in run):
            count, unbounded = request.breakpoint_count()
            if unbounded or count >= 4:
                return None
            if request.fmt == "converse":
                insert = support.CACHE_POINT
            else:
                mark = ('"cache_control"', support.EPHEMERAL)
        edit = reorder.move_list_element_last(
            src, literal.span.start, literal.span.end, (piece.list_span.start, piece.list_span.end), following,
            insert_before_moved=insert, mark_last_static=mark,
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


def _on_own_line(src: Any, after: int, insert: str, element_start: int) -> Tuple[int, str]:
    """Where and what to insert after the element ending at `after`: `", new"` on the same
    line, or, in a display with one element per line, the new element on a line of its own
    with the same indentation (after the element's trailing comma, keeping one after it)."""
    text = src.text
    line_end = text.find("\n", after)
    rest = text[after:line_end if line_end >= 0 else len(text)]
    stripped = rest.strip()
    if stripped not in ("", ","):
        return after, insert
    row = src.index.location(element_start).row
    line = src.index.line_text(row)
    indent = line[: len(line) - len(line.lstrip())]
    if line.strip() == "" or src.text[src.index.line_start(row):element_start].strip():
        return after, insert  # the element shares its line with others
    newline = src.source.newline
    body = insert[2:] if insert.startswith(", ") else insert
    if stripped == ",":
        comma = after + rest.index(",") + 1
        return comma, f"{newline}{indent}{body},"
    return after, f",{newline}{indent}{body}"


def _combine(ctx: FileContext, edits: List[Edit]) -> Optional[List[Edit]]:
    """The edits merged where they touch, file by file (a template constant in another
    module is edited with the call that fills it); None when two really overlap."""
    by_path: dict = {}
    for edit in edits:
        by_path.setdefault(edit.path, []).append(edit)
    out: List[Edit] = []
    for path, group in by_path.items():
        src = ctx.load_source(path)
        if src is None:
            return None
        try:
            out.extend(combine_edits(src, group))
        except FixUnavailable:
            return None
    return out
