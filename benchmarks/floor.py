#!/usr/bin/env python3
"""What cachelint costs on a corpus when the request analysis is taken out of it.

    /work/venv/bin/python benchmarks/floor.py --corpus L --runs 5

With every rule per-file-ignored (`--config 'per-file-ignores = {"**" = ["CL"]}'`) the
engine still discovers, reads, prefilters, decodes and parses every file and applies
suppressions, but analyses nothing. In interleaved rounds against ruff ALL (concise) it
measures:

  floor_cold   cachelint --no-cache (that config) .   : the cold run's cost outside the analysis
  floor_warm   cachelint (that config) .  cache filled : the warm path (discovery, config per
               directory, a stat per file, cache table load, output) on every file of the
               corpus; a real warm run also stats dependencies and prints findings, so this
               is a lower bound of `cl_warm` in bench.py

It needs no full analysis pass, so it answers in minutes on L where bench.py needs a cold
analysis of the corpus first. Same measuring as bench.py (snapshot of cachelint, wait4 rusage,
sampled process-tree RSS, paired ratios).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from typing import List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench import cpu_pressure, fmt_s, med, run_once, snapshot_cachelint, tool  # noqa: E402
from build_corpus import CORPORA, corpus_root, write_project_config  # noqa: E402

IGNORE_ALL = 'per-file-ignores = {"**" = ["CL"]}'


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="L")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args(argv)
    root = corpus_root(args.corpus)
    write_project_config(root)
    python = args.python
    ruff = tool(python, "ruff")
    work = tempfile.mkdtemp(prefix=".floor-", dir=os.path.dirname(root))
    try:
        pythonpath, source = snapshot_cachelint(python, os.path.join(work, "src"))
        env = dict(os.environ)
        env.pop("CACHELINT_CACHE_DIR", None)
        cl_env = dict(env, PYTHONPATH=pythonpath)
        cache = os.path.join(work, "cache")
        cl = [python, "-m", "cachelint", "--config", IGNORE_ALL, "--output-format", "concise"]
        commands = {
            "ruff_all": (
                [ruff, "check", "--no-cache", "--select", "ALL", "--output-format", "concise", "."],
                env,
            ),
            "floor_cold": (cl + ["--no-cache", "."], cl_env),
            "floor_warm": (cl + ["--cache-dir", cache, "."], cl_env),
        }
        print(f"corpus {args.corpus}: {root}; cachelint {source}")
        print(
            f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, cpu pressure {cpu_pressure()}"
        )
        fill = run_once(commands["floor_warm"][0], root, cl_env)
        print(f"fill: {fmt_s(fill.wall)} s wall, {fmt_s(fill.cpu)} s cpu", flush=True)
        for key, (argv_, env_) in commands.items():  # warm-up
            run_once(argv_, root, env_)
        samples = {k: [] for k in commands}
        keys = list(commands)
        for r in range(args.runs):
            order = keys if r % 2 == 0 else keys[::-1]
            print(f"round {r + 1}/{args.runs} (load {os.getloadavg()[0]:.2f}):", end="", flush=True)
            for key in order:
                argv_, env_ = commands[key]
                s = run_once(argv_, root, env_)
                samples[key].append(s)
                print(f" {key}={fmt_s(s.wall)}", end="", flush=True)
            print(flush=True)
        print()
        print(
            f"{'scenario':<11} {'wall s min / med / max':>26} {'cpu s':>7} {'tree MiB':>8} "
            f"{'x ruff ALL':>10} {'cpu x ALL':>9}"
        )
        for key in keys:
            xs = samples[key]
            walls = [x.wall for x in xs]
            ratio = med([x.wall / y.wall for x, y in zip(xs, samples["ruff_all"])])
            cpu_ratio = med([x.cpu / y.cpu for x, y in zip(xs, samples["ruff_all"]) if y.cpu > 0])
            print(
                f"{key:<11} {fmt_s(min(walls)):>8} / {fmt_s(med(walls)):>6} / {fmt_s(max(walls)):>6} "
                f"{fmt_s(med([x.cpu for x in xs])):>7} {max(x.rss_tree_mib for x in xs):>8.0f} "
                f"{ratio:>9.2f}x {cpu_ratio:>8.2f}x"
            )
        warm = med([x.wall / y.wall for x, y in zip(samples["floor_warm"], samples["ruff_all"])])
        print(
            f"SUMMARY floor corpus={args.corpus} runs={args.runs} "
            f"ruffALL={fmt_s(med([x.wall for x in samples['ruff_all']]))}s "
            f"floor_cold={fmt_s(med([x.wall for x in samples['floor_cold']]))}s "
            f"floor_warm={fmt_s(med([x.wall for x in samples['floor_warm']]))}s={warm:.2f}x ruff ALL "
            f"(warm target 0.1x: {'reachable' if warm <= 0.1 else 'out of reach even without analysis'})"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
