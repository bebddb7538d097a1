"""CL016: a Gemini explicit cache that `caches.create` cannot make."""

from __future__ import annotations

import re
from typing import Optional

from cachelint.analysis.request import Request
from cachelint.analysis.values import Const, DictV, Entry, Str
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Fix, Severity
from cachelint.fixes import make_edit
from cachelint.rule import Invalid, Rule, Valid
from cachelint.rules import providers, support

#: protobuf's JSON form of a Duration, which `ttl` is sent as: seconds with up to nine
#: fractional digits, terminated by "s" (google-genai `CreateCachedContentConfig.ttl`).
DURATION_RE = re.compile(r"^\d+(\.\d{1,9})?s$")
_UNIT_RE = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)?\s*$", re.IGNORECASE
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds_form(text: str) -> Optional[str]:
    """`"1h"` -> `"3600s"`, `"90 minutes"` -> `"5400s"`, `"3600"` -> `"3600s"`; None when the
    text is no plain duration (then there is nothing safe to rewrite it to)."""
    match = _UNIT_RE.match(text)
    if match is None:
        return None
    amount = float(match.group(1))
    unit = (match.group(2) or "s").lower()[0]
    seconds = amount * _UNIT_SECONDS[unit]
    if seconds != int(seconds):
        return None
    return f"{int(seconds)}s"


class GeminiCacheRejected(Rule):
    """`client.caches.create` is called with a cache the Gemini API or the SDK rejects.

    ## What it does
    Checks google-genai `caches.create` calls (Gemini API and Vertex AI) for:

    - a `ttl` that is not a duration string of seconds ending in `s` (`"3600s"`, `"3.5s"`):
      a number or a `timedelta` fails the SDK's own validation (`Input should be a valid
      string`) before anything is sent, and a string like `"1h"`, `"60m"` or `"3600"` is sent
      and rejected by the API (400 `Illegal duration format; duration must end with 's'`);
    - `ttl` and `expire_time` both set: they are one `expiration` field (a protobuf `oneof`)
      and the API accepts only one;
    - contents (with the system instruction and tools) certainly smaller than the model's
      minimum for an explicit cache: the API answers 400 `Cached content is too small.
      total_token_count=..., min_total_token_count=...`. The size is an upper bound (two
      characters per token) compared with the lower end of the model's published minimum
      (`[tool.cachelint.models."gemini-..."] min-cache-tokens`); contents the analysis cannot
      measure (uploaded files, unknown text) are never reported, and neither is a model the
      table has no minimum for.

    ## Why is this bad?
    The cache is never made: `caches.create` raises, and the code after it (the requests that
    were meant to read the cache) never runs or falls back to sending everything at full
    price. These mistakes show only at run time, often only on the code path that turns
    caching on.

    ## Fix safety
    The fix rewrites a literal `ttl` to the same duration in seconds (`"1h"` and `3600` become
    `"3600s"`); it is safe because the cache lives exactly as long as written. Other findings
    have no fix: which of `ttl` and `expire_time` is meant, or what to add to a small cache,
    only the author knows.

    ## References
    - google-genai `types.CreateCachedContentConfig` (`ttl`: "a duration string, with up to
      nine fractional digits, terminated by 's'. Example: "3.5s""; `expire_time`)
    - [Gemini API: context caching](https://ai.google.dev/gemini-api/docs/caching) (minimum
      input tokens per model; the table changed during 2026, see `models.toml`)
    - [Gemini API: CachedContent](https://ai.google.dev/api/caching) (`expiration` is either
      `expireTime` or `ttl`)
    - "Cached content is too small": [litellm#17696](https://github.com/BerriAI/litellm/issues/17696),
      [manga-image-translator#929](https://github.com/zyddnys/manga-image-translator/issues/929)
    """

    code = "CL016"
    name = "gemini-cache-rejected"
    summary = "A Gemini caches.create call the SDK or the API rejects (ttl format, ttl with expire_time, contents below the minimum)."
    severity = Severity.ERROR
    fix_applicability = Applicability.SAFE
    fix_availability = "sometimes"

    examples = [
        Invalid(
            """
            from google import genai
            from google.genai import types

            MANUAL = "Section 1. Safety first. Always unplug the device. " * 400

            client = genai.Client()


            def make_cache():
                return client.caches.create(
                    model="gemini-2.5-flash",
                    config=types.CreateCachedContentConfig(contents=[MANUAL], ttl="1h"),
                )
            """,
            expected_message="must end with 's'",
            expected_fix="""
            from google import genai
            from google.genai import types

            MANUAL = "Section 1. Safety first. Always unplug the device. " * 400

            client = genai.Client()


            def make_cache():
                return client.caches.create(
                    model="gemini-2.5-flash",
                    config=types.CreateCachedContentConfig(contents=[MANUAL], ttl="3600s"),
                )
            """,
        ),
        Invalid(
            """
            from google import genai

            MANUAL = "Section 1. Safety first. Always unplug the device. " * 400

            client = genai.Client(vertexai=True, project="shop", location="us-central1")


            def make_cache():
                return client.caches.create(model="gemini-2.5-pro", config={"contents": [MANUAL], "ttl": 600})
            """,
            expected_message="not a string",
            expected_fix="""
            from google import genai

            MANUAL = "Section 1. Safety first. Always unplug the device. " * 400

            client = genai.Client(vertexai=True, project="shop", location="us-central1")


            def make_cache():
                return client.caches.create(model="gemini-2.5-pro", config={"contents": [MANUAL], "ttl": "600s"})
            """,
            title="A number is no ttl",
        ),
        Invalid(
            """
            from google import genai
            from google.genai import types

            client = genai.Client()


            def make_cache():
                return client.caches.create(
                    model="gemini-2.5-pro",
                    config=types.CreateCachedContentConfig(
                        system_instruction="You are a helpful assistant for our shop.",
                        contents=["Opening hours: 9 to 5, Monday to Friday."],
                        ttl="300s",
                        expire_time="2030-01-01T00:00:00Z",
                    ),
                )
            """,
            count=2,
            title="A few words are no cache, and ttl with expire_time is one field set twice",
        ),
        Valid(
            """
            from google import genai
            from google.genai import types

            MANUAL = "Section 1. Safety first. Always unplug the device. " * 400

            client = genai.Client()


            def make_cache():
                return client.caches.create(
                    model="gemini-2.5-flash",
                    config=types.CreateCachedContentConfig(contents=[MANUAL], ttl="3600s"),
                )
            """,
            use_instead=True,
        ),
        Valid(
            """
            from google import genai
            from google.genai import types

            client = genai.Client()


            def make_cache(document: types.Part, seconds: int):
                return client.caches.create(
                    model="gemini-2.5-flash",
                    config=types.CreateCachedContentConfig(contents=[document], ttl=f"{seconds}s"),
                )
            """,
            title="An uploaded document of unknown size, and a ttl built at run time",
        ),
    ]

    def check_request(self, request: Request, ctx: FileContext) -> None:
        if request.fmt != "genai-cache" or not providers.goes_only_to(request, providers.GEMINI_PLATFORMS):
            return
        config = providers.config_of(request)
        if config is None:
            return
        ttl = config.entries.get("ttl")
        if ttl is not None:
            self._check_ttl(ctx, request, config, ttl)
        expire = config.entries.get("expire_time")
        if ttl is not None and expire is not None:
            if providers.jointly(request, providers.set_guards(ttl), providers.set_guards(expire)) and self._certain(ttl) \
                    and self._certain(expire):
                support.report(ctx, self, request, expire.key_span or expire.value.span,
                               "ttl and expire_time are both set: they are one field (expiration) and the API accepts only one "
                               "of them (400 INVALID_ARGUMENT); keep the one you mean")
        self._check_size(ctx, request)

    @staticmethod
    def _certain(entry: Entry) -> bool:
        return not entry.cond and all(not (isinstance(v, Const) and v.value is None) for v in [entry.value])

    def _check_ttl(self, ctx: FileContext, request: Request, config: DictV, entry: Entry) -> None:
        value = entry.value
        span = value.span
        text = self._source(ctx, span)
        message: Optional[str] = None
        new: Optional[str] = None
        if isinstance(value, Str) and value.text is not None:
            if DURATION_RE.match(value.text):
                return
            new = seconds_form(value.text)
            message = (f"ttl {value.text!r} is rejected by the API (400 Illegal duration format: a duration must end with 's', "
                       f"in seconds)")
        elif isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
            number = value.value
            new = f"{int(number)}s" if float(number).is_integer() else None
            message = (f"ttl={number!r} is not a string: the SDK rejects it before sending (Input should be a valid string); "
                       f"write seconds ending in 's'")
        elif text is not None and re.match(r"^(datetime\.)?timedelta\(", text.strip()):
            message = "ttl is a timedelta: the SDK rejects it before sending (Input should be a valid string); write seconds ending in 's'"
        if message is None:
            return
        fix: Optional[Fix] = None
        if new is not None:
            message += f" ({new!r})"
            edit = self._replace(ctx, value, new)
            if edit is not None:
                fix = Fix(Applicability.SAFE, f"Write ttl as {new!r}", (edit,))
        support.report(ctx, self, request, span, message, fix=fix, fix_title=fix.message if fix is not None else None)

    @staticmethod
    def _source(ctx: FileContext, span: "Optional[object]") -> Optional[str]:
        if span is None:
            return None
        src = ctx.load_source(span.path)  # type: ignore[attr-defined]
        return src.text[span.start : span.end] if src is not None else None  # type: ignore[attr-defined]

    @staticmethod
    def _replace(ctx: FileContext, value: object, new: str) -> Optional[object]:
        """A string literal keeps its quotes; a number literal becomes a double-quoted string."""
        if isinstance(value, Str):
            return providers.replace_literal_edit(ctx, value, new)
        span = getattr(value, "span", None)
        if span is None:
            return None
        src = ctx.load_source(span.path)
        if src is None or not re.match(r"^\d+(\.0*)?$", src.text[span.start : span.end]):
            return None
        return make_edit(src, span.start, span.end, f'"{new}"')

    def _check_size(self, ctx: FileContext, request: Request) -> None:
        info = ctx.settings.tables.other_model(request.model)
        if info is None or info.min_tokens is None or request.incomplete:
            return
        if not request.pieces or any(p.many or p.tokens is None or not p.kind.cacheable for p in request.pieces):
            return
        tokens = sum(p.tokens or 0 for p in request.pieces)
        upper = 2 * tokens  # the estimate is chars/4; the densest text is about chars/2
        low = info.min_tokens.low
        if upper >= low:
            return
        contents = request.args.get("contents")
        span = contents.span if contents is not None else None
        support.report(ctx, self, request, span,
                       f"the cache holds ~{tokens:,} tokens (at most ~{upper:,}), below {request.model}'s minimum for an explicit "
                       f"cache ({info.min_tokens.describe()} tokens): the API answers 400 'Cached content is too small'. Cache "
                       f"more content, or drop the explicit cache and let implicit caching work")
