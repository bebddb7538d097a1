"""CL001: a large static prompt prefix sent to Claude without a cache breakpoint."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from cachelint.analysis.request import Piece, Request
from cachelint.analysis.spans import Span
from cachelint.analysis.tokens import estimate_tokens
from cachelint.analysis.values import Kind, Str
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Fix, Severity
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import support


@dataclass(frozen=True)
class UncachedStaticPromptOptions:
    min_tokens: int = field(
        default=0,
        metadata={"doc": "Report only prefixes of at least this many tokens, on top of the model's own minimum "
                  "(to focus on the biggest savings first)."},
    )


def _sections(prefix: List[Piece]) -> str:
    names = []
    for piece in prefix:
        name = {"tools": "tools", "system": "system prompt", "messages": "leading messages"}[piece.section]
        if name not in names:
            names.append(name)
    return " and ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " and " + names[-1]


class UncachedStaticPrompt(Rule):
    """A Claude request whose static prefix is big enough to cache has no cache breakpoint.

    ## What it does
    Finds requests to Claude (the Anthropic API, Bedrock, Vertex, Foundry, Bedrock Mantle,
    Claude Platform on AWS; Claude models through OpenRouter, litellm or raw HTTP; Bedrock
    Converse) whose static prefix (tools, then system prompt, then any leading messages that
    never change) reaches the model's minimum cacheable size, while nothing marks it for
    caching: no `cache_control` on it or after it, no top-level (automatic)
    `cache_control`, no Converse `cachePoint`.

    It also reports static text that reaches the minimum only together with the start of a
    block whose end changes per call (`system=RULES + f"Today is {today}"`): no breakpoint
    can cache that block until the per-call part moves to a block of its own.

    The prefix is measured where it is built, across modules: a prompt constant imported
    from another file, a template filled once at import, a Markdown file read from the
    project. Sizes are estimated at four characters per token; the minimum comes from the
    model table (configurable; for models whose minimum is disputed the higher value is used,
    and for an unknown model the highest of all, so a finding is always worth acting on).

    ## Why is this bad?
    Claude re-processes an unmarked prompt from scratch on every call. With one breakpoint
    after the static part, every later call within the cache lifetime reads it for a tenth
    of the input price (less on some newer models) and starts answering sooner. For an
    agent that sends the same 8,000-token instructions on every turn this is most of the
    bill.

    ## Fix safety
    The fix is safe: what the model sees is unchanged and the request stays within the
    four-breakpoint limit (the rule only fires when there is no breakpoint at all). A plain
    string `system` becomes a one-block list with the same expression as its text; an
    existing block gets `"cache_control": {"type": "ephemeral"}`; a Converse list gets a
    `{"cachePoint": {"type": "default"}}` block after the static content; an OpenAI-format
    request to OpenRouter gets the marker on its last static content part. The edit is made
    where the value is placed into the request, in whichever file that is, and only where
    it affects this request alone (never inside a helper that builds other blocks too).

    A prompt passed in through a wrapper's parameter (`complete(SYSTEM, text)` forwarding
    `system=system`) is marked at the SDK call inside the wrapper when every use of the
    wrapper in the project is a call that passes a string there (a literal, an f-string, a
    string constant of that module or imported from another): each caller then sends the
    same text as before, with a breakpoint. When one caller passes something else (a block
    list, its own parameter, `**kwargs`), or the wrapper is used other than by a call, the
    finding has no fix and its help line names that caller.

    ## References
    - [Prompt caching](https://platform.claude.com/docs/en/build-with-claude/prompt-caching)
    - [Pricing: cache reads and writes](https://platform.claude.com/docs/en/about-claude/pricing)
    - [OpenRouter prompt caching](https://openrouter.ai/docs/guides/best-practices/prompt-caching)
    """

    code = "CL001"
    name = "uncached-static-prompt"
    summary = "A static prompt prefix big enough to cache is sent to Claude without a cache breakpoint."
    severity = Severity.WARNING
    fix_applicability = Applicability.SAFE
    fix_availability = "sometimes"

    options_class = UncachedStaticPromptOptions

    examples = [
        Invalid(
            """
            from anthropic import AnthropicFoundry

            from prompts import SYSTEM_PROMPT

            client = AnthropicFoundry(resource="contoso")


            def answer(question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    system=SYSTEM_PROMPT,
                    messages=[{"role": "user", "content": question}],
                )
            """,
            files={"prompts.py": 'SYSTEM_PROMPT = "Follow the style guide. " * 1000\n'},
            expected_message="~6,000 tokens",
            expected_fix="""
            from anthropic import AnthropicFoundry

            from prompts import SYSTEM_PROMPT

            client = AnthropicFoundry(resource="contoso")


            def answer(question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    system=[{"type": "text", "text": SYSTEM_PROMPT, "cache_control": {"type": "ephemeral"}}],
                    messages=[{"role": "user", "content": question}],
                )
            """,
            title="A Claude model on Azure Foundry with a 6,000-token system prompt",
            ranges=["12:16-12:29"],
        ),
        Invalid(
            """
            import anthropic

            GUIDE = "Answer with citations from the handbook. " * 600

            client = anthropic.Anthropic()


            def ask(history):
                system = [
                    {"type": "text", "text": "You are Ada, the support agent."},
                    {"type": "text", "text": GUIDE},
                ]
                return client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=512, system=system, messages=history
                )
            """,
            expected_message="minimum cacheable prefix",
            expected_fix="""
            import anthropic

            GUIDE = "Answer with citations from the handbook. " * 600

            client = anthropic.Anthropic()


            def ask(history):
                system = [
                    {"type": "text", "text": "You are Ada, the support agent."},
                    {"type": "text", "text": GUIDE, "cache_control": {"type": "ephemeral"}},
                ]
                return client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=512, system=system, messages=history
                )
            """,
            title="An existing block list gets the marker on its last static block",
            ranges=["11:34-11:39"],
        ),
        Invalid(
            """
            import boto3

            RULES = "Classify the ticket by product area. " * 400
            bedrock = boto3.client("bedrock-runtime")


            def classify(ticket: str):
                return bedrock.converse(
                    modelId="us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                    system=[{"text": RULES}],
                    messages=[{"role": "user", "content": [{"text": ticket}]}],
                )
            """,
            expected_message="Amazon Bedrock",
            expected_fix="""
            import boto3

            RULES = "Classify the ticket by product area. " * 400
            bedrock = boto3.client("bedrock-runtime")


            def classify(ticket: str):
                return bedrock.converse(
                    modelId="us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                    system=[{"text": RULES}, {"cachePoint": {"type": "default"}}],
                    messages=[{"role": "user", "content": [{"text": ticket}]}],
                )
            """,
            title="Bedrock Converse gets a cachePoint block",
            ranges=["10:26-10:31"],
        ),
        Invalid(
            """
            from openai import OpenAI

            PLAYBOOK = "Escalate refunds above the limit to a human. " * 500
            router = OpenAI(base_url="https://openrouter.ai/api/v1")


            def reply(text: str):
                return router.chat.completions.create(
                    model="anthropic/claude-sonnet-4.5",
                    messages=[
                        {"role": "system", "content": PLAYBOOK},
                        {"role": "user", "content": text},
                    ],
                )
            """,
            expected_message="OpenRouter",
            expected_fix="""
            from openai import OpenAI

            PLAYBOOK = "Escalate refunds above the limit to a human. " * 500
            router = OpenAI(base_url="https://openrouter.ai/api/v1")


            def reply(text: str):
                return router.chat.completions.create(
                    model="anthropic/claude-sonnet-4.5",
                    messages=[
                        {"role": "system", "content": [{"type": "text", "text": PLAYBOOK, "cache_control": {"type": "ephemeral"}}]},
                        {"role": "user", "content": text},
                    ],
                )
            """,
            title="An OpenAI-format request to a Claude model on OpenRouter",
            ranges=["11:43-11:51"],
        ),
        Invalid(
            """
            import litellm

            POLICY = "Never reveal internal account notes. " * 500


            def chat(user_text: str):
                params = {"model": "bedrock/anthropic.claude-3-7-sonnet-20250219-v1:0"}
                params["messages"] = [{"role": "system", "content": POLICY}]
                params["messages"].append({"role": "user", "content": user_text})
                return litellm.completion(**params)
            """,
            expected_message="Amazon Bedrock",
            title="litellm to Bedrock, the request built in a dict",
            expected_fix="""
            import litellm

            POLICY = "Never reveal internal account notes. " * 500


            def chat(user_text: str):
                params = {"model": "bedrock/anthropic.claude-3-7-sonnet-20250219-v1:0"}
                params["messages"] = [{"role": "system", "content": [{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}]}]
                params["messages"].append({"role": "user", "content": user_text})
                return litellm.completion(**params)
            """,
            ranges=["8:57-8:63"],
        ),
        Invalid(
            """
            import datetime

            import anthropic

            RULES = "Cite the policy section for every answer. " * 400
            client = anthropic.Anthropic()


            def answer(question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=800,
                    system=RULES + f"\\nToday is {datetime.date.today()}.",
                    messages=[{"role": "user", "content": question}],
                )
            """,
            expected_message="share a block with the current date",
            title="The static rules share one block with today's date",
            ranges=["13:16-13:62"],
        ),
        Invalid(
            """
            import anthropic

            RULES = "Cite the policy section for every answer. " * 400
            client = anthropic.Anthropic()


            def answer(question: str, agent_id: str):
                system = RULES
                if agent_id:
                    system += f"\\nAgent: {agent_id}"
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=800,
                    system=system,
                    messages=[{"role": "user", "content": question}],
                )
            """,
            expected_message="On some paths the same block also holds parameter `agent_id`",
            expected_fix="""
            import anthropic

            RULES = "Cite the policy section for every answer. " * 400
            client = anthropic.Anthropic()


            def answer(question: str, agent_id: str):
                system = RULES
                if agent_id:
                    system += f"\\nAgent: {agent_id}"
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=800,
                    system=[{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
                    messages=[{"role": "user", "content": question}],
                )
            """,
            title="Every branch starts with the same static rules; one adds a per-call line",
            ranges=["14:16-14:22"],
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()
            POLICY = "You are the support assistant of Example Corp. Cite the policy. " * 400


            def ask(question, persona: object):
                system = POLICY
                if (system := input()) and isinstance(persona, str):
                    return client.messages.create(
                        model="claude-sonnet-4-5", max_tokens=512, system=system,
                        messages=[{"role": "user", "content": question}],
                    )
            """,
            title="the prompt is rebound by the condition that guards the call",
        ),
        Valid(
            """
            from openai import OpenAI

            POLICY = "You are the support assistant of Example Corp. Cite the policy. " * 400
            client = OpenAI(base_url="https://api.anthropic.com/v1/")


            def ask(question: str):
                return client.chat.completions.create(
                    model="claude-sonnet-4-5",
                    messages=[{"role": "system", "content": POLICY}, {"role": "user", "content": question}],
                )
            """,
            title="Claude through the OpenAI SDK compatibility layer, which does no prompt caching",
        ),
        Valid(
            """
            from anthropic import AnthropicFoundry

            SYSTEM_PROMPT = "Be concise. " * 442  # about 1,327 tokens: below Foundry's 2,048

            client = AnthropicFoundry(resource="contoso")


            def answer(question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    system=SYSTEM_PROMPT,
                    messages=[{"role": "user", "content": question}],
                )
            """,
            title="The same request with a prompt below the platform minimum",
        ),
        Valid(
            """
            import anthropic

            SYSTEM_PROMPT = "Follow the style guide. " * 1000
            client = anthropic.Anthropic()


            def answer(question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    system=[{"type": "text", "text": SYSTEM_PROMPT, "cache_control": {"type": "ephemeral"}}],
                    messages=[{"role": "user", "content": question}],
                )
            """,
            use_instead=True,
        ),
        Valid(
            """
            import anthropic

            SYSTEM_PROMPT = "Follow the style guide. " * 1000
            client = anthropic.Anthropic()


            def mark_last(blocks):
                blocks[-1]["cache_control"] = {"type": "ephemeral"}
                return blocks


            def answer(question: str):
                system = mark_last([{"type": "text", "text": SYSTEM_PROMPT}])
                return client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=1024, system=system,
                    messages=[{"role": "user", "content": question}],
                )
            """,
            title="A helper adds the marker in place",
        ),
        Valid(
            """
            import anthropic

            SYSTEM_PROMPT = "Follow the style guide. " * 1000
            client = anthropic.Anthropic()


            def answer(question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=1024, system=SYSTEM_PROMPT,
                    messages=[{"role": "user", "content": question}],
                    cache_control={"type": "ephemeral"},
                )
            """,
            title="Automatic caching with the top-level cache_control",
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def answer(system_prompt: str, question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=1024, system=system_prompt,
                    messages=[{"role": "user", "content": question}],
                )
            """,
            title="The prompt comes from the caller: its size is unknown",
        ),
        Valid(
            """
            import anthropic

            SYSTEM_PROMPT = "Follow the style guide. " * 600  # ~3,600 tokens
            client = anthropic.Anthropic()


            def answer(model: str, question: str):
                return client.messages.create(
                    model=model, max_tokens=1024, system=SYSTEM_PROMPT,
                    messages=[{"role": "user", "content": question}],
                )
            """,
            title="Unknown model: only prompts above every model's minimum (4,096) are reported",
            config="",
        ),
        Valid(
            """
            import anthropic

            SHORT = "Answer in one sentence."
            RULES = "Cite the policy section for every answer. " * 400
            client = anthropic.Anthropic()


            def answer(question: str, agent_id: str):
                system = SHORT
                if agent_id:
                    system = RULES + f"\\nAgent: {agent_id}"
                return client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=800, system=system,
                    messages=[{"role": "user", "content": question}],
                )
            """,
            title="Only one branch is large: the text every call starts with is too short to cache",
        ),
        Valid(
            """
            from openai import OpenAI

            PLAYBOOK = "Escalate refunds above the limit to a human. " * 500
            client = OpenAI()


            def reply(text: str):
                return client.chat.completions.create(
                    model="gpt-4.1",
                    messages=[{"role": "system", "content": PLAYBOOK}, {"role": "user", "content": text}],
                )
            """,
            title="OpenAI caches long prefixes automatically",
        ),
    ]

    def check_request(self, request: Request, ctx: FileContext) -> None:
        if not support.is_claude_request(request) or support.has_markers(request):
            return
        prefix = request.static_prefix()
        tokens = support.total_tokens(prefix) if prefix else 0
        if tokens is None:
            return
        minimum = support.request_min_tokens(request, ctx.settings.tables)
        threshold = max(minimum.high, self.options.min_tokens)
        if tokens < threshold:
            self._check_shared_block(ctx, request, prefix, tokens, threshold)
            return
        ratio = support.read_ratio(request, ctx.settings.tables)
        saved = int(tokens * (1 - ratio))
        if request.model and ctx.settings.tables.model(request.model) is not None:
            reach = f"the model's minimum cacheable prefix ({threshold:,} tokens)"
        else:
            reach = f"the minimum cacheable prefix of any Claude model there ({threshold:,} tokens)"
        message = (
            f"Static prefix of ~{tokens:,} tokens ({_sections(prefix)}) is sent to {support.describe_model(request)} "
            f"on {support.describe_platforms(request, ctx.settings.tables)} without a cache breakpoint, so it is processed at full price "
            f"on every call. It reaches {reach}; cached reads cost {ratio:g}x input, saving the price of "
            f"~{saved:,} input tokens per call"
        )
        fix, why = self._fix_or_reason(ctx, request, prefix)
        preferred = prefix[-1].span
        title = "Add a cache breakpoint (cache_control) after the static prefix"
        support.report(ctx, self, request, preferred, message,
            fix=fix,
            fix_title=fix.message if fix else (f"{title} (no automatic fix: {why})" if why else title),
        )

    def _check_shared_block(self, ctx: FileContext, request: Request, prefix: List[Piece], tokens: int, threshold: int) -> None:
        """Static text that only reaches the minimum together with the head of the next block,
        whose tail changes per call (`system=RULES + f"\\nToday: {today}"`): no breakpoint
        can cache it until the per-call part gets a block of its own."""
        following = request.pieces[len(prefix)] if len(prefix) < len(request.pieces) else None
        if following is None or following.kind != Kind.DYNAMIC or not isinstance(following.value, Str) or following.many:
            return
        head = 0
        hole = None
        for part in following.value.parts:
            if not part.kind.cacheable:
                hole = part
                break
            head += part.length or 0
        head_tokens = estimate_tokens(head)
        if hole is None or hole.kind != Kind.DYNAMIC or tokens + head_tokens < threshold:
            return
        label = hole.label or "a value that changes per call"
        if hole.optional:
            self._report_optional_tail(ctx, request, prefix, following, tokens + head_tokens, label, hole.span)
            return
        message = (
            f"~{tokens + head_tokens:,} tokens of static prompt text ({_sections(prefix + [following])}) share a block with "
            f"{label} ({support.where(ctx, hole.span)}), which changes on every call, so no breakpoint can cache them. Put "
            "the per-call text in a block of its own after the static one and mark the static block with cache_control"
        )
        support.report(ctx, self, request, following.span, message,
                       fix_title="Give the per-call text its own block after a breakpoint")

    def _report_optional_tail(self, ctx: FileContext, request: Request, prefix: List[Piece], following: Piece,
                              tokens: int, label: str, span: Optional[Span]) -> None:
        """Static text that every path sends, followed on some paths only by per-call text in
        the same block (`system = RULES` then `if agent_id: system += f"..."`).

        On the paths without the per-call tail the block is static from end to end, so a
        breakpoint on it is read back there: the fix (mark the block) is right as it is. On
        the other paths the block is cached per value of the tail, which is why the message
        still advises a block of its own for it."""
        message = (
            f"~{tokens:,} tokens of static prompt text ({_sections(prefix + [following])}) are sent to "
            f"{support.describe_model(request)} without a cache breakpoint, so they are processed at full price on every "
            f"call. On some paths the same block also holds {label} ({support.where(ctx, span)}): mark the block with "
            "cache_control, and better, put that per-call text in a block of its own after the marked static one"
        )
        fix = self._fix(ctx, request, prefix + [following], 0)
        support.report(ctx, self, request, following.span, message, fix=fix,
                       fix_title=fix.message if fix else "Add a cache breakpoint (cache_control) after the static prefix")

    def _fix_or_reason(self, ctx: FileContext, request: Request, prefix: List[Piece]) -> Tuple[Optional[Fix], Optional[str]]:
        """The fix, or None and why there is none when the reason is worth telling: the
        prompt reaches the SDK call through a wrapper's parameter."""
        fix = self._fix(ctx, request, prefix, 0)
        if fix is not None:
            return fix, None
        piece = prefix[-1]
        if not (piece.via_param and support.wrappable(piece, allow_param=True)):
            return None, None
        assert piece.span is not None
        why = support.callers_pass_strings(ctx, piece.span)
        if why is not None:
            return None, why
        edits = support.marker_edits(ctx, request, piece, allow_param=True)
        if not edits:
            return None, None
        # every caller passes a string: the block list built in the wrapper is what each of
        # them sends, with the same text
        return Fix(Applicability.SAFE, "Mark the system prompt with cache_control where the wrapper sends it",
                   tuple(edits)), None

    def _fix(self, ctx: FileContext, request: Request, prefix: List[Piece], minimum: int) -> Optional[Fix]:
        # Only the last static piece: a marker on an earlier one would cache part of the
        # prefix and silence this rule while the rest stays uncached.
        piece = prefix[-1]
        edits = support.marker_edits(ctx, request, piece)
        if not edits:
            return None
        where = {"tools": "the last tool", "system": "the system prompt", "messages": "the last static message"}[piece.section]
        title = f"Add a cachePoint after {where}" if request.fmt == "converse" else f"Mark {where} with cache_control"
        return Fix(Applicability.SAFE, title, tuple(edits))
