"""How fast `cachelint server` answers an editor, on real LLM applications (issue 14).

Drives the server as an editor does (JSON-RPC over stdio, `tests/lsp_client.py`) on
packages of the real-code set unpacked by `benchmarks/realcode/fetch.py`, and reports:

* `first`: a fresh server in a fresh project: from starting the process (and from the
  `didOpen`) to the first `publishDiagnostics` of the first file. Target < 5 s.
* `open`: each further file opened in the now warm server, `didOpen` to diagnostics.
* `edit`: a one-line edit (`# edit N` inserted in the middle of the file; the analysis of
  the whole buffer runs again, as for any edit) to the diagnostics of that version, `--edits`
  times per file: median and max wall time, and the median CPU time the server spent on it
  (`cpu med`, which a busy shared machine inflates far less). Target < 1 s, aim 0.2 s.
* `burst`: ten keystrokes 30 ms apart, then the time from the last one to the diagnostics
  of the last version (changes arriving during a lint are coalesced, not queued).
* `stdin`: `cachelint --stdin-filename FILE < FILE`, one run, for comparison (what an editor
  integration without the server pays per lint).

The files are the `--files` largest of the package that mention an LLM SDK (the slowest to
analyse). Nothing is written into the package.

    /work/venv/bin/python benchmarks/lsp_latency.py                       # aider and khoj
    /work/venv/bin/python benchmarks/lsp_latency.py --apps aider-chat-0.86.2 --files 3 --edits 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))

from lsp_client import LspClient  # noqa: E402

SDK = (b"anthropic", b"openai", b"litellm", b"cache_control")
DEFAULT_APPS = ("aider-chat-0.86.2", "khoj-1.42.10")


def realcode_dir(given: Optional[str]) -> Path:
    if given:
        return Path(given)
    here = HERE / ".realcode"
    if here.is_dir():
        return here
    return Path("/work/main/benchmarks/.realcode")  # a worktree without its own download


def sdk_files(root: Path, count: int) -> List[Path]:
    found = []
    for path in root.rglob("*.py"):
        if any(part in ("tests", "test", "migrations") for part in path.relative_to(root).parts):
            continue
        data = path.read_bytes()
        if any(word in data for word in SDK):
            found.append((len(data), path))
    return [p for _, p in sorted(found, reverse=True)[:count]]


def edited(text: str, n: int) -> Dict[str, object]:
    """A didChange inserting `# edit n` at the start of the middle line."""
    line = text.count("\n") // 2
    return {"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
            "text": f"# edit {n}\n"}


def stdin_seconds(root: Path, path: Path) -> float:
    started = time.perf_counter()
    with open(path, "rb") as fh:
        subprocess.run([sys.executable, "-m", "cachelint", "--no-cache", "--exit-zero", "-q", "--stdin-filename", str(path)],
                       cwd=str(root), stdin=fh, capture_output=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    return time.perf_counter() - started


def measure(root: Path, files: List[Path], edits: int, stdin: bool) -> None:
    print(f"== {root.name}: {len(files)} files, load average {os.getloadavg()[0]:.2f}")
    # before the server starts: its lints would compete for the cores
    baseline = {path: stdin_seconds(root, path) if stdin else float("nan") for path in files}
    started = time.perf_counter()
    client = LspClient(root)
    try:
        client.initialize(root)
        version: Dict[str, int] = {}
        texts: Dict[str, str] = {}
        rows = []
        for i, path in enumerate(files):
            uri = path.as_uri()
            text = path.read_text(encoding="utf-8")
            texts[uri], version[uri] = text, 1
            opened = time.perf_counter()
            client.open(uri, text)
            diagnostics = client.diagnostics(uri, version=1, timeout=120)
            open_s = time.perf_counter() - opened
            if i == 0:
                print(f"   first diagnostics: {time.perf_counter() - started:.2f} s after starting the server "
                      f"({_cpu_seconds(client.process.pid):.2f} cpu-s), {open_s:.2f} s after didOpen ({path.relative_to(root)})")
            samples, cpu = [], []
            for n in range(edits):
                change = edited(texts[uri], n)
                version[uri] += 1
                sent, cpu_before = time.perf_counter(), _cpu_seconds(client.process.pid)
                client.change(uri, version[uri], [change])
                client.diagnostics(uri, version=version[uri], timeout=120)
                samples.append(time.perf_counter() - sent)
                cpu.append(_cpu_seconds(client.process.pid) - cpu_before)
                texts[uri] = _apply_line_insert(texts[uri], change)
            for n in range(10):
                change = edited(texts[uri], 100 + n)
                version[uri] += 1
                client.change(uri, version[uri], [change])
                texts[uri] = _apply_line_insert(texts[uri], change)
                last = time.perf_counter()
                time.sleep(0.03)
            client.diagnostics(uri, version=version[uri], timeout=120)
            burst = time.perf_counter() - last
            base = baseline[path]
            rows.append((str(path.relative_to(root)), text.count("\n"), len(diagnostics), open_s,
                         statistics.median(samples), max(samples), statistics.median(cpu), burst, base))
        print(f"   {'file':<44} {'lines':>6} {'diags':>5} {'open s':>7} {'edit med':>8} {'edit max':>8} {'cpu med':>7} "
              f"{'burst':>6} {'stdin s':>7}")
        for name, lines, count, open_s, med, worst, cpu_med, burst, base in rows:
            print(f"   {name[-44:]:<44} {lines:>6} {count:>5} {open_s:>7.3f} {med:>8.3f} {worst:>8.3f} {cpu_med:>7.2f} "
                  f"{burst:>6.3f} {base:>7.2f}")
        meds = [r[4] for r in rows]
        print(f"   SUMMARY app={root.name} edit median over files {statistics.median(meds):.3f} s, "
              f"worst file median {max(meds):.3f} s, files under 1 s {sum(m < 1 for m in meds)}/{len(meds)}, "
              f"under 0.2 s {sum(m < 0.2 for m in meds)}/{len(meds)}")
        print(f"   server peak memory {_peak_mib(client.process.pid):.0f} MiB")
        code = client.close()
        if code != 0:
            print(f"   server exit code {code}")
    finally:
        if client.process.poll() is None:
            client.process.kill()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux; 10 ms resolution): a figure the
    other processes of a shared machine inflate far less than wall time."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def _peak_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _apply_line_insert(text: str, change: Dict[str, object]) -> str:
    line = change["range"]["start"]["line"]  # type: ignore[index]
    lines = text.split("\n")
    lines.insert(line, str(change["text"]).rstrip("\n"))
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", nargs="*", default=list(DEFAULT_APPS), help="package directories under --realcode")
    parser.add_argument("--realcode", help="where realcode/fetch.py unpacked the packages")
    parser.add_argument("--files", type=int, default=5, help="the largest N files mentioning an SDK (default 5)")
    parser.add_argument("--edits", type=int, default=5, help="timed edits per file (default 5)")
    parser.add_argument("--no-stdin", action="store_true", help="skip the --stdin-filename comparison")
    args = parser.parse_args(argv)
    base = realcode_dir(args.realcode)
    for name in args.apps:
        root = (base / name) if not os.path.isabs(name) else Path(name)
        if not root.is_dir():
            print(f"{root}: missing (run benchmarks/realcode/fetch.py)", file=sys.stderr)
            return 2
        measure(root.resolve(), sdk_files(root.resolve(), args.files), args.edits, not args.no_stdin)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
