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
import random
import resource
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
    from cachelint.config.loader import CliOverrides, ConfigResolver
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
        # memory evidence: this worker's peak RSS so far, and what its Project keeps parsed
        "worker_pid": os.getpid(),
        "worker_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "modules_cached": sum(len(getattr(p, "_modules", ())) for p in _engine._projects.values()),
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
    parser.add_argument(
        "--sample",
        type=int,
        help="lint only N passing files: the N/5 largest plus a seeded random draw of the rest "
        "(weighted estimates; for a loaded machine or a quick look)",
    )
    parser.add_argument(
        "--sample-top",
        type=int,
        help="how many of the --sample files are the largest ones (default: a fifth)",
    )
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    if args.json:
        args.json = os.path.abspath(args.json)  # the script changes into the corpus directory

    root = corpus_root(args.corpus)
    write_project_config(root)
    os.chdir(root)
    from cachelint.config.loader import CliOverrides, ConfigResolver
    from cachelint.discovery.walk import discover
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

    ordered = sorted(passing, key=lambda p: -sizes[p])
    weight: Dict[str, float] = {p: 1.0 for p in ordered}
    sampled = args.sample is not None and args.sample < len(ordered)
    if sampled:
        # Stratified: the largest fifth of the sample are the largest files (they dominate the
        # time and must not be missed), the rest a seeded random draw from the other files,
        # each standing for len(rest) / drawn files in the estimates.
        top_n = args.sample // 5 if args.sample_top is None else min(args.sample_top, args.sample)
        rest = ordered[top_n:]
        drawn = random.Random(args.seed).sample(rest, args.sample - top_n)
        weight = {p: 1.0 for p in ordered[:top_n]}
        weight.update({p: len(rest) / len(drawn) for p in drawn})
        ordered = [p for p in ordered if p in weight]
    print(
        f"stage 2: linting {len(ordered):,} of the {len(passing):,} passing files with the Engine in "
        f"{args.jobs} process(es), largest first"
        + (
            f" (a stratified sample: the {top_n} largest + {len(ordered) - top_n} drawn at "
            f"random, seed {args.seed}; totals below are weighted estimates)"
            if sampled
            else ""
        )
        + " ...",
        flush=True,
    )
    records: List[Dict[str, Any]] = []
    t0 = time.perf_counter()
    if args.jobs > 1:
        with get_context("fork").Pool(args.jobs, initializer=_init, initargs=(root,)) as pool:
            for i, rec in enumerate(pool.imap_unordered(_lint, ordered, chunksize=1), 1):
                records.append(rec)
                if i % 100 == 0:
                    print(
                        f"  {i:,}/{len(ordered):,} files, {time.perf_counter() - t0:.0f} s",
                        flush=True,
                    )
    else:
        _init(root)
        for path in ordered:
            records.append(_lint(path))
    wall = time.perf_counter() - t0
    for r in records:
        r["weight"] = weight[r["path"]]

    def total(rs: List[Dict[str, Any]], key: Optional[str] = None) -> float:
        return sum(r["weight"] * (r[key] if key else 1) for r in rs)

    est = "~" if sampled else ""
    total_s = total(records, "seconds")
    n_all = total(records)
    with_req = [r for r in records if r["requests"]]
    without = [r for r in records if not r["requests"]]
    with_diag = [r for r in records if r["diagnostics"]]
    s_without = total(without, "seconds")
    print(
        f"stage 2: {wall:.1f} s wall, {sum(r['seconds'] for r in records):.1f} s summed over the files linted"
        + (f"; {total_s:.0f} s estimated for all passing files" if sampled else "")
    )
    print(
        f"files producing >= 1 LLM request: {est}{total(with_req):,.0f} of {n_all:,.0f} passing "
        f"({100 * total(with_req) / max(1, n_all):.1f} %), {est}{total(with_req, 'bytes') / 1e6:.2f} MB, "
        f"{est}{total(records, 'requests'):,.0f} requests in all"
    )
    print(
        f"files passing but producing no request: {est}{total(without):,.0f} "
        f"({100 * total(without) / max(1, n_all):.1f} %), {est}{total(without, 'bytes') / 1e6:.2f} MB, "
        f"{est}{s_without:.1f} s = {100 * s_without / max(total_s, 1e-9):.1f} % of the analysis time"
    )
    print(
        f"files with findings: {est}{total(with_diag):,.0f}; findings: {est}{total(records, 'diagnostics'):,.0f}; "
        f"internal errors in {sum(1 for r in records if r['errors'])} linted file(s)"
    )
    phases: Dict[str, float] = defaultdict(float)
    for r in records:
        for k, v in r["timings"].items():
            phases[k] += v * r["weight"]
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
    for frac in () if sampled else (0.01, 0.05, 0.10):
        n = max(1, int(len(records) * frac))
        print(
            f"  the slowest {frac:.0%} of files ({n}) take {100 * sum(r['seconds'] for r in records[:n]) / max(total_s, 1e-9):.1f} % of the time"
        )
    for r in records:
        pkg = per_pkg[package_of(root, r["path"])]
        pkg["seconds"] += r["seconds"] * r["weight"]
        pkg["with_req"] += r["weight"] if r["requests"] else 0
        pkg["requests"] += r["requests"] * r["weight"]
    _print_packages(per_pkg, analysed=True)
    workers: Dict[int, Dict[str, Any]] = {}
    for r in sorted(records, key=lambda r: r["worker_maxrss_mib"]):
        workers[r["worker_pid"]] = r
    for pid, r in sorted(workers.items()):
        print(
            f"worker {pid}: peak RSS {r['worker_maxrss_mib']:.0f} MiB, {r['modules_cached']:,} parsed modules "
            "kept by its Project at the end"
        )
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
