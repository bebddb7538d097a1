"""What a request means for the prompt cache of Claude: whether it reaches one, how big its
prefix is, the minimum the cache takes, whether the code places breakpoints at all.

Questions about the request model that rules (through `cachelint.rules.support`) and the
`--statistics` cost view (`cachelint.costs`) both ask; they live with the analysis so that
neither has to reach into the other.
"""

from __future__ import annotations

from typing import Iterable, Optional

from cachelint.analysis.request import Piece, Request
from cachelint.tables import MinTokens, Tables, is_claude_model

#: Platforms where a request in Anthropic's format reaches Claude.
CLAUDE_PLATFORMS = {"anthropic", "aws", "bedrock", "bedrock-mantle", "vertex", "google-cloud", "foundry"}
#: Platforms where an OpenAI-format request to a Claude model honours `cache_control` parts.
CLAUDE_VIA_OPENAI_FORMAT = CLAUDE_PLATFORMS | {"openrouter"}


def is_claude_request(request: Request) -> bool:
    """A request that certainly reaches a Claude model through a caching-capable path.

    Token counting (`messages.count_tokens`) reads and writes no cache, so it is not one.
    """
    if "count_tokens" in request.api:
        return False
    names = set(request.platform_names)
    if request.fmt == "anthropic":
        return not names or names <= CLAUDE_PLATFORMS | {"unknown", "gateway"}
    if request.fmt == "openai-chat":
        return bool(request.model) and is_claude_model(request.model or "") and bool(names) and names <= CLAUDE_VIA_OPENAI_FORMAT
    if request.fmt == "converse":
        return bool(request.model) and is_claude_model(request.model or "")
    return False


def request_min_tokens(request: Request, tables: Tables) -> MinTokens:
    """The minimum cacheable prefix over every platform the request may go to."""
    names = [p.name for p in request.platforms] or [None]
    values = [tables.min_tokens(request.model, name) for name in names]
    return MinTokens(min(v.low for v in values), max(v.high for v in values))


def total_tokens(pieces: Iterable[Piece]) -> Optional[int]:
    total = 0
    for piece in pieces:
        if piece.tokens is None:
            return None
        total += piece.tokens
    return total


def has_markers(request: Request) -> bool:
    """Any breakpoint the code places, even conditionally, or may place unseen."""
    if request.top_level is not None or request.hidden_markers:
        return True
    if "cache_control_injection_points" in request.extras:
        return True
    return any(p.marker is not None or p.may_mark for p in request.pieces)
