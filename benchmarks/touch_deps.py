#!/usr/bin/env python3
"""Why a warm run after touching one file re-checks the files it does: tree or summary.

Why this exists: after an edit of one module, a warm run re-analyses every file whose cached
result depended on it (its content digest is in the result's dependencies). Many of them
only read the module's summary (what it imports, what its functions call: the wrapper
search), never its syntax tree. A dependency on the summary instead of the content would
spare those when an edit leaves the summary as it was; this counts how many that would be.

    cd benchmarks/.corpus/L
    python -m cachelint --cache-dir /tmp/touch -q --exit-zero .          # fill the cache
    echo "# touched $(date +%s)" >> crewai-1.15.30/crewai/llms/providers/anthropic/completion.py
    python ../../touch_deps.py /tmp/touch crewai-1.15.30/crewai/llms/providers/anthropic/completion.py
    # then restore the file (delete the last line); a touch must be new content each
    # time: the run above stores results for the touched content too

Runs `cachelint --cache-dir CACHE -j1 .` in this process and prints how many files were
analysed again, and of those how many asked the project for the touched module's tree
(`Project.module(path)` with `keep=True`: the interpreter) and how many read it only as a
summary (`keep=False`, or not at all: a remembered answer of the wrapper search). On
corpus L at 67d55cb, touching crewai's Anthropic provider: 40 files, 7 and 33.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Dict, List, Tuple


def main(argv: List[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    cache_dir, touched_arg = argv
    from cachelint.analysis.project import Project
    from cachelint.cli import main as cachelint
    from cachelint.engine import Engine

    touched = os.path.realpath(touched_arg)
    current: Dict[str, Any] = {"file": None, "tree": False}
    rows: List[Tuple[str, bool]] = []
    module = Project.module
    lint = Engine.lint

    def counting_module(self: Any, path: str, keep: bool = True) -> Any:
        if current["file"] is not None and keep and self.real(path) == touched:
            current["tree"] = True
        return module(self, path, keep)

    def counting_lint(self: Any, path: str, *args: Any, **kwargs: Any) -> Any:
        current.update(file=path, tree=False)
        result = lint(self, path, *args, **kwargs)
        if result.skipped is None:
            rows.append((os.path.relpath(path), bool(current["tree"])))
        current["file"] = None
        return result

    Project.module = counting_module  # type: ignore[method-assign]
    Engine.lint = counting_lint  # type: ignore[method-assign]
    try:
        cachelint(["--cache-dir", cache_dir, "-j1", "-q", "--exit-zero", "."], standalone_mode=False)
    except SystemExit:
        pass
    print(f"files analysed again: {len(rows)}")
    print(f"  asked for the touched module's syntax tree: {sum(1 for _, tree in rows if tree)}")
    print(f"  read it only as a summary: {sum(1 for _, tree in rows if not tree)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
