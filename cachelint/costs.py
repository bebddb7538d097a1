"""The cost view of `--statistics`: what each call site's static prefix costs per 1,000 calls.

For every Claude call site whose static prefix (tools, system, leading messages) is big
enough to cache and whose model has prices in the model table, it computes the input cost
of that prefix over 1,000 calls as the code is written and with caching in place:

- uncached: 1,000 x tokens x input price;
- cached: one write (1.25x input for 5 minutes, 2x for one hour) and 999 reads (the
  model's read price, 0.1x input for most models), assuming the calls come within the
  cache lifetime of each other (a busy service or an agent loop).

Gemini and OpenAI call sites get their own prices from the same table:

- OpenAI before gpt-5.6 caches prefixes of 1,024 tokens and more by itself, with no write
  fee: as written and with caching are the same (one call at the input price, 999 reads at
  the cached-input price). From gpt-5.6 a cache write costs `cache-write` (1.25x input) and
  a request in explicit mode without a `prompt_cache_breakpoint` caches nothing (CL017):
  as written it pays full price.
- Gemini: implicit caching (2.5 and newer) comes with no saving guarantee, so an uncached
  request counts at the input price; with caching means an explicit cache: creating it
  bills the tokens at the input price, it is stored for an hour (`cache-storage-hour`) and
  each call reads it at the cached price. A request that already reads an explicit cache
  (`cached_content`) is costed from the cache's size.

This is the number a team takes to its budget owner. Prices are data (`[tool.cachelint.models]`).

A request the provider rejects (HTTP 400: a root `cache_control` sent to Bedrock, more than
four breakpoints, a 1-hour breakpoint after a 5-minute one, an invalid marker) is not
"already cached": it fails. Whether it fails is decided by the rules that say so (CL003,
CL004, CL006, CL007), run on the request whatever the selection, so the table and the
findings never disagree. Its "as written" cell says `HTTP 400` and it is left out of that
total; "with caching" is the cost once the marker is fixed.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Optional, Sequence, Tuple

CALLS = 1000
#: Rules whose error findings mean the provider rejects the request as written.
REJECTING_RULES = ("CL003", "CL004", "CL006", "CL007")


def rejected_by(request: Any, ctx: Any) -> List[str]:
    """Codes of the rules that say the provider rejects `request` (empty: it is accepted).

    The rules themselves decide, on a scratch context, so the cost view says "fails"
    exactly where a finding says the request fails, selected or not."""
    if ctx is None:
        return []
    from cachelint.diagnostics import Severity
    from cachelint.registry import rule_for

    codes: List[str] = []
    for code in REJECTING_RULES:
        cls = rule_for(code)
        if cls is None:
            continue
        scratch = dataclasses.replace(ctx, diagnostics=[], defects={})
        try:
            cls(ctx.settings.rule_options.get(code)).check_request(request, scratch)
        except Exception:  # a rule bug must not break the statistics
            continue
        if any(d.severity == Severity.ERROR for d in scratch.diagnostics):
            codes.append(code)
    return codes


def cost_records(requests: Sequence[Any], tables: Any, path: str, locate: Any, ctx: Any = None) -> List[Dict[str, Any]]:
    """Plain-data cost rows for the requests sent from `path` (one per call site).

    `ctx` (the file's `FileContext`) lets the rules that detect rejected requests run."""
    from cachelint.analysis import caching

    rows: Dict[Any, Dict[str, Any]] = {}
    for request in requests:
        if request.report_span.path != path:
            continue
        if not caching.is_claude_request(request):
            row = _other_row(request, tables)
            if row is not None:
                _keep(rows, request, path, locate, *row)
            continue
        info = tables.model(request.model)
        if info is None or info.price("input") is None:
            continue
        prefix = request.static_prefix()
        tokens = caching.total_tokens(prefix)
        minimum = caching.request_min_tokens(request, tables)
        if not prefix or tokens is None or tokens < minimum.high:
            continue
        base = info.price("input")
        write = info.price("cache-write-5m") or base * 1.25
        read = info.price("cache-read") or base * 0.1
        cached = caching.has_markers(request)
        rejected = rejected_by(request, ctx) if cached else []
        uncached_cost = CALLS * tokens * base / 1e6
        cached_cost = tokens * (write + (CALLS - 1) * read) / 1e6
        as_written = None if rejected else (cached_cost if cached else uncached_cost)
        _keep(rows, request, path, locate, tokens, cached and not rejected, as_written, cached_cost, rejected)
    return [{k: v for k, v in row.items() if k != "_rank"} for row in rows.values()]


def _keep(rows: Dict[Any, Dict[str, Any]], request: Any, path: str, locate: Any, tokens: int, cached: bool,
          as_written: Optional[float], with_fix: float, rejected: Sequence[str] = ()) -> None:
    """Add a row, one per call that sends the request: reached from several places of the
    file it is still one call site, and the place closest to the call wins. `as_written`
    is None for a request the provider rejects (`rejected` names the rules that say so)."""
    key = (request.call_span.path, request.call_span.start, request.model)
    if key in rows and rows[key]["_rank"] <= len(request.chain):
        return
    location = locate(request.report_span.start)
    rows[key] = {
        "_rank": len(request.chain),
        "path": path,
        "row": location.row,
        "column": location.column,
        "api": request.api,
        "model": request.model,
        "tokens": tokens,
        "cached": cached,
        "rejected": list(rejected),
        "as_written": None if as_written is None else round(as_written, 4),
        "with_fix": round(with_fix, 4),
    }


def _other_row(request: Any, tables: Any) -> Optional[Tuple[int, bool, float, float]]:
    """(tokens, cached as written, cost as written, cost with caching) of a Gemini or OpenAI
    call site, or None when it has no prices or too small a static prefix."""
    from cachelint.analysis import caching
    from cachelint.analysis import request_fields as providers

    info = tables.other_model(request.model)
    if info is None or info.price("input") is None or info.price("cache-read") is None:
        return None
    base, read = info.price("input"), info.price("cache-read")
    if providers.is_openai_request(request):
        tokens = caching.total_tokens(request.static_prefix())
        minimum = info.min_tokens.high if info.min_tokens is not None else 1024
        if not tokens or tokens < minimum:
            return None
        write = info.price("cache-write") or base
        cached_cost = tokens * (write + (CALLS - 1) * read) / 1e6
        mode, known = providers.cache_mode(request)
        caches_nothing = known and mode == "explicit" and not request.openai_breakpoints() and providers.sees_every_part(request)
        if caches_nothing:
            return tokens, False, CALLS * tokens * base / 1e6, cached_cost
        return tokens, True, cached_cost, cached_cost
    if request.fmt != "genai" or not providers.goes_only_to(request, providers.GEMINI_PLATFORMS):
        return None
    storage = info.price("cache-storage-hour") or 0.0
    caches = providers.cache_requests(request)
    if caches:
        sizes = [caching.total_tokens(c.pieces) for c in caches]
        if any(not size for size in sizes):
            return None
        tokens = max(sizes)  # type: ignore[type-var]
        explicit = tokens * (base + storage + CALLS * read) / 1e6
        return tokens, True, explicit, explicit
    tokens = caching.total_tokens(request.static_prefix())
    if info.min_tokens is None or not tokens or tokens < info.min_tokens.high:
        return None
    return tokens, False, CALLS * tokens * base / 1e6, tokens * (base + storage + CALLS * read) / 1e6
