#!/usr/bin/env python3
"""How selective is the byte prefilter, and where does the analysis time go, file by file?

    /work/venv/bin/python benchmarks/selectivity.py --corpus L            # prefilter + analysis
    /work/venv/bin/python benchmarks/selectivity.py --corpus L --no-analyse

Stage 1 (in-process, one core): the files cachelint discovers in the corpus, read, and
`cachelint.prefilter.worth_parsing` applied: files and MB that pass, and how long it took.

Stage 2 (unless --no-analyse): every file that passes is linted by cachelint's own `Engine`
(the same call the CLI's workers make, no result cache), in `--jobs` processes, largest files
first; per file: seconds (wall inside the worker), the engine's phase timings, the number of
LLM requests the analysis found and of findings. It reports how many passing files produce
a request, how much of the analysis time goes to files that produce none, the slowest files,
and a per-package table. `--json` keeps every per-file record.

It imports the cachelint the interpreter finds (the working tree for an editable install).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from build_corpus import CORPORA, corpus_root, write_project_config  # noqa: E402

_engine: Any = None


def _init(root: str) -> None:
    global _engine
    from cachelint.config import CliOverrides, ConfigResolver
    from cachelint.engine import Engine

    os.chdir(root)
    resolver = ConfigResolver(Path(root), CliOverrides())
    _engine = Engine(resolver.settings_for)


def _lint(path: str) -> Dict[str, Any]:
    start = time.perf_counter()
    result = _engine.lint(path, want_requests=True)
    seconds = time.perf_counter() - start
    return {
        "path": path,
        "bytes": os.path.getsize(path),
        "seconds": seconds,
        "timings": result.timings,
        "requests": len(result.requests or []),
        "diagnostics": len(result.diagnostics),
        "codes": sorted({d.code for d in result.diagnostics}),
        "deps": len(result.deps),
        "skipped": result.skipped,
        "errors": len(result.errors),
        "notes": len(result.notes),
    }


def package_of(root: str, path: str) -> str:
    return os.path.relpath(path, root).split(os.sep)[0]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="L")
    parser.add_argument(
        "--jobs", type=int, default=2, help="worker processes for stage 2 (default 2)"
    )
    parser.add_argument("--no-analyse", action="store_true", help="stage 1 only")
    parser.add_argument("--top", type=int, default=20, help="slowest files to list")
    parser.add_argument("--json", help="write the per-file records here")
    args = parser.parse_args(argv)

    root = corpus_root(args.corpus)
    write_project_config(root)
    os.chdir(root)
    from cachelint.config import CliOverrides, ConfigResolver
    from cachelint.discovery import discover
    from cachelint.prefilter import worth_parsing

    t0 = time.perf_counter()
    files = [str(p) for p in discover(["."], ConfigResolver(Path(root), CliOverrides())).files]
    t_discover = time.perf_counter() - t0
    sizes: Dict[str, int] = {}
    passing: List[str] = []
    t_read = t_filter = 0.0
    for path in files:
        t1 = time.perf_counter()
        with open(path, "rb") as fh:
            data = fh.read()
        t2 = time.perf_counter()
        ok = worth_parsing(data)
        t_filter += time.perf_counter() - t2
        t_read += t2 - t1
        sizes[path] = len(data)
        if ok:
            passing.append(path)
    total_mb = sum(sizes.values()) / 1e6
    pass_mb = sum(sizes[p] for p in passing) / 1e6
    print(
        f"corpus {args.corpus}: {len(files):,} files discovered by cachelint, {total_mb:.2f} MB "
        f"(discover {t_discover:.2f} s, read {t_read:.2f} s, worth_parsing {t_filter:.3f} s in-process)"
    )
    print(
        f"pass the prefilter: {len(passing):,} files ({100 * len(passing) / max(1, len(files)):.1f} %), "
        f"{pass_mb:.2f} MB ({100 * pass_mb / max(total_mb, 1e-9):.1f} % of the bytes)"
    )
    per_pkg: Dict[str, Dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for path in files:
        pkg = per_pkg[package_of(root, path)]
        pkg["files"] += 1
        pkg["mb"] += sizes[path] / 1e6
    for path in passing:
        pkg = per_pkg[package_of(root, path)]
        pkg["pass"] += 1
        pkg["pass_mb"] += sizes[path] / 1e6
    if args.no_analyse:
        _print_packages(per_pkg, analysed=False)
        return 0

    print(
        f"stage 2: linting the {len(passing):,} passing files with the Engine in {args.jobs} process(es), "
        "largest first ...",
        flush=True,
    )
    ordered = sorted(passing, key=lambda p: -sizes[p])
    records: List[Dict[str, Any]] = []
    t0 = time.perf_counter()
    if args.jobs > 1:
        with get_context("fork").Pool(args.jobs, initializer=_init, initargs=(root,)) as pool:
            for i, rec in enumerate(pool.imap_unordered(_lint, ordered, chunksize=1), 1):
                records.append(rec)
                if i % 250 == 0:
                    print(
                        f"  {i:,}/{len(ordered):,} files, {time.perf_counter() - t0:.0f} s",
                        flush=True,
                    )
    else:
        _init(root)
        for path in ordered:
            records.append(_lint(path))
    wall = time.perf_counter() - t0

    total_s = sum(r["seconds"] for r in records)
    with_req = [r for r in records if r["requests"]]
    without = [r for r in records if not r["requests"]]
    with_diag = [r for r in records if r["diagnostics"]]
    s_without = sum(r["seconds"] for r in without)
    print(f"stage 2: {wall:.1f} s wall, {total_s:.1f} s summed over files")
    print(
        f"files producing >= 1 LLM request: {len(with_req):,} of {len(records):,} passing "
        f"({100 * len(with_req) / max(1, len(records)):.1f} %), {sum(r['bytes'] for r in with_req) / 1e6:.2f} MB, "
        f"{sum(r['requests'] for r in records):,} requests in all"
    )
    print(
        f"files passing but producing no request: {len(without):,} ({100 * len(without) / max(1, len(records)):.1f} %), "
        f"{sum(r['bytes'] for r in without) / 1e6:.2f} MB, {s_without:.1f} s = "
        f"{100 * s_without / max(total_s, 1e-9):.1f} % of the analysis time"
    )
    print(
        f"files with findings: {len(with_diag):,}; findings: {sum(r['diagnostics'] for r in records):,}; "
        f"internal errors in {sum(1 for r in records if r['errors'])} file(s)"
    )
    phases: Dict[str, float] = defaultdict(float)
    for r in records:
        for k, v in r["timings"].items():
            phases[k] += v
    print(
        "engine phases summed over files: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(phases.items(), key=lambda kv: -kv[1]))
    )
    records.sort(key=lambda r: -r["seconds"])
    share = 0.0
    print(
        f"slowest {args.top} files (seconds, cumulative share of the summed time, KB, requests, findings):"
    )
    for r in records[: args.top]:
        share += r["seconds"]
        print(
            f"  {r['seconds']:8.2f} {100 * share / max(total_s, 1e-9):5.1f} % {r['bytes'] / 1000:8.1f} KB "
            f"{r['requests']:4d} req {r['diagnostics']:4d} find  {os.path.relpath(r['path'], root)}"
        )
    for frac in (0.01, 0.05, 0.10):
        n = max(1, int(len(records) * frac))
        print(
            f"  the slowest {frac:.0%} of files ({n}) take {100 * sum(r['seconds'] for r in records[:n]) / max(total_s, 1e-9):.1f} % of the time"
        )
    for r in records:
        pkg = per_pkg[package_of(root, r["path"])]
        pkg["seconds"] += r["seconds"]
        pkg["with_req"] += 1 if r["requests"] else 0
        pkg["requests"] += r["requests"]
    _print_packages(per_pkg, analysed=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {
                    "corpus": args.corpus,
                    "files": len(files),
                    "mb": total_mb,
                    "passing": len(passing),
                    "passing_mb": pass_mb,
                    "wall": wall,
                    "records": records,
                },
                fh,
                indent=0,
            )
    return 0


def _print_packages(per_pkg: Dict[str, Dict[str, float]], analysed: bool) -> None:
    head = f"  {'package':<28} {'files':>6} {'MB':>7} {'pass':>6} {'pass MB':>8}"
    if analysed:
        head += f" {'w/ req':>7} {'requests':>8} {'analysis s':>10}"
    print(head)
    for name, p in sorted(per_pkg.items(), key=lambda kv: -kv[1]["mb"]):
        line = f"  {name:<28} {int(p['files']):>6} {p['mb']:>7.2f} {int(p['pass']):>6} {p['pass_mb']:>8.2f}"
        if analysed:
            line += f" {int(p['with_req']):>7} {int(p['requests']):>8} {p['seconds']:>10.1f}"
        print(line)


if __name__ == "__main__":
    sys.exit(main())
