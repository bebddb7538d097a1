"""CL018: more OpenAI cache breakpoints in every request than one request writes."""

from __future__ import annotations

from typing import List, Tuple

from cachelint.analysis.request import Marker, Request
from cachelint.context import FileContext
from cachelint.diagnostics import Severity
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import providers, support


class OpenAIBreakpointsNotWritten(Rule):
    """An OpenAI request always carries more `prompt_cache_breakpoint`s than it writes.

    ## What it does
    Counts the `prompt_cache_breakpoint` markers an OpenAI request (gpt-5.6 and later) carries
    on every call: markers written by the code that builds it, not in a loop and not under a
    condition. One request writes at most four of them in `explicit` mode and three in the
    default `implicit` mode (where OpenAI adds a breakpoint of its own), always the latest
    ones. When the request always has more, the earliest are reported: no request from this
    call site ever writes them. Markers added per turn (a conversation that grows) are not
    counted: older turns' markers were written by the requests that added them.

    ## Why is this bad?
    The earliest breakpoints usually mark the most shared part of the prompt (the tools and
    the system prompt, reused by other requests with other messages). A breakpoint that is
    never written never creates a cache entry, so any request that shares only that part
    finds nothing to read and pays full price. No error says so.

    ## Fix safety
    No fix: which breakpoints to keep depends on what other requests share. Drop the ones
    that cover the same prefix as a later one, or merge adjacent parts.

    ## References
    - openai-python 3.63 `PromptCacheOptions` ("Each request can write up to four
      breakpoints"; `mode`: "With `implicit`, OpenAI creates one implicit breakpoint and
      writes up to the latest three explicit breakpoints in the request. With `explicit`,
      OpenAI does not create an implicit breakpoint and writes up to the latest four explicit
      breakpoints")
    - [OpenAI prompt caching guide](https://developers.openai.com/api/docs/guides/prompt-caching)
    """

    code = "CL018"
    name = "openai-breakpoints-not-written"
    summary = "An OpenAI request always carries more prompt_cache_breakpoints than one request writes (4 explicit, 3 implicit)."
    severity = Severity.WARNING

    examples = [
        Invalid(
            """
            from openai import OpenAI

            RULES = "Refunds are possible within 30 days of delivery. " * 200
            CATALOG = "Item 1: a blue kettle. " * 300
            PRICES = "Item 1 costs 20 euros. " * 300
            FAQ = "Shipping takes three days. " * 300
            BP = {"mode": "explicit"}
            client = OpenAI()


            def ask(question: str):
                return client.chat.completions.create(
                    model="gpt-5.6-luna",
                    messages=[
                        {"role": "system", "content": [
                            {"type": "text", "text": RULES, "prompt_cache_breakpoint": BP},
                            {"type": "text", "text": CATALOG, "prompt_cache_breakpoint": BP},
                            {"type": "text", "text": PRICES, "prompt_cache_breakpoint": BP},
                            {"type": "text", "text": FAQ, "prompt_cache_breakpoint": BP},
                        ]},
                        {"role": "user", "content": question},
                    ],
                )
            """,
            expected_message="never written",
        ),
        Valid(
            """
            from openai import OpenAI

            RULES = "Refunds are possible within 30 days of delivery. " * 200
            CATALOG = "Item 1: a blue kettle. " * 300
            PRICES = "Item 1 costs 20 euros. " * 300
            FAQ = "Shipping takes three days. " * 300
            BP = {"mode": "explicit"}
            client = OpenAI()


            def ask(question: str):
                return client.chat.completions.create(
                    model="gpt-5.6-luna",
                    messages=[
                        {"role": "system", "content": [
                            {"type": "text", "text": RULES, "prompt_cache_breakpoint": BP},
                            {"type": "text", "text": CATALOG, "prompt_cache_breakpoint": BP},
                            {"type": "text", "text": PRICES, "prompt_cache_breakpoint": BP},
                            {"type": "text", "text": FAQ, "prompt_cache_breakpoint": BP},
                        ]},
                        {"role": "user", "content": question},
                    ],
                    prompt_cache_options={"mode": "explicit"},
                )
            """,
            use_instead=True,
            title="Explicit mode writes four",
        ),
    ]

    def check_request(self, request: Request, ctx: FileContext) -> None:
        if not providers.is_openai_request(request):
            return
        mode, known = providers.cache_mode(request)
        if not known or mode not in providers.WRITTEN:
            return
        fixed: List[Tuple[int, Marker]] = [(i, m) for i, m in request.openai_breakpoints()
                                           if not m.many and not m.cond and not request.pieces[i].many and not request.pieces[i].cond]
        limit = providers.WRITTEN[mode]
        if len(fixed) <= limit:
            return
        dropped = fixed[: len(fixed) - limit]
        for _, marker in dropped:
            message = (f"this prompt_cache_breakpoint is never written: the request always carries {len(fixed)} breakpoints and "
                       f"OpenAI writes only the latest {limit} in {mode} mode, so no cache entry is made here")
            if mode == "implicit":
                message += " (explicit mode writes four)"
            support.report(ctx, self, request, marker.entry_span or marker.span, message)
