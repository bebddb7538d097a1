#!/usr/bin/env python3
"""Score cachelint against the labelled real-code set (recall on defects, false alarms on silent sites).

Why: issue 11 judges the analysis engine on real LLM application code, not on fixtures. Each row
of `labels.jsonl` is a call site read by hand: a confirmed defect that a rule must report, or a
site that must stay silent. This script runs

    cachelint --no-cache --isolated --output-format json --exit-zero --jobs 1 <pkgdir>

on each labelled package (unpacked by fetch.py into benchmarks/.realcode/), one package at a time,
and matches findings to rows deterministically: same file, same rule, and the finding's line
inside the row's `lines` range (the call statement) or one of its `alt_lines`.

Per row it prints HIT/MISS (defects) or OK/FALSE-ALARM (silent), then every finding of a scored
rule on a labelled package that matches no row ("unlabelled": a human must read it: a new defect
to label, or a false alarm), then one summary line. Exit 0 unless a cachelint run crashed (exit
code 2, or output that is not JSON): then it prints the error and exits 2.

    python benchmarks/realcode/score.py
    python benchmarks/realcode/score.py --only khoj --show-requests
    python benchmarks/realcode/score.py --cachelint /path/to/cachelint --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from typing import Any, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
REALCODE = os.path.join(os.path.dirname(HERE), ".realcode")
LABELS = os.path.join(HERE, "labels.jsonl")
DEFAULT_CACHELINT = os.path.join(os.path.dirname(sys.executable), "cachelint")
#: Rules whose findings are scored; a finding of one of these that matches no row is printed.
#: A request block header of `--show-requests`: `path:row:col: sdk.method`.
HEADER = re.compile(r"^\S+:\d+:\d+: ")
SCORED = {"CL001", "CL002", "CL003", "CL004", "CL005", "CL008", "CL009", "CL011", "CL013"}

Row = Dict[str, Any]
Finding = Dict[str, Any]


def load_rows(path: str = LABELS) -> List[Row]:
    """The label rows (blank lines and lines starting with `//` are skipped)."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip() and not line.lstrip().startswith("//"):
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise SystemExit(f"{path}:{n}: {exc}")
    return rows


def row_rules(row: Row) -> List[str]:
    """A row's rule(s): a silent row may guard several rules at one site (`"rule": ["CL001", "CL013"]`)."""
    rule = row["rule"]
    return list(rule) if isinstance(rule, list) else [rule]


def row_matches(row: Row, finding: Finding) -> bool:
    """Same rule, and the finding's line inside the row's call range or alt_lines in its file, or
    one of its `also` locations ([file, line]: the same defect reported at a caller)."""
    if finding["code"] not in row_rules(row):
        return False
    if [finding["file"], finding["row"]] in row.get("also", []):
        return True
    if finding["file"] != row["file"]:
        return False
    start, end = row.get("lines") or [row["line"], row["line"]]
    line = finding["row"]
    return start <= line <= end or line in row.get("alt_lines", [])


def run_cachelint(cachelint: str, pkgdir: str) -> Tuple[Optional[List[Finding]], float, str]:
    """Findings (file relative to pkgdir), wall time, and an error text when the run crashed."""
    cmd = [cachelint, "--no-cache", "--isolated", "--output-format", "json", "--exit-zero",
           "--jobs", "1", "."]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=pkgdir, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        return None, elapsed, f"exit {proc.returncode}: {proc.stderr.strip()[-2000:]}"
    try:
        raw = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError as exc:
        return None, elapsed, f"output is not JSON ({exc}): {proc.stdout[:500]}"
    findings = []
    for f in raw:
        path = os.path.relpath(os.path.join(pkgdir, f["filename"]), pkgdir)
        findings.append({"file": path.replace(os.sep, "/"), "code": f["code"],
                         "row": f["location"]["row"], "message": f["message"]})
    return findings, elapsed, ""


def show_requests(cachelint: str, pkgdir: str, row: Row) -> str:
    """The `--show-requests` blocks of the row's file whose call line lies in the row's range."""
    cmd = [cachelint, "--no-cache", "--isolated", "--show-requests", "--jobs", "1", row["file"]]
    proc = subprocess.run(cmd, cwd=pkgdir, capture_output=True, text=True)
    start, end = row.get("lines") or [row["line"], row["line"]]
    wanted = set(range(start, end + 1)) | set(row.get("alt_lines", []))
    blocks: List[List[str]] = []
    for line in proc.stdout.splitlines():
        if HEADER.match(line):  # "path:row:col: sdk.method" starts a request block
            blocks.append([line])
        elif blocks and line.strip():
            blocks[-1].append(line)
    keep = [b for b in blocks if b[0].startswith(row["file"] + ":")
            and int(b[0].split(":")[1]) in wanted]
    if not keep:
        return f"      (no request found at {row['file']}:{start}-{end}; {len(blocks)} in the file)"
    return "\n".join("      " + x for b in keep[:3] for x in b)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cachelint", default=DEFAULT_CACHELINT, help="cachelint executable")
    parser.add_argument("--only", nargs="+", metavar="PKG", help="score only these packages")
    parser.add_argument("--json", metavar="OUT", help="write per-row results and the summary here")
    parser.add_argument("--show-requests", action="store_true",
                        help="print cachelint --show-requests for each missed defect")
    parser.add_argument("--realcode", default=REALCODE, help="where fetch.py unpacked the packages")
    args = parser.parse_args(argv)

    rows = [r for r in load_rows() if not args.only or r["package"] in args.only]
    by_pkg: Dict[Tuple[str, str], List[Row]] = defaultdict(list)
    for r in rows:
        by_pkg[(r["package"], r["version"])].append(r)

    results: List[Dict[str, Any]] = []
    unlabelled: List[Dict[str, Any]] = []
    times: Dict[str, float] = {}
    crashed: List[str] = []
    for (pkg, version), prow in by_pkg.items():
        pkgdir = os.path.join(args.realcode, f"{pkg}-{version}")
        if not os.path.isdir(pkgdir):
            print(f"{pkg} {version}: not fetched (run benchmarks/realcode/fetch.py)")
            crashed.append(pkg)
            continue
        findings, elapsed, error = run_cachelint(args.cachelint, pkgdir)
        times[pkg] = elapsed
        print(f"== {pkg} {version}  ({elapsed:.1f} s)")
        if findings is None:
            print(f"   CRASH {error}")
            crashed.append(pkg)
            continue
        used = set()
        for r in prow:
            hits = [i for i, f in enumerate(findings) if row_matches(r, f)]
            used.update(hits)
            defect = r["verdict"] == "defect"
            status = ("HIT" if hits else "MISS") if defect else ("FALSE-ALARM" if hits else "OK")
            start, end = r.get("lines") or [r["line"], r["line"]]
            print(f"   {status:<11} {r['id']:<28} {'/'.join(row_rules(r)):<11} {r['file']}:{start}-{end}")
            for i in hits if not defect else []:
                print(f"      {findings[i]['code']} line {findings[i]['row']}: {findings[i]['message'][:200]}")
            if defect and not hits and args.show_requests:
                print(show_requests(args.cachelint, pkgdir, r))
            results.append({"id": r["id"], "package": pkg, "rule": r["rule"], "verdict": r["verdict"],
                            "status": status, "findings": [findings[i] for i in hits]})
        # A finding matched by a row of any verdict (or any rule) at the site is not "unlabelled".
        for i, f in enumerate(findings):
            if i in used or f["code"] not in SCORED:
                continue
            if any(row_matches(r, f) for r in prow):
                continue
            unlabelled.append({"package": pkg, **f})
            print(f"   UNLABELLED  {f['code']} {f['file']}:{f['row']}: {f['message'][:200]}")

    defects = [x for x in results if x["verdict"] == "defect"]
    silent = [x for x in results if x["verdict"] == "silent"]
    hits = sum(x["status"] == "HIT" for x in defects)
    alarms = sum(x["status"] == "FALSE-ALARM" for x in silent)
    pct = lambda a, b: 100.0 * a / b if b else 0.0  # noqa: E731
    total = sum(times.values())
    slowest = max(times.items(), key=lambda kv: kv[1]) if times else ("-", 0.0)
    summary = (f"recall = {hits}/{len(defects)} ({pct(hits, len(defects)):.1f} %), "
               f"false alarms = {alarms}/{len(silent)} ({pct(alarms, len(silent)):.1f} %), "
               f"unlabelled findings = {len(unlabelled)}, "
               f"time = {total:.1f} s for {len(times)} packages "
               f"(mean {total / max(len(times), 1):.1f} s, slowest {slowest[0]} {slowest[1]:.1f} s)")
    print(summary)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"summary": summary, "recall": [hits, len(defects)],
                       "false_alarms": [alarms, len(silent)], "rows": results,
                       "unlabelled": unlabelled, "seconds": times, "crashed": crashed}, fh, indent=1)
    if crashed:
        print(f"crashed or missing: {' '.join(crashed)}")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
