"""CL012: an Anthropic client aimed at an OpenAI-style Azure URL, or the other way round."""

from __future__ import annotations

import re
from typing import Optional, Sequence, Tuple
from urllib.parse import urlparse

from cachelint.analysis.events import ClientEvent
from cachelint.analysis.request import Request
from cachelint.analysis.spans import Span
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Fix, Location, Reach, Severity
from cachelint.fix.edits import FixUnavailable, replace_string_edit
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import support

_RESOURCE_RE = re.compile(r"^([a-z0-9-]+)\.(?:openai\.azure\.com|services\.ai\.azure\.com|cognitiveservices\.azure\.com)$")


def _resource(url: str) -> Optional[str]:
    host = (urlparse(url if "://" in url else "https://" + url).hostname or "").lower()
    match = _RESOURCE_RE.match(host)
    return match.group(1) if match else None


def anthropic_to_openai_url(url: str) -> Optional[str]:
    """The Foundry Anthropic endpoint for an OpenAI-style Azure URL (None if not one)."""
    parsed = urlparse(url if "://" in url else "https://" + url)
    host = (parsed.hostname or "").lower()
    if not (host.endswith(".openai.azure.com") or "/openai/deployments" in parsed.path or host.endswith(".cognitiveservices.azure.com")):
        return None
    resource = _resource(url)
    return f"https://{resource}.services.ai.azure.com/anthropic" if resource else None


def openai_to_anthropic_url(url: str) -> Optional[str]:
    """The OpenAI-style endpoint of the same resource for a Foundry `/anthropic` URL."""
    parsed = urlparse(url if "://" in url else "https://" + url)
    if not parsed.path.rstrip("/").endswith("/anthropic") and "/anthropic/" not in parsed.path:
        return None
    resource = _resource(url)
    return f"https://{resource}.openai.azure.com/openai/v1/" if resource else None


class AnthropicEndpointMismatch(Rule):
    """A client or request body is pointed at the other vendor's kind of endpoint.

    ## What it does
    Reports an Anthropic client (`Anthropic(base_url=...)`, `AnthropicFoundry(base_url=...)`)
    or an Anthropic Messages body posted over HTTP to an OpenAI-style Azure URL
    (`https://<resource>.openai.azure.com/openai/deployments/...`), where Claude on
    Microsoft Foundry is served at `https://<resource>.services.ai.azure.com/anthropic`;
    and an OpenAI client pointed at such an `/anthropic` endpoint.

    ## Why is this bad?
    The request goes to an API that does not speak its format: it fails with 404 or 400,
    or, through a permissive proxy, is translated and loses `cache_control` on the way, so
    nothing is cached. It usually comes from copying a deployment URL from the Azure
    portal's OpenAI view.

    ## Fix safety
    The fix is unsafe: it replaces the URL literal with the resource's endpoint for the
    client's API (`https://<resource>.services.ai.azure.com/anthropic` for Anthropic
    clients, `https://<resource>.openai.azure.com/openai/v1/` for OpenAI clients). It
    assumes the same resource hosts the model; check the deployment name.

    ## References
    - [Claude in Microsoft Foundry](https://platform.claude.com/docs/en/build-with-claude/claude-in-microsoft-foundry)
    """

    code = "CL012"
    name = "anthropic-endpoint-mismatch"
    summary = "An Anthropic client or body points at an OpenAI-style Azure URL, or an OpenAI client at an /anthropic endpoint."
    severity = Severity.ERROR
    fix_applicability = Applicability.UNSAFE
    fix_availability = "sometimes"

    examples = [
        Invalid(
            """
            from anthropic import AnthropicFoundry

            client = AnthropicFoundry(
                api_key="...",
                base_url="https://contoso.openai.azure.com/openai/deployments/claude-sonnet-4-5",
            )
            """,
            expected_message="services.ai.azure.com/anthropic",
            expected_fix="""
            from anthropic import AnthropicFoundry

            client = AnthropicFoundry(
                api_key="...",
                base_url="https://contoso.services.ai.azure.com/anthropic",
            )
            """,
            ranges=["5:14-5:85"],
        ),
        Invalid(
            """
            from openai import OpenAI

            client = OpenAI(base_url="https://contoso.services.ai.azure.com/anthropic", api_key="...")
            """,
            expected_message="OpenAI client",
            expected_fix="""
            from openai import OpenAI

            client = OpenAI(base_url="https://contoso.openai.azure.com/openai/v1/", api_key="...")
            """,
            ranges=["3:26-3:75"],
        ),
        Valid(
            """
            from anthropic import AnthropicFoundry

            client = AnthropicFoundry(api_key="...", base_url="https://contoso.services.ai.azure.com/anthropic")
            """,
            use_instead=True,
        ),
        Valid(
            """
            from openai import AzureOpenAI

            client = AzureOpenAI(azure_endpoint="https://contoso.openai.azure.com", api_version="2025-04-01-preview", api_key="...")
            """,
            title="An OpenAI client on Azure OpenAI",
        ),
    ]

    def check_module(self, ctx: FileContext) -> None:
        for event in ctx.events:
            if not isinstance(event, ClientEvent) or event.span.path != ctx.path or not event.alt.base_url:
                continue
            url = event.alt.base_url
            if event.alt.sdk == "anthropic":
                right = anthropic_to_openai_url(url)
                if right is not None:
                    self._report(ctx, event.span, event.base_url_span,
                                 f"{event.alt.cls} is pointed at an OpenAI-style Azure URL ({url}): Claude on Foundry is "
                                 f"served at https://<resource>.services.ai.azure.com/anthropic", right)
            elif event.alt.sdk == "openai":
                right = openai_to_anthropic_url(url)
                if right is not None:
                    self._report(ctx, event.span, event.base_url_span,
                                 f"An OpenAI client ({event.alt.cls}) is pointed at an Anthropic endpoint ({url}): it speaks "
                                 "the Messages API, not chat completions; use AnthropicFoundry for Claude", right)

    def check_request(self, request: Request, ctx: FileContext) -> None:
        if not request.api.startswith("http.") or request.fmt != "anthropic":
            return
        for platform in request.platforms:
            url = platform.base_url or ""
            right = anthropic_to_openai_url(url)
            if right is not None and request.report_span.path == ctx.path:
                where = request.report_span
                message = (f"An Anthropic Messages body is posted to an OpenAI-style Azure URL ({url}): Claude on Foundry "
                           "is served at https://<resource>.services.ai.azure.com/anthropic/v1/messages")
                sent_at, related = support.request_trail(ctx, request, where.start, where.end, None)
                self._report(ctx, where, None, message, None, related, sent_at, support.reach(request, None, related, message))
                return

    def _report(self, ctx: FileContext, where: Span, url_span: Optional[Span], message: str, right: Optional[str],
                related: Sequence[Tuple[str, Location, str]] = (), sent_at: str = "",
                reach: Optional[Reach] = None) -> None:
        fix = None
        span = url_span if url_span is not None and url_span.path == ctx.path else where
        if right is not None and url_span is not None and url_span.path == ctx.path:
            src = ctx.load_source(url_span.path)
            try:
                edit = replace_string_edit(src, url_span.start, url_span.end, right) if src is not None else None
            except FixUnavailable:
                edit = None
            if edit is not None:
                fix = Fix(Applicability.UNSAFE, f"Use {right}", (edit,))
        ctx.report(self, span.start, span.end, message, fix=fix, fix_title=fix.message if fix else "Use the endpoint for this API",
                   related=related, sent_at=sent_at, reach=reach)
