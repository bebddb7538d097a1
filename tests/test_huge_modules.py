"""Huge generated modules: time linear in the size, memory bounded, Ctrl-C answered at once.

A 7.6 MB generated module took a minute and a half and 2.2 GB, and Ctrl-C took 11 s to
answer: the module was parsed twice (evicted from the module cache the moment it was
adopted), each global looked up scanned the whole module body, full walks and the cyclic
garbage collector visited every node again and again, and one parser call held the
interpreter for seconds. The modules here come from `scripts/gen_big_module.py` (a mix of
API-client classes, schemas, data tables, constants and prompts), a few MB at most.
"""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cachelint.engine import Engine
from cachelint.config.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("gen_big_module", ROOT / "scripts" / "gen_big_module.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _module(tmp_path: Path, size: int, name: str = "big.py") -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    path = tmp_path / name
    path.write_text(_generator().generate(size, "mixed"), encoding="utf-8")
    return path


def _lint_cpu_seconds(path: Path) -> float:
    engine = Engine(lambda _p: Settings(project_root=path.parent, select=frozenset({"CL001", "CL002", "CL007"})))
    start = time.process_time()
    result = engine.lint(str(path), explicit=True)
    spent = time.process_time() - start
    assert not result.errors and all(d.code != "CL000" for d in result.diagnostics), result
    return spent


def test_lint_time_grows_linearly_with_the_module(tmp_path: Path) -> None:
    """Four times the module, at most ~six times the CPU time (a quadratic step: sixteen)."""
    _lint_cpu_seconds(_module(tmp_path, 20_000, "warm.py"))  # imports, rule instances
    small = _lint_cpu_seconds(_module(tmp_path, 500_000, "small.py"))
    large = _lint_cpu_seconds(_module(tmp_path, 2_000_000, "large.py"))
    assert large < 6 * small + 0.3, (small, large)


def _run(path: Path) -> "subprocess.Popen[str]":
    return subprocess.Popen(
        [sys.executable, "-m", "cachelint", "--no-cache", "--isolated", "--exit-zero", "-q", path.name],
        cwd=str(path.parent), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


#: Runs cachelint and prints its peak resident memory. `VmHWM` is the process's own (a
#: forked child's `ru_maxrss` counts the pages of the pytest process it was forked from).
PEAK = """
import atexit, sys
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("PEAK %d\\n" % (int(line.split()[1]) * 1024))
atexit.register(peak)
from cachelint.cli import main
main()
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from /proc")
def test_memory_is_a_small_multiple_of_the_module(tmp_path: Path) -> None:
    """The syntax tree takes ~50 bytes per byte of source (a bare `ast.parse` of the whole
    file more: it is parsed in chunks); nothing else may grow with the module."""
    path = _module(tmp_path, 2_000_000)
    proc = subprocess.run(
        [sys.executable, "-c", PEAK, "--no-cache", "--isolated", "--exit-zero", "-q", path.name],
        cwd=str(path.parent), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (line,) = [x for x in proc.stderr.splitlines() if x.startswith("PEAK ")]
    peak = int(line.split()[1])
    size = path.stat().st_size
    assert peak < 60_000_000 + 80 * size, (peak, size)


@pytest.mark.parametrize("delay", [0.3, 0.9, 1.6])
def test_ctrl_c_is_answered_at_once_in_every_phase(tmp_path: Path, delay: float) -> None:
    """Start-up, parsing (in chunks of whole statements) and the analysis: the
    interrupt ends the run in well under a second, with one line and exit code 130."""
    path = _module(tmp_path, 3_000_000)
    proc = _run(path)
    time.sleep(delay)
    if proc.poll() is not None:
        pytest.skip("finished before the signal")
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("no answer to Ctrl-C within 30 s")
    waited = time.monotonic() - sent
    assert "Traceback" not in err, err[-2000:]
    assert proc.returncode == 130, (proc.returncode, err[-500:])
    assert waited < 1.5, waited
