"""Skip files that cannot matter before parsing them.

Most files of a repository never touch an LLM SDK. A file is worth parsing only if its bytes
mention an SDK, a caching field, an LLM HTTP endpoint or a usage field a rule checks; plain
`bytes.__contains__` tests (memchr speed) decide that in microseconds. The needles are a
superset on purpose: a false hit costs one parse, a miss costs a finding.

Modules such a file imports (prompt constants, helpers) are parsed later, on demand, by the
analysis, whatever their content.
"""

from __future__ import annotations

from typing import Tuple

NEEDLES: Tuple[bytes, ...] = (
    b"anthropic",
    b"Anthropic",
    b"openai",
    b"OpenAI",
    b"litellm",
    b"bedrock",
    b"genai",
    b"cache_control",
    b"cachePoint",
    b"/messages",
    b"/chat/completions",
    b"/responses",
    b"messages.create",
    b"chat.completions",
    b"invoke_model",
    b"converse",
    b"generate_content",
    b"cached_tokens",
    b"cache_read_input_tokens",
    b"cacheReadInputTokens",
    b"cache_creation_input_tokens",
)


def worth_parsing(data: bytes) -> bool:
    """True when the file mentions anything a cachelint rule can act on."""
    return any(needle in data for needle in NEEDLES)
