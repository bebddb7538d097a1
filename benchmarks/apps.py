#!/usr/bin/env python3
"""cachelint against ruff on real LLM applications of 5k-50k lines (issue 11's speed yardstick).

Why this exists: issue 11 judges speed "on at least five real LLM applications of 5k-50k
lines", not only on the pinned corpora of `bench.py`. Corpus L is dominated by frameworks
and SDKs; an application (an agent, an assistant, a CLI) is what a user actually lints, and
its shape (few files, many imports of its own modules, one big SDK-calling module) stresses
the analysis differently. The applications are the `speed = true` packages of the labelled
real-code set (`benchmarks/realcode/packages.toml`), unpacked by `benchmarks/realcode/fetch.py`
into `benchmarks/.realcode/<name>-<version>/`, each its own project root.

    /work/venv/bin/python benchmarks/realcode/fetch.py            # once
    /work/venv/bin/python benchmarks/apps.py                      # every 5k-50k app, 3 rounds
    /work/venv/bin/python benchmarks/apps.py --runs 1 --apps ntn  # a quick look at one app

Per application (cwd = the package root, path `.`), in `--runs` rounds, the order of the
commands reversed every other round so a drifting machine speed hits both sides of a pair:

    ruff_all   ruff check --no-cache --select ALL --output-format concise .
    cl_cold    cachelint --no-cache --output-format concise .
    cl_warm    cachelint --output-format concise .        (cache filled, nothing changed)
    cl_edit    cachelint --output-format concise FILE     (FILE just edited, cache otherwise warm:
                                                           the pre-commit shape)

FILE is the largest file cachelint would lint that mentions `anthropic` or `openai` (and passes
the prefilter); `\\n# bench edit N\\n` is appended to it before each cl_edit run and its bytes
and mtime are put back afterwards, also on Ctrl-C or SIGTERM (and a marker left by a killed run
is taken off at the next start). Each cl_edit run works on a throw-away copy of the warm cache,
so cl_warm stays warm. Caches live in a temp dir (`--cache-dir`): nothing is written into the
package.

The measuring is `bench.py`'s, imported, not copied: whole-process wall and cpu (wait4 and the
RUSAGE_CHILDREN delta), peak RSS of the process tree sampled from /proc, medians over rounds,
ratios taken pair by pair within a round, cachelint run from a snapshot of its package so
colleagues' edits neither change the code half-way nor invalidate the warm cache.

The untimed run that fills the warm cache is a cold run with `--verbose`: its line mentioning
"parsed" (issue 11 wants `--verbose` to say how many modules were parsed) is reported, "n/a" if
cachelint prints none.

Targets (issue 11, per application): cold <= 3x ruff ALL concise (the goal is 1x); warm <= 0.1x;
one edited file in a warm project <= 0.3 s; peak memory of the process tree < 400 MB; `--verbose`
reports the modules parsed. Always exits 0 once it has run (a MISS is a result, not an error).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "realcode"))

from bench import (  # noqa: E402
    Sample,
    Scenario,
    cpu_pressure,
    describe_source,
    fmt_s,
    med,
    paired,
    run_once,
    snapshot_cachelint,
    tool,
    with_cache_copy,
)
from fetch import DEST as REALCODE  # noqa: E402
from fetch import count_lines, load_packages  # noqa: E402

#: Applications of issue 11's size band (lines of `.py` in the wheel, as packages.toml records).
MIN_LOC, MAX_LOC = 5_000, 50_000
#: What "an SDK file" means when picking the file to edit.
SDK_MENTIONS = (b"anthropic", b"openai")
EDIT_MARK = re.compile(rb"\n# bench edit \d+\n\Z")

COLD_LIMIT, WARM_LIMIT, EDIT_LIMIT_S, PEAK_LIMIT_MIB = 3.0, 0.1, 0.3, 400.0
TARGETS_DOC = (
    f"targets (issue 11, per application): cold <= {COLD_LIMIT:g}x ruff ALL concise (goal 1x); "
    f"warm <= {WARM_LIMIT:g}x; one edited file in a warm project <= {EDIT_LIMIT_S:g} s; "
    f"peak tree memory < {PEAK_LIMIT_MIB:g} MB; --verbose reports the modules parsed"
)


# --- which applications -----------------------------------------------------------------------
@dataclass
class App:
    name: str
    version: str
    root: str
    loc_toml: Optional[int]  # what packages.toml records (None for a directory given by path)


def default_apps(realcode: str) -> List[App]:
    """The packages.toml applications of 5k-50k lines that fetch.py has unpacked.

    `speed = true` is the colleague's mark for that band; the loc bounds are checked too, so a
    package whose mark and count disagree is left out rather than silently measured.
    """
    out = []
    for pkg in load_packages():
        loc = int(pkg.get("loc", 0))
        if not pkg.get("speed") or not MIN_LOC <= loc <= MAX_LOC:
            continue
        root = os.path.join(realcode, f"{pkg['name']}-{pkg['version']}")
        if os.path.isdir(root):
            out.append(App(str(pkg["name"]), str(pkg["version"]), root, loc))
    return out


def named_apps(names: List[str], realcode: str) -> List[App]:
    """`--apps`: a packages.toml name (any size band) or a directory of one's own."""
    by_name = {str(p["name"]): p for p in load_packages()}
    out = []
    for name in names:
        pkg = by_name.get(name)
        if pkg is not None:
            root = os.path.join(realcode, f"{pkg['name']}-{pkg['version']}")
            if not os.path.isdir(root):
                raise SystemExit(
                    f"{name}: {root} missing (run benchmarks/realcode/fetch.py --only {name})"
                )
            out.append(App(name, str(pkg["version"]), root, int(pkg.get("loc", 0)) or None))
        elif os.path.isdir(name):
            root = os.path.abspath(name)
            out.append(App(os.path.basename(root.rstrip(os.sep)), "-", root, None))
        else:
            raise SystemExit(f"--apps {name}: neither a package of packages.toml nor a directory")
    return out


# --- the edited file --------------------------------------------------------------------------
def prefilter() -> Optional[object]:
    """cachelint's own "worth parsing" test, so the edited file is one the analysis really reads.

    Imported defensively: the analysis is being reworked, and picking the file must not break
    when the function moves (the SDK-mention test alone is then used).
    """
    try:
        from cachelint.prefilter import worth_parsing  # type: ignore[import-not-found]

        return worth_parsing
    except Exception:  # noqa: BLE001 - any import problem means "no prefilter"
        return None


def pick_edit_file(root: str, listed: List[str]) -> Optional[str]:
    """The largest linted file mentioning an SDK: the worst plausible one-file edit."""
    worth = prefilter()
    best: Tuple[int, str] = (-1, "")
    for rel in listed:
        path = os.path.join(root, rel)
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        if not any(m in data.lower() for m in SDK_MENTIONS):
            continue
        if worth is not None and not worth(data):
            continue
        best = max(best, (len(data), rel))
    return best[1] or None


class EditGuard:
    """Appends the bench marker to one file and always gives the file its bytes and mtime back.

    Why a guard object and not a setup/cleanup pair alone: a Ctrl-C can land between the write
    and the moment the cleanup is handed back; the guard knows the original from the start, so
    the `finally` around the whole application restores it whatever happened. Signals are
    blocked while the original is written back, so the restore itself cannot be cut in half.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        untouch_leftover(path)
        st = os.stat(path)
        with open(path, "rb") as fh:
            self.original = fh.read()
        self.times = (st.st_atime_ns, st.st_mtime_ns)
        self.count = 0

    def edit(self) -> EditGuard:
        """Append the next marker; the guard itself is the cleanup that undoes it."""
        self.count += 1
        with open(self.path, "ab") as fh:
            fh.write(f"\n# bench edit {self.count}\n".encode())
        return self

    def __call__(self) -> None:
        """Restore (idempotent): the cleanup `Scenario.measure` calls after each run."""
        blocked = {signal.SIGINT, signal.SIGTERM}
        old = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
        try:
            with open(self.path, "rb") as fh:
                same = fh.read() == self.original
            if not same:
                with open(self.path, "wb") as fh:
                    fh.write(self.original)
            os.utime(self.path, ns=self.times)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


def untouch_leftover(path: str) -> None:
    """A run killed with SIGKILL leaves a marker behind: take it off before measuring."""
    with open(path, "rb") as fh:
        data = fh.read()
    m = EDIT_MARK.search(data)
    if m:
        with open(path, "wb") as fh:
            fh.write(data[: m.start()])
        print(f"restored {path} (left edited by an interrupted run)")


# --- "modules parsed" -------------------------------------------------------------------------
def parsed_figure(verbose_log: str) -> Tuple[str, str]:
    """(figure, the line it came from) from a `--verbose` stderr; ("n/a", "") when absent.

    Issue 11 asks `--verbose` to print how many modules were parsed; the exact wording is not
    fixed yet, so any non-note line containing "parsed" counts, and its number is taken from
    right before "parsed" ("412 modules parsed") or else the first number on the line.
    """
    with open(verbose_log, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            text = line.strip()
            if text.startswith("note:") or "parsed" not in text.lower():
                continue
            near = re.search(r"(\d[\d,]*)\s+(?:\w+\s+){0,2}parsed", text, re.IGNORECASE)
            first = near or re.search(r"\d[\d,]*", text)
            return (first.group(1 if near else 0) if first else text), text
    return "n/a", ""


# --- one application --------------------------------------------------------------------------
@dataclass
class AppResult:
    app: App
    lines: int
    files: int
    edit_rel: Optional[str]
    scenarios: Dict[str, Scenario] = field(default_factory=dict)
    fill: Optional[Sample] = None
    parsed: str = "n/a"
    parsed_line: str = ""
    skipped: str = ""
    verdicts: List[Tuple[str, bool]] = field(default_factory=list)

    def ratio(self, key: str, what: str = "wall") -> Optional[float]:
        s = self.scenarios.get(key)
        return paired(s, self.scenarios["ruff_all"], what) if s and s.samples else None

    def wall(self, key: str) -> Optional[float]:
        s = self.scenarios.get(key)
        return med([x.wall for x in s.samples]) if s and s.samples else None

    def peak(self) -> Optional[float]:
        s = self.scenarios.get("cl_cold")
        return max(x.rss_tree_mib for x in s.samples) if s and s.samples else None


def measure_app(
    app: App,
    runs: int,
    ruff: str,
    cl: List[str],
    env: Dict[str, str],
    cl_env: Dict[str, str],
    work: str,
) -> AppResult:
    """Fill, warm up, then `runs` alternating rounds of the four commands on one application."""
    root = app.root
    listed = subprocess.run(
        cl + ["--show-files", "."],
        cwd=root,
        env=cl_env,
        check=False,
        capture_output=True,
        text=True,
    ).stdout.split()
    res = AppResult(app, count_lines(root), len(listed), pick_edit_file(root, listed))

    settings = subprocess.run(
        cl + ["--show-settings", "."],
        cwd=root,
        env=cl_env,
        check=False,
        capture_output=True,
        text=True,
    )
    if f'project-root = "{root}"' not in settings.stdout:
        res.skipped = "cachelint does not take the package as its project root (no pyproject.toml?)"
        return res
    if res.edit_rel is None:
        res.skipped = "no linted file mentions anthropic or openai"
        return res

    caches = {k: os.path.join(work, app.name, k) for k in ("warm", "edit")}
    guard = EditGuard(os.path.join(root, res.edit_rel))
    cc = ["--output-format", "concise"]
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
        ),
        Scenario(
            "cl_warm",
            "cachelint --output-format concise .  (warm cache, nothing changed)",
            cl + ["--cache-dir", caches["warm"], *cc, "."],
            root,
            cl_env,
        ),
        Scenario(
            "cl_edit",
            "cachelint --output-format concise FILE  (FILE just edited, cache warm)",
            cl + ["--cache-dir", caches["edit"], *cc, res.edit_rel],
            root,
            cl_env,
            setup=with_cache_copy(caches["warm"], caches["edit"], guard.edit),
        ),
    ]
    res.scenarios = {s.key: s for s in scenarios}
    try:
        log = os.path.join(work, app.name, "fill-verbose.txt")
        os.makedirs(os.path.dirname(log), exist_ok=True)
        print("  filling the warm cache (untimed cold run with --verbose) ...", flush=True)
        res.fill = run_once(
            cl + ["--cache-dir", caches["warm"], "--verbose", *cc, "."], root, cl_env, stderr_to=log
        )
        res.parsed, res.parsed_line = parsed_figure(log)
        print("  warm-up (untimed): ruff_all, cl_warm, cl_edit ...", flush=True)
        for s in scenarios:
            if s.key != "cl_cold":
                s.measure()
        for r in range(runs):
            order = scenarios if r % 2 == 0 else scenarios[::-1]
            print(
                f"  round {r + 1}/{runs} (load {os.getloadavg()[0]:.2f}, cpu pressure {cpu_pressure()}):",
                end="",
                flush=True,
            )
            for s in order:
                sample = s.measure()
                s.samples.append(sample)
                print(f" {s.key}={fmt_s(sample.wall)}", end="", flush=True)
            print(flush=True)
    finally:
        guard()
        shutil.rmtree(os.path.join(work, app.name), ignore_errors=True)
    return res


# --- report -----------------------------------------------------------------------------------
def fmt_x(x: Optional[float]) -> str:
    return f"{x:.2f}x" if x is not None else "-"


def report_app(res: AppResult) -> str:
    """Print one application's table and verdicts; return its SUMMARY line."""
    app = res.app
    toml = f" (packages.toml: {app.loc_toml:,})" if app.loc_toml is not None else ""
    print()
    print(
        f"== {app.name} {app.version}: {res.lines:,} lines of Python{toml}, {res.files} files linted; {app.root}"
    )
    if res.skipped:
        print(f"   SKIPPED: {res.skipped}")
        return f"SUMMARY app={app.name} skipped"
    size = os.path.getsize(os.path.join(app.root, res.edit_rel or ""))
    print(f"   edited FILE = {res.edit_rel} ({size / 1000:.1f} KB)")
    head = f"   {'scenario':<9} {'wall s min / med / max':>24} {'cpu s':>7} {'tree MiB':>8} {'x ruff':>7} {'cpu x':>7}  command"
    print(head)
    for s in res.scenarios.values():
        walls = [x.wall for x in s.samples]
        vs_ruff = s.key in ("cl_cold", "cl_warm")
        bad = sum(1 for x in s.samples if x.rc not in (0, 1))
        print(
            f"   {s.key:<9} {fmt_s(min(walls)):>8} / {fmt_s(med(walls)):>6} / {fmt_s(max(walls)):>6} "
            f"{fmt_s(med([x.cpu for x in s.samples])):>7} {max(x.rss_tree_mib for x in s.samples):>8.0f} "
            f"{fmt_x(res.ratio(s.key) if vs_ruff else None):>7} {fmt_x(res.ratio(s.key, 'cpu') if vs_ruff else None):>7}"
            f"  {s.label}{f'  [{bad} run(s) failed]' if bad else ''}"
        )
    if res.fill:
        print(
            f"   fill run (untimed, cold + writing the cache, --verbose): {fmt_s(res.fill.wall)} s wall, {fmt_s(res.fill.cpu)} s cpu"
        )
    print(
        f"   modules parsed (--verbose of the fill run): {res.parsed}"
        + (f"   [{res.parsed_line}]" if res.parsed_line else "")
    )

    cold, warm, edit, peak = (
        res.ratio("cl_cold"),
        res.ratio("cl_warm"),
        res.wall("cl_edit"),
        res.peak(),
    )

    def target(
        name: str, value: Optional[float], limit: float, unit: str, strict: bool = False
    ) -> None:
        if value is None:
            print(f"   {name:<40} not measured")
            return
        ok = value < limit if strict else value <= limit
        res.verdicts.append((name, ok))
        print(
            f"   {name:<40} {value:9.3f}{unit:<4} (limit {limit:g}{unit})  {'PASS' if ok else 'MISS'}"
        )

    target("cold / ruff ALL (paired median)", cold, COLD_LIMIT, "x")
    target("warm / ruff ALL (paired median)", warm, WARM_LIMIT, "x")
    target("one edited file, warm project (median)", edit, EDIT_LIMIT_S, "s")
    target("peak tree RSS of cold cachelint", peak, PEAK_LIMIT_MIB, "MiB", strict=True)
    reported = res.parsed != "n/a"
    res.verdicts.append(("--verbose reports modules parsed", reported))
    print(
        f"   {'--verbose reports modules parsed':<40} {res.parsed:>9}       {'PASS' if reported else 'MISS'}"
    )
    passed = sum(ok for _, ok in res.verdicts)
    return (
        f"SUMMARY app={app.name} cold={fmt_x(cold)} warm={fmt_x(warm)} "
        f"edit={fmt_s(edit) + 's' if edit is not None else '-'} peak={f'{peak:.0f}' if peak is not None else '-'}MiB "
        f"parsed={res.parsed} targets={passed}/{len(res.verdicts)}"
    )


def geomean(xs: List[float]) -> Optional[float]:
    xs = [x for x in xs if x and x > 0 and math.isfinite(x)]
    return statistics.geometric_mean(xs) if xs else None


def _sigterm(signum: int, frame: object) -> None:
    """SIGTERM behaves like Ctrl-C, so every `finally` (the edited file's restore) runs."""
    raise KeyboardInterrupt


def stop_children() -> None:
    """Terminate and reap a command still running after an interrupt.

    Why: a SIGTERM sent to this process alone leaves the timed cachelint running; it would go
    on writing its cache into the temp dir after it is removed (recreating it).
    """
    pid = os.getpid()
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            kids = [int(x) for x in fh.read().split()]
    except (OSError, ValueError):
        return
    for kid in kids:
        try:
            os.kill(kid, signal.SIGTERM)
            os.waitpid(kid, 0)
        except (OSError, ChildProcessError):
            pass


# --- main ------------------------------------------------------------------------------------
def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="cachelint vs ruff on real LLM applications (see module docstring)"
    )
    parser.add_argument(
        "--apps",
        nargs="+",
        metavar="NAME",
        help="packages.toml names (any size) or directories; default: every unpacked app of 5k-50k lines",
    )
    parser.add_argument("--runs", type=int, default=3, help="rounds per application (default 3)")
    parser.add_argument("--realcode", default=REALCODE, help="where fetch.py unpacked the packages")
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

    apps = named_apps(args.apps, args.realcode) if args.apps else default_apps(args.realcode)
    if not apps:
        raise SystemExit(
            f"no application found under {args.realcode}: run benchmarks/realcode/fetch.py"
        )
    if not args.apps and len(apps) < 5:
        print(
            f"warning: only {len(apps)} application(s) of 5k-50k lines are unpacked (issue 11 wants five)",
            file=sys.stderr,
        )

    signal.signal(signal.SIGTERM, _sigterm)

    python = args.python
    ruff = tool(python, "ruff")
    work = tempfile.mkdtemp(prefix="cachelint-apps-")
    results: List[AppResult] = []
    source = "?"
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
        ruff_version = subprocess.run(
            [ruff, "--version"], check=False, capture_output=True, text=True
        ).stdout.strip()
        print(f"cachelint: {source}; python {platform.python_version()} ({python}); {ruff_version}")
        print(
            f"machine: {os.cpu_count()} cpus; load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
            f"cpu pressure {cpu_pressure()}; {args.runs} round(s) per app; apps: {' '.join(a.name for a in apps)}"
        )
        for app in apps:
            print(f"{app.name} {app.version} ...", flush=True)
            results.append(measure_app(app, args.runs, ruff, cl, env, cl_env, work))
    except KeyboardInterrupt:
        print("\ninterrupted: reporting the applications measured so far", file=sys.stderr)
        stop_children()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    loads = [x.load1 for r in results for s in r.scenarios.values() for x in s.samples]
    print()
    print(
        f"== {datetime.datetime.now().isoformat(timespec='minutes')}, cachelint {source}, {args.runs} round(s) per app"
    )
    if loads:
        print(
            f"   1-min load during runs min/median/max {min(loads):.2f}/{med(loads):.2f}/{max(loads):.2f}"
        )
        if med(loads) > (os.cpu_count() or 1):
            print(
                "   WARNING: the load exceeded the cpu count: trust the paired ratios and cpu figures over wall seconds"
            )
    print(f"   {TARGETS_DOC}")
    print(
        "   (x ruff: median of per-round wall ratios against ruff_all; cpu x: the same for cpu seconds;"
    )
    print("    tree MiB: peak summed RSS of the process and its workers)")
    summaries = [report_app(r) for r in results]
    measured = [r for r in results if not r.skipped and r.scenarios]
    cold_g = geomean([x for x in (r.ratio("cl_cold") for r in measured) if x is not None])
    warm_g = geomean([x for x in (r.ratio("cl_warm") for r in measured) if x is not None])
    cold_ok = sum(1 for r in measured if dict(r.verdicts).get("cold / ruff ALL (paired median)"))
    print()
    for line in summaries:
        print(line)
    print(
        f"SUMMARY overall apps={len(measured)} cold_geomean={fmt_x(cold_g)} warm_geomean={fmt_x(warm_g)} "
        f"cold_pass={cold_ok}/{len(measured)} "
        f"all_targets_pass={sum(1 for r in measured if r.verdicts and all(ok for _, ok in r.verdicts))}/{len(measured)}"
    )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {
                    "date": datetime.datetime.now().isoformat(timespec="seconds"),
                    "source": source,
                    "runs": args.runs,
                    "apps": {
                        r.app.name: {
                            "version": r.app.version,
                            "lines": r.lines,
                            "files": r.files,
                            "edit_file": r.edit_rel,
                            "skipped": r.skipped,
                            "parsed": r.parsed,
                            "fill": r.fill.__dict__ if r.fill else None,
                            "scenarios": {
                                s.key: {"argv": s.argv, "samples": [x.__dict__ for x in s.samples]}
                                for s in r.scenarios.values()
                            },
                        }
                        for r in results
                    },
                },
                fh,
                indent=1,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
