"""CL010: reading a cache usage field the response does not have."""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence, Tuple

from cachelint.analysis.events import UsageRead
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Fix, Severity
from cachelint.fix.edits import make_edit
from cachelint.rule import Invalid, Rule, Valid

# Wrong chains (after `usage`) -> the chain that response type really has.
ANTHROPIC = {
    ("prompt_tokens_details", "cached_tokens"): ("cache_read_input_tokens",),
    ("input_tokens_details", "cached_tokens"): ("cache_read_input_tokens",),
    ("prompt_tokens_details", "cache_write_tokens"): ("cache_creation_input_tokens",),
    ("cacheReadInputTokens",): ("cache_read_input_tokens",),
    ("cacheWriteInputTokens",): ("cache_creation_input_tokens",),
    ("cached_tokens",): ("cache_read_input_tokens",),
}
OPENAI_CHAT = {
    ("cache_read_input_tokens",): ("prompt_tokens_details", "cached_tokens"),
    ("cache_creation_input_tokens",): ("prompt_tokens_details", "cache_write_tokens"),
    ("input_tokens_details", "cached_tokens"): ("prompt_tokens_details", "cached_tokens"),
    ("cached_tokens",): ("prompt_tokens_details", "cached_tokens"),
}
OPENAI_RESPONSES = {
    ("cache_read_input_tokens",): ("input_tokens_details", "cached_tokens"),
    ("prompt_tokens_details", "cached_tokens"): ("input_tokens_details", "cached_tokens"),
    ("cached_tokens",): ("input_tokens_details", "cached_tokens"),
}
CONVERSE = {
    ("cache_read_input_tokens",): ("cacheReadInputTokens",),
    ("cache_creation_input_tokens",): ("cacheWriteInputTokens",),
    ("prompt_tokens_details", "cached_tokens"): ("cacheReadInputTokens",),
    ("cached_tokens",): ("cacheReadInputTokens",),
}
SCHEMAS: Dict[str, Tuple[str, Dict[Tuple[str, ...], Tuple[str, ...]]]] = {
    "anthropic": ("an Anthropic Messages response", ANTHROPIC),
    "openai-chat": ("an OpenAI chat completion", OPENAI_CHAT),
    "openai-responses": ("an OpenAI Responses API response", OPENAI_RESPONSES),
    "converse": ("a Bedrock Converse response", CONVERSE),
}


def wrong_field(read: UsageRead) -> Optional[Tuple[Tuple[str, ...], Tuple[str, ...], str]]:
    """(wrong chain, right chain, response description) when the read is a known mistake."""
    if read.api.startswith(("litellm.", "http.")) or "usage" not in read.attrs:
        return None  # litellm's Usage has both spellings; raw HTTP bodies vary by gateway
    schema = SCHEMAS.get(read.fmt)
    if schema is None:
        return None
    description, table = schema
    after = read.attrs[read.attrs.index("usage") + 1 :]
    if read.fmt == "openai-chat" and any(p in ("anthropic", "bedrock", "vertex") for p in read.platforms):
        return None
    mapped = table.get(tuple(after))
    if mapped is None:
        return None
    return tuple(after), mapped, description


class CacheUsageWrongSchema(Rule):
    """Code reads a cache usage field that this kind of response never has.

    ## What it does
    Follows each response of an LLM call to where its usage is read, and reports cache
    fields of another provider's schema: `usage.prompt_tokens_details.cached_tokens` (the
    OpenAI spelling) read from an Anthropic Messages response, `cache_read_input_tokens`
    (Anthropic's) read from an OpenAI chat completion, or from a Bedrock Converse response,
    which says `cacheReadInputTokens`. litellm responses carry both spellings and are left
    alone.

    ## Why is this bad?
    The field is always missing, so the read gives `None`, a default, or an
    `AttributeError` caught somewhere: dashboards show 0% cache hits and nobody knows
    whether caching works. Teams then "fix" caching that was working, or never notice
    that it is not.

    ## Fix safety
    The fix is safe: it renames the field to the one this response has, so the value read
    becomes the real cached-token count.

    ## References
    - Anthropic `Usage`: `cache_read_input_tokens`, `cache_creation_input_tokens`
    - OpenAI `CompletionUsage.prompt_tokens_details.cached_tokens`; Responses `input_tokens_details.cached_tokens`
    - Bedrock Converse `TokenUsage.cacheReadInputTokens`, `cacheWriteInputTokens`
    """

    code = "CL010"
    name = "cache-usage-wrong-schema"
    summary = "A cache usage field of another provider's schema is read from a response; it is always missing."
    severity = Severity.WARNING
    fix_applicability = Applicability.SAFE
    fix_availability = "sometimes"

    examples = [
        Invalid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def ask(question: str) -> int:
                response = client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=500,
                    messages=[{"role": "user", "content": question}],
                )
                return response.usage.prompt_tokens_details.cached_tokens
            """,
            expected_message="Anthropic Messages response",
            expected_fix="""
            import anthropic

            client = anthropic.Anthropic()


            def ask(question: str) -> int:
                response = client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=500,
                    messages=[{"role": "user", "content": question}],
                )
                return response.usage.cache_read_input_tokens
            """,
            ranges=["11:12-11:62"],
        ),
        Invalid(
            """
            import boto3

            runtime = boto3.client("bedrock-runtime")


            def ask(question: str):
                response = runtime.converse(
                    modelId="us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                    messages=[{"role": "user", "content": [{"text": question}]}],
                )
                hits = response["usage"].get("cache_read_input_tokens", 0)
                return response, hits
            """,
            expected_message="cacheReadInputTokens",
            expected_fix="""
            import boto3

            runtime = boto3.client("bedrock-runtime")


            def ask(question: str):
                response = runtime.converse(
                    modelId="us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                    messages=[{"role": "user", "content": [{"text": question}]}],
                )
                hits = response["usage"].get("cacheReadInputTokens", 0)
                return response, hits
            """,
            title="Bedrock Converse says cacheReadInputTokens",
            ranges=["11:12-11:63"],
        ),
        Invalid(
            """
            from openai import OpenAI

            client = OpenAI()


            def ask(question: str):
                completion = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": question}])
                print("cached:", completion.usage.cache_read_input_tokens)
                return completion
            """,
            expected_message="OpenAI chat completion",
            expected_fix="""
            from openai import OpenAI

            client = OpenAI()


            def ask(question: str):
                completion = client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": question}])
                print("cached:", completion.usage.prompt_tokens_details.cached_tokens)
                return completion
            """,
            ranges=["8:22-8:62"],
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def ask(question: str) -> int:
                response = client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=500,
                    messages=[{"role": "user", "content": question}],
                )
                return response.usage.cache_read_input_tokens
            """,
            use_instead=True,
        ),
        Valid(
            """
            import litellm


            def ask(question: str) -> int:
                response = litellm.completion(model="anthropic/claude-sonnet-4-5", messages=[{"role": "user", "content": question}])
                return response.usage.cache_read_input_tokens
            """,
            title="litellm responses have both spellings",
        ),
        Valid(
            """
            import anthropic
            import litellm
            from litellm import ModelResponse

            client = anthropic.Anthropic()


            def cached_tokens(response) -> int:
                if isinstance(response, anthropic.types.Message):
                    return response.usage.cache_read_input_tokens
                elif isinstance(response, ModelResponse):
                    return response.usage.prompt_tokens_details.cached_tokens
                return 0


            def ask(question: str, direct: bool) -> int:
                messages = [{"role": "user", "content": question}]
                if direct:
                    response = client.messages.create(model="claude-sonnet-4-5", max_tokens=500, messages=messages)
                else:
                    response = litellm.completion(model="anthropic/claude-sonnet-4-5", messages=messages)
                return cached_tokens(response)
            """,
            title="each SDK's reply read under its own isinstance test",
        ),
        Valid(
            """
            import os

            import anthropic
            from litellm import ModelResponse

            client = anthropic.Anthropic()
            GATEWAY = os.environ.get("LLM_GATEWAY") == "1"


            def cached_tokens(response) -> int:
                if GATEWAY and isinstance(response, ModelResponse):
                    return response.usage.prompt_tokens_details.cached_tokens
                return response.usage.cache_read_input_tokens


            def ask(question: str) -> int:
                response = client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=500, messages=[{"role": "user", "content": question}]
                )
                return cached_tokens(response)
            """,
            title="an Anthropic reply is never litellm's ModelResponse",
        ),
    ]

    def check_module(self, ctx: FileContext) -> None:
        reads = [e for e in ctx.events if isinstance(e, UsageRead) and e.span.path == ctx.path]
        found: List[Tuple[UsageRead, Tuple[str, ...], Tuple[str, ...], str]] = []
        for read in reads:
            wrong = wrong_field(read)
            if wrong is not None:
                found.append((read, *wrong))
        # Report each expression once: the longest read (a chain's prefixes are reads too).
        found.sort(key=lambda f: (f[0].span.start, -(f[0].span.end - f[0].span.start)))
        reported: List[Tuple[int, int]] = []
        for read, wrong, right, description in found:
            if any(s <= read.span.start and read.span.end <= e for s, e in reported):
                continue
            if any(r.span.start == read.span.start and r.span.end > read.span.end and wrong_field(r) is not None for r in reads):
                continue
            reported.append((read.span.start, read.span.end))
            message = (
                f"usage.{'.'.join(wrong)} does not exist on {description}: this read always gets nothing, so cache "
                f"hits look like 0%. The field is usage.{'.'.join(right)}"
            )
            fix = self._fix(ctx, read, wrong, right)
            ctx.report(self, read.span.start, read.span.end, message, fix=fix,
                       fix_title=f"Read usage.{'.'.join(right)}")

    def _fix(self, ctx: FileContext, read: UsageRead, wrong: Sequence[str], right: Sequence[str]) -> Optional[Fix]:
        src = ctx.load_source(read.span.path)
        if src is None:
            return None
        text = src.text[read.span.start : read.span.end]
        attr = r"\s*\.\s*".join(re.escape(w) for w in wrong)
        match = None
        for match in re.finditer(r"\.\s*" + attr + r"\b", text):
            pass
        if match is not None and match.end() == len(text.rstrip()):
            start = read.span.start + match.start()
            return Fix(Applicability.SAFE, f"Read usage.{'.'.join(right)}",
                       (make_edit(src, start, read.span.start + match.end(), "." + ".".join(right)),))
        if len(wrong) == 1 and len(right) == 1:
            quoted = None
            for quoted in re.finditer(r"(['\"])" + re.escape(wrong[0]) + r"\1", text):
                pass
            if quoted is not None:
                start = read.span.start + quoted.start()
                q = quoted.group(1)
                return Fix(Applicability.SAFE, f"Read {right[0]}",
                           (make_edit(src, start, read.span.start + quoted.end(), f"{q}{right[0]}{q}"),))
        return None
