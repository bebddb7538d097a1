#!/usr/bin/env python3
"""cachelint speed benchmark against ruff (and Fixit), whole process, on pinned corpora.

Run it with the venv's interpreter itself (not a pyenv shim, which adds ~0.12 s per start):

    /work/venv/bin/python benchmarks/build_corpus.py          # once: fetch corpora L and S
    /work/venv/bin/python benchmarks/bench.py --corpus S      # ~5 rounds, a few minutes
    /work/venv/bin/python benchmarks/bench.py --corpus L --runs 3

In ONE run it measures, in interleaved rounds (every command once per round; the order is
reversed every other round, so a drifting machine speed hits both sides of a pair alike):

  corpus (cwd = the corpus root, path `.`):
    ruff_all      ruff check --no-cache --select ALL --output-format concise .
    ruff_e9f      ruff check --no-cache --select E9,F .
    cl_cold       cachelint --no-cache --output-format concise .
    cl_warm       cachelint --output-format concise .   (result cache filled, nothing changed)
    cl_touch      the same after appending a comment line to one SDK file (restored after)
  one file (the pre-commit shape; FILE is an SDK-calling file of the corpus):
    one_ruff      ruff check --no-cache FILE
    one_fixit     fixit lint FILE                       (--skip-fixit to leave out)
    one_cl_cold   cachelint --no-cache FILE
    one_cl_warm   cachelint FILE                        (its cache entry fresh)
    one_cl_edit   cachelint FILE after appending a comment line to FILE (cache otherwise warm)

Per command: wall time (perf_counter around spawn .. wait), cpu = user+sys of the process
and every child it reaped (the RUSAGE_CHILDREN delta), peak RSS of its largest process (the
rusage wait4 returns) and peak RSS of the whole process tree (sampled every 50 ms from
/proc: the main process plus its pool workers, which is what the machine must hold).
Figures are medians over rounds; ratios are taken pair by pair within a round (the median
of the per-round ratios), as in shared/reference/perf.md.

Fairness and isolation:
  * Output goes to /dev/null; exit code 1 (findings) is normal for every tool; 2 (cachelint)
    or a crash is reported.
  * cachelint runs from a snapshot of its package copied at the start (PYTHONPATH), so
    colleagues editing cachelint/ during a long run neither change the code measured
    half-way nor invalidate the warm cache (its key includes the code's identity).
  * Each scenario has its own cache directory (`--cache-dir`), so the whole-corpus warm
    cache, the one-file cache and the touched runs do not overwrite each other's entries;
    a touched run works on a throw-away copy of the warm cache, and the touched file gets
    its bytes and mtime back, so the next warm run is still warm.
  * The corpus root holds a pyproject.toml with empty [tool.cachelint] / [tool.ruff] tables
    (written by build_corpus.py), so neither tool picks up this repository's configuration.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from build_corpus import CORPORA, corpus_root, py_files, write_project_config  # noqa: E402

#: The SDK-calling file used for the touched and one-file scenarios (override with --file).
DEFAULT_FILE = {
    # perf.md's single-file reference: 529 lines, 15.3 KB, imports openai.
    "S": "instructor-1.17.0/instructor/v2/providers/openai/client.py",
    # crewai's Anthropic provider (86 KB, calls messages.create; imported by crewai/llm.py).
    "L": "crewai-1.15.30/crewai/llms/providers/anthropic/completion.py",
}
TOUCH_MARK = b"\n# touched by cachelint benchmarks/bench.py\n"

TARGETS_DOC = (
    "targets (issue 5, on corpus L): cold <= 1.0x ruff ALL concise; warm <= 0.1x ruff ALL concise; "
    "one changed file in a warm repository <= 0.3 s; peak memory < 400 MB"
)


# --- measuring one process --------------------------------------------------------------------
@dataclass
class Sample:
    wall: float
    cpu: float
    rss_max_mib: float  # largest single process (wait4 rusage)
    rss_tree_mib: float  # sampled sum over the process tree (>= rss_max when sampled)
    rc: int
    load1: float


def _children(pid: int) -> List[int]:
    out: List[int] = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            out = [int(x) for x in fh.read().split()]
    except (OSError, ValueError):
        return []
    for child in list(out):
        out.extend(_children(child))
    return out


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


class TreeSampler(threading.Thread):
    """Peak of the summed RSS of a process and its descendants, polled every `interval` s."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        if not os.path.exists(f"/proc/{self.pid}"):
            return
        while not self.stop.is_set():
            total = sum(_rss_bytes(p) for p in [self.pid, *_children(self.pid)])
            self.peak = max(self.peak, total)
            self.stop.wait(self.interval)


def run_once(
    argv: List[str], cwd: str, env: Dict[str, str], ok_codes=(0, 1), stderr_to: Optional[str] = None
) -> Sample:
    load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    with open(stderr_to, "w+b") if stderr_to else tempfile.TemporaryFile() as err:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err
        )
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode not in ok_codes:
            err.seek(0)
            tail = err.read()[-2000:].decode("utf-8", "replace")
            print(f"  !! exit {proc.returncode}: {' '.join(argv)}\n{tail}", file=sys.stderr)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rss_max = usage.ru_maxrss / 1024  # KiB on Linux
    rss_tree = max(sampler.peak / 2**20, rss_max)
    return Sample(wall, cpu, rss_max, rss_tree, proc.returncode, load1)


# --- scenarios ----------------------------------------------------------------------------------
@dataclass
class Scenario:
    key: str
    label: str
    argv: List[str]
    cwd: str
    env: Dict[str, str]
    #: called before the timed run; returns a cleanup callable (untimed)
    setup: Optional[Callable[[], Callable[[], None]]] = None
    slow: bool = False  # skipped in the warm-up round (it is a cold full pass)
    max_runs: Optional[int] = None  # measured in the first max_runs rounds only (--cold-runs)
    #: samples of ruff ALL taken right before each of this scenario's samples, when they were
    #: not taken within the rounds (--fill-as-cold)
    ruff_pairs: Optional[List[Sample]] = None
    samples: List[Sample] = field(default_factory=list)

    def measure(self) -> Sample:
        cleanup = self.setup() if self.setup else None
        try:
            return run_once(self.argv, self.cwd, self.env)
        finally:
            if cleanup:
                cleanup()


def touch(path: str) -> Callable[[], None]:
    """Append a comment line to `path`; the returned callable restores its bytes and mtime."""
    st = os.stat(path)
    with open(path, "rb") as fh:
        original = fh.read()
    with open(path, "ab") as fh:
        fh.write(TOUCH_MARK)

    def restore() -> None:
        with open(path, "wb") as fh:
            fh.write(original)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))

    return restore


def untouch_leftover(path: str) -> None:
    """A run killed while a file was touched leaves the marker behind: take it off."""
    with open(path, "rb") as fh:
        data = fh.read()
    if data.endswith(TOUCH_MARK):
        with open(path, "wb") as fh:
            fh.write(data[: -len(TOUCH_MARK)])
        print(f"restored {path} (left touched by an interrupted run)")


def with_cache_copy(src: str, dst: str, then: Optional[Callable[[], Callable[[], None]]] = None):
    """Setup: make `dst` a fresh copy of the cache `src` (and run `then`)."""

    def setup() -> Callable[[], None]:
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(src, dst)
        inner = then() if then else None

        def cleanup() -> None:
            if inner:
                inner()
            shutil.rmtree(dst, ignore_errors=True)

        return cleanup

    return setup


# --- the cachelint under test -------------------------------------------------------------------
def snapshot_cachelint(python: str, work: str) -> Tuple[str, str]:
    """Copy the cachelint package the interpreter imports into `work`, byte-compiled;
    (PYTHONPATH, description).

    Byte-compiled as `pip install` does: with `PYTHONDONTWRITEBYTECODE` set (as on this
    machine) a run would otherwise compile ~130 modules first, 0.13-0.15 s that a user's
    installed cachelint never pays, and that is most of a warm run."""
    out = subprocess.run(
        [python, "-c", "import cachelint, os; print(os.path.dirname(cachelint.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    dest = os.path.join(work, "cachelint")
    shutil.copytree(out, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    subprocess.run([python, "-m", "compileall", "-q", dest], check=True)
    return work, describe_source(os.path.dirname(out))


def describe_source(root: str) -> str:
    try:
        rev = subprocess.run(
            ["git", "-C", root, "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", root, "status", "--porcelain", "--", "cachelint"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        return f"git {rev}" + (
            f" + {len(dirty)} uncommitted file(s) under cachelint/" if dirty else " (clean)"
        )
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"


def tool(python: str, name: str) -> str:
    beside = os.path.join(os.path.dirname(python), name)
    found = beside if os.path.exists(beside) else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found beside {python} nor on PATH (pip install '.[bench]')")
    return found


# --- statistics -----------------------------------------------------------------------------------
def med(xs: List[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def paired(a: Scenario, b: Scenario, what: str = "wall") -> Optional[float]:
    """Median over rounds of a/b (rounds where both ran; a scenario capped by --cold-runs
    ran in the first rounds, so zip pairs it with the same rounds of b)."""
    base = a.ruff_pairs if a.ruff_pairs is not None and b.key == "ruff_all" else b.samples
    ratios = [
        getattr(x, what) / getattr(y, what) for x, y in zip(a.samples, base) if getattr(y, what) > 0
    ]
    return med(ratios) if ratios else None


def cpu_pressure() -> str:
    """Linux PSI: share of the last 10 s in which runnable tasks waited for a cpu."""
    try:
        with open("/proc/pressure/cpu") as fh:
            return fh.readline().split()[1].split("=")[1] + " %"
    except (OSError, IndexError):
        return "n/a"


def fmt_s(x: float) -> str:
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


# --- main -------------------------------------------------------------------------------------------
def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="cachelint vs ruff speed benchmark (see module docstring)"
    )
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="S")
    parser.add_argument(
        "--runs", type=int, default=5, help="rounds (each command once per round); default 5"
    )
    parser.add_argument("--skip-fixit", action="store_true", help="leave out `fixit lint FILE`")
    parser.add_argument(
        "--skip-cold",
        action="store_true",
        help="leave out the whole-corpus cold cachelint run (it can take minutes on L)",
    )
    parser.add_argument(
        "--cold-runs",
        type=int,
        default=None,
        help="measure the whole-corpus cold cachelint in the first N rounds only (default: every round)",
    )
    parser.add_argument(
        "--fill-as-cold",
        action="store_true",
        help="no separate cold runs: the run that fills the cache (cold, and also writes the cache) is the one "
        "cold sample, paired with a ruff ALL run made just before it (saves one full pass on L)",
    )
    parser.add_argument(
        "--file",
        help="the SDK file (relative to the corpus root) for the one-file and touched runs",
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="interpreter that runs cachelint (default: this one)",
    )
    parser.add_argument(
        "--no-snapshot",
        action="store_true",
        help="run the installed cachelint, not a snapshot of it",
    )
    parser.add_argument("--json", help="also write every sample to this JSON file")
    args = parser.parse_args(argv)

    root = corpus_root(args.corpus)
    if not os.path.isdir(root):
        raise SystemExit(
            f"corpus {args.corpus} missing: run benchmarks/build_corpus.py --corpus {args.corpus}"
        )
    write_project_config(root)
    rel_file = args.file or DEFAULT_FILE[args.corpus]
    file_abs = os.path.join(root, rel_file)
    if not os.path.isfile(file_abs):
        raise SystemExit(f"{file_abs} missing (--file)")
    untouch_leftover(file_abs)

    python = args.python
    with open(python, "rb") as fh:
        if fh.read(2) == b"#!":
            print(
                f"warning: {python} is a script (a pyenv shim?): its start-up cost is measured too",
                file=sys.stderr,
            )
    ruff, fixit = tool(python, "ruff"), (None if args.skip_fixit else tool(python, "fixit"))

    work = tempfile.mkdtemp(prefix=".bench-", dir=os.path.dirname(root))
    try:
        env = dict(os.environ)
        env.pop("CACHELINT_CACHE_DIR", None)
        env.pop("CACHELINT_OUTPUT_FORMAT", None)
        if args.no_snapshot:
            cl_env, source = env, describe_source(REPO)
        else:
            pythonpath, source = snapshot_cachelint(python, os.path.join(work, "src"))
            cl_env = dict(env, PYTHONPATH=pythonpath)
        cl = [python, "-m", "cachelint"]
        caches = {k: os.path.join(work, k) for k in ("warm", "warm-touch", "one", "one-touch")}

        check = subprocess.run(
            cl + ["--show-settings", "."], cwd=root, env=cl_env, capture_output=True, text=True
        )
        expected_root = f'project-root = "{root}"'
        if expected_root not in check.stdout:
            raise SystemExit(
                f"cachelint does not see {root} as the project root:\n{check.stdout[:400]}{check.stderr}"
            )
        imported = subprocess.run(
            [python, "-c", "import cachelint; print(cachelint.__file__)"],
            env=cl_env,
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()

        files = py_files(root)
        mb = sum(os.path.getsize(f) for f in files) / 1e6
        print(f"corpus {args.corpus}: {root}: {len(files):,} .py files, {mb:.2f} MB")
        print(f"cachelint: {source}; imported from {imported}")
        print(
            f"python {platform.python_version()} ({python}); {subprocess.run([ruff, '--version'], capture_output=True, text=True).stdout.strip()}"
            + (
                f"; {subprocess.run([fixit, '--version'], capture_output=True, text=True).stdout.strip()}"
                if fixit
                else ""
            )
        )
        print(
            f"machine: {os.cpu_count()} cpus, {platform.platform()}; load average at start "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, cpu pressure {cpu_pressure()}"
        )
        print(f"one-file / touched file: {rel_file} ({os.path.getsize(file_abs) / 1000:.1f} KB)")

        cc = "--output-format", "concise"
        scenarios = [
            Scenario(
                "ruff_all",
                "ruff check --no-cache --select ALL --output-format concise .",
                [ruff, "check", "--no-cache", "--select", "ALL", *cc, "."],
                root,
                env,
            ),
            Scenario(
                "cl_cold",
                "cachelint --no-cache --output-format concise .",
                cl + ["--no-cache", *cc, "."],
                root,
                cl_env,
                slow=True,
            ),
            Scenario(
                "ruff_e9f",
                "ruff check --no-cache --select E9,F .",
                [ruff, "check", "--no-cache", "--select", "E9,F", "."],
                root,
                env,
            ),
            Scenario(
                "cl_warm",
                "cachelint --output-format concise .  (warm cache, nothing changed)",
                cl + ["--cache-dir", caches["warm"], *cc, "."],
                root,
                cl_env,
            ),
            Scenario(
                "cl_touch",
                "cachelint --output-format concise .  (warm cache, 1 file touched)",
                cl + ["--cache-dir", caches["warm-touch"], *cc, "."],
                root,
                cl_env,
                setup=with_cache_copy(
                    caches["warm"], caches["warm-touch"], lambda: touch(file_abs)
                ),
            ),
            Scenario(
                "one_ruff",
                "ruff check --no-cache FILE",
                [ruff, "check", "--no-cache", rel_file],
                root,
                env,
            ),
            Scenario(
                "one_cl_cold",
                "cachelint --no-cache FILE",
                cl + ["--no-cache", rel_file],
                root,
                cl_env,
            ),
            Scenario(
                "one_cl_warm",
                "cachelint FILE  (its cache entry fresh)",
                cl + ["--cache-dir", caches["one"], rel_file],
                root,
                cl_env,
            ),
            Scenario(
                "one_cl_edit",
                "cachelint FILE  (FILE just edited, cache warm)",
                cl + ["--cache-dir", caches["one-touch"], rel_file],
                root,
                cl_env,
                setup=with_cache_copy(caches["one"], caches["one-touch"], lambda: touch(file_abs)),
            ),
        ]
        if fixit:
            scenarios.append(
                Scenario("one_fixit", "fixit lint FILE", [fixit, "lint", rel_file], root, env)
            )
        if args.skip_cold or args.fill_as_cold:
            scenarios = [s for s in scenarios if s.key != "cl_cold"]
        elif args.cold_runs is not None:
            by_key_tmp = {s.key: s for s in scenarios}
            by_key_tmp["cl_cold"].max_runs = args.cold_runs
        by_key = {s.key: s for s in scenarios}

        # Fill the caches (the fill is itself a cold pass: it warms the page cache and .pyc files).
        fill_log = os.path.join(work, "fill-verbose.txt")
        pre_ruff = None
        if args.fill_as_cold:
            print("ruff ALL, then the cache-filling cold run (its cold sample) ...", flush=True)
            run_once(by_key["ruff_all"].argv, root, env)  # warm-up
            pre_ruff = run_once(by_key["ruff_all"].argv, root, env)
        else:
            print("filling the result caches (untimed) ...", flush=True)
        fill = run_once(
            cl + ["--cache-dir", caches["warm"], "--verbose", *cc, "."],
            root,
            cl_env,
            stderr_to=fill_log,
        )
        print(
            f"  fill run (cold + writing the cache): {fmt_s(fill.wall)} s wall, {fmt_s(fill.cpu)} s cpu, "
            f"peak {fill.rss_tree_mib:.0f} MiB",
            flush=True,
        )
        if pre_ruff is not None:
            cold = Scenario(
                "cl_cold",
                "cachelint --verbose --output-format concise .  (the cache-filling cold run, 1 sample)",
                [],
                root,
                cl_env,
                slow=True,
                max_runs=1,
                samples=[fill],
                ruff_pairs=[pre_ruff],
            )
            scenarios.insert(1, cold)
            by_key["cl_cold"] = cold
        run_once(cl + ["--cache-dir", caches["warm"], *cc, "."], root, cl_env)
        run_once(cl + ["--cache-dir", caches["one"], rel_file], root, cl_env)
        run_once(cl + ["--cache-dir", caches["one"], rel_file], root, cl_env)
        print("warm-up round (untimed, cold full passes left out) ...", flush=True)
        for s in scenarios:
            if not s.slow:
                s.measure()

        t0 = time.time()
        for r in range(args.runs):
            order = scenarios if r % 2 == 0 else scenarios[::-1]
            print(
                f"round {r + 1}/{args.runs} (load {os.getloadavg()[0]:.2f}, cpu pressure {cpu_pressure()}):",
                end="",
                flush=True,
            )
            for s in order:
                if s.max_runs is not None and len(s.samples) >= s.max_runs:
                    continue
                sample = s.measure()
                s.samples.append(sample)
                print(f" {s.key}={fmt_s(sample.wall)}", end="", flush=True)
            print(flush=True)
        elapsed = time.time() - t0

        report(args, scenarios, by_key, rel_file, elapsed, source, fill)
        print_verbose(fill_log)
        if args.json:
            with open(args.json, "w") as fh:
                json.dump(
                    {
                        "corpus": args.corpus,
                        "files": len(files),
                        "mb": mb,
                        "source": source,
                        "file": rel_file,
                        "date": datetime.datetime.now().isoformat(timespec="seconds"),
                        "fill": fill.__dict__,
                        "scenarios": {
                            s.key: {
                                "label": s.label,
                                "argv": s.argv,
                                "samples": [x.__dict__ for x in s.samples],
                                "ruff_pairs": [x.__dict__ for x in s.ruff_pairs or []],
                            }
                            for s in scenarios
                        },
                    },
                    fh,
                    indent=1,
                )
    finally:
        untouch_leftover(file_abs)
        shutil.rmtree(work, ignore_errors=True)
    return 0


def print_verbose(path: str) -> None:
    """The fill run's own `--verbose` phase breakdown and slowest files."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        lines = fh.read().splitlines()
    notes = sum(1 for line in lines if line.lstrip().startswith("note:"))
    print()
    print("cachelint --verbose of the cache-filling cold run:")
    for line in lines:
        if not line.lstrip().startswith("note:"):
            print(f"  {line}")
    print(f"  ({notes} 'note:' lines about parts the analysis gave up on, not shown)")


def report(
    args,
    scenarios: List[Scenario],
    by_key: Dict[str, Scenario],
    rel_file: str,
    elapsed: float,
    source: str,
    fill: Sample,
) -> None:
    loads = [x.load1 for s in scenarios for x in s.samples]
    print()
    print(
        f"== corpus {args.corpus}, {args.runs} round(s), {elapsed:.0f} s; {datetime.date.today()}; "
        f"1-min load during runs min/median/max {min(loads):.2f}/{med(loads):.2f}/{max(loads):.2f}"
    )
    print(f"   cachelint {source}; FILE = {rel_file}")
    ruff_all, ruff_e9f, one_ruff = by_key["ruff_all"], by_key["ruff_e9f"], by_key["one_ruff"]
    head = (
        f"{'scenario':<12} {'wall s min / med / max':>26} {'cpu s':>8} {'RSS MiB':>8} {'tree MiB':>8} "
        f"{'x ruff ALL':>10} {'cpu x ALL':>9} {'x ruff E9,F':>11}  command"
    )
    print(head)
    print("-" * len(head))
    for s in scenarios:
        walls = [x.wall for x in s.samples]
        base = one_ruff if s.key.startswith("one_") else ruff_all
        r_all = paired(s, base) if s is not base else None
        c_all = paired(s, base, "cpu") if s is not base else None
        r_e9f = paired(s, ruff_e9f) if not s.key.startswith("one_") and s is not ruff_e9f else None
        bad = sum(1 for x in s.samples if x.rc not in (0, 1))
        print(
            f"{s.key:<12} {fmt_s(min(walls)):>8} / {fmt_s(med(walls)):>6} / {fmt_s(max(walls)):>6} "
            f"{fmt_s(med([x.cpu for x in s.samples])):>8} {max(x.rss_max_mib for x in s.samples):>8.0f} "
            f"{max(x.rss_tree_mib for x in s.samples):>8.0f} "
            f"{(f'{r_all:.2f}x' if r_all is not None else '-'):>10} {(f'{c_all:.2f}x' if c_all is not None else '-'):>9} "
            f"{(f'{r_e9f:.2f}x' if r_e9f is not None else '-'):>11}"
            f"  {s.label}{f'  [{bad} run(s) failed]' if bad else ''}"
        )
    print(
        "(x ruff ALL: paired median of wall ratios; cpu x ALL: the same for cpu seconds, which a loaded machine"
        " distorts less; one_* rows are against `ruff check --no-cache FILE`;\n"
        " RSS = largest single process, tree = sampled sum of the process and its workers)"
    )
    if med(loads) > (os.cpu_count() or 1):
        print(
            f"WARNING: the median 1-min load ({med(loads):.2f}) exceeded the {os.cpu_count()} cpus: other jobs "
            "competed for the cores; wall times are inflated, trust the paired ratios and cpu figures more."
        )
    print(f"fill run (cold cachelint that also writes the cache, once): {fmt_s(fill.wall)} s")

    print()
    print(
        TARGETS_DOC
        + (
            ""
            if args.corpus == "L"
            else f"  [shown for corpus {args.corpus}; they are defined on L]"
        )
    )
    verdicts: List[Tuple[str, bool]] = []

    def target(name: str, value: Optional[float], limit: float, unit: str) -> None:
        if value is None:
            print(f"  {name:<46} not measured")
            return
        ok = value <= limit
        verdicts.append((name, ok))
        print(
            f"  {name:<46} {value:8.3f}{unit:<2} (limit {limit}{unit})  {'PASS' if ok else 'MISS'}"
        )

    cold = by_key.get("cl_cold")
    target(
        "cold / ruff ALL concise (paired median)",
        paired(cold, ruff_all) if cold else None,
        1.0,
        "x",
    )
    if cold:
        print(
            f"  {'  (cpu seconds, paired: ' + format(paired(cold, ruff_all, 'cpu'), '.2f') + 'x)':<46}"
        )
    target("warm / ruff ALL concise (paired median)", paired(by_key["cl_warm"], ruff_all), 0.1, "x")
    target(
        "one file touched, warm repo: wall median",
        med([x.wall for x in by_key["cl_touch"].samples]),
        0.3,
        "s",
    )
    target(
        "pre-commit `cachelint FILE` after edit: wall",
        med([x.wall for x in by_key["one_cl_edit"].samples]),
        0.3,
        "s",
    )
    cl_runs = [x for s in scenarios if s.key.startswith(("cl_", "one_cl_")) for x in s.samples]
    peak_tree = max(x.rss_tree_mib for x in cl_runs)
    peak_one = max(x.rss_max_mib for x in cl_runs)
    target("peak memory, process tree (MiB)", peak_tree, 400.0, "")
    print(
        f"  (largest single cachelint process: {peak_one:.0f} MiB; ruff ALL: "
        f"{max(x.rss_max_mib for x in ruff_all.samples):.0f} MiB)"
    )

    passed = sum(ok for _, ok in verdicts)
    cold_txt = (
        f"cold {fmt_s(med([x.wall for x in cold.samples]))}s={paired(cold, ruff_all):.2f}x"
        if cold
        else "cold not run"
    )
    print()
    print(
        f"SUMMARY corpus={args.corpus} runs={args.runs} ruffALL={fmt_s(med([x.wall for x in ruff_all.samples]))}s "
        f"{cold_txt} warm={fmt_s(med([x.wall for x in by_key['cl_warm'].samples]))}s"
        f"={paired(by_key['cl_warm'], ruff_all):.2f}x touch={fmt_s(med([x.wall for x in by_key['cl_touch'].samples]))}s "
        f"one-file cold/warm/edit={fmt_s(med([x.wall for x in by_key['one_cl_cold'].samples]))}/"
        f"{fmt_s(med([x.wall for x in by_key['one_cl_warm'].samples]))}/"
        f"{fmt_s(med([x.wall for x in by_key['one_cl_edit'].samples]))}s "
        f"(ruff {fmt_s(med([x.wall for x in one_ruff.samples]))}s) peak={peak_tree:.0f}MiB "
        f"targets {passed}/{len(verdicts)} PASS"
    )


if __name__ == "__main__":
    sys.exit(main())
