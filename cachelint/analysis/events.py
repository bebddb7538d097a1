"""Facts the analysis notices besides requests, for rules that check them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from cachelint.analysis.spans import Span
from cachelint.analysis.values import ClientAlt


@dataclass(frozen=True)
class UsageRead:
    """Code reads `attrs` (e.g. `usage.cache_read_input_tokens`) from a response of `api`."""

    span: Span
    api: str
    fmt: str
    attrs: Tuple[str, ...]
    platforms: Tuple[str, ...] = ()


@dataclass(frozen=True)
class ClientEvent:
    """An SDK client is constructed here (with the base URL it was given, if any)."""

    span: Span
    alt: ClientAlt
    base_url_span: Optional[Span] = None
