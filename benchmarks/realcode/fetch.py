#!/usr/bin/env python3
"""Download and unpack the pinned wheels of the labelled real-code set (never committed).

Why: the labels in `labels.jsonl` point at files and lines of exact package versions, so the
set is only reproducible from the same wheels. Each wheel in `packages.toml` is fetched with
`pip download --no-deps --only-binary=:all: --python-version 3.12` and unpacked into
`benchmarks/.realcode/<name>-<version>/`. Like `benchmarks/build_corpus.py`, each package
directory gets an empty `.git/` and a `pyproject.toml` holding just `[tool.cachelint]`, so
cachelint treats it as its own project root and never walks up into this repository.

Idempotent: a package directory that already exists is not fetched again (delete it to
refetch). Nothing here imports or runs the downloaded code.

    python benchmarks/realcode/fetch.py                 # every pinned package
    python benchmarks/realcode/fetch.py --only khoj vanna
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
from typing import Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
DEST = os.path.join(os.path.dirname(HERE), ".realcode")
PACKAGES_TOML = os.path.join(HERE, "packages.toml")
PROJECT_CONFIG = "[tool.cachelint]\n"

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.9/3.10
    import tomli as tomllib


def load_packages(path: str = PACKAGES_TOML) -> List[Dict[str, object]]:
    """The `[[package]]` tables of packages.toml, in file order."""
    with open(path, "rb") as fh:
        return list(tomllib.load(fh)["package"])


def package_dir(name: str, version: str, dest: str = DEST) -> str:
    return os.path.join(dest, f"{name}-{version}")


def write_project_config(root: str) -> None:
    """An empty `.git/` and a `[tool.cachelint]`-only pyproject.toml: the package is its own root."""
    os.makedirs(os.path.join(root, ".git"), exist_ok=True)
    path = os.path.join(root, "pyproject.toml")
    if not os.path.exists(path) or open(path).read() != PROJECT_CONFIG:
        with open(path, "w") as fh:
            fh.write(PROJECT_CONFIG)


def fetch(name: str, version: str, target: str, python: str) -> None:
    """pip download the one wheel and unpack it into target (atomically: staging dir, then rename)."""
    with tempfile.TemporaryDirectory(prefix="cachelint-realcode-") as tmp:
        cmd = [python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--python-version", "3.12", "--quiet", "-d", tmp, f"{name}=={version}"]
        subprocess.run(cmd, check=True)
        wheels = glob.glob(os.path.join(tmp, "*.whl"))
        if len(wheels) != 1:
            raise SystemExit(f"expected one wheel for {name}=={version}, got {wheels}")
        staging = target + ".partial"
        shutil.rmtree(staging, ignore_errors=True)
        with zipfile.ZipFile(wheels[0]) as zf:
            zf.extractall(staging)
        os.replace(staging, target)


def count_lines(root: str) -> int:
    """Lines of `.py` code in the package (the figure packages.toml records as `loc`)."""
    total = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for f in filenames:
            if f.endswith(".py"):
                with open(os.path.join(dirpath, f), "rb") as fh:
                    total += fh.read().count(b"\n")
    return total


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="PKG", help="fetch only these package names")
    parser.add_argument("--dest", default=DEST, help="where to unpack (default: %(default)s)")
    parser.add_argument("--python", default=sys.executable, help="interpreter whose pip downloads")
    args = parser.parse_args(argv)
    os.makedirs(args.dest, exist_ok=True)
    failed = []
    for pkg in load_packages():
        name, version = str(pkg["name"]), str(pkg["version"])
        if args.only and name not in args.only:
            continue
        target = package_dir(name, version, args.dest)
        note = "present"
        if not os.path.isdir(target):
            try:
                fetch(name, version, target, args.python)
                note = "fetched"
            except (subprocess.CalledProcessError, SystemExit) as exc:
                failed.append(name)
                print(f"  {name}=={version}: FAILED ({exc})")
                continue
        write_project_config(target)
        loc = count_lines(target)
        want = pkg.get("loc")
        mark = "" if want in (None, loc) else f"  (packages.toml says {want})"
        print(f"  {name + '==' + version:<36} {loc:>8,} lines  {note}{mark}")
    if failed:
        print(f"failed: {' '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
