"""CL005: `copilot_cache_control` sent to an endpoint other than the GitHub Copilot API."""

from __future__ import annotations

from typing import List, Optional

from cachelint.analysis.request import Marker, Piece, Request
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Edit, Fix, Severity
from cachelint.fix.edits import FixUnavailable, combine_edits, remove_dict_entry_edit, rename_dict_key_edit
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import support

FIELD = "copilot_cache_control"


class CopilotCacheControlOffCapi(Rule):
    """`copilot_cache_control` on a request that does not go to the GitHub Copilot API.

    ## What it does
    Finds messages and tools that carry `copilot_cache_control` (the caching field of the
    GitHub Copilot API, `api.githubcopilot.com`) in requests sent anywhere else: the OpenAI
    SDK with an OpenRouter or other gateway `base_url`, litellm `openrouter/...` models, raw
    HTTP bodies posted to `/chat/completions`. Requests whose endpoint is the Copilot API,
    or cannot be determined, are left alone.

    ## Why is this bad?
    Only the Copilot API understands the field. Every other endpoint ignores unknown keys
    without an error, so the request is never cached and nothing tells you; this happened
    to VS Code's OpenRouter provider, which reused the Copilot request builder
    (microsoft/vscode#312939). OpenRouter and Anthropic-compatible endpoints cache with
    `cache_control` on a content part instead.

    ## Fix safety
    The fix is safe: it replaces the field with `cache_control` of the same value on the
    message's last content part (a plain-string content becomes a one-part list with the
    same text) or, for a tool or a content part, renames it to `cache_control`. What the
    model sees does not change. Every converted field becomes a real breakpoint, so only
    the last ones that fit in the four-breakpoint limit get a fix. It is offered only where
    the edits are in dict displays written for this request.

    ## References
    - [OpenRouter prompt caching](https://openrouter.ai/docs/guides/best-practices/prompt-caching)
    - [microsoft/vscode#312939](https://github.com/microsoft/vscode/issues/312939)
    """

    code = "CL005"
    name = "copilot-cache-control-off-capi"
    summary = "copilot_cache_control is sent to an endpoint other than the GitHub Copilot API, which ignores it."
    severity = Severity.WARNING
    fix_applicability = Applicability.SAFE
    fix_availability = "sometimes"

    examples = [
        Invalid(
            """
            from openai import OpenAI

            client = OpenAI(base_url="https://openrouter.ai/api/v1")
            BRIEF = "You review pull requests for security issues."


            def review(diff: str):
                return client.chat.completions.create(
                    model="anthropic/claude-sonnet-4.5",
                    messages=[
                        {"role": "system", "content": BRIEF, "copilot_cache_control": {"type": "ephemeral"}},
                        {"role": "user", "content": diff},
                    ],
                )
            """,
            expected_message="OpenRouter",
            expected_fix="""
            from openai import OpenAI

            client = OpenAI(base_url="https://openrouter.ai/api/v1")
            BRIEF = "You review pull requests for security issues."


            def review(diff: str):
                return client.chat.completions.create(
                    model="anthropic/claude-sonnet-4.5",
                    messages=[
                        {"role": "system", "content": [{"type": "text", "text": BRIEF, "cache_control": {"type": "ephemeral"}}]},
                        {"role": "user", "content": diff},
                    ],
                )
            """,
            ranges=["11:50-11:96"],
        ),
        Invalid(
            """
            import requests

            TOOLS = [
                {"type": "function", "function": {"name": "grep", "parameters": {"type": "object"}},
                 "copilot_cache_control": {"type": "ephemeral"}},
            ]


            def call(messages):
                body = {"model": "anthropic/claude-sonnet-4.5", "messages": messages, "tools": TOOLS}
                return requests.post("https://openrouter.ai/api/v1/chat/completions", json=body, timeout=60)
            """,
            expected_message="tool",
            expected_fix="""
            import requests

            TOOLS = [
                {"type": "function", "function": {"name": "grep", "parameters": {"type": "object"}},
                 "cache_control": {"type": "ephemeral"}},
            ]


            def call(messages):
                body = {"model": "anthropic/claude-sonnet-4.5", "messages": messages, "tools": TOOLS}
                return requests.post("https://openrouter.ai/api/v1/chat/completions", json=body, timeout=60)
            """,
            title="A raw HTTP body with a marked tool",
            ranges=["5:6-5:52"],
        ),
        Invalid(
            """
            from openai import OpenAI

            client = OpenAI(base_url="https://llm-gateway.example.com/v1")
            RULES = "Summarise the incident report."


            def summarise(report: str):
                return client.chat.completions.create(
                    model="claude-sonnet-4-5",
                    messages=[{"role": "user", "content": [
                        {"type": "text", "text": RULES, "copilot_cache_control": {"type": "ephemeral"}},
                        {"type": "text", "text": report},
                    ]}],
                )
            """,
            expected_message="content part",
            expected_fix="""
            from openai import OpenAI

            client = OpenAI(base_url="https://llm-gateway.example.com/v1")
            RULES = "Summarise the incident report."


            def summarise(report: str):
                return client.chat.completions.create(
                    model="claude-sonnet-4-5",
                    messages=[{"role": "user", "content": [
                        {"type": "text", "text": RULES, "cache_control": {"type": "ephemeral"}},
                        {"type": "text", "text": report},
                    ]}],
                )
            """,
            title="On a content part, sent to a gateway",
            ranges=["11:45-11:91"],
        ),
        Valid(
            """
            import requests


            def call(token: str, question: str):
                body = {
                    "model": "claude-sonnet-4.5",
                    "messages": [{"role": "user", "content": question, "copilot_cache_control": {"type": "ephemeral"}}],
                }
                return requests.post(
                    "https://api.githubcopilot.com/chat/completions",
                    json=body,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=60,
                )
            """,
            title="The Copilot API itself",
        ),
        Valid(
            """
            import httpx


            def call(base_url: str, messages):
                body = {"model": "gpt-4.1", "messages": [
                    {"role": "system", "content": "Be brief.", "copilot_cache_control": {"type": "ephemeral"}},
                    *messages,
                ]}
                return httpx.post(base_url + "/chat/completions", json=body)
            """,
            title="The endpoint comes from the caller: it may be the Copilot API",
        ),
    ]

    def check_request(self, request: Request, ctx: FileContext) -> None:
        pieces = [p for p in request.pieces if p.copilot_marker is not None]
        if not pieces:
            return
        targets = self._targets(request, pieces)
        if not targets:
            return
        label = support.describe_platforms(request, ctx.settings.tables, targets)
        # Each converted field becomes a real breakpoint: only the last ones that fit in the
        # four-breakpoint budget get a fix (a safe fix must not make the request fail).
        count, unbounded = request.breakpoint_count()
        budget = 0 if unbounded or request.hidden_markers else max(0, 4 - count)
        fixable = {id(p) for p in pieces[len(pieces) - budget:]} if budget else set()
        for piece in pieces:
            marker = piece.copilot_marker
            assert marker is not None
            what = "tool" if piece.section == "tools" else (
                "content part" if not piece.string_content and piece.container is not None
                and marker.container is not None and piece.container.span == marker.container.span else "message")
            message = (
                f"copilot_cache_control is a GitHub Copilot API field: {label} ignores it, so this {what} is never "
                f"cached. Use cache_control on the {'tool definition' if what == 'tool' else 'content part' if what == 'content part' else 'last content part'}"
            )
            fix = self._fix(ctx, request, piece, marker) if id(piece) in fixable else None
            support.report(ctx, self, request, marker.entry_span or marker.span, message, fix=fix,
                       fix_title=fix.message if fix else "Use cache_control instead of copilot_cache_control")
            if piece.many:
                break

    @staticmethod
    def _targets(request: Request, pieces: List[Piece]) -> List[str]:
        """The platforms the markers are certainly sent to, when none of them is the
        Copilot API and each is known; otherwise none (the finding would be a guess).

        A request whose URL is chosen per call (`ENDPOINTS[provider]`) has one platform per
        choice, each under its condition; a marker written under `provider == "copilot"`
        reaches only the Copilot one.
        """
        targets: List[str] = []
        for piece in pieces:
            marker = piece.copilot_marker
            assert marker is not None
            for alt in request.platforms:
                reached = support.reaches(alt, marker, request)
                if reached is None:
                    return []
                if not reached:
                    continue
                if not alt.known or alt.name in ("unknown", "copilot"):
                    return []
                targets.append(alt.name)
        return targets

    def _fix(self, ctx: FileContext, request: Request, piece: Piece, marker: Marker) -> Optional[Fix]:
        literal = marker.container
        entry = marker.entry_span
        if piece.many or marker.many or literal is None or entry is None or literal.in_loop:
            return None
        if not (literal.module_level or literal.frame in request.frame_tokens) or not literal.span.contains(entry):
            return None
        src = ctx.load_source(entry.path)
        if src is None:
            return None
        try:
            part_level = (not piece.string_content and piece.container is not None
                          and piece.container.span == literal.span)
            if piece.section == "tools" or part_level:
                # On a tool or a content part, the Anthropic-style field is the same key.
                if piece.marker is not None:
                    return None
                edit = rename_dict_key_edit(src, entry.start, FIELD, "cache_control")
                return Fix(Applicability.SAFE, "Rename to cache_control", (edit,)) if edit else None
            value_src = support.marker_source(ctx, marker)
            if value_src is None or piece.marker is not None:
                return None
            removal = remove_dict_entry_edit(src, literal.span.start, literal.span.end, FIELD)
            added = support.marker_edits(ctx, request, piece, value_src, allow_param=True)
        except FixUnavailable:
            return None
        if removal is None or not added or any(a.path != removal.path for a in added):
            return None
        try:
            edits: List[Edit] = combine_edits(src, [removal, *added])
        except FixUnavailable:
            return None
        return Fix(Applicability.SAFE, "Move the marker to cache_control on the last content part", tuple(edits))
