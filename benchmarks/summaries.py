#!/usr/bin/env python3
"""Time the module summaries of a tree, and check that a change to them changed nothing.

Why this exists: every analysed file summarises the modules it imports
(`cachelint.analysis.candidates._summarise`: the names each function calls, which functions
lead to a request, ...): `benchmarks/profile.py` shows what share of a run that is. A change that
makes summaries cheaper must give the same summaries; this times them on real modules and
compares them field by field with a dump made by other code:

    # time summarising 900 modules (3 rounds, best), and dump what they are
    PYTHONPATH=/tmp/old python benchmarks/summaries.py benchmarks/.corpus/L/litellm-1.109.1 \\
        benchmarks/.corpus/L/openai-3.54.0 --limit 900 --dump /tmp/old.json
    # the same with the code at hand, compared with that dump
    python benchmarks/summaries.py benchmarks/.corpus/L/litellm-1.109.1 \\
        benchmarks/.corpus/L/openai-3.54.0 --limit 900 --compare /tmp/old.json
    # every module of corpus L, one round, no timing worth quoting (parsing dominates)
    python benchmarks/summaries.py benchmarks/.corpus/L --rounds 0 --dump /tmp/all.json

Modules are parsed first (not timed), with the project rooted at the first path's parent so
imports resolve as in a run over that tree. Exit code 1 when `--compare` finds a difference.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import Dict, List


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", help="directories whose .py files are summarised (sorted, in order)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many modules per path (0: all)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds, best reported (0: summarise once, untimed)")
    parser.add_argument("--dump", help="write the summaries (JSON, by path) here")
    parser.add_argument("--compare", help="compare the summaries with a dump; exit 1 on any difference")
    args = parser.parse_args(argv)

    from cachelint.analysis.candidates import _summarise, module_code, module_functions, module_triggers, summary_to_json
    from cachelint.analysis.project import Project

    files: List[str] = []
    for path in args.paths:
        found = sorted(str(p) for p in Path(path).rglob("*.py"))
        files += found[: args.limit] if args.limit else found
    project = Project(Path(args.paths[0]).resolve().parent)
    keep = args.rounds > 0
    if keep:
        project.module_cache_bytes = 1 << 62  # every module stays parsed for the timed rounds
    modules = []
    summaries: Dict[str, dict] = {}
    for path in files:
        module = project.module(os.path.realpath(path), keep=keep)
        if module is None:
            continue
        if keep:
            module_code(module), module_functions(module), module_triggers(module)  # what a run has at hand
            modules.append(module)
        else:
            summaries[module.path] = summary_to_json(_summarise(module, None))
            project.trim()
    if keep:
        gc.disable()
        best = float("inf")
        for _ in range(args.rounds):
            started = time.perf_counter()
            found = [_summarise(module, None) for module in modules]
            best = min(best, time.perf_counter() - started)
        gc.enable()
        size = sum(len(module.text) for module in modules)
        print(f"summarised {len(modules)} modules ({size / 1e6:.1f} MB) in {best:.3f} s (best of {args.rounds})")
        summaries = {module.path: summary_to_json(summary) for module, summary in zip(modules, found)}
    else:
        print(f"summarised {len(summaries)} modules")
    if args.dump:
        Path(args.dump).write_text(json.dumps(summaries, sort_keys=True), encoding="utf-8")
    if args.compare:
        before = json.loads(Path(args.compare).read_text(encoding="utf-8"))
        differ = sorted(path for path in set(before) | set(summaries) if before.get(path) != summaries.get(path))
        for path in differ[:10]:
            print(f"  differs: {path}")
        print(f"compared with {args.compare}: {len(differ)} of {len(set(before) | set(summaries))} modules differ")
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
