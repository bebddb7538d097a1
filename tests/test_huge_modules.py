"""Huge generated modules: time linear in the size, memory bounded, Ctrl-C answered at once.

A 7.6 MB generated module took a minute and a half and 2.2 GB, and Ctrl-C took 11 s to
answer: the module was parsed twice (evicted from the module cache the moment it was
adopted), each global looked up scanned the whole module body, full walks and the cyclic
garbage collector visited every node again and again, and one parser call held the
interpreter for seconds. The modules here come from `scripts/gen_big_module.py` (a mix of
API-client classes, schemas, data tables, constants and prompts), a few MB at most.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cachelint.analysis.candidates import candidate_functions
from cachelint.analysis.project import ModuleInfo
from cachelint.config.settings import Settings
from cachelint.engine import Engine
from cachelint.source import decode_source

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


def _requests(path: Path) -> list:
    engine = Engine(lambda _p: Settings(project_root=path.parent, select=frozenset({"CL001", "CL002"})))
    return engine.lint(str(path), explicit=True, want_requests=True).requests


def test_a_module_level_request_after_a_large_literal_table_is_found(tmp_path: Path) -> None:
    """Running 50,000 list elements used to spend the whole step budget of the module's
    code, and the request after them was given up; the tables bind names nothing reads,
    so the module's code leaves them unrun."""
    (tmp_path / ".git").mkdir()
    tables = "".join(f"TABLE_{i} = [{', '.join(str(j) for j in range(1000))}]\n" for i in range(50))
    path = tmp_path / "tables.py"
    path.write_text(
        "import anthropic\n\nclient = anthropic.Anthropic()\n" + tables
        + 'reply = client.messages.create(model="claude-sonnet-4-5", max_tokens=9, system="Be terse.",\n'
        + '                               messages=[{"role": "user", "content": "hi"}])\n',
        encoding="utf-8",
    )
    (request,) = _requests(path)
    assert request.call_span.start > len(tables)


def _deferrable_names(source: str) -> set:
    tree = ast.parse(source)
    module = ModuleInfo("/m.py", decode_source("/m.py", source.encode()), tree, "m", False)
    return set(module.deferrable().values())


def test_only_statements_that_merely_bind_an_unread_or_unique_name_are_left_unrun() -> None:
    source = """
import os
EARLY = "before the branch"         # a branch follows: read first in it, bound there only
if os.environ.get("X"):
    print(EARLY)
LATE = "after every branch"          # read later: evaluated from its binding, same value
TWICE = "a"
TWICE = TWICE + "b"                 # two bindings: order matters
SHARED = {"k": [1, 2]}              # a display read below (where it is made can matter)
ALONE = {"k": (1, -2.5, None)}       # a display no code mentions
CALLED = [os.sep]                   # not a plain literal
MUTATED = "x"
MUTATED.upper()                     # a statement that may mutate it
def helper():
    return LATE, SHARED
class Holder:
    pass
print(LATE)
"""
    assert _deferrable_names(source) == {"LATE", "ALONE", "helper", "Holder"}


def test_a_function_whose_text_ends_where_a_trigger_match_continues_is_judged_on_its_own_text() -> None:
    """The functions of a module are matched against one search of the whole text; a
    match that runs past a function's end (`post` + the next line's `(`) is not one in the
    function's own text, where `post(` never occurs."""
    source = "def f(post):\n    return post\n(a, b) = 1, 2\ndef g(x):\n    return x.post(1)\n"
    tree = ast.parse(source)
    module = ModuleInfo("/m.py", decode_source("/m.py", source.encode()), tree, "m", False)
    chosen = {node.name for node, _ in candidate_functions(module)}
    assert chosen == {"g"}


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


#: Runs `python -m cachelint` (its `__main__`, which turns Ctrl-C into exit code 130) and
#: sends itself SIGINT `DELAY` seconds after PHASE begins: the first call of the function
#: that starts it. Prints the monotonic time of the signal (the same clock in every
#: process), so the test measures how long the run took to answer.
INTERRUPT = """
import os, runpy, signal, sys, threading, time
phase, delay = sys.argv[1], float(sys.argv[2])
del sys.argv[1:3]

def fire():
    sys.stderr.write("SENT %r\\n" % time.monotonic())
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGINT)

def arm():
    threading.Timer(delay, fire).start()

def hook(owner, name):
    original = getattr(owner, name)
    armed = []
    def wrapper(*args, **kwargs):
        if not armed:
            armed.append(True)
            arm()
        return original(*args, **kwargs)
    setattr(owner, name, wrapper)

if phase == "startup":
    arm()  # lands while cachelint is being imported
else:
    import cachelint.analysis, cachelint.analysis.project, cachelint.engine, cachelint.suppress
    owner, name = {
        "parse": (cachelint.engine.Engine, "_parse"),
        "index": (cachelint.analysis.project.ModuleInfo, "__init__"),
        "candidates": (cachelint.analysis.project.ModuleInfo, "deferrable"),
        "analysis": (cachelint.analysis, "analyse_file"),
        "rules": (cachelint.engine.Engine, "rules_for"),
        "suppress": (cachelint.suppress, "apply_suppressions"),
    }[phase]
    hook(owner, name)
sys.argv[0] = "cachelint"
runpy.run_module("cachelint", run_name="__main__", alter_sys=True)
"""


@pytest.fixture(scope="module")
def two_mb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _module(tmp_path_factory.mktemp("huge"), 2_000_000)


@pytest.mark.parametrize(
    "phase, delay",
    [
        ("startup", 0.03),
        ("parse", 0.15),  # between two chunks or inside one (~0.05 s each)
        ("index", 0.02),  # the module's symbol table (pure Python over 6,000 statements)
        ("candidates", 0.05),  # the text searches of the wrapper search and the module's code
        ("analysis", 0.2),  # the interpreter, hundreds of entry functions
        ("rules", 0.0),
        ("suppress", 0.0),
    ],
)
def test_ctrl_c_is_answered_at_once_in_every_phase(two_mb: Path, phase: str, delay: float) -> None:
    """Whatever cachelint is doing on a 2 MB module when the interrupt lands, the run ends
    within a second, with one line and exit code 130 (by hand, at 7.6 MB: at most 0.3 s,
    in the parse)."""
    proc = subprocess.run(
        [sys.executable, "-c", INTERRUPT, phase, str(delay), "--no-cache", "--isolated", "--exit-zero", "-q", two_mb.name],
        cwd=str(two_mb.parent), capture_output=True, text=True, timeout=60,
    )
    ended = time.monotonic()
    sent = [float(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("SENT ")]
    assert sent, f"the {phase} phase never began or the run ended first: {proc.stderr[-500:]}"
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.returncode == 130, (proc.returncode, proc.stderr[-500:])
    assert "cachelint: interrupted" in proc.stderr
    assert ended - sent[0] < 1.0, (phase, ended - sent[0])
