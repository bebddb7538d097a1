"""CL013: an agent loop resends a growing conversation with no breakpoint that follows it."""

from __future__ import annotations

from typing import Optional

from cachelint.analysis.request import Request
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Fix, Severity
from cachelint.fix.edits import FixUnavailable, add_call_keyword_edit
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import support

#: SDK methods whose signature has the top-level `cache_control` keyword.
TOP_LEVEL_KEYWORD_APIS = (
    "anthropic.messages.create",
    "anthropic.messages.stream",
    "anthropic.beta.messages.create",
    "anthropic.beta.messages.stream",
    "anthropic.beta.messages.tool_runner",
    "litellm.completion",
    "litellm.acompletion",
)


class UncachedConversationHistory(Rule):
    """An agent loop appends to `messages` and calls Claude each turn, with no moving breakpoint.

    ## What it does
    Finds a Claude call inside a loop that appends to the same `messages` list every turn
    (an agent or tool-use loop) when nothing caches the conversation: no breakpoint on any
    message and no top-level (automatic) `cache_control`. A breakpoint on the system
    prompt alone does not count: it does not move with the history.

    ## Why is this bad?
    Each turn resends the whole conversation, so without a breakpoint that moves with it
    every turn re-processes everything before it at full price. Input cost grows with the
    square of the number of turns; long agent sessions cost up to ten times what they would
    with caching. With automatic caching (or a marker on the last block), each turn reads
    the previous turns from the cache at a tenth of the price.

    ## Fix safety
    The fix is safe: it adds the top-level `cache_control={"type": "ephemeral"}` to the
    call, where every platform it can reach supports it (the direct API, Foundry, Bedrock
    Mantle, Claude Platform on AWS, Claude on Google Cloud) and the request stays within
    four breakpoints. What the model sees does not change. On Bedrock or Vertex, or through
    OpenRouter, there is no automatic fix: mark the last message block each turn and remove
    the previous marker.

    ## References
    - [Prompt caching: automatic caching for conversations](https://platform.claude.com/docs/en/build-with-claude/prompt-caching)
    - [Tool use with prompt caching](https://platform.claude.com/docs/en/agents-and-tools/tool-use/tool-use-with-prompt-caching)
    """

    code = "CL013"
    name = "uncached-conversation-history"
    summary = "An agent loop resends its growing conversation to Claude every turn with no breakpoint that moves with it."
    severity = Severity.WARNING
    fix_applicability = Applicability.SAFE
    fix_availability = "sometimes"

    examples = [
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()
            TOOLS = [{"name": "run", "description": "Run a shell command.", "input_schema": {"type": "object"}}]


            def agent(task: str, execute):
                messages = [{"role": "user", "content": task}]
                while True:
                    response = client.messages.create(
                        model="claude-sonnet-4-5", max_tokens=2000, tools=TOOLS, messages=messages
                    )
                    messages.append({"role": "assistant", "content": response.content})
                    if response.stop_reason != "tool_use":
                        return response
                    messages.append({"role": "user", "content": execute(response)})
            """,
            expected_message="every turn",
            expected_fix="""
            import anthropic

            client = anthropic.Anthropic()
            TOOLS = [{"name": "run", "description": "Run a shell command.", "input_schema": {"type": "object"}}]


            def agent(task: str, execute):
                messages = [{"role": "user", "content": task}]
                while True:
                    response = client.messages.create(
                        model="claude-sonnet-4-5", max_tokens=2000, tools=TOOLS, messages=messages, cache_control={"type": "ephemeral"}
                    )
                    messages.append({"role": "assistant", "content": response.content})
                    if response.stop_reason != "tool_use":
                        return response
                    messages.append({"role": "user", "content": execute(response)})
            """,
            ranges=["10:20-12:10"],
        ),
        Invalid(
            """
            from anthropic import AnthropicBedrock

            client = AnthropicBedrock()


            def chat(read_line):
                messages = []
                for _ in range(50):
                    messages.append({"role": "user", "content": read_line()})
                    reply = client.messages.create(
                        model="us.anthropic.claude-sonnet-4-5-20250929-v1:0", max_tokens=500, messages=messages
                    )
                    messages.append({"role": "assistant", "content": reply.content})
            """,
            expected_message="every turn",
            title="On Bedrock there is no automatic fix (top-level cache_control is rejected there)",
            ranges=["10:17-12:10"],
        ),
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def add_turn(history, message):
                return history + [message]


            def chat(questions):
                history = []
                for question in questions:
                    history = add_turn(history, {"role": "user", "content": question})
                    reply = client.messages.create(model="claude-sonnet-4-5", max_tokens=500, messages=history)
                    history = add_turn(history, {"role": "assistant", "content": reply.content})
            """,
            expected_message="every turn",
            expected_fix="""
            import anthropic

            client = anthropic.Anthropic()


            def add_turn(history, message):
                return history + [message]


            def chat(questions):
                history = []
                for question in questions:
                    history = add_turn(history, {"role": "user", "content": question})
                    reply = client.messages.create(model="claude-sonnet-4-5", max_tokens=500, messages=history, cache_control={"type": "ephemeral"})
                    history = add_turn(history, {"role": "assistant", "content": reply.content})
            """,
            title="The history is rebuilt by a helper each turn (history = add_turn(history, msg))",
            ranges=["14:17-14:100"],
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            class Conversation:
                def __init__(self, bot: str, stream: bool = False) -> None:
                    self.bot = bot
                    self.messages = []


            def main() -> None:
                conversation = Conversation("helper", cache_user_prompt=True)
                while True:
                    conversation.messages.append({"role": "user", "content": input()})
                    reply = client.messages.create(model="claude-sonnet-4-5", max_tokens=512, messages=conversation.messages)
                    conversation.messages.append({"role": "assistant", "content": reply.content})
            """,
            title="the loop is never reached: the constructor call before it raises TypeError",
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def agent(task: str, execute):
                messages = [{"role": "user", "content": task}]
                while True:
                    response = client.messages.create(
                        model="claude-sonnet-4-5", max_tokens=2000, messages=messages,
                        cache_control={"type": "ephemeral"},
                    )
                    messages.append({"role": "assistant", "content": response.content})
                    if response.stop_reason != "tool_use":
                        return response
                    messages.append({"role": "user", "content": execute(response)})
            """,
            use_instead=True,
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def answer_all(questions):
                results = []
                for question in questions:
                    results.append(client.messages.create(
                        model="claude-sonnet-4-5", max_tokens=300,
                        messages=[{"role": "user", "content": question}],
                    ))
                return results
            """,
            title="A loop of independent one-shot calls: nothing accumulates",
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()
            EXAMPLES = [{"role": "user", "content": "Review: x = 1"}, {"role": "assistant", "content": "Fine."}]


            def review_all(snippets):
                for snippet in snippets:
                    messages = list(EXAMPLES)
                    messages.append({"role": "user", "content": snippet})
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=300, messages=messages)
            """,
            title="A fresh copy of fixed examples each turn: the appends do not accumulate",
        ),
        Valid(
            """
            import copy

            import anthropic

            client = anthropic.Anthropic()


            def with_cache(messages):
                marked = copy.deepcopy(messages)
                marked[-1]["content"][-1]["cache_control"] = {"type": "ephemeral"}
                return marked


            def chat(read_line):
                history = []
                while True:
                    history.append({"role": "user", "content": [{"type": "text", "text": read_line()}]})
                    reply = client.messages.create(
                        model="claude-sonnet-4-5", max_tokens=500, messages=with_cache(history)
                    )
                    history.append({"role": "assistant", "content": reply.content})
            """,
            title="A helper marks the last block of a copy each turn: the breakpoint moves with the history",
        ),
    ]

    def check_request(self, request: Request, ctx: FileContext) -> None:
        if not support.is_claude_request(request) or request.hidden_markers:
            return
        if request.loop is None or not request.history_appends:
            return
        if request.top_level is not None or any(p.marker is not None for p in request.pieces if p.section == "messages"):
            return
        loop = support.where(ctx, request.loop)
        message = (
            f"This loop ({loop}) appends to the conversation and sends all of it to Claude every turn, with no "
            "breakpoint that moves with the history: every turn re-processes the whole conversation at full price "
            "(long sessions cost several times more). Enable automatic caching (top-level cache_control) or mark the "
            "last message block each turn"
        )
        fix = self._fix(ctx, request)
        support.report(ctx, self, request, None, message, fix=fix,
                   fix_title=fix.message if fix else "Cache the conversation (top-level cache_control)")

    def _fix(self, ctx: FileContext, request: Request) -> Optional[Fix]:
        if not request.api.startswith(TOP_LEVEL_KEYWORD_APIS) or "body" in request.incomplete:
            return None
        tables = ctx.settings.tables
        for platform in request.platforms:
            info = tables.platform(platform.name)
            if not platform.known or info is None or info.top_level_cache_control != "supported":
                return None
        count, unbounded = request.breakpoint_count()
        if unbounded or count + 1 > 4:
            return None
        span = request.call_span
        src = ctx.load_source(span.path)
        if src is None:
            return None
        try:
            edit = add_call_keyword_edit(src, span.start, span.end, "cache_control", '{"type": "ephemeral"}')
        except FixUnavailable:
            return None
        return Fix(Applicability.SAFE, "Add cache_control={\"type\": \"ephemeral\"} (automatic caching)", (edit,)) if edit else None
