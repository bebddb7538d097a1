"""CL017: OpenAI's explicit cache mode with no breakpoint caches nothing."""

from __future__ import annotations

from typing import List, Optional

from cachelint.analysis.request import Piece, Request
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Edit, Fix, Severity
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import providers, support

BREAKPOINT = '{"mode": "explicit"}'


class OpenAIExplicitCacheWithoutBreakpoint(Rule):
    """`prompt_cache_options={"mode": "explicit"}` with no `prompt_cache_breakpoint`: nothing is cached.

    ## What it does
    Finds OpenAI Chat Completions and Responses requests (gpt-5.6 and later) that set
    `prompt_cache_options` with `"mode": "explicit"` while no content part of the request
    carries a `prompt_cache_breakpoint`. Requests whose messages the analysis cannot see
    (a history passed in, parts built by a helper that may add breakpoints) are left alone.

    ## Why is this bad?
    Explicit mode turns off the breakpoint OpenAI would otherwise place by itself; only the
    breakpoints in the request are written. With none, the request does not use prompt
    caching at all (the SDK's `PromptCacheOptions.mode`: "If there are no explicit
    breakpoints, the request does not use prompt caching"), so every call pays the full
    input price, silently: no error, `cached_tokens` stays 0.

    Some code does this on purpose, to avoid the cache-write surcharge of gpt-5.6 and later
    on prompts that are never reused (graphiti-core sends `{"mode": "explicit"}` with no
    breakpoint for that reason). Then say so with a suppression comment
    (`# cachelint: ignore[CL017]`) next to the option.

    ## Fix safety
    The fix puts `prompt_cache_breakpoint={"mode": "explicit"}` on the last content part of
    the static start of the prompt (the system message or the first parts that are the same
    on every call), turning a plain string into a one-part list when needed. It is safe: it
    changes caching markup only, and the model sees the same text. There is no fix when the
    request starts with per-call content or the part cannot be edited for this request only.

    ## References
    - openai-python 3.63 `completion_create_params.PromptCacheOptions` and
      `response_create_params.PromptCacheOptions` (`mode`, `ttl`), `PromptCacheBreakpoint`
      on content parts (`ChatCompletionContentPartTextParam`, `ResponseInputTextParam`, ...)
    - [OpenAI prompt caching guide](https://developers.openai.com/api/docs/guides/prompt-caching)
    """

    code = "CL017"
    name = "openai-explicit-cache-without-breakpoint"
    summary = "An OpenAI request in explicit cache mode has no prompt_cache_breakpoint: it caches nothing."
    severity = Severity.WARNING
    fix_applicability = Applicability.SAFE
    fix_availability = "sometimes"

    examples = [
        Invalid(
            """
            from openai import OpenAI

            HANDBOOK = "Refunds are possible within 30 days of delivery. " * 300
            client = OpenAI()


            def ask(question: str):
                return client.chat.completions.create(
                    model="gpt-5.6-terra",
                    messages=[
                        {"role": "system", "content": HANDBOOK},
                        {"role": "user", "content": question},
                    ],
                    prompt_cache_options={"mode": "explicit"},
                )
            """,
            expected_message="caches nothing",
            expected_fix="""
            from openai import OpenAI

            HANDBOOK = "Refunds are possible within 30 days of delivery. " * 300
            client = OpenAI()


            def ask(question: str):
                return client.chat.completions.create(
                    model="gpt-5.6-terra",
                    messages=[
                        {"role": "system", "content": [{"type": "text", "text": HANDBOOK, "prompt_cache_breakpoint": {"mode": "explicit"}}]},
                        {"role": "user", "content": question},
                    ],
                    prompt_cache_options={"mode": "explicit"},
                )
            """,
        ),
        Invalid(
            """
            from openai import OpenAI

            HANDBOOK = "Refunds are possible within 30 days of delivery. " * 300
            client = OpenAI()


            def ask(question: str):
                return client.responses.create(
                    model="gpt-5.6-sol",
                    input=[
                        {"role": "developer", "content": [{"type": "input_text", "text": HANDBOOK}]},
                        {"role": "user", "content": question},
                    ],
                    prompt_cache_options={"mode": "explicit", "ttl": "12h"},
                )
            """,
            expected_message="caches nothing",
            expected_fix="""
            from openai import OpenAI

            HANDBOOK = "Refunds are possible within 30 days of delivery. " * 300
            client = OpenAI()


            def ask(question: str):
                return client.responses.create(
                    model="gpt-5.6-sol",
                    input=[
                        {"role": "developer", "content": [{"type": "input_text", "text": HANDBOOK, "prompt_cache_breakpoint": {"mode": "explicit"}}]},
                        {"role": "user", "content": question},
                    ],
                    prompt_cache_options={"mode": "explicit", "ttl": "12h"},
                )
            """,
            title="Responses API",
        ),
        Valid(
            """
            from openai import OpenAI

            HANDBOOK = "Refunds are possible within 30 days of delivery. " * 300
            client = OpenAI()


            def ask(question: str):
                return client.chat.completions.create(
                    model="gpt-5.6-terra",
                    messages=[
                        {"role": "system", "content": [
                            {"type": "text", "text": HANDBOOK, "prompt_cache_breakpoint": {"mode": "explicit"}},
                        ]},
                        {"role": "user", "content": question},
                    ],
                    prompt_cache_options={"mode": "explicit"},
                )
            """,
            use_instead=True,
        ),
        Valid(
            """
            from openai import OpenAI

            client = OpenAI()


            def ask(history: list):
                return client.chat.completions.create(
                    model="gpt-5.6-terra",
                    messages=history,
                    prompt_cache_options={"mode": "explicit"},
                )
            """,
            title="The caller's history may carry the breakpoints",
        ),
        Valid(
            """
            from openai import OpenAI

            HANDBOOK = "Refunds are possible within 30 days of delivery. " * 300
            client = OpenAI()


            def ask(question: str):
                return client.chat.completions.create(
                    model="gpt-5.6-terra",
                    messages=[
                        {"role": "system", "content": HANDBOOK},
                        {"role": "user", "content": question},
                    ],
                )
            """,
            title="Implicit mode (the default) places a breakpoint itself",
        ),
    ]

    def check_request(self, request: Request, ctx: FileContext) -> None:
        if not providers.is_openai_request(request):
            return
        mode, known = providers.cache_mode(request)
        if not known or mode != "explicit" or request.openai_breakpoints():
            return
        if not providers.sees_every_part(request):
            return
        entry = providers.body_entry(request, "prompt_cache_options")
        assert entry is not None
        message = ("prompt_cache_options mode 'explicit' turns off OpenAI's own breakpoint, and no content part has a "
                   "prompt_cache_breakpoint: this request caches nothing and pays full input price on every call")
        fix = self._fix(ctx, request)
        support.report(ctx, self, request, entry.value.span or entry.key_span, message, fix=fix,
                       fix_title=fix.message if fix is not None else None)

    def _fix(self, ctx: FileContext, request: Request) -> Optional[Fix]:
        static: List[Piece] = [p for p in request.static_prefix() if p.section != "tools" and p.path != "instructions"]
        if not static:
            return None
        text_type = "input_text" if request.fmt == "openai-responses" else "text"
        edits: Optional[List[Edit]] = support.marker_edits(ctx, request, static[-1], BREAKPOINT, key="prompt_cache_breakpoint",
                                                           text_type=text_type)
        if not edits:
            return None
        return Fix(Applicability.SAFE, "Put a prompt_cache_breakpoint at the end of the static prompt", tuple(edits))
