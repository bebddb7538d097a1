"""The request model's enums stay in step with the data and the SDK tables they name.

`Platform` lists the platforms of `cachelint/data/platforms.toml`; `RequestFormat` the body
formats of the SDK method table. A platform or format added on one side only would make
`PlatformAlt` or `Request` raise at analysis time, so these tests name the gap instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cachelint.analysis import sdk
from cachelint.analysis.request import Platform, PlatformAlt, RequestFormat

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DATA = Path(__file__).resolve().parent.parent / "cachelint" / "data"


def test_every_platform_of_the_data_table_is_a_platform() -> None:
    table = tomllib.loads((DATA / "platforms.toml").read_text(encoding="utf-8"))
    names = set(table["platforms"])
    assert names, "platforms.toml lists no platform"
    assert names <= {p.value for p in Platform}, f"not in Platform: {sorted(names - {p.value for p in Platform})}"
    assert {p.value for p in Platform} - names == {"unknown"}, "Platform names a platform platforms.toml lacks"


@pytest.mark.parametrize("url", [
    "https://api.anthropic.com", "https://openrouter.ai/api/v1", "https://api.githubcopilot.com",
    "https://x.openai.azure.com", "https://x.services.ai.azure.com/anthropic", "https://api.openai.com/v1",
    "https://bedrock-mantle.us-east-1.api.aws", "https://bedrock-runtime.us-east-1.amazonaws.com",
    "https://us-east5-aiplatform.googleapis.com", "https://generativelanguage.googleapis.com", "https://example.com",
])
def test_platforms_recognised_from_urls_are_platforms(url: str) -> None:
    assert Platform(sdk.platform_for_url(url)) is not None


def test_the_claude_api_in_openai_format_is_its_compatibility_layer() -> None:
    """Anthropic's OpenAI SDK compatibility layer does no prompt caching: a platform of its
    own, not the Claude API (an OpenAI client at api.anthropic.com was told to add markers
    the endpoint drops)."""
    assert sdk.platform_for_url("https://api.anthropic.com/v1/") == Platform.ANTHROPIC
    assert sdk.platform_for_url("https://api.anthropic.com/v1/", openai_format=True) == Platform.ANTHROPIC_OPENAI
    assert sdk.platform_for_url("https://api.anthropic.com/v1/chat/completions") == Platform.ANTHROPIC_OPENAI
    assert sdk.platform_for_url("https://api.anthropic.com/v1/messages") == Platform.ANTHROPIC


@pytest.mark.parametrize("model", [
    "anthropic/claude-sonnet-4-5", "bedrock/anthropic.claude-3-haiku", "bedrock_mantle/x", "vertex_ai/claude-opus-4",
    "vertex_ai/gemini-2.5-pro", "azure_ai/claude", "openrouter/anthropic/claude", "github_copilot/claude",
    "openai/gpt-5", "azure/gpt-4o", "gemini/gemini-2.5", "litellm_proxy/x", "databricks/x", "claude-3-5-sonnet",
    "gpt-4o", "gemini-2.5-flash",
])
def test_platforms_of_litellm_models_are_platforms(model: str) -> None:
    assert Platform(sdk.litellm_platform(model)) is not None


def test_every_client_platform_is_a_platform() -> None:
    for name, platform in sdk.ANTHROPIC_CLIENTS.items():
        assert Platform(platform), name


def test_every_method_format_is_a_request_format() -> None:
    tables = [sdk.ANTHROPIC_METHODS, sdk.OPENAI_METHODS, sdk.BEDROCK_METHODS, sdk.GENAI_METHODS, sdk.LITELLM_ROUTER_METHODS]
    for table in tables:
        for path, method in table.items():
            assert RequestFormat(method.fmt), (path, method)


def test_enums_read_as_their_plain_names() -> None:
    assert RequestFormat.CONVERSE == "converse"
    assert f"{RequestFormat.OPENAI_CHAT}" == "openai-chat" and str(Platform.BEDROCK) == "bedrock"
    alt = PlatformAlt("vertex", "AnthropicVertex")
    assert alt.name is Platform.VERTEX and alt.name == "vertex"
    with pytest.raises(ValueError):
        PlatformAlt("no-such-platform", "X")
