#!/usr/bin/env python3
"""What the cyclic garbage collector frees during a cold lint, grouped by reference cycle.

Why this exists: reference counting frees everything the analysis drops at once, except
what hangs off a reference cycle; that waits for a full collection, which walks every
parsed tree a worker holds (see `cachelint/runner/collector.py`, which makes them rare on
the premise that the analysis makes no cycles). `tests/test_no_cycles.py` guards the
premise on the fixtures; this measures it on real code. It runs a cold lint in this
process (`-j1`) with `gc.DEBUG_SAVEALL`, so every object a collection finds unreachable is
kept, then prints how many there were and the strongly connected components among them
(the cycles), by the types in each:

    cd benchmarks/.corpus/L
    python ../../gc_garbage.py pydantic-ai-slim-2.68.0/pydantic_ai/realtime/_session.py
    python ../../gc_garbage.py litellm-1.109.1/litellm/main.py litellm-1.109.1/litellm/router.py litellm-1.109.1/litellm/utils.py

At 9d1dc77 the first found 902,711 objects, 37,042 cycles of one `Unknown` each and 125
of a `ClassInfo` with its `ModuleInfo`; at c81773c the second finds about 1,900 objects,
none of cachelint's types in a cycle. Arguments are cachelint's own paths.
"""

from __future__ import annotations

import atexit
import collections
import gc
import sys
from typing import List


def _cycles(garbage: List[object]) -> List[List[int]]:
    """Strongly connected components of more than one object (or a self-loop), by index."""
    ids = {id(o): i for i, o in enumerate(garbage)}
    succ = [[ids[id(r)] for r in gc.get_referents(o) if id(r) in ids] for o in garbage]
    index = [-1] * len(garbage)
    low = [0] * len(garbage)
    on_stack = [False] * len(garbage)
    stack: List[int] = []
    found: List[List[int]] = []
    counter = 0
    for start in range(len(garbage)):
        if index[start] != -1:
            continue
        work = [(start, 0)]
        while work:  # Tarjan's algorithm without recursion
            v, pos = work.pop()
            if pos == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack[v] = True
            descended = False
            for j in range(pos, len(succ[v])):
                w = succ[v][j]
                if index[w] == -1:
                    work.append((v, j + 1))
                    work.append((w, 0))
                    descended = True
                    break
                if on_stack[w]:
                    low[v] = min(low[v], index[w])
            if descended:
                continue
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1 or v in succ[v]:
                    found.append(component)
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
    return found


def _report() -> None:
    gc.collect()
    garbage = list(gc.garbage)
    gc.set_debug(0)
    cycles = _cycles(garbage)
    print(f"garbage: {len(garbage):,} objects; cycles: {len(cycles):,}", file=sys.stderr)
    shapes: "collections.Counter[tuple]" = collections.Counter()
    for component in cycles:
        names = {type(garbage[i]).__qualname__ for i in component} - {"dict", "list", "tuple", "cell"}
        functions = {getattr(garbage[i], "__qualname__", "") for i in component if type(garbage[i]).__name__ == "function"}
        shapes[tuple(sorted(names))[:8] + tuple(sorted(functions))[:3]] += 1
    for shape, count in shapes.most_common(25):
        print(f"{count:8,}  {', '.join(shape)}", file=sys.stderr)


def main() -> None:
    gc.set_debug(gc.DEBUG_SAVEALL)
    atexit.register(_report)
    sys.argv = ["cachelint", "--no-cache", "-j", "1", "-e", "-q"] + sys.argv[1:]
    from cachelint.cli import main as cachelint_main

    cachelint_main()


if __name__ == "__main__":
    main()
