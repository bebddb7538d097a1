"""CL008: a breakpoint whose prefix is certainly too small to be cached."""

from __future__ import annotations

from cachelint.analysis.request import Request
from cachelint.analysis.tokens import upper_bound_of_estimate
from cachelint.context import FileContext
from cachelint.diagnostics import Severity
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import support


class BreakpointBelowMinimum(Rule):
    """A cache breakpoint sits on a prefix that is certainly below the model's minimum.

    ## What it does
    For each breakpoint of a Claude request (`cache_control` or a Converse `cachePoint`)
    whose whole prefix is known (tools, system and messages up to the marker, all measured),
    compares an upper bound of the prefix size with the model's minimum cacheable prefix
    (the lower end for disputed models). It reports only when even that bound is below the
    minimum.

    The bound is measured, not guessed (see `cachelint/analysis/tokens.py` and
    `benchmarks/token_calibration.py`): the densest 1% of real prompt text, tool JSON and
    code, counted with `ctok` (an unofficial offline reconstruction of Claude's token
    counts), is 2.90 characters per token on Claude's older tokenizer, 1.38x the
    four-characters-per-token estimate; for Opus 4.7 and later (whose tokenizer gives
    approximately 30% more tokens, per Anthropic) and for a model that is not known, 2.21
    characters per token, 1.81x the estimate.

    ## Why is this bad?
    Below the minimum nothing is cached and no error says so: `cache_creation_input_tokens`
    stays 0 and every call pays full price, while the code looks as if it caches. Either
    the breakpoint belongs further down (after more static content), or the prompt is too
    small to be worth caching and the marker can go.

    ## Fix safety
    No automatic fix: whether to move the breakpoint, grow the cached prefix or drop the
    marker is a decision about the prompt.

    ## References
    - [Prompt caching: minimum cacheable length](https://platform.claude.com/docs/en/build-with-claude/prompt-caching)
    """

    code = "CL008"
    name = "breakpoint-below-minimum"
    summary = "A cache breakpoint whose prefix is certainly below the model's minimum cacheable size caches nothing."
    severity = Severity.WARNING

    examples = [
        Invalid(
            """
            import anthropic

            GUIDE = "Route the ticket to billing, outage, account or other, with a reason. " * 150
            client = anthropic.Anthropic()


            def route(ticket: str):
                return client.messages.create(
                    model="claude-haiku-4-5",
                    max_tokens=20,
                    system=[{"type": "text", "text": GUIDE, "cache_control": {"type": "ephemeral"}}],
                    messages=[{"role": "user", "content": ticket}],
                )
            """,
            ranges=["11:49-11:87"],
            expected_message="~2,625 tokens (at most ~3,620)",
            title="~2,600 tokens marked for Claude Haiku 4.5, whose minimum is 4,096",
        ),
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def classify(ticket: str):
                return client.messages.create(
                    model="claude-haiku-4-5",
                    max_tokens=10,
                    system=[{"type": "text", "text": "Classify the ticket as bug or question.",
                             "cache_control": {"type": "ephemeral"}}],
                    messages=[{"role": "user", "content": ticket}],
                )
            """,
            expected_message="4,096",
            ranges=["11:18-11:56"],
        ),
        Valid(
            """
            import anthropic

            GUIDE = "Classify the ticket as bug, question or feature request, with reasons. " * 300
            client = anthropic.Anthropic()


            def classify(ticket: str):
                return client.messages.create(
                    model="claude-haiku-4-5",
                    max_tokens=10,
                    system=[{"type": "text", "text": GUIDE, "cache_control": {"type": "ephemeral"}}],
                    messages=[{"role": "user", "content": ticket}],
                )
            """,
            use_instead=True,
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def chat(history, question: str):
                return client.messages.create(
                    model="claude-haiku-4-5",
                    max_tokens=10,
                    system="Be brief.",
                    messages=[*history, {"role": "user", "content": [
                        {"type": "text", "text": question, "cache_control": {"type": "ephemeral"}}]}],
                )
            """,
            title="The prefix includes history of unknown size",
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()
            TOOLS = [{"type": "computer_20250124", "name": "computer", "display_width_px": 1280,
                      "display_height_px": 800}]


            def act(history):
                return client.beta.messages.create(
                    model="claude-sonnet-4-5",
                    max_tokens=1024,
                    tools=TOOLS,
                    system=[{"type": "text", "text": "You operate the computer.",
                             "cache_control": {"type": "ephemeral"}}],
                    messages=history,
                    betas=["computer-use-2025-01-24"],
                )
            """,
            title="An Anthropic-defined tool is expanded by the API into a definition of its own size",
        ),
    ]

    def check_request(self, request: Request, ctx: FileContext) -> None:
        if not (support.is_claude_request(request) or request.fmt == "converse"):
            return
        minimum = support.request_min_tokens(request, ctx.settings.tables).low
        if minimum <= 0:
            return
        for index, marker in request.markers():
            if marker.cond or marker.many:
                continue
            tokens = request.prefix_tokens(index)
            if tokens is None or any(p.many or p.may_mark for p in request.pieces[: index + 1]):
                continue
            upper = upper_bound_of_estimate(tokens, request.model)
            if upper >= minimum:
                continue
            message = (
                f"This breakpoint caches a prefix of ~{tokens:,} tokens (at most ~{upper:,}), below the minimum "
                f"cacheable prefix of {minimum:,} tokens for {support.describe_model(request)}: nothing is cached and "
                "no error says so. Move the breakpoint after more static content, or drop it"
            )
            support.report(ctx, self, request, marker.entry_span or marker.span, message)
