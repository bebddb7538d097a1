#!/usr/bin/env python3
"""Build the benchmark corpora from pinned PyPI wheels (never committed).

Corpus L ("large monorepo", ~11.8 k .py files, ~110 MB) and corpus S ("LLM app", ~314 files,
~2.5 MB) are the ones of the reference measurements (shared/reference/perf.md). Each wheel is
fetched with `pip download --no-deps` and unpacked into `benchmarks/.corpus/<L|S>/<package>/`;
the corpus directory gets an empty `.git/` and a defaults-only pyproject.toml so cachelint (and
ruff) treat it as a project root instead of walking up into this repository's configuration.

Idempotent: a package directory that already exists is not fetched again (delete it to refetch).
Prints .py file counts and MB per package, next to the reference figures.

    python benchmarks/build_corpus.py            # both corpora
    python benchmarks/build_corpus.py --corpus S
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from typing import Dict, List, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS_DIR = os.path.join(HERE, ".corpus")

#: (distribution, version, reference .py files, reference MB) -- perf.md's tables.
CORPORA: Dict[str, List[Tuple[str, str, int, float]]] = {
    "L": [
        ("litellm", "1.109.1", 3021, 42.17),
        ("sympy", "1.14.0", 1533, 26.18),
        ("pydantic-ai-slim", "2.68.0", 451, 9.81),
        ("openai", "3.54.0", 2078, 9.40),
        ("anthropic", "2.12.0", 2985, 7.87),
        ("django", "5.2.19", 885, 5.69),
        ("crewai", "1.15.30", 538, 4.60),
        ("langchain-core", "1.8.2", 187, 2.48),
        ("botocore", "1.44.5", 77, 1.45),
        ("boto3", "1.44.5", 39, 0.31),
    ],
    "S": [
        ("aider-chat", "0.86.2", 81, 0.67),
        ("instructor", "1.17.0", 196, 0.94),
        ("smolagents", "1.26.0", 20, 0.53),
        ("langchain-anthropic", "1.7.10", 16, 0.26),
        ("llm-anthropic", "0.30", 1, 0.08),
    ],
}


def corpus_root(name: str) -> str:
    return os.path.join(CORPUS_DIR, name)


def py_files(root: str) -> List[str]:
    """Every `*.py` file under root (what cachelint and the reference tables count)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git" and not d.startswith(".cachelint_cache")]
        out.extend(os.path.join(dirpath, f) for f in filenames if f.endswith(".py"))
    return out


def count(root: str) -> Tuple[int, float]:
    files = py_files(root)
    return len(files), sum(os.path.getsize(f) for f in files) / 1e6


PROJECT_CONFIG = """\
# Written by benchmarks/build_corpus.py: this corpus is a project of its own, so neither
# cachelint nor ruff walks up into the cachelint repository's pyproject.toml. Defaults apply.
[tool.cachelint]

[tool.ruff]

[tool.fixit]
root = true
"""


def write_project_config(root: str) -> None:
    """An empty `.git/` and a defaults-only pyproject.toml: the corpus is its own project root."""
    os.makedirs(os.path.join(root, ".git"), exist_ok=True)
    path = os.path.join(root, "pyproject.toml")
    current = None
    if os.path.exists(path):
        with open(path) as fh:
            current = fh.read()
    if current != PROJECT_CONFIG:
        with open(path, "w") as fh:
            fh.write(PROJECT_CONFIG)


def fetch(dist: str, version: str, target: str, python: str) -> None:
    """pip download the one wheel and unpack it into target (atomically: tmp dir, then rename)."""
    with tempfile.TemporaryDirectory(prefix="cachelint-wheel-") as tmp:
        cmd = [
            python,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--dest",
            tmp,
            "--quiet",
            f"{dist}=={version}",
        ]
        subprocess.run(cmd, check=True)
        wheels = glob.glob(os.path.join(tmp, "*.whl"))
        if len(wheels) != 1:
            raise SystemExit(f"expected one wheel for {dist}=={version}, got {wheels}")
        staging = target + ".partial"
        shutil.rmtree(staging, ignore_errors=True)
        with zipfile.ZipFile(wheels[0]) as zf:
            zf.extractall(staging)
        os.replace(staging, target)


def build(name: str, python: str) -> None:
    root = corpus_root(name)
    write_project_config(root)
    print(f"corpus {name}: {root}")
    print(f"  {'package':<28} {'.py files':>9} {'MB':>8}   {'ref files':>9} {'ref MB':>7}  note")
    total_files, total_mb, ref_files, ref_mb = 0, 0.0, 0, 0.0
    for dist, version, want_files, want_mb in CORPORA[name]:
        target = os.path.join(root, f"{dist}-{version}")
        fetched = ""
        if not os.path.isdir(target):
            fetch(dist, version, target, python)
            fetched = "fetched"
        files, mb = count(target)
        total_files += files
        total_mb += mb
        ref_files += want_files
        ref_mb += want_mb
        differs = files != want_files or abs(mb - want_mb) > 0.01
        note = ", ".join(x for x in (fetched, "DIFFERS from perf.md" if differs else "") if x)
        print(
            f"  {dist + ' ' + version:<28} {files:>9,} {mb:>8.2f}   {want_files:>9,} {want_mb:>7.2f}  {note}"
        )
    differs = total_files != ref_files or abs(total_mb - ref_mb) > 0.05
    print(
        f"  {'total':<28} {total_files:>9,} {total_mb:>8.2f}   {ref_files:>9,} {ref_mb:>7.2f}  "
        f"{'DIFFERS from perf.md' if differs else 'matches perf.md'}"
    )


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["L", "S", "all"], default="all")
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter whose pip downloads the wheels"
    )
    args = parser.parse_args(argv)
    for name in ["S", "L"] if args.corpus == "all" else [args.corpus]:
        build(name, args.python)
    return 0


if __name__ == "__main__":
    sys.exit(main())
