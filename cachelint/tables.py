"""Provider facts as overridable data: model minimums and prices, platform support.

Defaults come from `cachelint/data/models.toml` and `platforms.toml` (each value documented
there with its sources); users override entries under `[tool.cachelint.models."<key>"]` and
`[tool.cachelint.platforms.<name>]`. Code never hard-codes a number that sources dispute.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

DATA_DIR = Path(__file__).parent / "data"

TOP_LEVEL_VALUES = ("supported", "rejected", "ignored", "unknown")
BLOCK_VALUES = ("supported", "ignored", "unknown")
PRICE_KEYS = ("input", "cache-write-5m", "cache-write-1h", "cache-read", "cache-write", "cache-storage-hour")
#: Per-model caching facts of OpenAI models (see models.toml): a flag and a list of values.
FLAG_KEYS = ("prompt-cache-options",)
LIST_KEYS = ("prompt-cache-retention",)


class TableError(ValueError):
    """A bad value in a data table override; `key` is the dotted path to it."""

    def __init__(self, key: str, expected: str, got: Any) -> None:
        super().__init__(f"`{key}`: expected {expected}, got {got!r}")
        self.key = key
        self.expected = expected
        self.got = got


@dataclass(frozen=True)
class MinTokens:
    """A minimum cacheable prefix; `low < high` when sources disagree."""

    low: int
    high: int

    @property
    def disputed(self) -> bool:
        return self.low != self.high

    def describe(self) -> str:
        return f"{self.high:,}" if not self.disputed else f"{self.low:,}-{self.high:,} (sources disagree)"


@dataclass(frozen=True)
class ModelInfo:
    key: str
    #: None for a Gemini or OpenAI model whose minimum no source gives
    min_tokens: Optional[MinTokens]
    prices: Mapping[str, float] = field(default_factory=dict)
    #: `prompt-cache-options` (bool) and `prompt-cache-retention` (list of str), OpenAI only
    facts: Mapping[str, Any] = field(default_factory=dict)

    def price(self, name: str) -> Optional[float]:
        return self.prices.get(name)

    def fact(self, name: str) -> Any:
        return self.facts.get(name)


@dataclass(frozen=True)
class PlatformInfo:
    name: str
    description: str
    top_level_cache_control: str
    block_cache_control: str
    min_cache_tokens: int = 0
    label: str = ""


@dataclass(frozen=True)
class Tables:
    models: Mapping[str, ModelInfo]
    default_min: MinTokens
    platforms: Mapping[str, PlatformInfo]

    # --- lookups ----------------------------------------------------------------------
    def model(self, model_id: Optional[str]) -> Optional[ModelInfo]:
        """The table entry of a Claude model ID in any provider spelling, if known."""
        if not model_id:
            return None
        key = canonical_model_key(model_id)
        if key is None:
            return None
        if key in self.models:
            return self.models[key]
        # "sonnet-4-5-something" -> "sonnet-4-5" -> "sonnet-4"
        parts = key.split("-")
        while len(parts) > 2:
            parts.pop()
            if "-".join(parts) in self.models:
                return self.models["-".join(parts)]
        return None

    def other_model(self, model_id: Optional[str]) -> Optional[ModelInfo]:
        """The table entry of a Gemini or OpenAI model ID (`models/gemini-2.5-flash`,
        `gpt-5.5-2026-04-23`, `openai/gpt-5.6-terra`), if known: the longest key the ID
        starts with, dash-separated parts dropped from the end one at a time (dates,
        `-preview-05-20`, `-latest`). Claude IDs are `model()`'s."""
        if not model_id or canonical_model_key(model_id) is not None:
            return None
        key = model_id.strip().lower().rsplit("/", 1)[-1]
        while key:
            info = self.models.get(key)
            if info is not None:
                return info
            if "-" not in key:
                return None
            key = key.rsplit("-", 1)[0]
        return None

    def min_tokens(self, model_id: Optional[str], platform: Optional[str]) -> MinTokens:
        """Minimum cacheable prefix for a model on a platform (unknown model: the default)."""
        info = self.model(model_id)
        base = info.min_tokens if info is not None and info.min_tokens is not None else self.default_min
        floor = self.platforms[platform].min_cache_tokens if platform in self.platforms else 0
        return MinTokens(max(base.low, floor), max(base.high, floor))

    def platform(self, name: str) -> Optional[PlatformInfo]:
        return self.platforms.get(name)

    def platform_label(self, name: str) -> str:
        info = self.platforms.get(name)
        return info.label if info is not None and info.label else name

    # --- overrides --------------------------------------------------------------------
    def with_overrides(
        self, models: Mapping[str, Any], platforms: Mapping[str, Any], prefix: str = "tool.cachelint"
    ) -> "Tables":
        """A copy with user overrides applied; raises `TableError` on a bad value."""
        new_models = dict(self.models)
        default_min = self.default_min
        for key, entry in models.items():
            where = f"{prefix}.models.{key}"
            if not isinstance(entry, Mapping):
                raise TableError(where, "a table", entry)
            if key == "default":
                default_min = _parse_min(entry.get("min-cache-tokens", [default_min.low, default_min.high]), where + ".min-cache-tokens")
                _reject_unknown(entry, {"min-cache-tokens"}, where)
                continue
            canonical = canonical_model_key(key) or key.strip().lower()
            base = new_models.get(canonical)
            new_models[canonical] = _parse_model(canonical, entry, where, base)
        new_platforms = dict(self.platforms)
        for name, entry in platforms.items():
            where = f"{prefix}.platforms.{name}"
            if not isinstance(entry, Mapping):
                raise TableError(where, "a table", entry)
            new_platforms[name] = _parse_platform(name, entry, where, new_platforms.get(name))
        return Tables(models=new_models, default_min=default_min, platforms=new_platforms)


# --- parsing ------------------------------------------------------------------------------
def _reject_unknown(entry: Mapping[str, Any], allowed: set, where: str) -> None:
    for key in entry:
        if key not in allowed:
            raise TableError(f"{where}.{key}", "one of " + ", ".join(sorted(allowed)), key)


def _parse_min(value: Any, where: str) -> MinTokens:
    if isinstance(value, bool):
        raise TableError(where, "a token count or [low, high]", value)
    if isinstance(value, int) and value >= 0:
        return MinTokens(value, value)
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
        and value[0] <= value[1]
    ):
        return MinTokens(value[0], value[1])
    raise TableError(where, "a token count or [low, high] with low <= high", value)


def _parse_model(key: str, entry: Mapping[str, Any], where: str, base: Optional[ModelInfo]) -> ModelInfo:
    _reject_unknown(entry, {"min-cache-tokens", *PRICE_KEYS, *FLAG_KEYS, *LIST_KEYS}, where)
    min_tokens = base.min_tokens if base is not None else None
    if "min-cache-tokens" in entry:
        min_tokens = _parse_min(entry["min-cache-tokens"], where + ".min-cache-tokens")
    if min_tokens is None and canonical_model_key(key) is not None:
        raise TableError(where + ".min-cache-tokens", "a token count for a new model", None)
    facts: Dict[str, Any] = dict(base.facts) if base is not None else {}
    for name in FLAG_KEYS:
        if name in entry:
            if not isinstance(entry[name], bool):
                raise TableError(f"{where}.{name}", "true or false", entry[name])
            facts[name] = entry[name]
    for name in LIST_KEYS:
        if name in entry:
            value = entry[name]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise TableError(f"{where}.{name}", "a list of strings", value)
            facts[name] = tuple(value)
    prices = dict(base.prices) if base is not None else {}
    for name in PRICE_KEYS:
        if name in entry:
            value = entry[name]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise TableError(f"{where}.{name}", "a non-negative price in USD per million tokens", value)
            prices[name] = float(value)
    return ModelInfo(key=key, min_tokens=min_tokens, prices=prices, facts=facts)


def _parse_platform(name: str, entry: Mapping[str, Any], where: str, base: Optional[PlatformInfo]) -> PlatformInfo:
    _reject_unknown(entry, {"label", "description", "top-level-cache-control", "block-cache-control", "min-cache-tokens"}, where)
    info = base or PlatformInfo(name, name, "unknown", "unknown", 0, name)
    updates: Dict[str, Any] = {}
    for key in ("label", "description"):
        if key in entry:
            if not isinstance(entry[key], str):
                raise TableError(f"{where}.{key}", "a string", entry[key])
            updates[key] = entry[key]
    if "top-level-cache-control" in entry:
        value = entry["top-level-cache-control"]
        if value not in TOP_LEVEL_VALUES:
            raise TableError(where + ".top-level-cache-control", "one of " + ", ".join(TOP_LEVEL_VALUES), value)
        updates["top_level_cache_control"] = value
    if "block-cache-control" in entry:
        value = entry["block-cache-control"]
        if value not in BLOCK_VALUES:
            raise TableError(where + ".block-cache-control", "one of " + ", ".join(BLOCK_VALUES), value)
        updates["block_cache_control"] = value
    if "min-cache-tokens" in entry:
        value = entry["min-cache-tokens"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise TableError(where + ".min-cache-tokens", "a non-negative token count", value)
        updates["min_cache_tokens"] = value
    return replace(info, **updates)


@lru_cache(maxsize=1)
def default_tables() -> Tables:
    """The shipped tables (parsed once per process)."""
    models_doc = tomllib.loads((DATA_DIR / "models.toml").read_text(encoding="utf-8"))
    platforms_doc = tomllib.loads((DATA_DIR / "platforms.toml").read_text(encoding="utf-8"))
    models = {
        key: _parse_model(key, entry, f"models.{key}", None) for key, entry in models_doc["models"].items()
    }
    default_min = _parse_min(models_doc["default"]["min-cache-tokens"], "default.min-cache-tokens")
    platforms = {
        name: _parse_platform(name, entry, f"platforms.{name}", None)
        for name, entry in platforms_doc["platforms"].items()
    }
    return Tables(models=models, default_min=default_min, platforms=platforms)


# --- model IDs ----------------------------------------------------------------------------
_FAMILIES = ("opus", "sonnet", "haiku", "fable", "mythos")
_REGION_RE = re.compile(r"^(?:us|eu|apac|au|jp|global|us-gov|ca|sa)\.")
_DATE_RE = re.compile(r"-(?:20\d{6}|latest)\b")
_VERSION_SUFFIX_RE = re.compile(r"(?:-v\d+(?::\d+)?|:\d+|@.*)$")
_DOTTED_VERSION_RE = re.compile(r"(?<=\d)\.(?=\d)")


def is_claude_model(model_id: str) -> bool:
    """True when a model string names a Claude model in any provider's spelling."""
    lowered = model_id.lower()
    return "claude" in lowered or canonical_model_key(model_id) is not None


@lru_cache(maxsize=4096)
def canonical_model_key(model_id: str) -> Optional[str]:
    """`family-major[-minor]` for a Claude model ID, or None when it is not one.

    Handles provider prefixes (`bedrock/`, `vertex_ai/`, `openrouter/anthropic/`), region
    prefixes (`us.`), `anthropic.` vendor prefixes, dates, `-v1:0` and `@date` suffixes,
    dotted versions (`claude-sonnet-4.5`) and the old `claude-3-5-sonnet` word order.
    """
    s = model_id.strip().lower()
    s = s.rsplit("/", 1)[-1]
    s = _REGION_RE.sub("", s)
    if s.startswith("anthropic."):
        s = s[len("anthropic."):]
    s = _VERSION_SUFFIX_RE.sub("", s)
    s = _DOTTED_VERSION_RE.sub("-", s)
    s = _DATE_RE.sub("", s)
    if not s.startswith("claude-"):
        return None
    words = s[len("claude-"):].split("-")
    family = next((w for w in words if w in _FAMILIES), None)
    if family is None:
        return None
    idx = words.index(family)
    before = [w for w in words[:idx] if w.isdigit()]
    after = []
    for w in words[idx + 1:]:
        if w.isdigit() and len(w) <= 2:
            after.append(w)
        elif w == "preview" and not after:
            after.append(w)
            break
        else:
            break
    version = after or before
    if not version:
        return family
    return "-".join([family, *version[:2]])
