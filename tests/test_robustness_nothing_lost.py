"""Nothing lost: fixes change only the edited bytes, the cache can be destroyed at any time,
and an interrupted `--fix` leaves every file either old or new, never partial.
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from click.testing import Result

from cachelint.cli import main
from cli_runner import cli_runner as _runner



def cli(*args: str) -> Result:
    result = _runner().invoke(main, list(args))
    assert "Traceback" not in result.stderr, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


# --- byte-for-byte outside the edits ---------------------------------------------------------------

#: Source with two fixes whose exact result is known: CL007 ("3m" -> "5m", a safe fix) and CL001 (the
#: system prompt wrapped in a block with a breakpoint). `\t` indents, non-ASCII text.
TEMPLATE = (
    "# -*- coding: {coding} -*-\n"
    '"""Caf\u00e9 cr\u00e8me: na\u00efve r\u00e9sum\u00e9 \u00bd."""\n'
    "import anthropic\n"
    "\n"
    'MARK = {{"cache_control": {{"type": "ephemeral", "ttl": "3m"}}}}\n'
    'BIG = "R\u00e8gle: r\u00e9pondre bri\u00e8vement. " * 1500\n'
    "client = anthropic.Anthropic()\n"
    "\n"
    "\n"
    "def ask(question: str):\n"
    "\tif question:\n"
    "\t\tpass  # tab-indented, trailing spaces   \n"
    "\treturn client.messages.create(\n"
    '\t\tmodel="claude-sonnet-4-5",\n'
    "\t\tmax_tokens=512,\n"
    "\t\tsystem=BIG,\n"
    '\t\tmessages=[{{"role": "user", "content": question}}],\n'
    "\t)\n"
    "# last line without a newline \u00e9"
)
WRAPPED = 'system=[{"type": "text", "text": BIG, "cache_control": {"type": "ephemeral"}}],'


def _variant(encoding: str, newline: str, bom: bool) -> Tuple[bytes, bytes]:
    """(original bytes, expected bytes after --fix --unsafe-fixes)."""
    coding = "latin-1" if encoding == "latin-1" else "utf-8"
    text = TEMPLATE.format(coding=coding).replace("\n", newline)
    fixed = text.replace('"ttl": "3m"', '"ttl": "5m"').replace("system=BIG,", WRAPPED)
    prefix = codecs.BOM_UTF8 if bom else b""
    return prefix + text.encode(encoding), prefix + fixed.encode(encoding)


VARIANTS = {
    "utf8-lf": ("utf-8", "\n", False),
    "utf8-crlf": ("utf-8", "\r\n", False),
    "bom-lf": ("utf-8", "\n", True),
    "bom-crlf": ("utf-8", "\r\n", True),
    "latin1-lf": ("latin-1", "\n", False),
    "latin1-crlf": ("latin-1", "\r\n", False),
    "utf8-cr": ("utf-8", "\r", False),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_fix_changes_only_the_edited_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variant: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    original, expected = _variant(*VARIANTS[variant])
    target = tmp_path / "mod.py"
    target.write_bytes(original)
    os.chmod(target, 0o750)
    neighbour = tmp_path / "other.py"
    neighbour.write_bytes(original)
    os.chmod(neighbour, 0o640)
    inode = target.stat().st_ino
    result = cli("--no-cache", "--fix", "--unsafe-fixes", "--select", "CL001,CL007", "mod.py")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert target.read_bytes() == expected
    assert stat.S_IMODE(target.stat().st_mode) == 0o750
    assert target.stat().st_ino != inode, "written in place instead of through a temp file and rename"
    assert neighbour.read_bytes() == original, "a file not named on the command line changed"
    assert stat.S_IMODE(neighbour.stat().st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == [".git", "mod.py", "other.py"]
    again = cli("--no-cache", "--fix", "--unsafe-fixes", "--select", "CL001,CL007", "mod.py")
    assert again.exit_code == 0
    assert target.read_bytes() == expected


def test_lint_and_diff_never_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    original, _ = _variant("utf-8", "\r\n", True)
    (tmp_path / "mod.py").write_bytes(original)
    before = (tmp_path / "mod.py").stat()
    for args in ([], ["--diff"], ["--diff", "--unsafe-fixes"], ["--show-requests"], ["--statistics"]):
        cli("--no-cache", "--select", "ALL", *args, "mod.py")
        assert (tmp_path / "mod.py").read_bytes() == original
        assert (tmp_path / "mod.py").stat().st_mtime_ns == before.st_mtime_ns
    assert sorted(os.listdir(tmp_path)) == ["mod.py"]


# --- the cache can be destroyed at any time ----------------------------------------------------------

PROMPTS = 'SYSTEM = "You are a careful assistant. " * 2000\n'
APP = (
    "import anthropic\n"
    "from prompts import SYSTEM\n"
    "client = anthropic.Anthropic()\n"
    'MARK = {"cache_control": {"type": "ephemeral", "ttl": "3m"}}\n'
    "def ask(q: str):\n"
    "    return client.messages.create(model='claude-sonnet-4-5', max_tokens=9, system=SYSTEM,\n"
    "                                  messages=[{'role': 'user', 'content': q}])\n"
)


def _findings(result: Result) -> List[Tuple[str, str, int, int, str]]:
    data = json.loads(result.stdout)
    return sorted((os.path.basename(d["filename"]), d["code"], d["location"]["row"], d["location"]["column"],
                   d["message"]) for d in data)


def _damage(cache: Path, how: str) -> None:
    tables = [p for p in cache.rglob("*.json")]
    if how == "delete":
        shutil.rmtree(cache)
    elif how == "truncate":
        assert tables
        for p in tables:
            data = p.read_bytes()
            p.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        assert tables
        for p in tables:
            p.write_bytes(os.urandom(4096))
    elif how == "empty":
        for p in tables:
            p.write_bytes(b"")
    elif how == "wrong-json":
        for p in tables:
            p.write_text('{"version": 1, "files": {"x": [1, 2, {"stat": null}]}}', encoding="utf-8")
    elif how == "wrong-entries":
        for p in tables:
            doc = json.loads(p.read_text(encoding="utf-8"))
            for entry in doc["files"].values():
                entry["diagnostics"] = [{"code": 5}]
                entry["deps"] = "nonsense"
            p.write_text(json.dumps(doc), encoding="utf-8")
    elif how == "dir-for-file":
        for p in tables:
            p.unlink()
            p.mkdir()
            (p / "inner").write_text("x", encoding="utf-8")
    elif how == "file-for-dir":
        for d in [d for d in cache.iterdir() if d.is_dir()]:
            shutil.rmtree(d)
            d.write_bytes(b"\x00garbage")
    elif how == "cache-is-a-file":
        shutil.rmtree(cache)
        cache.write_bytes(b"not a directory")
    elif how == "stale-other-content":
        # entries that claim the current stat/digest but hold findings of other content
        for p in tables:
            doc = json.loads(p.read_text(encoding="utf-8"))
            for entry in doc["files"].values():
                entry["diagnostics"] = []
            p.write_text(json.dumps(doc), encoding="utf-8")
    else:  # pragma: no cover
        raise AssertionError(how)


DAMAGES = ["delete", "truncate", "garbage", "empty", "wrong-json", "wrong-entries", "dir-for-file", "file-for-dir",
           "cache-is-a-file"]


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_cache_gives_the_same_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "prompts.py").write_text(PROMPTS, encoding="utf-8")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    cache = tmp_path / ".cachelint_cache"
    baseline = cli("--no-cache", "--output-format", "json", ".")
    assert baseline.exit_code == 1
    expected = _findings(baseline)
    assert {f[1] for f in expected} >= {"CL001", "CL007"}
    first = cli("--output-format", "json", ".")
    assert _findings(first) == expected
    assert cache.is_dir()
    _damage(cache, how)
    damaged = cli("--output-format", "json", ".")
    assert damaged.exit_code == 1, damaged.stderr
    assert _findings(damaged) == expected
    # and after the damage, a change is still seen (no stale entry is trusted)
    (tmp_path / "prompts.py").write_text('SYSTEM = "Short."\n', encoding="utf-8")
    changed = cli("--output-format", "json", ".")
    assert "CL001" not in {f[1] for f in _findings(changed)}
    assert _findings(changed) == _findings(cli("--no-cache", "--output-format", "json", "."))


def test_the_cache_deleted_during_fix_is_harmless(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache directory vanishes while a --fix run is in progress."""
    import cachelint.fix.apply

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "prompts.py").write_text(PROMPTS, encoding="utf-8")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    cache = tmp_path / ".cachelint_cache"
    cli("--output-format", "json", ".")
    real_run = cachelint.fix.apply.Fixer.run

    def run_and_delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        shutil.rmtree(cache, ignore_errors=True)
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(cachelint.fix.apply.Fixer, "run", run_and_delete)
    fixed = cli("--fix", "--output-format", "json", ".")
    assert fixed.exit_code == 0, fixed.stderr
    monkeypatch.setattr(cachelint.fix.apply.Fixer, "run", real_run)
    after = cli("--output-format", "json", ".")
    assert _findings(after) == _findings(cli("--no-cache", "--output-format", "json", "."))


# --- interrupted --fix ---------------------------------------------------------------------------------

#: Enough files that the atomic writes of a --fix take about a second (each is flushed to
#: disk), so a signal sent when the first file lands falls among the writes. Every run
#: lints them all first; more files only make that part longer.
FILES = 100


def _project(root: Path) -> None:
    (root / ".git").mkdir(parents=True)
    (root / "prompts.py").write_text('SYSTEM = "You are a careful assistant. " * 1500\n', encoding="utf-8")
    for i in range(FILES):
        sub = root / f"pkg{i % 10}"
        sub.mkdir(exist_ok=True)
        (sub / f"m{i:03}.py").write_text(
            "import anthropic\n"
            "from prompts import SYSTEM\n"
            f"client = anthropic.Anthropic()\n"
            f'MARK_{i} = {{"cache_control": {{"type": "ephemeral", "ttl": "{i % 50 + 6}m"}}}}\n'
            f"def ask_{i}(q: str):\n"
            "    return client.messages.create(model='claude-sonnet-4-5', max_tokens=9, system=SYSTEM,\n"
            "                                  messages=[{'role': 'user', 'content': q}])\n"
            + "# padding line to make the file a little larger\n" * (i % 40),
            encoding="utf-8",
        )


def _snapshot(root: Path) -> Dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
            and ".git" not in p.parts}


def _cachelint() -> List[str]:
    return [sys.executable, "-m", "cachelint"]


@pytest.fixture(scope="module")
def interrupt_material(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Path, Dict[str, bytes], Dict[str, bytes]]:
    """A project of `FILES` fixable files, its bytes, and the bytes a full --fix gives."""
    base = tmp_path_factory.mktemp("interrupt")
    original = base / "original"
    _project(original)
    before = _snapshot(original)
    full = base / "full"
    shutil.copytree(original, full)
    proc = subprocess.run([*_cachelint(), "--no-cache", "--fix", "--unsafe-fixes", "-q", "."], cwd=str(full),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    after = _snapshot(full)
    assert sum(after[k] != before[k] for k in before) >= FILES
    return original, before, after


def _interrupt(tmp_path: Path, material, sig: int, delay: float) -> Tuple[int, str, Dict[str, bytes]]:
    original, before, after = material
    work = tmp_path / "work"
    shutil.copytree(original, work)
    watched = [work / k for k in before if k.endswith(".py")]
    mtimes = {p: p.stat().st_mtime_ns for p in watched}
    proc = subprocess.Popen([*_cachelint(), "--no-cache", "--fix", "--unsafe-fixes", "-q", "."], cwd=str(work),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 300
    # Wait until the first fixed file lands, so the signal falls in the middle of the writes.
    while time.monotonic() < deadline and proc.poll() is None:
        if any(p.stat().st_mtime_ns != mtimes[p] for p in watched):
            break
        time.sleep(0.002)
    time.sleep(delay)
    if proc.poll() is None:
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=300)
    return proc.returncode, err.decode("utf-8", "replace"), _snapshot(work)


def _check_old_or_new(material, snapshot: Dict[str, bytes]) -> Tuple[int, int]:
    _, before, after = material
    leftovers = sorted(set(snapshot) - set(before))
    assert not leftovers, f"temporary files left behind: {leftovers[:5]}"
    assert set(snapshot) == set(before), "files vanished"
    old = new = 0
    for name, data in snapshot.items():
        if before[name] == after[name]:
            if data != before[name]:
                raise AssertionError(f"{name} has no fix but was changed")
            continue  # a file without a fix says nothing about where the signal landed
        if data == before[name]:
            old += 1
        elif data == after[name]:
            new += 1
        else:
            raise AssertionError(f"{name} is neither the original nor the fixed version (partial write)")
    return old, new


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.05])
def test_sigint_during_fix_leaves_every_file_old_or_new(tmp_path: Path, interrupt_material, delay: float) -> None:
    code, err, snapshot = _interrupt(tmp_path, interrupt_material, signal.SIGINT, delay)
    assert "Traceback" not in err, err[-2000:]
    old, new = _check_old_or_new(interrupt_material, snapshot)
    print(f"SIGINT after {delay}s: {old} old, {new} new, exit {code}")
    assert new >= 1
    if old:  # really interrupted: it says so and exits 130, as a shell expects
        assert code == 130, (code, err[-500:])
        assert "interrupted" in err


@pytest.mark.slow
def test_sigterm_during_fix_leaves_no_temp_files(tmp_path: Path, interrupt_material) -> None:
    for attempt in range(4):
        work = tmp_path / f"attempt{attempt}"
        work.mkdir()
        _, _, snapshot = _interrupt(work, interrupt_material, signal.SIGTERM, 0.0)
        _check_old_or_new(interrupt_material, snapshot)


@pytest.mark.slow
def test_sigterm_during_fix_never_leaves_a_partial_file(tmp_path: Path, interrupt_material) -> None:
    code, err, snapshot = _interrupt(tmp_path, interrupt_material, signal.SIGTERM, 0.0)
    _, before, after = interrupt_material
    for name, data in snapshot.items():
        if name in before:
            assert data in (before[name], after[name]), f"{name} was partially written"
    assert code != 0 or all(snapshot.get(k) == v for k, v in after.items())


# --- ownership -----------------------------------------------------------------------------------------


@pytest.mark.skipif(not (hasattr(os, "geteuid") and os.geteuid() == 0), reason="only root can give a file away")
def test_fix_keeps_the_owner_and_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "own.py"
    target.write_text('import anthropic\nMARK = {"cache_control": {"type": "ephemeral", "ttl": "3m"}}\n',
                      encoding="utf-8")
    os.chown(target, 1234, 2345)
    result = cli("--no-cache", "--fix", "own.py")
    assert result.exit_code == 0
    assert '"5m"' in target.read_text(encoding="utf-8")
    st = target.stat()
    assert (st.st_uid, st.st_gid) == (1234, 2345)
