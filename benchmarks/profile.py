#!/usr/bin/env python3
"""Profile one cold cachelint run in-process (cProfile, one process, --jobs 1).

    /work/venv/bin/python benchmarks/profile.py --corpus S
    /work/venv/bin/python benchmarks/profile.py --corpus L --paths litellm-1.109.1/litellm/proxy
    /work/venv/bin/python benchmarks/profile.py --corpus L --out /tmp/l.prof --top 40

Runs `cachelint --no-cache --jobs 1 --verbose --output-format concise PATHS` inside this
interpreter under cProfile (findings to /dev/null), then prints cachelint's own `--verbose`
phase breakdown and slowest files, and the top functions by cumulative and by total (self)
time (wall time by default; --timer cpu for process time). With --jobs 1 every file is
linted in this process, so the profile sees all the work; cProfile's overhead on this
pure-Python, call-heavy code is large (~2x with the wall timer, more with --timer cpu), so
read shares, not absolute seconds. `--out` keeps the raw profile for `python -m pstats`.

For a pooled run that takes minutes (corpus L), sample its workers instead (no rerun, little
overhead): see benchmarks/stacks_top.py (py-spy).
"""

from __future__ import annotations

# This file is named like the stdlib `profile` module, which cProfile imports: take this
# script's directory off sys.path before importing cProfile, so `import profile` finds the
# stdlib one.
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]

import argparse  # noqa: E402
import contextlib  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import pstats  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import List, Optional  # noqa: E402

sys.path.append(HERE)
from build_corpus import CORPORA, corpus_root, write_project_config  # noqa: E402


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="S")
    parser.add_argument(
        "--paths", nargs="*", default=["."], help="paths inside the corpus (default: all of it)"
    )
    parser.add_argument("--top", type=int, default=30, help="functions per table")
    parser.add_argument("--out", help="also save the raw profile here")
    parser.add_argument(
        "--timer",
        choices=["cpu", "wall"],
        default="wall",
        help="wall (default; cheap perf_counter) or cpu (process time: robust on a loaded machine, "
        "but each call event then costs a system call: 3-5x slower on this code)",
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="profile a warm run: fill a temporary result cache first (unprofiled), then profile "
        "a run that hits it (imports are already done by then: they are not in the profile)",
    )
    parser.add_argument(
        "--config",
        action="append",
        default=[],
        help='passed to cachelint as --config (repeatable), e.g. \'per-file-ignores = {"**" = ["CL"]}\'',
    )
    parser.add_argument(
        "--filter", default="", help="only list functions whose file:line:name contains this"
    )
    args = parser.parse_args(argv)
    args.config_args = [x for value in args.config for x in ("--config", value)]
    if args.out:
        args.out = os.path.abspath(args.out)  # the script changes into the corpus directory

    root = corpus_root(args.corpus)
    write_project_config(root)
    os.chdir(root)
    from cachelint.cli import main as cli_main

    cache_args = ["--no-cache"]
    if args.warm:
        cache_dir = tempfile.mkdtemp(prefix="cachelint-profile-cache-")
        cache_args = ["--cache-dir", cache_dir]
        print("filling the cache (not profiled) ...", flush=True)
        _run(cli_main, [*cache_args, *args.config_args, "-q", "--exit-zero", *args.paths])
    cl_args = [
        *cache_args,
        *args.config_args,
        "--jobs",
        "1",
        "--verbose",
        "--output-format",
        "concise",
        "--exit-zero",
        *args.paths,
    ]
    print(f"cachelint {' '.join(cl_args)}   (cwd {root}, in-process under cProfile)", flush=True)
    profiler = cProfile.Profile(time.process_time) if args.timer == "cpu" else cProfile.Profile()
    start, cpu0 = time.perf_counter(), time.process_time()
    code, stderr = _run(cli_main, cl_args, profiler)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
    print(
        f"exit {code}; wall {wall:.1f} s, cpu {cpu:.1f} s (with cProfile on); "
        f"1-min load {os.getloadavg()[0]:.2f}"
    )
    print("--- cachelint --verbose (stderr) ---")
    lines = stderr.splitlines()
    notes = [line for line in lines if line.lstrip().startswith("note:")]
    for line in lines:
        if not line.lstrip().startswith("note:"):
            print(line)
    if notes:
        print(f"  ({len(notes)} 'note:' lines about analysis give-ups not shown)")
    if args.out:
        profiler.dump_stats(args.out)
        print(f"raw profile: {args.out}")
    stats = pstats.Stats(profiler)
    stats.strip_dirs()
    restrict = [args.filter, args.top] if args.filter else [args.top]
    for key, title in (("cumulative", "cumulative time"), ("tottime", "total (self) time")):
        print(f"--- top {args.top} functions by {title} ---")
        buf = io.StringIO()
        stats.stream = buf
        stats.sort_stats(key).print_stats(*restrict)
        text = buf.getvalue()
        # drop pstats' preamble (the "ncalls ..." header line stays)
        print(text[text.find("   ncalls") :].rstrip())
    return 0


def _run(cli_main, cl_args: List[str], profiler: Optional[cProfile.Profile] = None):
    """Run the CLI in-process; (exit code, what it wrote to stderr)."""
    stderr = io.StringIO()
    with open(os.devnull, "w") as devnull:
        with contextlib.redirect_stdout(devnull), contextlib.redirect_stderr(stderr):
            if profiler is not None:
                profiler.enable()
            try:
                cli_main.main(args=cl_args, prog_name="cachelint", standalone_mode=False)
            except SystemExit as exc:
                code = exc.code
            else:
                code = 0
            finally:
                if profiler is not None:
                    profiler.disable()
    return code, stderr.getvalue()


if __name__ == "__main__":
    sys.exit(main())
