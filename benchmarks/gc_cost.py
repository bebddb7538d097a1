#!/usr/bin/env python3
"""What Python's cyclic garbage collector costs a cold cachelint run, per collector setting.

Why this exists: on files that import a few hundred project modules, the collector's full
collections walk every node of every parsed tree still alive; profiles charge that time to
whatever allocation triggered it, so it hides in `__init__`s. This runs the same cold lint
(`--no-cache`, by default `-j1`) in a fresh interpreter per setting and prints its wall and
cpu seconds and peak RSS, so the trade between time and memory of any collector strategy is
measured on the same files in the same run:

    cd benchmarks/.corpus/L
    python ../../gc_cost.py litellm-1.109.1/litellm/main.py pydantic-ai-slim-2.68.0/pydantic_ai/realtime/_session.py
    python ../../gc_cost.py litellm-1.109.1 --jobs 2 --settings shipped python 10000,10,10

Settings: `shipped` (what `cachelint.runner.collector` sets for a run), `python` (the
interpreter's own thresholds, 700,10,10), `off` (`gc.disable()`), or `A,B,C`
(`gc.set_threshold(A, B, C)`). Each replaces the command's own tuning in the process and
in its workers (fork inherits it; the initializer's call is replaced too).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from typing import List, Optional

CHILD = """
import gc, sys
import cachelint.runner.collector as collector
import cachelint.runner.lint as lint
setting = sys.argv[1]
if setting != "shipped":
    def apply():
        if setting == "off":
            gc.disable()
        elif setting == "python":
            gc.set_threshold(700, 10, 10)
        else:
            gc.set_threshold(*map(int, setting.split(",")))
    collector.tune_for_lint_run = lint.tune_for_lint_run = apply
sys.argv = ["cachelint"] + sys.argv[2:]
from cachelint.cli import main
main()
"""


def measure(setting: str, jobs: int, paths: List[str]) -> str:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, setting, "--no-cache", "-j", str(jobs), "-e", "-q", *paths],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    # wait4's usage covers the process and the workers it reaped: cpu summed, RSS the
    # largest single process (Linux: KiB)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime
    peak = usage.ru_maxrss / 1024
    code = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status
    return f"{setting:16} wall {wall:7.2f} s   cpu {cpu:7.2f} s   peak {peak:6.0f} MiB   exit {code}"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--settings", nargs="+", default=["shipped", "python", "off"])
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    for setting in args.settings:
        print(measure(setting, args.jobs, args.paths), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
