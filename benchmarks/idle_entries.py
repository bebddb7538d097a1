#!/usr/bin/env python3
"""How much of a cold run interprets entry functions that find nothing.

Why this exists: an entry function is analysed because its text, or a name it calls, looks
like it leads to an LLM request. When the analysis of it records no request and no event,
its steps bought nothing; after this stop's fixes of the candidate choice those entries are
still 35-45 % of the steps on some applications (name collisions of methods, chains
deeper than the call-depth limit). This prints that share for one project, so the closing
note's figures can be rerun:

    cd benchmarks/.realcode/meeting-helper-7.20.1 && python ../../idle_entries.py --no-cache -j1 .

Arguments are cachelint's own (use `-j1`: the counters live in this process). It wraps
`Interpreter.run_function` and prints the entries and steps that found something and those
that did not, then the costliest idle entries.
"""

from __future__ import annotations

import collections
import sys
from typing import Any, List, Optional, Tuple

from cachelint.analysis.interp import Interpreter
from cachelint.cli import main

totals: "collections.Counter[str]" = collections.Counter()
idle: List[Tuple[int, str]] = []
_run_function = Interpreter.run_function


def run_function(self: Any, node: Any, owner: Any = None, self_info: Any = None, parent: Optional[Any] = None) -> None:
    requests, events = len(self.requests), len(self.events)
    _run_function(self, node, owner, self_info, parent)
    kind = "found" if len(self.requests) > requests or len(self.events) > events else "idle"
    totals[kind] += 1
    totals[kind + "_steps"] += self.steps
    if kind == "idle":
        module = owner.module if owner is not None else self.entry
        idle.append((self.steps, f"{module.path}:{node.lineno} {node.name}"))


Interpreter.run_function = run_function  # type: ignore[method-assign]

if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
    steps = totals["found_steps"] + totals["idle_steps"]
    print(f"entries that found a request or event: {totals['found']} ({totals['found_steps']} steps)", file=sys.stderr)
    print(f"entries that found nothing: {totals['idle']} ({totals['idle_steps']} steps, "
          f"{100 * totals['idle_steps'] / max(1, steps):.0f} % of entry steps)", file=sys.stderr)
    for cost, where in sorted(idle, reverse=True)[:10]:
        print(f"  {cost:8d}  {where}", file=sys.stderr)
