"""CL004: the request-root `cache_control` sent to a platform that rejects or may not honour it."""

from __future__ import annotations

import re
from typing import List, Optional

from cachelint.analysis.request import Marker, Request
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Edit, Fix, Severity
from cachelint.fix.edits import (
    FixUnavailable,
    combine_edits,
    remove_call_keyword_edit,
    remove_dict_entry_edit,
    remove_statement_edit,
)
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import support


class UnportableTopLevelCacheControl(Rule):
    """The request-root `cache_control` (automatic caching) goes to a platform that rejects it.

    ## What it does
    Finds requests that set the top-level `cache_control` (the `cache_control=` argument of
    the Anthropic SDK or litellm, `extra_body={"cache_control": ...}`, or a root key of a
    JSON body) and can reach a platform that rejects it: the legacy Bedrock endpoints
    (`AnthropicBedrock`, boto3 `invoke_model` bodies), Vertex AI, and litellm `bedrock/` and
    `vertex_ai/` models. Gateways whose upstream is not known (OpenRouter, a custom base
    URL) get a warning. The direct Claude API, Foundry, Bedrock Mantle, Claude Platform on
    AWS and Claude on Google Cloud accept it.

    Which platform accepts what is data (`[tool.cachelint.platforms.<name>]`), because
    sources disagree (Vertex and Bedrock Mantle changed during 2026). Code behind a guard
    that excludes those platforms (`if not isinstance(client, AnthropicBedrock)`, a
    provider check matching the one that chose the client) is not reported; a guard that
    mentions the platform in a way cachelint cannot decide keeps it silent too.

    ## Why is this bad?
    Legacy Bedrock answers HTTP 400 "cache_control: Extra inputs are not permitted"; the
    request fails, not just the cache. The Anthropic SDK does not strip the field for you.
    Where a gateway silently drops it, nothing is cached and nothing tells you.

    ## Fix safety
    The fix is safe: it removes the root field and puts the same `cache_control` (same TTL)
    on a block, so the number of breakpoints and what the model sees do not change. In a
    conversation (a history passed in, or an agent loop) it goes on the last block, exactly
    where automatic caching would have put it; in a one-shot call, whose last block
    changes every time, it goes at the end of the static prefix, which is what can be read
    back. It is offered when both edits can be made: the field is a keyword of the call, an
    entry of a dict display or a `params["cache_control"] = ...` statement, written by the
    code that sends the request or by a params/body factory that nothing else in the
    project calls (a factory shared with requests to a platform that accepts the field is
    left alone), and the target block is known. The client may come from anywhere (a
    subclass, a factory function or method): only the platform it reaches matters.

    ## References
    - [Prompt caching: automatic caching](https://platform.claude.com/docs/en/build-with-claude/prompt-caching)
    - [litellm#26320: 400 on Bedrock with top-level cache_control](https://github.com/BerriAI/litellm/issues/26320)
    """

    code = "CL004"
    name = "unportable-top-level-cache-control"
    summary = "The top-level cache_control is sent to a platform that rejects it (Bedrock, Vertex) or may not honour it."
    severity = Severity.ERROR
    fix_applicability = Applicability.SAFE
    fix_availability = "sometimes"

    examples = [
        Invalid(
            """
            from anthropic import AnthropicBedrock

            client = AnthropicBedrock(aws_region="us-east-1")


            def ask(question: str):
                return client.messages.create(
                    model="us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                    max_tokens=500,
                    cache_control={"type": "ephemeral", "ttl": "1h"},
                    messages=[{"role": "user", "content": question}],
                )
            """,
            expected_message="Amazon Bedrock",
            expected_fix="""
            from anthropic import AnthropicBedrock

            client = AnthropicBedrock(aws_region="us-east-1")


            def ask(question: str):
                return client.messages.create(
                    model="us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                    max_tokens=500,
                    messages=[{"role": "user", "content": [{"type": "text", "text": question, "cache_control": {"type": "ephemeral", "ttl": "1h"}}]}],
                )
            """,
            title="AnthropicBedrock with automatic caching",
            ranges=["10:9-10:57"],
        ),
        Invalid(
            """
            import json

            import boto3

            runtime = boto3.client("bedrock-runtime")


            def summarize(text: str):
                body = {
                    "anthropic_version": "bedrock-2023-05-31",
                    "max_tokens": 300,
                    "cache_control": {"type": "ephemeral"},
                    "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}],
                }
                return runtime.invoke_model(modelId="anthropic.claude-3-5-haiku-20241022-v1:0", body=json.dumps(body))
            """,
            expected_message="rejects it",
            expected_fix="""
            import json

            import boto3

            runtime = boto3.client("bedrock-runtime")


            def summarize(text: str):
                body = {
                    "anthropic_version": "bedrock-2023-05-31",
                    "max_tokens": 300,
                    "messages": [{"role": "user", "content": [{"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}]}],
                }
                return runtime.invoke_model(modelId="anthropic.claude-3-5-haiku-20241022-v1:0", body=json.dumps(body))
            """,
            title="A boto3 InvokeModel body",
            ranges=["12:9-12:47"],
        ),
        Invalid(
            """
            import litellm


            def chat(messages):
                return litellm.completion(
                    model="vertex_ai/claude-sonnet-4-5@20250929",
                    messages=messages,
                    cache_control={"type": "ephemeral"},
                )
            """,
            expected_message="Vertex AI",
            title="litellm to Vertex (the messages come from the caller: no fix)",
            ranges=["8:9-8:44"],
        ),
        Invalid(
            """
            from openai import OpenAI

            client = OpenAI(base_url="https://openrouter.ai/api/v1")


            def chat(question: str):
                return client.chat.completions.create(
                    model="anthropic/claude-sonnet-4.5",
                    messages=[{"role": "user", "content": question}],
                    extra_body={"cache_control": {"type": "ephemeral"}},
                )
            """,
            expected_message="upstream",
            expected_fix="""
            from openai import OpenAI

            client = OpenAI(base_url="https://openrouter.ai/api/v1")


            def chat(question: str):
                return client.chat.completions.create(
                    model="anthropic/claude-sonnet-4.5",
                    messages=[{"role": "user", "content": [{"type": "text", "text": question, "cache_control": {"type": "ephemeral"}}]}],
                    extra_body={},
                )
            """,
            title="OpenRouter: the upstream may be Bedrock or Vertex (warning)",
            ranges=["10:21-10:59"],
        ),
        Valid(
            """
            import anthropic

            client = anthropic.Anthropic()


            def ask(question: str):
                return client.messages.create(
                    model="claude-sonnet-4-5", max_tokens=500,
                    cache_control={"type": "ephemeral"},
                    messages=[{"role": "user", "content": question}],
                )
            """,
            title="The direct API supports automatic caching",
        ),
        Valid(
            """
            from anthropic import Anthropic, AnthropicBedrock


            class Chat:
                def __init__(self, use_bedrock: bool):
                    self.client = AnthropicBedrock() if use_bedrock else Anthropic()

                def ask(self, question: str):
                    params = {"model": "claude-sonnet-4-5", "max_tokens": 500,
                              "messages": [{"role": "user", "content": question}]}
                    if not isinstance(self.client, AnthropicBedrock):
                        params["cache_control"] = {"type": "ephemeral"}
                    return self.client.messages.create(**params)
            """,
            title="A guard that excludes Bedrock",
        ),
        Valid(
            """
            from anthropic import AnthropicBedrock

            client = AnthropicBedrock()


            def ask(question: str):
                return client.messages.create(
                    model="us.anthropic.claude-sonnet-4-5-20250929-v1:0", max_tokens=500,
                    messages=[{"role": "user", "content": [
                        {"type": "text", "text": question, "cache_control": {"type": "ephemeral", "ttl": "1h"}},
                    ]}],
                )
            """,
            use_instead=True,
        ),
    ]

    def check_request(self, request: Request, ctx: FileContext) -> None:
        marker = request.top_level
        if marker is None:
            return
        tables = ctx.settings.tables
        rejected: List[str] = []
        unknown: List[str] = []
        for alt in request.platforms:
            info = tables.platform(alt.name)
            if info is None or not alt.known:
                continue
            decision = support.reaches(alt, marker, request)
            if decision is None:
                return  # a platform guard cachelint cannot decide: stay silent
            if not decision:
                continue
            if info.top_level_cache_control == "rejected":
                rejected.append(tables.platform_label(alt.name))
            elif info.top_level_cache_control == "unknown":
                unknown.append(tables.platform_label(alt.name))
        if not rejected and not unknown:
            return
        if rejected:
            message = (
                f"Top-level cache_control (automatic caching) is sent to {' and '.join(sorted(set(rejected)))}, "
                "which rejects it: the request fails with HTTP 400 \"cache_control: Extra inputs are not permitted\". "
                "Put the marker on the last cacheable block instead"
            )
            severity = Severity.ERROR
        else:
            message = (
                f"Top-level cache_control is sent to {' and '.join(sorted(set(unknown)))}, whose upstream is not known: "
                "Bedrock and Vertex upstreams reject or drop it. A cache_control marker on the last cacheable block "
                "works on every upstream"
            )
            severity = Severity.WARNING
        fix = self._fix(ctx, request, marker)
        preferred = marker.entry_span or marker.span
        support.report(ctx, self, request, preferred, message, fix=fix, severity=severity,
                   fix_title=fix.message if fix else "Move cache_control to the last cacheable block")

    def _fix(self, ctx: FileContext, request: Request, marker: Marker) -> Optional[Fix]:
        value_src = support.marker_source(ctx, marker)
        if value_src is None or marker.cond or marker.entry_span is None:
            return None
        removal = self._remove(ctx, request, marker)
        if removal is None:
            return None
        # the root field is written by a helper used once (a body factory): the block it
        # builds may take the marker there too
        private = marker.container.span if (
            marker.container is not None and not marker.container.module_level
            and marker.container.frame not in request.frame_tokens and support.private_helper(ctx, marker.container.span)
        ) else None
        # Automatic caching marks the last block. In a conversation that is what caches the
        # history; in a one-shot call the last block changes every time, so the marker goes
        # to the end of the static prefix instead (never less than what the field cached).
        prefix = request.static_prefix()
        edits = None
        targets = [prefix] if prefix and not support.conversation_continues(request) else []
        targets.append(list(request.pieces))
        for pieces in targets:
            last = next((p for p in reversed(pieces) if p.block_type not in ("thinking", "redacted_thinking")
                         and not p.empty_text), None)
            if last is not None and last.marker is not None and not last.many:
                # The block already has its own marker: removing the root field is the whole
                # fix when the TTLs agree (automatic caching would add nothing there).
                if last.marker.effective_ttl == marker.effective_ttl:
                    return Fix(Applicability.SAFE, "Remove the top-level cache_control (the block is already marked)",
                               (removal,))
                return None
            _, edits = support.last_markable(ctx, request, pieces, value_src, allow_param=True, private=private)
            if edits:
                break
        if not edits:
            return None
        same_file = [e for e in edits if e.path == removal.path]
        other = [e for e in edits if e.path != removal.path]
        src = ctx.load_source(removal.path)
        if src is None:
            return None
        try:
            combined = combine_edits(src, [removal, *same_file])
        except FixUnavailable:
            return None
        return Fix(Applicability.SAFE, "Move cache_control to the last cacheable block", tuple(combined + other))

    def _remove(self, ctx: FileContext, request: Request, marker: Marker) -> Optional[Edit]:
        entry = marker.entry_span
        assert entry is not None
        src = ctx.load_source(entry.path)
        if src is None:
            return None
        literal = marker.container
        try:
            if literal is not None and literal.span.contains(entry):
                # a dict written for this request, at import, or by a helper (a params or
                # body factory) that nothing else in the project calls
                written_here = literal.module_level or literal.frame in request.frame_tokens
                if literal.kind != "dict" or literal.in_loop or not (written_here or support.private_helper(ctx, literal.span)):
                    return None
                return remove_dict_entry_edit(src, literal.span.start, literal.span.end, "cache_control")
            call = request.call_span
            if call.contains(entry) and src.text[entry.start:entry.end].startswith("cache_control"):
                return remove_call_keyword_edit(src, call.start, call.end, "cache_control")
            text = src.text[entry.start:entry.end]
            if re.fullmatch(r"\w+\[\s*['\"]cache_control['\"]\s*\]", text):
                # `params["cache_control"] = {...}` in the code that builds this request (or
                # in a helper used once): the statement goes
                func = support.enclosing_function(ctx, entry)
                chain = [span for span in request.chain if span.path == entry.path]
                if func is None and not (literal is not None and literal.module_level):
                    return None
                if func is not None and not (support.private_helper(ctx, entry)
                                             or any(support.enclosing_function(ctx, span) is not None
                                                    and support.same_function(ctx, span, entry) for span in chain)
                                             or support.same_function(ctx, request.call_span, entry)):
                    return None
                tree = support.module_tree(ctx, entry.path)
                if tree is None:
                    return None
                return remove_statement_edit(src, tree, (entry.start, entry.end))
        except FixUnavailable:
            return None
        return None
