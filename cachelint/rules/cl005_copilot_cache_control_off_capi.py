"""CL005: `copilot_cache_control` sent to an endpoint other than the GitHub Copilot API."""

from __future__ import annotations

from typing import List, Optional, Tuple

from cachelint.analysis.request import Marker, Piece, Request
from cachelint.analysis.spans import Span
from cachelint.context import SourceText
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Edit, Fix, Severity
from cachelint.fix.edits import (
    FixUnavailable,
    combine_edits,
    remove_dict_entry_edit,
    remove_statement_edit,
    rename_dict_key_edit,
)
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import support
from cachelint.syntax import parse_module

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
    same text) or, for a tool or a content part, renames it to `cache_control`. A field set
    by an assignment (`out["copilot_cache_control"] = ...`) loses that statement and the
    marker moves onto the content written in the same function. What the model sees does
    not change. Every converted field becomes a real breakpoint, so only the last ones that
    fit in the four-breakpoint limit get a fix.

    It is offered only where the edits change these requests alone: the message is written
    by the code that sends the request (SDK call, or a raw `requests`/`httpx` JSON body),
    at import, or by a message builder that nothing else in the project calls (a builder
    that also feeds the Copilot API must keep its field). Otherwise the help line says why
    there is no fix: a builder shared with other callers, messages passed in by a caller
    whose content is not known, more markers than breakpoints allowed.

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
        Invalid(
            """
            import requests

            GUIDE = "Classify the ticket and explain in one line."


            def system_message(text):
                out = {"role": "system", "content": text}
                out["copilot_cache_control"] = {"type": "ephemeral"}
                return out


            def classify(ticket: str):
                body = {"model": "anthropic/claude-sonnet-4.5",
                        "messages": [system_message(GUIDE), {"role": "user", "content": ticket}]}
                return requests.post("https://openrouter.ai/api/v1/chat/completions", json=body, timeout=60)
            """,
            ranges=["8:5-8:33"],
            expected_message="message",
            expected_fix="""
            import requests

            GUIDE = "Classify the ticket and explain in one line."


            def system_message(text):
                out = {"role": "system", "content": [{"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}]}
                return out


            def classify(ticket: str):
                body = {"model": "anthropic/claude-sonnet-4.5",
                        "messages": [system_message(GUIDE), {"role": "user", "content": ticket}]}
                return requests.post("https://openrouter.ai/api/v1/chat/completions", json=body, timeout=60)
            """,
            title="A message builder sets the field by assignment; its only caller posts to OpenRouter",
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
            if id(piece) in fixable:
                fix, why = self._fix(ctx, request, piece, marker)
            else:
                fix, why = None, "converting every marked message would exceed the four breakpoints Claude accepts"
            title = fix.message if fix else f"Use cache_control instead of copilot_cache_control (no automatic fix: {why})"
            support.report(ctx, self, request, marker.entry_span or marker.span, message, fix=fix, fix_title=title)
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

    def _fix(self, ctx: FileContext, request: Request, piece: Piece, marker: Marker) -> Tuple[Optional[Fix], str]:
        """The fix, or None and why there is none (for the help line)."""
        literal = marker.container
        entry = marker.entry_span
        if piece.many:
            return None, "the marked message is one of a list the analysis cannot enumerate (the caller's messages)"
        if marker.many or literal is None or entry is None or literal.in_loop:
            return None, "the marker is written in a loop, on every element"
        in_display = literal.span.contains(entry)
        written_here = literal.module_level or literal.frame in request.frame_tokens
        # A message builder (a helper returning the message) may be edited when nothing
        # else in the project calls it and every request it reaches here goes elsewhere
        # than the Copilot API: the edit then changes these requests only.
        private = not written_here and support.private_helper(ctx, literal.span) and (
            in_display or support.same_function(ctx, literal.span, entry))
        if not in_display and not support.same_function(ctx, literal.span, entry):
            return None, "the marker is set by another function than the one that builds the message"
        if not (written_here or private):
            return None, "the message is built by a helper that other code calls too, which may send it to the Copilot API"
        if private and self._reaches_copilot(ctx, marker):
            return None, "the same message builder also feeds a request to the Copilot API or to an unknown endpoint"
        src = ctx.load_source(entry.path)
        if src is None:
            return None, "the file that writes the marker cannot be read"
        try:
            part_level = (not piece.string_content and piece.container is not None
                          and piece.container.span == literal.span)
            if (piece.section == "tools" or part_level) and in_display:
                # On a tool or a content part, the Anthropic-style field is the same key.
                if piece.marker is not None:
                    return None, "the block already has a cache_control marker"
                edit = rename_dict_key_edit(src, entry.start, FIELD, "cache_control")
                if edit is None:
                    return None, "the key is not a plain string literal"
                return Fix(Applicability.SAFE, "Rename to cache_control", (edit,)), ""
            value_src = _value_as_written(src, entry, in_display) or support.marker_source(ctx, marker)
            if value_src is None:
                return None, "the marker's value spans several lines"
            if piece.marker is not None:
                return None, "the message already has a cache_control marker"
            if piece.section == "tools" or part_level:
                return None, "the marker is set by an assignment on a tool or content part"
            if in_display:
                removal = remove_dict_entry_edit(src, literal.span.start, literal.span.end, FIELD)
            else:
                tree = support.module_tree(ctx, entry.path)
                if tree is None:
                    return None, "the file that writes the marker cannot be parsed"
                removal = remove_statement_edit(src, tree, (entry.start, entry.end))
            added = support.marker_edits(ctx, request, piece, value_src, allow_param=True, private=private)
        except FixUnavailable as exc:
            return None, str(exc)
        if removal is None or not added:
            return None, ("the message's content comes from elsewhere and its shape (text or parts) is not known here"
                          if piece.value is None or piece.span is None else
                          "the message's content cannot take a cache_control marker where it is written")
        if any(a.path != removal.path for a in added):
            return None, "the message's content is written in another file than the marker"
        try:
            edits: List[Edit] = combine_edits(src, [removal, *added])
        except FixUnavailable as exc:
            return None, str(exc)
        return Fix(Applicability.SAFE, "Move the marker to cache_control on the last content part", tuple(edits)), ""

    def _reaches_copilot(self, ctx: FileContext, marker: Marker) -> bool:
        """Another request of this file carries the same marker to the Copilot API or to an
        endpoint that is not known."""
        for other in ctx.requests:
            pieces = [p for p in other.pieces if p.copilot_marker is not None
                      and p.copilot_marker.entry_span == marker.entry_span]
            if pieces and not self._targets(other, pieces):
                return True
        return False


def _value_as_written(src: "SourceText", entry: "Span", in_display: bool) -> Optional[str]:
    """The marker's value as the code spells it where it sets the field (`BREAKPOINT`, `CC`,
    a dict display), when it fits on one line: moved next to the content in the same scope,
    it keeps the user's name instead of a copy of its value."""
    import ast

    text = src.text[entry.start:entry.end]
    if not in_display:
        # the target `out["copilot_cache_control"]`; the value follows ` = ` on its line
        rest = src.text[entry.end:]
        line = rest.split("\n", 1)[0]
        text = "_" + line
    module = parse_module(("{" + text + "}") if in_display else text.strip()).tree
    if module is None or not module.body:
        return None
    node = module.body[0]
    if in_display:
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Dict) and node.value.values):
            return None
        value = node.value.values[0]
        source = ast.get_source_segment("{" + text + "}", value)
    else:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            return None
        value = node.value
        source = ast.get_source_segment(text.strip(), value)
    if source is None or "\n" in source or "\r" in source:
        return None
    return source
