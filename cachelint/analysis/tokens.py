"""Estimating prompt size in tokens, without a network tokenizer.

The estimate is `ceil(characters / 4)`: Anthropic and OpenAI both document about four
characters of English per token, and it is what the call-site census used. Real counts for
code, JSON or non-Latin text are higher (fewer characters per token), so the estimate tends
to be low, which keeps "your prompt is big enough to cache" findings on the safe side. Rules
that report a prompt as too *small* use an upper bound instead (`max_tokens`).
"""

from __future__ import annotations

import math
from typing import Optional

CHARS_PER_TOKEN = 4.0
#: Dense text (code, JSON, CJK) can reach about one token per 2 characters.
MIN_CHARS_PER_TOKEN = 2.0


def estimate_tokens(chars: Optional[int]) -> int:
    """Best estimate of the tokens in `chars` characters of text."""
    if not chars:
        return 0
    return int(math.ceil(chars / CHARS_PER_TOKEN))


