"""CL009: `cache_control` sent where it is silently dropped."""

from __future__ import annotations

from typing import List, Optional

from cachelint.analysis.request import Marker, Request
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Fix, Severity
from cachelint.fix.edits import FixUnavailable, remove_call_keyword_edit, remove_dict_entry_edit
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import support


def _hint(platforms: List[str]) -> str:
    if all(p in ("openai", "azure-openai") for p in platforms):
        return ("it caches prompts of 1,024 tokens and more automatically; keep static content first and use "
                "prompt_cache_key to improve hit rates")
    if all(p in ("gemini", "vertex-gemini") for p in platforms):
        return "Gemini caches implicitly (2.5 and newer) or through client.caches.create() and cached_content"
    if all(p == "anthropic-openai" for p in platforms):
        return "prompt caching needs the native Messages API (the anthropic SDK's client.messages.create)"
    return "it does not document Claude-style caching on this endpoint"


class CacheControlIgnored(Rule):
    """`cache_control` is sent to an endpoint that drops it.

    ## What it does
    Finds `cache_control` markers (on blocks, content parts, tools, or the request root) in
    requests whose every possible destination ignores them: OpenAI models on
    api.openai.com or Azure OpenAI, Gemini through google-genai, Claude through the Claude
    API's OpenAI SDK compatibility layer (the OpenAI SDK pointed at api.anthropic.com,
    which does no prompt caching), and any platform the platform table marks as ignoring
    block markers (`block-cache-control = "ignored"`).
    Requests whose destination is not known are left alone.

    ## Why is this bad?
    The marker suggests the prompt is cached when the provider throws it away. OpenAI
    caches long prefixes on its own and Gemini has its own mechanisms, so the code pays for
    nothing but gives a false sense of control; a team migrating from Claude often keeps
    these markers and never notices its cache hit rate is whatever the provider decides.

    ## Fix safety
    The fix is safe: it removes the marker (a keyword argument or a dict entry written for
    this request), which changes nothing the provider does or the model sees.

    ## References
    - [OpenAI prompt caching](https://platform.openai.com/docs/guides/prompt-caching)
    - [Gemini context caching](https://ai.google.dev/gemini-api/docs/caching)
    - [Claude: OpenAI SDK compatibility](https://docs.claude.com/en/api/openai-sdk) (prompt caching needs the native API)
    """

    code = "CL009"
    name = "cache-control-ignored"
    summary = "cache_control is sent to an endpoint that drops it (OpenAI, Azure OpenAI, Gemini)."
    severity = Severity.WARNING
    fix_applicability = Applicability.SAFE
    fix_availability = "sometimes"

    examples = [
        Invalid(
            """
            from openai import OpenAI

            GUIDE = "Answer using the product handbook."
            client = OpenAI()


            def ask(question: str):
                return client.chat.completions.create(
                    model="gpt-4.1",
                    messages=[
                        {"role": "system", "content": [
                            {"type": "text", "text": GUIDE, "cache_control": {"type": "ephemeral"}},
                        ]},
                        {"role": "user", "content": question},
                    ],
                )
            """,
            expected_message="the OpenAI API",
            expected_fix="""
            from openai import OpenAI

            GUIDE = "Answer using the product handbook."
            client = OpenAI()


            def ask(question: str):
                return client.chat.completions.create(
                    model="gpt-4.1",
                    messages=[
                        {"role": "system", "content": [
                            {"type": "text", "text": GUIDE},
                        ]},
                        {"role": "user", "content": question},
                    ],
                )
            """,
            ranges=["12:49-12:87"],
        ),
        Invalid(
            """
            from openai import OpenAI

            GUIDE = "Answer using the product handbook."
            client = OpenAI(base_url="https://api.anthropic.com/v1/")


            def ask(question: str):
                return client.chat.completions.create(
                    model="claude-sonnet-4-5",
                    messages=[
                        {"role": "system", "content": [
                            {"type": "text", "text": GUIDE, "cache_control": {"type": "ephemeral"}},
                        ]},
                        {"role": "user", "content": question},
                    ],
                )
            """,
            expected_message="OpenAI SDK compatibility layer",
            expected_fix="""
            from openai import OpenAI

            GUIDE = "Answer using the product handbook."
            client = OpenAI(base_url="https://api.anthropic.com/v1/")


            def ask(question: str):
                return client.chat.completions.create(
                    model="claude-sonnet-4-5",
                    messages=[
                        {"role": "system", "content": [
                            {"type": "text", "text": GUIDE},
                        ]},
                        {"role": "user", "content": question},
                    ],
                )
            """,
            ranges=["12:49-12:87"],
            title="Claude through the OpenAI SDK compatibility layer: no prompt caching",
        ),
        Valid(
            """
            from openai import OpenAI

            GUIDE = "Answer using the product handbook."
            client = OpenAI(base_url="https://openrouter.ai/api/v1")


            def ask(question: str):
                return client.chat.completions.create(
                    model="anthropic/claude-sonnet-4.5",
                    messages=[
                        {"role": "system", "content": [
                            {"type": "text", "text": GUIDE, "cache_control": {"type": "ephemeral"}},
                        ]},
                        {"role": "user", "content": question},
                    ],
                )
            """,
            title="OpenRouter passes markers to Claude",
        ),
        Valid(
            """
            from openai import OpenAI

            client = OpenAI()


            def ask(question: str):
                return client.chat.completions.create(
                    model="gpt-4.1",
                    messages=[{"role": "user", "content": question}],
                    prompt_cache_key="support-bot",
                )
            """,
            use_instead=True,
        ),
    ]

    def check_request(self, request: Request, ctx: FileContext) -> None:
        names = [p.name for p in request.platforms]
        if not names or any(not p.known for p in request.platforms):
            return
        tables = ctx.settings.tables
        infos = [tables.platform(n) for n in names]
        if any(info is None for info in infos):
            return
        block_ignored = all(info.block_cache_control == "ignored" for info in infos)  # type: ignore[union-attr]
        top_ignored = all(info.top_level_cache_control == "ignored" for info in infos)  # type: ignore[union-attr]
        markers: List[Marker] = []
        if block_ignored:
            markers.extend(m for _, m in request.markers() if m.field.startswith("cache_control"))
        if top_ignored and request.top_level is not None:
            markers.append(request.top_level)
        if not markers:
            return
        label = support.describe_platforms(request, tables)
        for marker in markers:
            message = f"cache_control is ignored by {label}: {_hint(names)}"
            fix = self._fix(ctx, request, marker)
            support.report(ctx, self, request, marker.entry_span or marker.span, message, fix=fix, fix_title="Remove the ignored cache_control")

    def _fix(self, ctx: FileContext, request: Request, marker: Marker) -> Optional[Fix]:
        entry = marker.entry_span
        if entry is None or marker.many:
            return None
        src = ctx.load_source(entry.path)
        if src is None:
            return None
        literal = marker.container
        try:
            if literal is not None and literal.span.contains(entry):
                if literal.kind != "dict" or literal.in_loop or not (literal.module_level or literal.frame in request.frame_tokens):
                    return None
                edit = remove_dict_entry_edit(src, literal.span.start, literal.span.end, "cache_control")
            elif request.call_span.contains(entry) and src.text[entry.start:entry.end].startswith("cache_control"):
                edit = remove_call_keyword_edit(src, request.call_span.start, request.call_span.end, "cache_control")
            else:
                return None
        except FixUnavailable:
            return None
        return Fix(Applicability.SAFE, "Remove the ignored cache_control", (edit,)) if edit else None
