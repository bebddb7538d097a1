"""Estimating prompt size in tokens, without a network tokenizer, and how wrong it can be.

The estimate is `ceil(characters / 4)`: Anthropic and OpenAI both document about four
characters of English per token, and it is what the call-site census used (and what the
goldens are written against). The bounds the rules use come from a measurement, not a guess.

Measured (`benchmarks/token_calibration.py`, on 4,225 prompt strings of 41 real LLM
applications, 4.47M characters; 118 tool definitions as JSON; cachelint's own code; every
tokenizer run offline). For Claude the counts come from `ctok` 1.3.0, an unofficial offline
reconstruction of Claude's token counts (its author checks it against recorded
`count_tokens` answers; Anthropic publishes no tokenizer), counting the text without the
message frame: the v3 family (Claude 3 through Opus 4.6) and the Opus 4.7 family (whose
vocabulary the later models reuse). Characters per token:

| tokenizer | text | pooled | p1 | p5 | median | p95 | chars/4: median error |
|---|---|---|---|---|---|---|---|
| Claude v3 | prompts (prose) | 3.73 | 3.02 | 3.39 | 4.14 | 5.00 | +4% |
| Claude v3 | tool JSON | 3.71 | 3.07 | 3.35 | 3.74 | 4.17 | -6% |
| Claude v3 | code | 3.52 | 2.90 | 3.20 | 3.51 | 3.91 | -12% |
| Claude Opus 4.7 | prompts (prose) | 2.69 | 2.21 | 2.45 | 2.99 | 3.59 | -25% |
| Claude Opus 4.7 | tool JSON | 2.75 | 2.38 | 2.52 | 2.78 | 3.08 | -30% |
| Claude Opus 4.7 | code | 2.75 | 2.33 | 2.45 | 2.71 | 3.06 | -32% |
| OpenAI o200k | prompts (prose) | 4.32 | 3.59 | 3.93 | 4.68 | 5.65 | +17% |
| OpenAI o200k | tool JSON | 4.03 | 3.41 | 3.56 | 3.99 | 4.52 | +0% |
| OpenAI o200k | code | 4.29 | 3.40 | 3.84 | 4.23 | 4.67 | +6% |

The Opus 4.7 family gives the same texts 1.39x (prose), 1.35x (tool JSON) and 1.28x (code)
as many tokens as v3, pooled (per string: median 1.38, 5th-95th percentile 1.24-1.54 for
prose). Anthropic's token-counting page states that Opus 4.7 and later Opus models, Fable 5,
Mythos 5, Mythos Preview and Sonnet 5 use a newer tokenizer which produces "approximately
30 percent more tokens" for the same input: the reconstruction agrees.

So, for Claude:

- densest text, for the upper bound (`max_tokens`, `upper_bound_of_estimate`): the densest
  kind's p1, 2.90 characters per token on the older tokenizer (code), 1.38x the estimate;
  2.21 on the newer tokenizer (prose), 1.81x the estimate, also used when the model is not
  known. The newer figure is never looser than the older one divided by the official 1.30;
  before this measurement the factors were 1.45x and 1.96x (3.5 characters per token and
  "up to 1.35x" carried over from o200k), and a flat 2x before that;
- sparsest text, for the lower bound (`min_tokens`): the sparsest kind's p95 on the older
  tokenizer (prose, 5.00 characters per token), 0.80x the estimate, for any Claude model
  (the newer tokenizer gave every measured string more tokens, at least 1.05x). It was 0.87x.

These are percentiles of real strings, not limits: 1% of prompt strings are denser still.
And they are only as good as ctok's reconstruction, which is unofficial.
"""

from __future__ import annotations

import math
from typing import Optional

CHARS_PER_TOKEN = 4.0

# --- measured: Claude via ctok on real prompts (see the module docstring) -----------------------
#: The densest kind's p1 (code) on the older tokenizer; prose p1 is 3.02, tool JSON 3.07.
OLDER_DENSEST_P1 = 2.90
#: The densest kind's p1 (prose) on the newer tokenizer; code p1 is 2.33, tool JSON 2.38.
NEWER_DENSEST_P1 = 2.21
#: The sparsest kind's p95 (prose) on the older tokenizer; the newer one is denser (3.59).
OLDER_SPARSEST_P95 = 5.00

# --- published for Claude ------------------------------------------------------------------------
#: Anthropic: Opus 4.7's newer tokenizer gives "approximately 30 percent more tokens"
NEWER_TOKENIZER_FACTOR = 1.30

#: The densest text, characters per token, for a Claude model on the older tokenizer.
DENSE_CHARS_PER_TOKEN = OLDER_DENSEST_P1
#: The same on the newer tokenizer (also used when the model is not known): the measurement,
#: or the older figure with the official factor if that were denser.
MIN_CHARS_PER_TOKEN = min(NEWER_DENSEST_P1, DENSE_CHARS_PER_TOKEN / NEWER_TOKENIZER_FACTOR)
#: The sparsest text (p95), characters per token, for any Claude model.
MAX_CHARS_PER_TOKEN = OLDER_SPARSEST_P95

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
