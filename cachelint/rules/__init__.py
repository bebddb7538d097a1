"""All rules, one module each. Add a new rule's class to `ALL_RULES`."""

from cachelint.rules.cl000_invalid_source import InvalidSource
from cachelint.rules.cl001_uncached_static_prompt import UncachedStaticPrompt
from cachelint.rules.cl002_dynamic_before_static import DynamicBeforeStatic
from cachelint.rules.cl003_too_many_breakpoints import TooManyBreakpoints
from cachelint.rules.cl004_unportable_top_level_cache_control import UnportableTopLevelCacheControl
from cachelint.rules.cl005_copilot_cache_control_off_capi import CopilotCacheControlOffCapi
from cachelint.rules.cl006_ttl_order import TtlOrder
from cachelint.rules.cl007_invalid_cache_control import InvalidCacheControl
from cachelint.rules.cl008_breakpoint_below_minimum import BreakpointBelowMinimum
from cachelint.rules.cl009_cache_control_ignored import CacheControlIgnored
from cachelint.rules.cl010_cache_usage_wrong_schema import CacheUsageWrongSchema
from cachelint.rules.cl011_cache_write_never_read import CacheWriteNeverRead
from cachelint.rules.cl012_anthropic_endpoint_mismatch import AnthropicEndpointMismatch
from cachelint.rules.cl013_uncached_conversation_history import UncachedConversationHistory
from cachelint.rules.cl014_lookback_window import LookbackWindow
from cachelint.rules.cl015_gemini_cached_content_conflict import GeminiCachedContentConflict
from cachelint.rules.cl016_gemini_cache_rejected import GeminiCacheRejected
from cachelint.rules.cl017_openai_explicit_cache_without_breakpoint import OpenAIExplicitCacheWithoutBreakpoint
from cachelint.rules.cl018_openai_breakpoints_not_written import OpenAIBreakpointsNotWritten
from cachelint.rules.cl019_openai_cache_option_invalid import OpenAICacheOptionInvalid
from cachelint.rules.cl020_gemini_cache_used_once import GeminiCacheUsedOnce
from cachelint.rules.cl100_unused_suppression import UnusedSuppression

ALL_RULES = [
    InvalidSource,
    UncachedStaticPrompt,
    DynamicBeforeStatic,
    TooManyBreakpoints,
    UnportableTopLevelCacheControl,
    CopilotCacheControlOffCapi,
    TtlOrder,
    InvalidCacheControl,
    BreakpointBelowMinimum,
    CacheControlIgnored,
    CacheUsageWrongSchema,
    CacheWriteNeverRead,
    AnthropicEndpointMismatch,
    UncachedConversationHistory,
    LookbackWindow,
    GeminiCachedContentConflict,
    GeminiCacheRejected,
    OpenAIExplicitCacheWithoutBreakpoint,
    OpenAIBreakpointsNotWritten,
    OpenAICacheOptionInvalid,
    GeminiCacheUsedOnce,
    UnusedSuppression,
]
