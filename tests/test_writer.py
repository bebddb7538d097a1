"""Writing fixed files: atomic, in the file's own encoding, never over a read-only file or
one that changed on disk meanwhile, and never leaving a temporary file behind."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path
from typing import List

import pytest

from cachelint.source import decode_source
from cachelint.source import content_digest as digest
from cachelint.writer import WriteError, write_atomic


def leftovers(directory: Path) -> List[str]:
    return [p.name for p in directory.iterdir() if p.name.startswith(".cachelint-")]


def load(path: Path):  # type: ignore[no-untyped-def]
    return decode_source(str(path), path.read_bytes())


def test_writes_in_the_files_encoding_with_its_bom_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(codecs.BOM_UTF8 + "X = 'é'\r\n".encode())
    path.chmod(0o640)
    source = load(path)
    write_atomic(source, source.text.replace("é", "ü"), expected_digest=digest(source.raw))
    assert path.read_bytes() == codecs.BOM_UTF8 + "X = 'ü'\r\n".encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_latin1_file_stays_latin1(tmp_path: Path) -> None:
    path = tmp_path / "l.py"
    path.write_bytes(b"# coding: latin-1\nX = '\xe9'\n")
    source = load(path)
    write_atomic(source, source.text + "Y = 1\n")
    assert path.read_bytes() == b"# coding: latin-1\nX = '\xe9'\nY = 1\n"


def test_text_the_encoding_cannot_hold_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.py"
    raw = b"# coding: latin-1\nX = '\xe9'\n"
    path.write_bytes(raw)
    source = load(path)
    with pytest.raises(WriteError, match="cannot be encoded as iso-8859-1"):
        write_atomic(source, source.text + "EURO = '€'\n")
    assert path.read_bytes() == raw
    assert leftovers(tmp_path) == []


def test_read_only_file_is_refused_even_for_root(tmp_path: Path) -> None:
    path = tmp_path / "ro.py"
    path.write_text("X = 1\n", encoding="utf-8")
    path.chmod(0o444)
    source = load(path)
    with pytest.raises(WriteError, match="read-only"):
        write_atomic(source, "X = 2\n")
    assert path.read_text() == "X = 1\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert leftovers(tmp_path) == []


def test_a_file_changed_on_disk_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("X = 1\n", encoding="utf-8")
    source = load(path)
    path.write_text("X = 'edited by the user'\n", encoding="utf-8")
    with pytest.raises(WriteError, match="changed on disk"):
        write_atomic(source, "X = 2\n", expected_digest=digest(source.raw))
    assert path.read_text() == "X = 'edited by the user'\n"
    assert leftovers(tmp_path) == []


def test_a_deleted_file_is_an_error_not_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("X = 1\n", encoding="utf-8")
    source = load(path)
    path.unlink()
    with pytest.raises(WriteError, match="cannot stat"):
        write_atomic(source, "X = 2\n")
    assert not path.exists()


def test_the_inode_is_replaced_not_truncated(tmp_path: Path) -> None:
    """A reader holding the old file keeps the old bytes: the new file is renamed in."""
    path = tmp_path / "a.py"
    path.write_text("X = 1\n", encoding="utf-8")
    source = load(path)
    with open(path, "rb") as held:
        write_atomic(source, "X = 2\n")
        assert held.read() == b"X = 1\n"
    assert path.read_text() == "X = 2\n"


def test_digest_is_content_based() -> None:
    assert digest(b"a") == digest(b"a") != digest(b"b")
    assert len(digest(b"")) == 32
    assert os.path.sep not in digest(b"x")


@pytest.mark.parametrize("failing", ["mkstemp", "fsync", "replace"])
def test_an_os_error_while_writing_is_a_write_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    """Disk full (creating or filling the temp file) or a rename the OS refuses (an
    immutable file): a WriteError with the OS's reason, the original and the directory as
    they were, so the caller reports one line and goes on with the other files."""
    import tempfile

    path = tmp_path / "a.py"
    path.write_text("X = 1\n", encoding="utf-8")
    source = load(path)

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    target = {"mkstemp": (tempfile, "mkstemp"), "fsync": (os, "fsync"), "replace": (os, "replace")}[failing]
    monkeypatch.setattr(*target, boom)
    with pytest.raises(WriteError, match="cannot write the fix: No space left on device; fix not written"):
        write_atomic(source, "X = 2\n", expected_digest=digest(source.raw))
    assert path.read_text() == "X = 1\n"
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not (hasattr(os, "geteuid") and os.geteuid() == 0), reason="only root can give a file away")
def test_owner_group_and_setuid_bit_are_kept_by_root(tmp_path: Path) -> None:
    """chown clears setuid/setgid: the mode is copied after the owner, so both survive."""
    path = tmp_path / "a.py"
    path.write_text("X = 1\n", encoding="utf-8")
    os.chown(path, 1234, 2345)
    path.chmod(0o6754)
    source = load(path)
    write_atomic(source, "X = 2\n", expected_digest=digest(source.raw))
    st = path.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (1234, 2345, 0o6754)
    assert path.read_text() == "X = 2\n"


@pytest.mark.skipif(not hasattr(os, "chown"), reason="no owners on this platform")
def test_a_user_who_cannot_give_the_file_away_still_keeps_its_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not root: chown to another owner is refused; the group is kept when allowed, and a
    refusal of both is no reason not to write the fix."""
    path = tmp_path / "a.py"
    path.write_text("X = 1\n", encoding="utf-8")
    source = load(path)
    st = path.stat()
    calls = []

    def chown(target, uid, gid):  # type: ignore[no-untyped-def]
        calls.append((os.path.basename(target).startswith(".cachelint-"), uid, gid))
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chown", chown)
    write_atomic(source, "X = 2\n", expected_digest=digest(source.raw))
    assert calls == [(True, st.st_uid, st.st_gid), (True, -1, st.st_gid)]
    assert path.read_text() == "X = 2\n"
    assert leftovers(tmp_path) == []
