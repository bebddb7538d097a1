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
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

CALLS = 1000


def cost_records(requests: Sequence[Any], tables: Any, path: str, locate: Any) -> List[Dict[str, Any]]:
    """Plain-data cost rows for the requests sent from `path` (one per call site)."""
    from cachelint.rules import support

    rows: Dict[Any, Dict[str, Any]] = {}
    for request in requests:
        if request.report_span.path != path:
            continue
        if not support.is_claude_request(request):
            row = _other_row(request, tables)
            if row is not None:
                _keep(rows, request, path, locate, *row)
            continue
        info = tables.model(request.model)
        if info is None or info.price("input") is None:
            continue
        prefix = request.static_prefix()
        tokens = support.total_tokens(prefix)
        minimum = support.request_min_tokens(request, tables)
        if not prefix or tokens is None or tokens < minimum.high:
            continue
        base = info.price("input")
        write = info.price("cache-write-5m") or base * 1.25
        read = info.price("cache-read") or base * 0.1
        cached = support.has_markers(request)
        uncached_cost = CALLS * tokens * base / 1e6
        cached_cost = tokens * (write + (CALLS - 1) * read) / 1e6
        location = locate(request.report_span.start)
        # One row per call that sends the request (reached from several places of the file,
        # it is still one call site): the place closest to it wins.
        key = (request.call_span.path, request.call_span.start, request.model)
        if key in rows and rows[key]["_rank"] <= len(request.chain):
            continue
        rows[key] = {
            "_rank": len(request.chain),
            "path": path,
            "row": location.row,
            "column": location.column,
            "api": request.api,
            "model": request.model,
            "tokens": tokens,
            "cached": cached,
            "as_written": round(cached_cost if cached else uncached_cost, 4),
            "with_fix": round(cached_cost, 4),
        }
    return [{k: v for k, v in row.items() if k != "_rank"} for row in rows.values()]


def _keep(rows: Dict[Any, Dict[str, Any]], request: Any, path: str, locate: Any, tokens: int, cached: bool,
          as_written: float, with_fix: float) -> None:
    """Add a row, one per call site (the place closest to the call wins)."""
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
        "as_written": round(as_written, 4),
        "with_fix": round(with_fix, 4),
    }


def _other_row(request: Any, tables: Any) -> Optional[Tuple[int, bool, float, float]]:
    """(tokens, cached as written, cost as written, cost with caching) of a Gemini or OpenAI
    call site, or None when it has no prices or too small a static prefix."""
    from cachelint.rules import providers, support

    info = tables.other_model(request.model)
    if info is None or info.price("input") is None or info.price("cache-read") is None:
        return None
    base, read = info.price("input"), info.price("cache-read")
    if providers.is_openai_request(request):
        tokens = support.total_tokens(request.static_prefix())
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
        sizes = [support.total_tokens(c.pieces) for c in caches]
        if any(not size for size in sizes):
            return None
        tokens = max(sizes)  # type: ignore[type-var]
        explicit = tokens * (base + storage + CALLS * read) / 1e6
        return tokens, True, explicit, explicit
    tokens = support.total_tokens(request.static_prefix())
    if info.min_tokens is None or not tokens or tokens < info.min_tokens.high:
        return None
    return tokens, False, CALLS * tokens * base / 1e6, tokens * (base + storage + CALLS * read) / 1e6


def render_costs(rows: Sequence[Dict[str, Any]], display: Any) -> Optional[str]:
    """The table printed after the per-rule statistics, or None when nothing qualifies."""
    if not rows:
        return None
    rows = sorted(rows, key=lambda r: (-(r["as_written"] - r["with_fix"]), r["path"], r.get("cell") or 0, r["row"]))
    lines = [
        f"Static prefix input cost per {CALLS:,} calls (USD, calls within the cache lifetime):",
        f"{'location':<40} {'model':<28} {'tokens':>8} {'as written':>11} {'with caching':>13}",
    ]
    total_now = total_fix = 0.0
    for row in rows:
        cell = f"cell {row['cell']}:" if row.get("cell") is not None else ""
        where = f"{display(row['path'])}:{cell}{row['row']}:{row['column']}"
        note = "" if not row["cached"] else "  (already cached)"
        lines.append(
            f"{where:<40} {str(row['model'])[:28]:<28} {row['tokens']:>8,} {row['as_written']:>11.2f} {row['with_fix']:>13.2f}{note}"
        )
        total_now += row["as_written"]
        total_fix += row["with_fix"]
    lines.append(f"{'total':<40} {'':<28} {'':>8} {total_now:>11.2f} {total_fix:>13.2f}")
    return "\n".join(lines)
