"""The cost table `--statistics` prints after the per-rule counts (rows from `cachelint.costs`).

Presentation only: `cachelint.costs` computes the rows where the engine runs, below the
output layer; this module lays them out for the terminal.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence

from cachelint.costs import CALLS
from cachelint.output import terminal_safe


def _cell(row: Dict[str, Any]) -> str:
    """`cell 3:` before the row of a notebook's call site (rows count within the cell)."""
    return f"cell {row['cell']}:" if row.get("cell") is not None else ""


def render_costs(rows: Sequence[Dict[str, Any]], display: Any) -> Optional[str]:
    """The table printed after the per-rule statistics, or None when nothing qualifies.

    The location and model columns are as wide as their longest entry (absolute paths,
    Bedrock inference-profile ids), so the numbers stay in their columns."""
    if not rows:
        return None

    def saving(row: Dict[str, Any]) -> float:
        now = row.get("as_written")
        return float("inf") if now is None else now - row["with_fix"]

    rows = sorted(rows, key=lambda r: (-saving(r), r["path"], r.get("cell") or 0, r["row"]))

    wheres = [terminal_safe(f"{display(row['path'])}:{_cell(row)}{row['row']}:{row['column']}") for row in rows]
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
