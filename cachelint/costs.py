"""The cost view of `--statistics`: what each call site's static prefix costs per 1,000 calls.

For every Claude call site whose static prefix (tools, system, leading messages) is big
enough to cache and whose model has prices in the model table, it computes the input cost
of that prefix over 1,000 calls as the code is written and with caching in place:

- uncached: 1,000 x tokens x input price;
- cached: one write (1.25x input for 5 minutes, 2x for one hour) and 999 reads (the
  model's read price, 0.1x input for most models), assuming the calls come within the
  cache lifetime of each other (a busy service or an agent loop).

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
from typing import Any, Dict, List, Optional, Sequence

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
    from cachelint.rules import support

    rows: Dict[Any, Dict[str, Any]] = {}
    for request in requests:
        if request.report_span.path != path or not support.is_claude_request(request):
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
        rejected = rejected_by(request, ctx) if cached else []
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
            "cached": cached and not rejected,
            "rejected": rejected,
            "as_written": None if rejected else round(cached_cost if cached else uncached_cost, 4),
            "with_fix": round(cached_cost, 4),
        }
    return [{k: v for k, v in row.items() if k != "_rank"} for row in rows.values()]


def render_costs(rows: Sequence[Dict[str, Any]], display: Any) -> Optional[str]:
    """The table printed after the per-rule statistics, or None when nothing qualifies.

    The location and model columns are as wide as their longest entry (absolute paths,
    Bedrock inference-profile ids), so the numbers stay in their columns."""
    if not rows:
        return None

    def saving(row: Dict[str, Any]) -> float:
        now = row.get("as_written")
        return float("inf") if now is None else now - row["with_fix"]

    rows = sorted(rows, key=lambda r: (-saving(r), r["path"], r["row"]))
    from cachelint.output import terminal_safe

    wheres = [terminal_safe(f"{display(row['path'])}:{row['row']}:{row['column']}") for row in rows]
    width = max([40] + [len(w) for w in wheres])
    models = [terminal_safe(str(row["model"])) for row in rows]
    mwidth = max([28] + [len(m) for m in models])
    lines = [
        f"Static prefix input cost per {CALLS:,} calls (USD, calls within the cache lifetime):",
        f"{'location':<{width}} {'model':<{mwidth}} {'tokens':>8} {'as written':>11} {'with caching':>13}",
    ]
    total_now = total_fix = 0.0
    failing = 0
    for where, model, row in zip(wheres, models, rows):
        rejected = row.get("rejected") or []
        if rejected:
            failing += 1
            now = f"{'HTTP 400':>11}"
            note = f"  (rejected as written: {', '.join(rejected)})"
        else:
            now = f"{row['as_written']:>11.2f}"
            note = "  (already cached)" if row["cached"] else ""
            total_now += row["as_written"]
        lines.append(
            f"{where:<{width}} {model:<{mwidth}} {row['tokens']:>8,} {now} {row['with_fix']:>13.2f}{note}"
        )
        total_fix += row["with_fix"]
    lines.append(f"{'total':<{width}} {'':<{mwidth}} {'':>8} {total_now:>11.2f} {total_fix:>13.2f}")
    if failing:
        lines.append(
            f"{failing} call site{'s' if failing != 1 else ''} fail{'s' if failing == 1 else ''} with HTTP 400 as "
            "written (not in the 'as written' total)"
        )
    return "\n".join(lines)
