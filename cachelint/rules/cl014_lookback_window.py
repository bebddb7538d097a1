"""CL014: a turn can add more content blocks than a breakpoint looks back over."""

from __future__ import annotations

from typing import Optional

from cachelint.analysis.request import Piece, Request
from cachelint.context import FileContext
from cachelint.diagnostics import Severity
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import support

LOOKBACK_BLOCKS = 20


def unbounded_turn_blocks(request: Request) -> Optional[Piece]:
    """A messages piece that one turn can repeat without bound: blocks appended by a loop
    inside one message (tool results), or messages appended by a loop nested inside the
    agent loop."""
    for piece in request.pieces:
        if piece.section != "messages" or not piece.many:
            continue
        bound = piece.bound
        if bound is not None and bound <= LOOKBACK_BLOCKS:
            continue
        if piece.marker is not None:
            continue  # every such block is a breakpoint (CL003 judges how many)
        if piece.repeated_block:
            return piece
        inner = piece.appended_in
        if inner is not None and request.loop is not None and inner != request.loop and request.loop.contains(inner):
            return piece
    return None


def moving_breakpoint(request: Request) -> bool:
    """Whether the conversation's last breakpoint can move forward with the turns of the
    agent loop: automatic caching (a top-level `cache_control`), a marker on a message the
    loop appends, a marker written inside the loop's body, or one made while any loop ran
    (by a helper called each turn); only a marker made outside every loop, on a message the
    loop did not append, is fixed.

    Only a breakpoint that moves has the lookback problem: the next turn's breakpoint sits
    further on and must find the entry the previous turn wrote within 20 blocks. A
    breakpoint fixed before the loop (the boundary of the history the loop started with)
    is read back at the same position every turn, whatever the turn appends.
    """
    if request.top_level is not None:
        return True
    loop = request.loop
    if loop is None:
        return False
    for piece in request.pieces:
        marker = piece.marker
        if piece.section != "messages" or marker is None:
            continue
        appended_in = piece.appended_in
        if appended_in is not None and loop.contains(appended_in):
            return True
        if marker.span is None or loop.contains(marker.span):
            return True
        if marker.written_in is not None and loop.contains(marker.written_in):
            return True
        if marker.made_in_loop is not False:
            # made by a helper the loop may call on every turn (a copy of the history with
            # its newest user block marked), or the analysis cannot tell: it may move
            return True
    return False


class LookbackWindow(Rule):
    """One turn of an agent loop can add more than 20 blocks after the last breakpoint.

    ## What it does
    Finds cached conversations in an agent loop where one turn appends a number of content
    blocks that only a loop bounds: tool results collected block by block, or one message
    per tool call appended inside the turn. More than 20 such blocks after the previous
    breakpoint fall outside the cache's lookback window. Only a breakpoint that moves with
    the turns counts (automatic caching, or a marker placed each turn); one placed once
    before the loop is read back at the same place every turn.

    ## Why is this bad?
    A breakpoint looks back at most 20 content blocks for an existing cache entry. When a
    turn adds more (an agent that runs 30 tool calls at once), the next request cannot find
    the entry the previous turn wrote, pays full price for the whole conversation and
    writes it again, with no error. Long tool-heavy sessions are exactly the ones this
    makes expensive.

    ## Fix safety
    No automatic fix. Add an intermediate breakpoint about every 15 blocks of a long turn
    (within the four-breakpoint limit), or batch tool results into fewer blocks.

    ## References
    - [Prompt caching: the 20-block lookback window](https://platform.claude.com/docs/en/build-with-claude/prompt-caching)
    """

    code = "CL014"
    name = "lookback-window"
    summary = "A turn can add more than 20 content blocks after the last breakpoint, beyond the cache's lookback window."
    severity = Severity.WARNING

    examples = [
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def agent(task: str, run_tool):
                messages = [{"role": "user", "content": task}]
                while True:
                    response = client.messages.create(
                        model="claude-sonnet-4-5", max_tokens=4000, messages=messages,
                        cache_control={"type": "ephemeral"},
                    )
                    if response.stop_reason != "tool_use":
                        return response
                    messages.append({"role": "assistant", "content": response.content})
                    results = []
                    for block in response.content:
                        if block.type == "tool_use":
                            results.append({"type": "tool_result", "tool_use_id": block.id, "content": run_tool(block)})
                    messages.append({"role": "user", "content": results})
            """,
            expected_message="20",
            ranges=["9:20-12:10"],
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def agent(task: str, run_tool):
                messages = [{"role": "user", "content": task}]
                while True:
                    response = client.messages.create(
                        model="claude-sonnet-4-5", max_tokens=4000, messages=messages,
                        cache_control={"type": "ephemeral"},
                    )
                    if response.stop_reason != "tool_use":
                        return response
                    messages.append({"role": "assistant", "content": response.content})
                    messages.append({"role": "user", "content": [{"type": "text", "text": run_tool(response)}]})
            """,
            use_instead=True,
            title="One result block per turn",
        ),
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def agent(task: str, run_tool):
                messages = [{"role": "user", "content": task}]
                while True:
                    response = client.messages.create(model="claude-sonnet-4-5", max_tokens=4000, messages=messages)
                    if response.stop_reason != "tool_use":
                        return response
                    messages.append({"role": "assistant", "content": response.content})
                    results = []
                    for block in response.content:
                        if block.type == "tool_use":
                            results.append({"type": "tool_result", "tool_use_id": block.id, "content": run_tool(block)})
                    results[-1]["cache_control"] = {"type": "ephemeral"}
                    messages.append({"role": "user", "content": results})
            """,
            expected_message="20",
            ranges=["9:20-9:105"],
            title="The breakpoint moves to each turn's last tool result",
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def agent(document: str, task: str, run_tool):
                messages = [{"role": "user", "content": [
                    {"type": "text", "text": document, "cache_control": {"type": "ephemeral"}},
                    {"type": "text", "text": task},
                ]}]
                while True:
                    response = client.messages.create(model="claude-sonnet-4-5", max_tokens=4000, messages=messages)
                    if response.stop_reason != "tool_use":
                        return response
                    messages.append({"role": "assistant", "content": response.content})
                    results = []
                    for block in response.content:
                        if block.type == "tool_use":
                            results.append({"type": "tool_result", "tool_use_id": block.id, "content": run_tool(block)})
                    messages.append({"role": "user", "content": results})
            """,
            title="A breakpoint fixed before the loop is read back at the same place every turn",
        ),
    ]

    def check_request(self, request: Request, ctx: FileContext) -> None:
        if not support.is_claude_request(request) or request.loop is None or not request.history_appends:
            return
        if not moving_breakpoint(request):
            return  # nothing caches the conversation (CL013's finding), or only a fixed prefix of it
        piece = unbounded_turn_blocks(request)
        if piece is None:
            return
        source = support.where(ctx, piece.appended_in) if piece.appended_in else support.where(ctx, piece.span)
        message = (
            f"One turn can append any number of content blocks (the loop at {source}) after the last breakpoint: a "
            f"breakpoint looks back at most {LOOKBACK_BLOCKS} blocks for a cached prefix, so a turn with more misses "
            "the cache and pays for the whole conversation again. Add a breakpoint every ~15 blocks of a long turn"
        )
        support.report(ctx, self, request, None, message)
