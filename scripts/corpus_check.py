#!/usr/bin/env python3
"""Run cachelint over real PyPI packages that call LLM SDKs, and check that it holds.

Not part of the unit suite (it downloads packages and takes minutes). What it does:

1. Downloads a pinned list of packages (`pip download --no-deps pkg==version`, wheels
   preferred, sdists as a fallback) into a cache directory outside git
   (`scripts/.corpus/`, gitignored) and unpacks their `.py` files. A package that cannot
   be downloaded is skipped and named in the output.
2. Lints every package as its own project (a copy with a `.git` marker, so cross-module
   analysis stays inside the package) with
   `cachelint --no-cache --isolated --output-format json --exit-zero`.
3. Copies the tree and runs `cachelint --fix --unsafe-fixes` on the copy, then checks:
   - no crash and no internal error (exit code 2, a traceback, `cachelint: error:`);
   - every changed file still compiles;
   - a second `--fix --unsafe-fixes` changes nothing;
   - every diff hunk of a changed file overlaps a fix edit reported by the first run
     (hunks that only add `import` lines to a file with fixes are explained by the fixes'
     imports);
   - no file without a reported fix changed a byte (content hash compare).
4. Prints ONE summary line with the counts and exits 1 if any check failed (details of
   each failure go to stderr before it).

Usage:
    python scripts/corpus_check.py                 # every pinned package
    python scripts/corpus_check.py --only llm aider-chat
    python scripts/corpus_check.py --cachelint /path/to/cachelint --jobs 2
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
DEFAULT_CACHE = HERE / ".corpus"

#: (package, version): the versions of the call-site census (shared/reference/callsites.md).
PACKAGES: Tuple[Tuple[str, str], ...] = (
    ("aider-chat", "0.86.2"),
    ("llm-anthropic", "0.30"),
    ("instructor", "1.17.0"),
    ("langchain-anthropic", "1.7.10"),
    ("langchain-aws", "1.9.1"),
    ("smolagents", "1.26.0"),
    ("pydantic-ai-slim", "2.68.0"),
    ("crewai", "1.15.30"),
    ("mirascope", "2.8.2"),
    ("dspy", "3.4.1"),
    ("inspect-ai", "0.3.285"),
    ("browser-use", "0.13.14"),
    ("gptme", "0.35.1"),
    ("agno", "3.1.10"),
    ("camel-ai", "0.2.90"),
    ("strands-agents", "1.62.0"),
    ("llama-index-llms-anthropic", "0.12.3"),
    ("llama-index-llms-bedrock-converse", "0.15.5"),
    ("anthropic-haystack", "8.0.1"),
    ("magentic", "0.41.1"),
    ("autogen-ext", "0.7.5"),
    ("griptape", "1.13.0"),
    ("langroid", "0.69.16"),
    ("llm", "0.36"),
    ("openai-agents", "0.24.0"),
    ("aisuite", "0.2.0"),
    ("chatlas", "0.23.0"),
    ("mini-swe-agent", "2.4.6"),
    ("khoj", "1.42.10"),
    ("graphiti-core", "0.31.2"),
    ("vanna", "2.0.2"),
    ("marker-pdf", "2.0.0"),
    # further packages of the census
    ("openhands-sdk", "1.58.2"),
    ("letta", "0.16.8"),
    ("mem0ai", "2.2.1"),
    ("open-interpreter", "0.4.3"),
    ("haystack-ai", "3.4.1"),
    ("lisette", "0.1.37"),
    ("claudette", "0.3.15"),
    ("pr-agent", "0.2.4"),
    ("litellm", "1.109.1"),
)

SUFFIXES = (".py", ".pyi")


# --- download and unpack -----------------------------------------------------------------------
def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def download(name: str, version: str, cache: Path) -> Tuple[Optional[Path], str]:
    """The downloaded archive of name==version (cached), or None and why not."""
    target = cache / "dist" / f"{name}-{version}"
    existing = _archives(target)
    if existing:
        return existing[0], ""
    target.mkdir(parents=True, exist_ok=True)
    base = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
            "--quiet", "--dest", str(target), f"{name}=={version}"]
    attempts = [
        # a wheel for a newer Python than ours is fine: nothing is installed or run
        base + ["--only-binary=:all:", "--python-version", "3.12"],
        base + ["--only-binary=:all:"],
        base + ["--no-binary=:all:", "--no-build-isolation"],
    ]
    reason = ""
    for command in attempts:
        proc = subprocess.run(command, capture_output=True, text=True)
        found = _archives(target)
        if found:
            return found[0], ""
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        reason = lines[-1] if lines else f"pip exited {proc.returncode}"
    return None, reason


def _archives(directory: Path) -> List[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.name.endswith((".whl", ".tar.gz", ".zip")))


def unpack(archive: Path, destination: Path) -> int:
    """Extract the Python files of a wheel or sdist under `destination`; returns how many."""
    if destination.is_dir():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    count = 0
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if info.is_dir() or not info.filename.endswith(SUFFIXES):
                    continue
                if _unsafe_member(info.filename):
                    continue
                out = destination / info.filename
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(zf.read(info))
                count += 1
    else:
        with tarfile.open(archive) as tf:
            for member in tf.getmembers():
                if not member.isfile() or not member.name.endswith(SUFFIXES) or _unsafe_member(member.name):
                    continue
                handle = tf.extractfile(member)
                if handle is None:
                    continue
                out = destination / member.name
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(handle.read())
                count += 1
    return count


def _unsafe_member(name: str) -> bool:
    parts = Path(name).parts
    return name.startswith("/") or ".." in parts


# --- running cachelint -------------------------------------------------------------------------
def run_cachelint(cachelint: Sequence[str], root: Path, args: Sequence[str], timeout: float) -> subprocess.CompletedProcess:
    command = [*cachelint, "--no-cache", "--isolated", *args, "."]
    try:
        return subprocess.run(command, cwd=str(root), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        return subprocess.CompletedProcess(command, -9, exc.stdout or "", f"timed out after {timeout:.0f}s\n")


def problems_in(proc: subprocess.CompletedProcess) -> Tuple[bool, List[str]]:
    """(crashed, internal error lines) of one cachelint run."""
    stderr = proc.stderr or ""
    crashed = proc.returncode not in (0, 1, 2) or "Traceback (most recent call last)" in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("cachelint: error:")]
    if proc.returncode == 2 and not errors:
        errors = [f"exit code 2: {stderr.strip()[-300:]}"]
    return crashed, errors


def python_files(root: Path) -> List[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in SUFFIXES and p.is_file() and ".git" not in p.parts)


def hashes(root: Path) -> Dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in python_files(root)}


# --- mapping diff hunks to fix edits -----------------------------------------------------------
Span = Tuple[int, int]  # 1-based rows, inclusive


def hunks(old: List[str], new: List[str]) -> List[Tuple[Span, List[str], List[str]]]:
    """Changed regions as (old rows, removed lines, added lines)."""
    out = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        # an insertion between rows i1 and i1+1 touches both neighbours
        span = (i1 + 1, i2) if i2 > i1 else (max(1, i1), i1 + 1)
        out.append((span, old[i1:i2], new[j1:j2]))
    return out


def edit_spans(diagnostics: Iterable[dict]) -> Dict[str, List[Span]]:
    spans: Dict[str, List[Span]] = {}
    for d in diagnostics:
        fix = d.get("fix")
        if not fix:
            continue
        for edit in fix.get("edits", []):
            spans.setdefault(d["filename"], []).append((edit["location"]["row"], edit["end_location"]["row"]))
    return spans


def sarif_spans(proc: subprocess.CompletedProcess, root: Path) -> Dict[str, List[Span]]:
    """Fix edit rows per file from a SARIF log (it names the file of every edit)."""
    spans: Dict[str, List[Span]] = {}
    try:
        log_ = json.loads(proc.stdout)
    except ValueError:
        return spans
    for run in log_.get("runs", []):
        for result in run.get("results", []):
            for fix in result.get("fixes", []):
                for change in fix.get("artifactChanges", []):
                    uri = change["artifactLocation"]["uri"]
                    path = str((root / uri).resolve()) if not uri.startswith("file:") else uri[len("file://"):]
                    for rep in change.get("replacements", []):
                        region = rep["deletedRegion"]
                        start = region.get("startLine", 1)
                        spans.setdefault(path, []).append((start, region.get("endLine", start)))
    return spans


def import_only(removed: List[str], added: List[str]) -> bool:
    stripped = [line.strip() for line in added if line.strip()]
    return not removed and bool(stripped) and all(s.startswith(("import ", "from ")) for s in stripped)


# --- the check -----------------------------------------------------------------------------------
class Report:
    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.rules: Counter = Counter()
        self.skipped: List[str] = []
        self.failures: List[str] = []

    def fail(self, kind: str, message: str) -> None:
        self.counts[kind] += 1
        self.failures.append(message)
        log(f"FAIL {kind}: {message}")


def check_package(name: str, src: Path, work: Path, cachelint: Sequence[str], jobs: Optional[str],
                  timeout: float, report: Report) -> None:
    original = work / "orig" / name
    fixed = work / "fixed" / name
    for tree in (original, fixed):
        if tree.exists():
            shutil.rmtree(tree)
        shutil.copytree(src, tree)
        (tree / ".git").mkdir(exist_ok=True)  # the package is its own project root
    job_args = ["--jobs", jobs] if jobs else []
    before = hashes(original)
    report.counts["files"] += len(before)

    # 1. lint
    lint = run_cachelint(cachelint, original, ["--output-format", "json", "--exit-zero", *job_args], timeout)
    crashed, errors = problems_in(lint)
    if crashed:
        report.fail("crashes", f"{name}: lint exited {lint.returncode}: {lint.stderr.strip()[-500:]}")
    for error in errors:
        report.fail("internal errors", f"{name}: lint: {error}")
    try:
        diagnostics = json.loads(lint.stdout) if lint.stdout.strip() else []
    except ValueError:
        diagnostics = []
        report.fail("crashes", f"{name}: lint output is not JSON: {lint.stdout[:200]!r}")
    if hashes(original) != before:
        report.fail("changed without fix", f"{name}: linting without --fix changed files")
    for d in diagnostics:
        report.rules[d["code"]] += 1
    spans = edit_spans(diagnostics)
    with_fix = {str(Path(p).resolve()) for p in spans}

    # 2. fix a copy
    fix = run_cachelint(cachelint, fixed, ["--fix", "--unsafe-fixes", "--exit-zero", "--output-format", "json", *job_args], timeout)
    crashed, errors = problems_in(fix)
    if crashed:
        report.fail("crashes", f"{name}: --fix exited {fix.returncode}: {fix.stderr.strip()[-500:]}")
    for error in errors:
        report.fail("internal errors", f"{name}: --fix: {error}")
    report.counts["fixes applied"] += _fixed_count(fix.stderr)
    after = hashes(fixed)
    changed = sorted(rel for rel, h in after.items() if before.get(rel) != h)
    if set(after) != set(before):
        extra = sorted(set(after) ^ set(before))
        report.fail("changed without fix", f"{name}: files appeared or vanished: {extra[:5]}")
    report.counts["files changed"] += len(changed)
    sarif: Optional[Dict[str, List[Span]]] = None
    for rel in changed:
        new_path, old_path = fixed / rel, original / rel
        lint_path = str(old_path.resolve())
        new_bytes = new_path.read_bytes()
        try:
            compile(new_bytes, str(new_path), "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            report.fail("non-compiling", f"{name}/{rel}: {type(exc).__name__}: {exc}")
        file_spans = spans.get(lint_path)
        if file_spans is None and sarif is None:
            sarif = sarif_spans(run_cachelint(cachelint, original, ["--output-format", "sarif", "--exit-zero", *job_args], timeout), original)
        if file_spans is None:
            file_spans = (sarif or {}).get(lint_path)
        if file_spans is None:
            report.fail("changed without fix", f"{name}/{rel}: changed, but the first run reported no fix in it")
            continue
        old_lines = _lines(old_path.read_bytes())
        new_lines = _lines(new_bytes)
        for span, removed, added in hunks(old_lines, new_lines):
            if any(span[0] <= end and start <= span[1] for start, end in file_spans):
                continue
            if import_only(removed, added):
                report.counts["import hunks"] += 1
                continue
            if sarif is None:
                sarif = sarif_spans(run_cachelint(cachelint, original, ["--output-format", "sarif", "--exit-zero", *job_args], timeout), original)
            if any(span[0] <= end and start <= span[1] for start, end in sarif.get(lint_path, [])):
                continue
            report.fail("unexplained hunks", f"{name}/{rel}: rows {span[0]}-{span[1]} changed, no fix edit there: "
                        f"-{removed[:2]!r} +{added[:2]!r}")
    del with_fix

    # 3. a second fix changes nothing
    if changed:
        second = run_cachelint(cachelint, fixed, ["--fix", "--unsafe-fixes", "--exit-zero", "--output-format", "json", *job_args], timeout)
        crashed, errors = problems_in(second)
        if crashed:
            report.fail("crashes", f"{name}: second --fix exited {second.returncode}: {second.stderr.strip()[-500:]}")
        for error in errors:
            report.fail("internal errors", f"{name}: second --fix: {error}")
        again = hashes(fixed)
        for rel in sorted(r for r, h in again.items() if after.get(r) != h):
            report.fail("non-idempotent", f"{name}/{rel}: a second --fix --unsafe-fixes changed it again")


def _lines(data: bytes) -> List[str]:
    return data.decode("utf-8", errors="surrogateescape").splitlines(keepends=True)


def _fixed_count(stderr: str) -> int:
    import re

    match = re.search(r"\((\d+) fixed, \d+ remaining\)", stderr) or re.search(r"Fixed (\d+) error", stderr)
    return int(match.group(1)) if match else 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="where downloads and unpacked trees are kept")
    parser.add_argument("--work-dir", type=Path, default=None, help="where the linted copies go (default: a temp dir)")
    parser.add_argument("--cachelint", default=None, help="the cachelint command (default: this Python's cachelint module)")
    parser.add_argument("--jobs", default=None, help="passed to cachelint --jobs")
    parser.add_argument("--only", nargs="*", default=None, help="check only these packages")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per cachelint run")
    parser.add_argument("--keep", action="store_true", help="keep the work dir")
    parser.add_argument("--download-only", action="store_true", help="only download and unpack")
    args = parser.parse_args(argv)

    cachelint = args.cachelint.split() if args.cachelint else [sys.executable, "-m", "cachelint"]
    cache: Path = args.cache_dir.resolve()
    (cache / "src").mkdir(parents=True, exist_ok=True)
    work = Path(args.work_dir).resolve() if args.work_dir else Path(tempfile.mkdtemp(prefix="cachelint-corpus-"))
    work.mkdir(parents=True, exist_ok=True)
    report = Report()
    start = time.monotonic()
    selected = [(n, v) for n, v in PACKAGES if args.only is None or n in args.only]
    try:
        for name, version in selected:
            archive, reason = download(name, version, cache)
            if archive is None:
                report.skipped.append(f"{name}=={version}")
                log(f"skip {name}=={version}: cannot download ({reason})")
                continue
            src = cache / "src" / f"{name}-{version}"
            marker = src / ".unpacked"
            if not marker.exists():
                unpack(archive, src)
                marker.write_text(archive.name, encoding="utf-8")
            if args.download_only:
                continue
            t0 = time.monotonic()
            check_package(name, src, work, cachelint, args.jobs, args.timeout, report)
            report.counts["packages"] += 1
            c = report.counts
            log(f"checked {name}=={version} in {time.monotonic() - t0:.1f}s (so far: {c['files']} files, "
                f"{sum(report.rules.values())} findings, {c['files changed']} files changed, "
                f"{len(report.failures)} failures)")
    finally:
        if not args.keep and args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    c = report.counts
    rules = ", ".join(f"{code} {n}" for code, n in sorted(report.rules.items())) or "none"
    skipped = f"; skipped (download failed): {', '.join(report.skipped)}" if report.skipped else ""
    ok = not report.failures
    print(
        f"corpus: {'OK' if ok else 'FAILED'}: {c['packages']} packages, {c['files']} files, "
        f"findings {sum(report.rules.values())} ({rules}), {c['fixes applied']} fixes applied, "
        f"{c['files changed']} files changed, {c['crashes']} crashes, {c['internal errors']} internal errors, "
        f"{c['non-compiling']} non-compiling, {c['non-idempotent']} non-idempotent, "
        f"{c['unexplained hunks']} unexplained hunks, {c['changed without fix']} changed-without-fix "
        f"({c['import hunks']} import-only hunks), {time.monotonic() - start:.0f}s{skipped}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
