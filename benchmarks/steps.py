#!/usr/bin/env python3
"""Count the request analysis' interpreter steps on a tree: a machine-independent measure.

Wall time on this shared 2-core machine drifts by tens of percent between runs; the number
of statements and expressions the interpreter evaluates does not. This script lints the
given paths in this process (`--jobs 1 --no-cache`, findings discarded) with a counter on
`Interpreter.tick` and prints the total, how many were spent in the analysed file's own
module and how many in other project modules' code (callees inlined with their callers'
arguments, module constants, `__init__` summaries), the entry functions that cost most,
and how many entry runs found a request, only an event (a usage read, a client made) or
nothing, with the steps each group took: most of the analysis' work goes to entry
functions that find nothing.

    python benchmarks/steps.py benchmarks/.realcode/khoj-1.42.10
    python benchmarks/steps.py --top 15 benchmarks/.corpus/S/aider-chat-0.86.2

Compare two versions by running it with `PYTHONPATH` pointing at each checkout.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections import Counter
from typing import Any, Dict, List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--top", type=int, default=10, help="entry functions to list (default 10)")
    args = parser.parse_args(argv)

    # `Interpreter` is importable from here in every version (a module before the split,
    # a package after), so two checkouts can be compared
    from cachelint.analysis.interp import Interpreter

    counts: Counter = Counter()
    entries: Counter = Counter()
    #: per outcome of an entry function's run: [entries, steps]
    outcomes: Dict[str, List[int]] = {"requests": [0, 0], "events only": [0, 0], "nothing": [0, 0]}
    tick = Interpreter.tick
    run_function = Interpreter.run_function

    def counting_tick(self: Any) -> None:
        top = self._stack[-1] if self._stack else None
        counts["own module" if top is None or top.module is self.entry else "other modules"] += 1
        tick(self)

    def counting_run(self: Any, node: Any, owner: Any = None, self_info: Any = None, parent: Any = None) -> None:
        before = sum(counts.values())
        requests, events = len(self.requests), len(self.events)
        try:
            run_function(self, node, owner, self_info, parent)
        finally:
            where = os.path.relpath(self.entry.path)
            spent = sum(counts.values()) - before
            entries[f"{where}:{getattr(owner, 'name', '') + '.' if owner else ''}{node.name}"] += spent
            outcome = ("requests" if len(self.requests) > requests
                       else "events only" if len(self.events) > events else "nothing")
            outcomes[outcome][0] += 1
            outcomes[outcome][1] += spent

    Interpreter.tick = counting_tick  # type: ignore[method-assign]
    Interpreter.run_function = counting_run  # type: ignore[method-assign]
    from cachelint.cli import main as cachelint

    with contextlib.redirect_stdout(io.StringIO()):
        try:
            cachelint(["--no-cache", "--jobs", "1", "--exit-zero", "--quiet", *args.paths], standalone_mode=False)
        except SystemExit:
            pass
    total = sum(counts.values())
    print(f"interpreter steps: {total:,}")
    for where in ("own module", "other modules"):
        share = counts[where] / total if total else 0.0
        print(f"  {where:<14} {counts[where]:>12,}  {share:6.1%}")
    runs = sum(n for n, _ in outcomes.values())
    print(f"entry function runs: {runs:,}, by what they found (a request, a usage read or client only, nothing):")
    for outcome, (n, steps) in outcomes.items():
        share = steps / total if total else 0.0
        print(f"  {outcome:<12} {n:>8,} runs {steps:>12,} steps  {share:6.1%}")
    print(f"entry functions analysed: {len(entries):,}; most costly:")
    for name, steps in entries.most_common(args.top):
        print(f"  {steps:>10,}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
