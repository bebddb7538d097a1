#!/usr/bin/env python3
"""Two versions of cachelint against each other, and against ruff, cold on one corpus.

Why this exists: a change to the analysis is judged by what it costs on corpus L, and this
machine's speed drifts by 5-10 % within minutes, so the versions run in one session,
alternating (A B, then B A, ...), each from a byte-compiled copy of its package
(`git archive REV cachelint`, so a working tree being edited cannot leak into either), with
ruff ALL measured in the same session for the ratio. `bench.py` measures one version's
scenarios (cold, warm, one edited file); this compares versions.

    /work/venv/bin/python benchmarks/ab.py ab62ec8 HEAD                  # corpus L, 2 rounds
    /work/venv/bin/python benchmarks/ab.py ab62ec8 HEAD --rounds 3 --corpus S

Per version and round: wall, cpu (user + sys of the process tree), peak RSS of the largest
process and of the tree, and `--verbose`'s files analysed and modules parsed. Then the
medians, each version's median over ruff's (`ruff check --no-cache --select ALL
--output-format concise .`, run `--rounds` times between the versions' runs), and B over A.
About (2 x rounds + rounds) x one cold run: four minutes on L with 2 rounds.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from typing import Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from bench import Sample, med, run_once, tool  # noqa: E402
from build_corpus import CORPORA, corpus_root  # noqa: E402

_FILES_RE = re.compile(r"(\d+) analysed")
_PARSES_RE = re.compile(r"modules parsed: (\d+) parses of (\d+) files")


def snapshot(rev: str, work: str) -> str:
    """A byte-compiled copy of the `cachelint` package at `rev` under `work`; its
    PYTHONPATH. Run from outside the repository: `python -m cachelint` then imports the
    copy, not the checkout (the checkout's directory would come first on `sys.path`)."""
    dest = os.path.join(work, rev.replace("/", "_"))
    os.makedirs(dest)
    archive = subprocess.run(["git", "-C", REPO, "archive", rev, "cachelint"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", dest], input=archive, check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", dest], check=True)
    return dest


def verbose_counts(path: str) -> str:
    text = open(path, encoding="utf-8", errors="replace").read()
    files = _FILES_RE.search(text)
    parses = _PARSES_RE.search(text)
    return (f"{files.group(1) if files else '?'} analysed, "
            f"{parses.group(1) + ' parses of ' + parses.group(2) + ' files' if parses else '? parses'}")


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", help="git revision of version A")
    parser.add_argument("b", help="git revision of version B")
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="L")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    root = corpus_root(args.corpus)
    if not os.path.isdir(root):
        print(f"corpus {args.corpus} missing: run benchmarks/build_corpus.py --corpus {args.corpus}", file=sys.stderr)
        return 2
    ruff = tool(sys.executable, "ruff")
    samples: Dict[str, List[Sample]] = {"ruff": [], args.a: [], args.b: []}
    with tempfile.TemporaryDirectory(prefix="cachelint-ab-") as work:
        paths = {rev: snapshot(rev, work) for rev in (args.a, args.b)}
        for rnd in range(args.rounds):
            order = [args.a, args.b] if rnd % 2 == 0 else [args.b, args.a]
            for rev in order:
                env = dict(os.environ, PYTHONPATH=paths[rev])
                log = os.path.join(work, f"verbose-{len(samples[rev])}-{rev.replace('/', '_')}.txt")
                s = run_once([sys.executable, "-m", "cachelint", "--no-cache", "--output-format", "concise",
                              "--exit-zero", "--verbose", "."], root, env, stderr_to=log)
                samples[rev].append(s)
                print(f"round {rnd + 1} {rev:>12}: wall {s.wall:6.1f} s  cpu {s.cpu:6.1f} s  rss {s.rss_max_mib:4.0f} MiB"
                      f"  tree {s.rss_tree_mib:4.0f} MiB  load {s.load1:.1f}  ({verbose_counts(log)})", flush=True)
            r = run_once([ruff, "check", "--no-cache", "--select", "ALL", "--output-format", "concise", "."],
                         root, dict(os.environ))
            samples["ruff"].append(r)
            print(f"round {rnd + 1} {'ruff ALL':>12}: wall {r.wall:6.1f} s  cpu {r.cpu:6.1f} s", flush=True)
    ruff_wall, ruff_cpu = med([s.wall for s in samples["ruff"]]), med([s.cpu for s in samples["ruff"]])
    print(f"== corpus {args.corpus}, {args.rounds} round(s); medians")
    for rev in (args.a, args.b):
        wall, cpu = med([s.wall for s in samples[rev]]), med([s.cpu for s in samples[rev]])
        tree = max(s.rss_tree_mib for s in samples[rev])
        print(f"{rev:>12}: wall {wall:.1f} s ({wall / ruff_wall:.1f}x ruff), cpu {cpu:.1f} s "
              f"({cpu / ruff_cpu:.1f}x ruff), tree peak {tree:.0f} MiB")
    a_wall, b_wall = med([s.wall for s in samples[args.a]]), med([s.wall for s in samples[args.b]])
    a_cpu, b_cpu = med([s.cpu for s in samples[args.a]]), med([s.cpu for s in samples[args.b]])
    print(f"SUMMARY ab corpus={args.corpus} rounds={args.rounds} ruff={ruff_wall:.1f}s "
          f"{args.a}={a_wall:.1f}s {args.b}={b_wall:.1f}s b/a wall={b_wall / a_wall:.3f} cpu={b_cpu / a_cpu:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
