#!/usr/bin/env python3
"""Do two versions of cachelint report the same findings on every downloaded real package?

Why: a change meant only to make the analysis faster (a budget, a shortcut, a pass skipped)
must not change what it finds, and the labelled rows of `score.py` cover a few hundred call
sites only. This lints every package that `fetch.py` unpacked into `benchmarks/.realcode/`
(91 today, labelled or not) with one version of the code and stores the findings, then
compares two such dumps finding by finding (file, row, column, code, message):

    python benchmarks/realcode/same_findings.py dump /tmp/before           # this checkout
    python benchmarks/realcode/same_findings.py dump /tmp/after --code /path/to/other/checkout
    python benchmarks/realcode/same_findings.py compare /tmp/before /tmp/after
    python benchmarks/realcode/same_findings.py dump /tmp/pooled --jobs 2  # then compare with a serial dump
    python benchmarks/realcode/same_findings.py dump /tmp/stored --stored-index  # the same

`dump` runs `python -m cachelint --no-cache --isolated --output-format json --exit-zero
--jobs N .` (N = `--jobs`, 1 by default) in each package with `PYTHONPATH` at `--code` (a directory holding the
`cachelint` package; default: this checkout), one package at a time, and prints the time
per package. With `--stored-index`, each package is linted twice with a fresh cache
directory: once to store the project's byte index and its modules' summaries
(`cachelint.cache.byte_index`, `cachelint.cache.summaries`), then, with the stored results
removed but those kept, again: the findings are the second run's, made with the index and
the summaries read from the cache instead of the files. `compare` prints
every finding only one side has and exits 1 when there is one. Run `dump` from a copy of the code (`git worktree`, `git archive`) if you keep editing
while it runs: it takes about 4 minutes.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time
from typing import List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
REALCODE = os.path.join(os.path.dirname(HERE), ".realcode")
CHECKOUT = os.path.dirname(os.path.dirname(HERE))


def dump(out: str, code: str, realcode: str, only: List[str], jobs: int = 1, stored_index: bool = False) -> int:
    """Lint each package with the code at `code`; one JSON file per package in `out`."""
    os.makedirs(out, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=code)
    total = 0.0
    for name in sorted(os.listdir(realcode)):
        pkg = os.path.join(realcode, name)
        if name.startswith(("_", ".")) or not os.path.isdir(pkg) or (only and not any(name.startswith(o) for o in only)):
            continue
        argv = [sys.executable, "-m", "cachelint", "--no-cache", "--isolated", "--output-format", "json",
                "--exit-zero", "--jobs", str(jobs), "."]
        cache = os.path.join(out, ".cache-" + name)
        if stored_index:
            argv[3] = "--cache-dir=" + cache
            shutil.rmtree(cache, ignore_errors=True)
            subprocess.run(argv, cwd=pkg, capture_output=True, env=env)
            for table in glob.glob(os.path.join(cache, "*", "*.json")):
                if not os.path.basename(table).startswith("byte-index-"):
                    os.unlink(table)
        started = time.perf_counter()
        proc = subprocess.run(argv, cwd=pkg, capture_output=True, text=True, env=env)
        elapsed = time.perf_counter() - started
        if stored_index:
            if not glob.glob(os.path.join(cache, "*", "byte-index-*.json")):
                print(f"{name:40} (no byte index stored: the analysis never asked for it)", flush=True)
            shutil.rmtree(cache, ignore_errors=True)
        total += elapsed
        try:
            rows = sorted([os.path.relpath(f["filename"], pkg), f["location"]["row"], f["location"]["column"], f["code"],
                           f["message"]] for f in json.loads(proc.stdout or "[]"))
            error = "" if proc.returncode == 0 else f"exit {proc.returncode}: {proc.stderr[-500:]}"
        except json.JSONDecodeError as exc:
            rows, error = [], f"output is not JSON ({exc}): {proc.stderr[-500:]}"
        with open(os.path.join(out, name + ".json"), "w", encoding="utf-8") as fh:
            json.dump({"findings": rows, "error": error, "seconds": round(elapsed, 2)}, fh, indent=0)
        print(f"{name:40} {elapsed:6.2f} s {len(rows):4} findings{'  ' + error[:80] if error else ''}", flush=True)
    print(f"total {total:.1f} s")
    return 0


def compare(before: str, after: str) -> int:
    """Print the findings only one dump has; 1 when there is any, or a run failed."""
    differing = failed = 0
    seconds = [0.0, 0.0]
    for name in sorted(os.listdir(before)):
        other = os.path.join(after, name)
        if not os.path.exists(other):
            continue
        with open(os.path.join(before, name), encoding="utf-8") as fh:
            a = json.load(fh)
        with open(other, encoding="utf-8") as fh:
            b = json.load(fh)
        seconds[0] += a["seconds"]
        seconds[1] += b["seconds"]
        for side in (a, b):
            if side["error"]:
                failed += 1
                print(f"{name}: {side['error']}")
        old = {tuple(r) for r in a["findings"]}
        new = {tuple(r) for r in b["findings"]}
        if old != new:
            differing += 1
            for row in sorted(old - new):
                print(f"{name}: only before: {row}")
            for row in sorted(new - old):
                print(f"{name}: only after:  {row}")
    ratio = seconds[1] / seconds[0] if seconds[0] else float("nan")
    print(f"packages with different findings: {differing}; failed runs: {failed}; "
          f"time {seconds[0]:.1f} s -> {seconds[1]:.1f} s ({ratio:.2f}x)")
    return 1 if differing or failed else 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump", help="lint every package and store the findings in OUT")
    d.add_argument("out")
    d.add_argument("--code", default=CHECKOUT, help="directory holding the cachelint package to run")
    d.add_argument("--realcode", default=REALCODE)
    d.add_argument("--only", nargs="*", default=[], metavar="PREFIX")
    d.add_argument("--jobs", type=int, default=1,
                   help="worker processes (default 1; a dump with 2 compared to one with 1 checks that a "
                        "pooled run finds what a serial one does)")
    d.add_argument("--stored-index", action="store_true",
                   help="lint twice with a cache, the second time with the byte index and summaries read from it")
    c = sub.add_parser("compare", help="print the findings only one of two dumps has")
    c.add_argument("before")
    c.add_argument("after")
    args = parser.parse_args(argv)
    if args.command == "dump":
        return dump(args.out, os.path.abspath(args.code), args.realcode, args.only, args.jobs, args.stored_index)
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
