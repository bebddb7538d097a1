"""Count the LLM call sites cachelint finds in real packages, and how well it resolves them.

For each package directory under a corpus root (for example the unpacked wheels that
`scripts/corpus_check.py` downloads into `scripts/.corpus/`), this analyses every file the
prefilter keeps and reports, per package and in total:

- call sites: distinct SDK calls recognised (a call analysed once per subclass or per
  caller counts once);
- known platform: every platform the call can reach is known (not "unknown");
- known system prompt: the request carries a system prompt whose size is known and which
  is static (or static per process);
- findings per rule on the same files.

Usage: python scripts/request_census.py CORPUS_ROOT [--json FILE] [--package NAME ...]

It never imports or runs the packages: it reads their source like the linter does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional

from cachelint.analysis.values import Kind
from cachelint.config.loader import CliOverrides, ConfigResolver
from cachelint.engine import Engine
from cachelint.prefilter import worth_parsing

SKIP_DIRS = {"tests", "test", "testing", "__pycache__", "examples", "docs"}


def python_files(root: Path) -> List[Path]:
    out: List[Path] = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".") and not d.endswith(".dist-info")]
        out.extend(Path(directory, f) for f in files if f.endswith(".py"))
    return sorted(out)


def system_known(request: Any) -> bool:
    system = [p for p in request.pieces if p.section == "system"]
    return bool(system) and all(p.kind in (Kind.STATIC, Kind.PROCESS) and p.tokens is not None for p in system)


def census(package: Path) -> Dict[str, Any]:
    (package / ".git").mkdir(exist_ok=True)  # the package dir is the project root
    resolver = ConfigResolver(package, CliOverrides(isolated=True))
    engine = Engine(resolver.settings_for)
    sites: Dict[Any, Dict[str, bool]] = {}
    findings: Counter = Counter()
    files = python_files(package)
    analysed = 0
    errors = 0
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if not worth_parsing(data):
            continue
        analysed += 1
        result = engine.lint(str(path), data, want_requests=True)
        errors += len(result.errors)
        for diagnostic in result.diagnostics:
            findings[diagnostic.code] += 1
        for request in result.requests or []:
            key = (request.call_span.path, request.call_span.start)
            entry = sites.setdefault(key, {"platform": False, "system": False, "api": request.api})
            entry["platform"] = entry["platform"] or request.platform_known
            entry["system"] = entry["system"] or system_known(request)
    by_api: Counter = Counter(v["api"].split(".")[0] for v in sites.values())
    return {
        "package": package.name,
        "files": len(files),
        "analysed": analysed,
        "call_sites": len(sites),
        "known_platform": sum(1 for v in sites.values() if v["platform"]),
        "known_system": sum(1 for v in sites.values() if v["system"]),
        "by_sdk": dict(by_api),
        "findings": dict(findings),
        "internal_errors": errors,
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--package", action="append", default=[])
    args = parser.parse_args(argv)
    packages = sorted(p for p in args.root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if args.package:
        packages = [p for p in packages if p.name in args.package]
    rows = []
    start = time.perf_counter()
    for package in packages:
        row = census(package)
        rows.append(row)
        print(f"{row['package']:<40} sites {row['call_sites']:>4}  platform {row['known_platform']:>4}  "
              f"system {row['known_system']:>4}  findings {sum(row['findings'].values()):>4}  {row['findings']}", flush=True)
    totals: Dict[str, Any] = defaultdict(int)
    rule_totals: Counter = Counter()
    for row in rows:
        for key in ("files", "analysed", "call_sites", "known_platform", "known_system", "internal_errors"):
            totals[key] += row[key]
        rule_totals.update(row["findings"])
    print(
        f"TOTAL packages={len(rows)} files={totals['files']} analysed={totals['analysed']} "
        f"call_sites={totals['call_sites']} known_platform={totals['known_platform']} "
        f"known_system={totals['known_system']} internal_errors={totals['internal_errors']} "
        f"findings={dict(sorted(rule_totals.items()))} seconds={time.perf_counter() - start:.1f}"
    )
    if args.json:
        args.json.write_text(json.dumps({"packages": rows, "totals": dict(totals), "findings": dict(rule_totals)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
