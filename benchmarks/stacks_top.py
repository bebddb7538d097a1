#!/usr/bin/env python3
"""Top functions of a sampled profile in collapsed-stack form (py-spy `--format raw`).

A cold run of corpus L takes many minutes in two worker processes; profiling it again under
cProfile (benchmarks/profile.py, one process, 1.5-3x overhead) costs a second such pass. A
sampling profiler attached to the workers of a run that is going anyway costs nothing:

    pip install --target /tmp/pyspy py-spy       # a binary inside a PyPI wheel
    /tmp/pyspy/bin/py-spy record --pid WORKER_PID --duration 240 --rate 40 --nonblocking \\
        --format raw -o worker.txt
    python benchmarks/stacks_top.py worker.txt [more.txt ...] [--top 30]

Prints, over all samples of all files given, the share of samples in which each function is
on the stack (inclusive; the trunk common to nearly every stack left out), at the top of it
(self), and self time charged to the innermost cachelint frame (so time inside `ast.walk` or
`ast.parse` shows up under the cachelint function that called it).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from typing import List, Optional

_LINE = re.compile(r"^(.*) (\d+)$")
#: py-spy frames look like "function (path/to/file.py:123)"; drop the line number so one
#: function is one row.
_FRAME = re.compile(r"^(.*?) \((.*?):\d+\)$")


def frame_key(frame: str) -> str:
    m = _FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    name, path = m.groups()
    marker = "/cachelint/"
    if path.startswith("cachelint/"):  # py-spy shortens paths on sys.path
        short = path
    elif marker in path:  # keep the package path whole: cachelint/analysis/interp/calls.py
        short = "cachelint/" + path.rsplit(marker, 1)[1]
    else:
        short = "/".join(path.split("/")[-2:])
    return f"{short}:{name}"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--package", default="cachelint/", help="whose frames stdlib time is charged to"
    )
    parser.add_argument(
        "--trunk",
        type=float,
        default=0.95,
        help="leave frames on at least this share of the stacks out of the inclusive table",
    )
    args = parser.parse_args(argv)
    inclusive: Counter = Counter()
    own: Counter = Counter()
    charged: Counter = Counter()
    total = 0
    for path in args.files:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                m = _LINE.match(line.rstrip("\n"))
                if not m:
                    continue
                stack, count = m.group(1), int(m.group(2))
                frames = [frame_key(f) for f in stack.split(";")]
                # the first frame is the thread ("process 123:..."); keep code frames only
                frames = [f for f in frames if ":" in f and not f.startswith("process ")]
                if not frames:
                    continue
                total += count
                for f in set(frames):
                    inclusive[f] += count
                own[frames[-1]] += count
                mine = [f for f in frames if f.startswith(args.package)]
                charged[mine[-1] if mine else f"(outside {args.package})"] += count
    if not total:
        print("no samples")
        return 1
    print(f"{total:,} samples from {len(args.files)} file(s)")
    trunk = [name for name, count in inclusive.items() if count >= args.trunk * total]
    for name in trunk:
        del inclusive[name]
    print(
        f"({len(trunk)} frames on >= {args.trunk:.0%} of the stacks, the process/pool/CLI trunk, are left out)"
    )
    tables = (
        ("inclusive (on the stack)", inclusive),
        ("self (top of the stack)", own),
        (f"self, charged to the innermost {args.package} frame", charged),
    )
    for title, counter in tables:
        print(f"--- top {args.top} functions, {title} ---")
        for name, count in counter.most_common(args.top):
            print(f"  {100 * count / total:5.1f} %  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
