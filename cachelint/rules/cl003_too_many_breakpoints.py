"""CL003: more than four cache breakpoints in one request."""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Tuple

from cachelint.analysis.request import Marker, Piece, Request
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Edit, Fix, Severity
from cachelint.fix.edits import FixUnavailable, minimal_edit, remove_dict_entry_edit
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import support
from cachelint.syntax import parse_module

MAX_BREAKPOINTS = 4


def _applies(request: Request) -> bool:
    if request.fmt == "converse":
        return True
    return support.is_claude_request(request)


def _count_by_section(request: Request) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for piece in request.pieces:
        marker = piece.marker
        if marker is None or marker.cond or marker.many:
            continue
        counts[piece.section] = counts.get(piece.section, 0) + 1
    return counts


def _describe(request: Request) -> str:
    counts = _count_by_section(request)
    parts = [f"{n} in {section}" for section, n in counts.items() if n]
    looped = [m for _, m in request.markers() if m.many and not m.cond]
    for marker in looped:
        parts.append(f"up to {marker.bound} from a loop" if marker.bound is not None else "one per element of a loop")
    if request.top_level is not None and not request.top_level.cond:
        parts.append("the top-level cache_control")
    return ", ".join(parts)


class TooManyBreakpoints(Rule):
    """A request carries more than four cache breakpoints, or a loop adds one per element.

    ## What it does
    Counts the breakpoints of each Claude request as the provider will see them:
    `cache_control` on tools, system blocks and message blocks, the top-level (automatic)
    `cache_control` (it takes one of the four slots), and for Bedrock Converse the
    `cachePoint` blocks. It reports a request with more than four, and a loop that marks
    every element of a list with no cap (the request fails as soon as the list has more
    than four elements).

    Code that counts, trims or deduplicates its markers is left alone: a loop over
    `messages[-2:]`, a loop that stops at a budget, code that deletes old markers before
    adding one, or markers placed by a helper the analysis cannot see into. So is a loop
    that marks only the elements whose own caching flag asks for it (`if message.cache:`):
    how many there are is decided where the elements are made.

    ## Why is this bad?
    The API rejects the whole request: HTTP 400 "A maximum of 4 blocks with cache_control
    may be provided. Found 5." (Bedrock: a `ValidationException`). Loops are the usual
    cause: they work in a short test conversation and fail in production once the history
    grows.

    ## Fix safety
    The fix is unsafe because which breakpoints to keep is a choice: it keeps the last
    breakpoint of the tools, of the system prompt and of the messages (and the one before
    it when a slot is left), and removes the others from the dict displays that hold them.
    For a loop that marks every element, it makes the loop mark only the last element
    (`for m in messages[-1:]`), when the loop does nothing else. Other shapes get no fix.

    ## References
    - [Prompt caching: limits](https://platform.claude.com/docs/en/build-with-claude/prompt-caching)
    - [Bedrock prompt caching](https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html)
    """

    code = "CL003"
    name = "too-many-breakpoints"
    summary = "More than four cache breakpoints in one request, or a loop that adds one per element without a cap."
    severity = Severity.ERROR
    fix_applicability = Applicability.UNSAFE
    fix_availability = "sometimes"

    examples = [
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()
            EPHEMERAL = {"type": "ephemeral"}


            def ask(question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=400,
                    system=[
                        {"type": "text", "text": "Rules part one.", "cache_control": EPHEMERAL},
                        {"type": "text", "text": "Rules part two.", "cache_control": EPHEMERAL},
                        {"type": "text", "text": "Rules part three.", "cache_control": EPHEMERAL},
                    ],
                    messages=[
                        {"role": "user", "content": [{"type": "text", "text": "Example.", "cache_control": EPHEMERAL}]},
                        {"role": "assistant", "content": "Example answer."},
                        {"role": "user", "content": [{"type": "text", "text": question, "cache_control": EPHEMERAL}]},
                    ],
                )
            """,
            expected_message="5 cache breakpoints",
            expected_fix="""
            import anthropic

            client = anthropic.Anthropic()
            EPHEMERAL = {"type": "ephemeral"}


            def ask(question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=400,
                    system=[
                        {"type": "text", "text": "Rules part one."},
                        {"type": "text", "text": "Rules part two."},
                        {"type": "text", "text": "Rules part three.", "cache_control": EPHEMERAL},
                    ],
                    messages=[
                        {"role": "user", "content": [{"type": "text", "text": "Example.", "cache_control": EPHEMERAL}]},
                        {"role": "assistant", "content": "Example answer."},
                        {"role": "user", "content": [{"type": "text", "text": question, "cache_control": EPHEMERAL}]},
                    ],
                )
            """,
            title="Five literal breakpoints",
            ranges=["8:12-21:6"],
        ),
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def send(history):
                messages = [{"role": m["role"], "content": [{"type": "text", "text": m["text"]}]} for m in history]
                for message in messages:
                    message["content"][-1]["cache_control"] = {"type": "ephemeral"}
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=400, messages=messages)
            """,
            expected_message="no cap",
            expected_fix="""
            import anthropic

            client = anthropic.Anthropic()


            def send(history):
                messages = [{"role": m["role"], "content": [{"type": "text", "text": m["text"]}]} for m in history]
                for message in messages[-1:]:
                    message["content"][-1]["cache_control"] = {"type": "ephemeral"}
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=400, messages=messages)
            """,
            title="A loop marks every message",
            ranges=["8:5-9:72"],
        ),
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()
            TOOLS = [{"name": "search", "description": "Search the docs.", "input_schema": {"type": "object"}}]


            def agent(task: str):
                messages = [{"role": "user", "content": task}]
                while True:
                    response = client.messages.create(
                        model="claude-sonnet-4-5", max_tokens=1000, tools=TOOLS, messages=messages
                    )
                    if response.stop_reason != "tool_use":
                        return response
                    messages.append({"role": "assistant", "content": response.content})
                    messages.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "ok"}]})
                    messages[-1]["content"][-1]["cache_control"] = {"type": "ephemeral"}
            """,
            expected_message="no cap",
            title="An agent loop marks each new turn and never removes old marks",
            ranges=["9:5-17:77"],
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def send(history):
                messages = [{"role": m["role"], "content": [{"type": "text", "text": m["text"]}]} for m in history]
                for message in messages[-2:]:
                    message["content"][-1]["cache_control"] = {"type": "ephemeral"}
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=400, messages=messages)
            """,
            use_instead=True,
            title="Only the last two messages are marked",
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def agent(task: str):
                messages = [{"role": "user", "content": [{"type": "text", "text": task}]}]
                while True:
                    for message in messages:
                        for block in message["content"]:
                            block.pop("cache_control", None)
                    messages[-1]["content"][-1]["cache_control"] = {"type": "ephemeral"}
                    response = client.messages.create(model="claude-sonnet-4-5", max_tokens=1000, messages=messages)
                    if response.stop_reason == "end_turn":
                        return response
                    messages.append({"role": "assistant", "content": response.content})
                    messages.append({"role": "user", "content": [{"type": "text", "text": "continue"}]})
            """,
            title="Old markers are removed before the new one is added",
        ),
        Valid(
            """
            import anthropic

            from caching import apply_cache_breakpoints

            client = anthropic.Anthropic()


            def send(messages):
                apply_cache_breakpoints(messages, budget=4)
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=400, messages=messages)
            """,
            files={
                "caching.py": '''
                def apply_cache_breakpoints(messages, budget):
                    used = 0
                    for message in reversed(messages):
                        if used >= budget:
                            break
                        message["content"][-1]["cache_control"] = {"type": "ephemeral"}
                        used += 1
                '''
            },
            title="A helper spends a budget of four",
        ),
    ]

    def check_request(self, request: Request, ctx: FileContext) -> None:
        if not _applies(request) or request.hidden_markers:
            return
        count, unbounded = request.breakpoint_count()
        loop_marker = next(
            (m for _, m in request.markers() if m.many and m.bound is None and not m.cond and not m.opt_in), None
        )
        if unbounded and loop_marker is not None:
            field = "cachePoint" if loop_marker.field == "cachePoint" else "cache_control"
            loop_span = loop_marker.written_in or loop_marker.loop
            where = support.where(ctx, loop_span) if loop_span else "a loop"
            message = (
                f"The loop at {where} adds a {field} breakpoint to every element with no cap: with more than "
                f"{MAX_BREAKPOINTS} elements the request has more than {MAX_BREAKPOINTS} breakpoints and "
                f"{'Bedrock rejects it with a ValidationException' if request.fmt == 'converse' else 'the API answers HTTP 400'}. "
                "Mark only the last element, or count and trim the markers"
            )
            fix = self._loop_fix(ctx, loop_marker)
            support.report(ctx, self, request, loop_span, message, fix=fix, fix_title=fix.message if fix else "Mark only the last element")
            return
        if count <= MAX_BREAKPOINTS:
            return
        if request.fmt == "converse":
            # Converse has its own markup and error: cachePoint blocks, a ValidationException.
            message = (
                f"{count} cachePoint blocks in one request ({_describe(request)}): Bedrock accepts at most "
                f"{MAX_BREAKPOINTS} and rejects the request with a ValidationException"
            )
        else:
            message = (
                f"{count} cache breakpoints in one request ({_describe(request)}): the API accepts at most "
                f"{MAX_BREAKPOINTS} and answers HTTP 400 \"A maximum of 4 blocks with cache_control may be provided\""
            )
        fix = self._trim_fix(ctx, request)
        support.report(ctx, self, request, None, message, fix=fix,
                   fix_title=fix.message if fix else "Keep at most four breakpoints")

    # --- fixes ------------------------------------------------------------------------------------
    def _trim_fix(self, ctx: FileContext, request: Request) -> Optional[Fix]:
        marked: List[Tuple[int, Piece]] = [
            (i, p) for i, p in enumerate(request.pieces) if p.marker is not None and not p.marker.cond and not p.marker.many
        ]
        budget = MAX_BREAKPOINTS - (1 if request.top_level is not None else 0)
        keep: List[int] = []
        for section in ("tools", "system", "messages"):
            in_section = [i for i, p in marked if p.section == section]
            if in_section:
                keep.append(in_section[-1])
        messages = [i for i, p in marked if p.section == "messages"]
        if len(messages) >= 2 and len(keep) < budget:
            keep.append(messages[-2])
        if len(keep) > budget:
            return None
        edits: List[Edit] = []
        for i, piece in marked:
            if i in keep:
                continue
            edit = self._remove_marker(ctx, request, piece)
            if edit is None:
                return None
            edits.append(edit)
        if not edits:
            return None
        kept = len(keep) + (1 if request.top_level is not None else 0)
        return Fix(Applicability.UNSAFE, f"Keep {kept} breakpoints (the last of each section) and remove {len(edits)}", tuple(edits))

    def _remove_marker(self, ctx: FileContext, request: Request, piece: Piece) -> Optional[Edit]:
        marker = piece.marker
        if marker is None or marker.container is None or marker.field != "cache_control":
            return None
        literal = marker.container
        if literal.in_loop or not (literal.module_level or literal.frame in request.frame_tokens):
            return None
        if marker.entry_span is None or not literal.span.contains(marker.entry_span):
            return None  # set by an assignment, not written in the display
        sharing = [p for p in request.pieces if p.marker is not None and p.marker.container is not None
                   and p.marker.container.span == literal.span]
        if len(sharing) != 1:
            return None
        src = ctx.load_source(literal.span.path)
        if src is None or literal.kind != "dict":
            return None
        try:
            return remove_dict_entry_edit(src, literal.span.start, literal.span.end, "cache_control")
        except FixUnavailable:
            return None

    def _loop_fix(self, ctx: FileContext, marker: Marker) -> Optional[Fix]:
        loop = marker.written_in or marker.loop
        if loop is None:
            return None
        src = ctx.load_source(loop.path)
        if src is None:
            return None
        header = src.text[loop.start:loop.end]
        first_line = header.split("\n", 1)[0]
        if not first_line.lstrip().startswith(("for ", "async for ")):
            return None
        module = parse_module(_dedent_block(header)).tree
        if module is None or not module.body:
            return None
        stmt = module.body[0]
        if not isinstance(stmt, (ast.For, ast.AsyncFor)) or stmt.orelse:
            return None
        if not isinstance(stmt.iter, (ast.Name, ast.Attribute)):
            return None
        if not all(_only_marks(s) for s in stmt.body):
            return None
        iter_text = ast.unparse(stmt.iter)
        line = first_line
        pos = line.find(" in " + iter_text)
        if pos < 0:
            return None
        begin = loop.start + pos + 4
        end = begin + len(iter_text)
        edit = minimal_edit(src, begin, end, f"{iter_text}[-1:]")
        if edit is None:
            return None
        return Fix(Applicability.UNSAFE, "Mark only the last element", (edit,))


def _dedent_block(text: str) -> str:
    """A statement's source made parseable on its own: the first line starts at the
    statement (its indentation is not in the span), the body keeps relative indentation."""
    import textwrap

    first, _, rest = text.partition("\n")
    body = textwrap.dedent(rest) if rest else ""
    nested = "\n".join("    " + line if line.strip() else line for line in body.splitlines())
    return first.strip() + "\n" + nested + "\n"


def _only_marks(stmt: ast.stmt) -> bool:
    """A loop body statement that only writes a cache marker."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Subscript):
        key = stmt.targets[0].slice
        return isinstance(key, ast.Constant) and key.value in ("cache_control", "cachePoint")
    if isinstance(stmt, ast.If):
        return all(_only_marks(s) for s in stmt.body + stmt.orelse)
    return isinstance(stmt, ast.Pass)
