#!/usr/bin/env python3
"""How much of a cold run re-interprets the same functions, and how much is thrown away.

Why this exists: issue 11's speed gap comes from the interpreter running each callee once
per calling context and from entry points that exceed the step budget (their requests are
dropped, their time is lost). This prints both for one project, so the closing note's
figures can be rerun:

    cd benchmarks/.realcode/khoj-1.42.10 && python ../../reruns.py --no-cache -j1 .

Arguments are cachelint's own (use `-j1`: the counters live in this process). It wraps
`Interpreter.call_function` and `Interpreter._run_entry` and prints, after the run:
calls vs distinct functions interpreted, entry points and how many exceeded the budget,
with their share of the time.
"""

from __future__ import annotations

import collections
import sys
import time

from cachelint.analysis.frames import BudgetExceeded
from cachelint.analysis.interp import Interpreter
from cachelint.cli import main

calls: "collections.Counter[tuple]" = collections.Counter()
entries = {"all": 0, "all_s": 0.0, "over": 0, "over_s": 0.0}
_call_function = Interpreter.call_function
_run_entry = Interpreter._run_entry


def call_function(self, func, args, kwargs, span, frame):  # type: ignore[no-untyped-def]
    calls[(func.module, getattr(func.node, "lineno", 0))] += 1
    return _call_function(self, func, args, kwargs, span, frame)


def run_entry(self, run, frame):  # type: ignore[no-untyped-def]
    started = time.perf_counter()

    def timed() -> None:
        try:
            run()
        except BudgetExceeded:
            entries["over"] += 1
            entries["over_s"] += time.perf_counter() - started
            raise

    _run_entry(self, timed, frame)
    entries["all"] += 1
    entries["all_s"] += time.perf_counter() - started


Interpreter.call_function = call_function  # type: ignore[method-assign]
Interpreter._run_entry = run_entry  # type: ignore[method-assign]

if __name__ == "__main__":
    started = time.perf_counter()
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
    total = time.perf_counter() - started
    print(f"run {total:.2f} s; calls {sum(calls.values())} of {len(calls)} distinct functions "
          f"({sum(calls.values()) / max(1, len(calls)):.1f} per function)", file=sys.stderr)
    print(f"entries {entries['all']} in {entries['all_s']:.2f} s; over the step budget "
          f"{entries['over']} in {entries['over_s']:.2f} s "
          f"({100 * entries['over_s'] / max(1e-9, entries['all_s']):.0f} % of entry time, results dropped)",
          file=sys.stderr)
