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
that did not, then why each kind of entry was chosen, then the costliest idle entries.

Why an entry was chosen, from its own text and its module's triggers
(`cachelint.analysis.candidates`): `sends` (it names an SDK request method), `mentions` (a
client class or a caching field, no request), `calls` (neither: it calls, directly or
through the module's or an import's functions, something that sends). On corpus L on
2026-12-05, 56 % of all entry steps were callers that found nothing, 17 % entries that only
mention, 14 % senders that found nothing: what a summary-based analysis would not repeat.

It also prints the share of entry steps spent inside helpers that cannot reach a request
(`Interpreter.helper_steps`): 60-75 % on crewai, khoj, aider, pydantic-ai and
langchain-core on 2026-12-05, most of them helpers whose result is used.
"""

from __future__ import annotations

import collections
import sys
from typing import Any, Dict, List, Optional, Tuple

from cachelint.analysis.candidates import module_code, module_triggers
from cachelint.analysis.interp import Interpreter
from cachelint.cli import main

totals: "collections.Counter[str]" = collections.Counter()
#: (why chosen, found something) -> [entries, steps]
by_reason: Dict[Tuple[str, bool], List[int]] = collections.defaultdict(lambda: [0, 0])
idle: List[Tuple[int, str]] = []
_run_function = Interpreter.run_function


def chosen_because(module: Any, node: Any) -> str:
    """`sends`, `mentions` or `calls`: what the entry's own text holds (see the docstring)."""
    code = module_code(module)
    start, end = module.index.node_range(node)
    triggers = module_triggers(module)
    if triggers.sending.search(code, start, end):
        return "sends"
    return "mentions" if triggers.trigger.search(code, start, end) else "calls"


def run_function(self: Any, node: Any, owner: Any = None, self_info: Any = None, parent: Optional[Any] = None) -> None:
    requests, events = len(self.requests), len(self.events)
    module = owner.module if owner is not None else self.entry
    reason = chosen_because(module, node)
    _run_function(self, node, owner, self_info, parent)
    found = len(self.requests) > requests or len(self.events) > events
    kind = "found" if found else "idle"
    totals[kind] += 1
    totals[kind + "_steps"] += self.steps
    # steps inside helpers that cannot reach a request (`Interpreter.helper_steps`)
    totals["helper_steps"] += self.helper_steps
    by_reason[reason, found][0] += 1
    by_reason[reason, found][1] += self.steps
    if not found:
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
    print(f"steps inside helpers that cannot reach a request: {totals['helper_steps']} "
          f"({100 * totals['helper_steps'] / max(1, steps):.0f} % of entry steps)", file=sys.stderr)
    for (reason, found), (count, reason_steps) in sorted(by_reason.items()):
        print(f"  chosen because it {reason:8s} {'found' if found else 'idle':5s}: {count:6d} entries, "
              f"{reason_steps:9d} steps ({100 * reason_steps / max(1, steps):.0f} %)", file=sys.stderr)
    for cost, where in sorted(idle, reverse=True)[:10]:
        print(f"  {cost:8d}  {where}", file=sys.stderr)
