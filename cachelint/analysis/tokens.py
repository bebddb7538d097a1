"""Estimating prompt size in tokens, without a network tokenizer, and how wrong it can be.

The estimate is `ceil(characters / 4)`: Anthropic and OpenAI both document about four
characters of English per token, and it is what the call-site census used. The bounds the
rules use come from a measurement, not a guess.

Measured (`benchmarks/token_calibration.py`, OpenAI's o200k encoding run offline, on 4,223
prompt strings of 41 real LLM applications, 4.47M characters; 118 tool definitions as JSON;
cachelint's own code):

| text | characters per token: pooled | p1 | p5 | median | p95 | chars/4 vs o200k: median error |
|---|---|---|---|---|---|---|
| prompts (prose) | 4.32 | 3.59 | 3.93 | 4.68 | 5.65 | +17% |
| tool JSON | 4.03 | 3.41 | 3.56 | 3.99 | 4.52 | +0% |
| code | 4.30 | 3.81 | 3.85 | 4.24 | 4.72 | +6% |

Claude's tokenizers are not published and none runs offline. Anthropic documents about 3.5
English characters per token for Claude, and Claude Opus 4.7 introduced a tokenizer that
uses up to 1.35x as many tokens for the same text. So, for Claude:

- typical text: 3.5 characters per token; the chars/4 estimate is ~12% low for it (and up
  to ~35% lower still on the newer tokenizer);
- densest text: o200k's densest 1% (tool JSON, p1 3.41) is 0.79 of typical prose (4.32);
  carried over, 3.5 x 0.79 = 2.76 characters per token, and 2.76 / 1.35 = 2.05 for models
  on the newer tokenizer (and for a model that is not known). `max_tokens` uses these:
  the upper bound is 1.45x the estimate (older tokenizer) or 1.96x (newer or unknown),
  where it was a flat 2x before;
- sparsest text: o200k's p95 prose (5.65) is 1.31x typical; carried over, 4.58 characters
  per token: `min_tokens` (0.87x the estimate) is the lower bound.

The measured figures are facts about o200k; the carry-over to Claude assumes Claude's
tokenizer varies across kinds of text as o200k does, which no offline tool can check.
"""

from __future__ import annotations

import math
from typing import Optional

CHARS_PER_TOKEN = 4.0

# --- measured: o200k_base on real prompts (see the module docstring) -----------------------------
O200K_PROSE_POOLED = 4.32
O200K_PROSE_P95 = 5.65
O200K_DENSEST_P1 = 3.41  # tool JSON; prose p1 is 3.59, code p1 3.81

# --- published for Claude ------------------------------------------------------------------------
#: Anthropic: a token is about 3.5 English characters for Claude
CLAUDE_CHARS_PER_TOKEN = 3.5
#: Claude Opus 4.7's tokenizer: up to 1.35x as many tokens as before for the same text
NEWER_TOKENIZER_FACTOR = 1.35

#: The densest text, characters per token, for a Claude model on the older tokenizer.
DENSE_CHARS_PER_TOKEN = CLAUDE_CHARS_PER_TOKEN * O200K_DENSEST_P1 / O200K_PROSE_POOLED
#: The same on the newer tokenizer (also used when the model is not known).
MIN_CHARS_PER_TOKEN = DENSE_CHARS_PER_TOKEN / NEWER_TOKENIZER_FACTOR
#: The sparsest text (p95), characters per token, for any Claude model.
MAX_CHARS_PER_TOKEN = CLAUDE_CHARS_PER_TOKEN * O200K_PROSE_P95 / O200K_PROSE_POOLED

#: Canonical model keys of Claude models released before Opus 4.7's tokenizer.
_OLDER_TOKENIZER = (
    "haiku-3", "haiku-3-5", "sonnet-3", "sonnet-3-5", "sonnet-3-7", "opus-3", "sonnet-4", "sonnet-4-5",
    "sonnet-4-6", "opus-4", "opus-4-1", "opus-4-5", "opus-4-6", "haiku-4-5",
)


def estimate_tokens(chars: Optional[int]) -> int:
    """Best estimate of the tokens in `chars` characters of text."""
    if not chars:
        return 0
    return int(math.ceil(chars / CHARS_PER_TOKEN))


def older_tokenizer(model: Optional[str]) -> bool:
    """The model is known to use Claude's tokenizer from before Opus 4.7."""
    if not model:
        return False
    from cachelint.tables import canonical_model_key

    return canonical_model_key(model) in _OLDER_TOKENIZER


def densest_chars_per_token(model: Optional[str] = None) -> float:
    return DENSE_CHARS_PER_TOKEN if older_tokenizer(model) else MIN_CHARS_PER_TOKEN


def max_tokens(chars: Optional[int], model: Optional[str] = None) -> int:
    """An upper bound on the Claude tokens in `chars` characters (for "certainly below"
    checks), from the measured densest text and the model's tokenizer generation."""
    if not chars:
        return 0
    return int(math.ceil(chars / densest_chars_per_token(model)))


def min_tokens(chars: Optional[int]) -> int:
    """A lower bound on the Claude tokens in `chars` characters (the sparsest prompt text)."""
    if not chars:
        return 0
    return int(math.floor(chars / MAX_CHARS_PER_TOKEN))


def upper_bound_of_estimate(tokens: int, model: Optional[str] = None) -> int:
    """`max_tokens` for text whose estimate (chars/4) is `tokens`."""
    return int(tokens * CHARS_PER_TOKEN / densest_chars_per_token(model))
