"""Writing fixed files without ever leaving a partial one.

A fixed file is written to a temporary file in the same directory, flushed to disk, given the
original's owner, group and permission bits, and renamed over the original (atomic on POSIX
and Windows).
An interruption at any moment leaves either the old or the new file. Before renaming, the
file on disk is compared with what was read: if someone changed it meanwhile, the fix is not
written and the caller says so. Text is encoded with the file's own codec and BOM, and new
line breaks were already written in the file's own style by the fix builders. A notebook's
source encodes the fixed module as the notebook's JSON with only the changed cells
rewritten (`cachelint.notebook`), and goes through the same steps.
"""

from __future__ import annotations

import os
import stat
import tempfile
from typing import Optional

from cachelint.signals import held
from cachelint.source import SourceFile, content_digest, read_regular_file


class WriteError(Exception):
    """A fixed file could not be written; the original is untouched."""



def _read_only(path: str, st: os.stat_result) -> bool:
    """True when the file must not be replaced.

    The rename below needs only write access to the directory, so it would silently replace
    a read-only file; and `os.access` says "writable" for root whatever the mode bits say
    (CI containers run as root). A file with no write bit at all is read-only by intent.
    """
    no_write_bits = stat.S_IMODE(st.st_mode) & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) == 0
    return no_write_bits or not os.access(path, os.W_OK)


def write_atomic(source: SourceFile, new_text: str, expected_digest: Optional[str] = None) -> None:
    """Replace `source.path` with `new_text`, encoded like the original.

    `expected_digest` is the digest of the bytes the fix was computed from; when the file
    on disk no longer matches it, nothing is written.
    """
    path = source.path
    try:
        data = source.encode(new_text)  # a notebook: its JSON with the fixed cells
    except UnicodeEncodeError as exc:
        raise WriteError(f"the fix cannot be encoded as {source.encoding}: {exc.reason}") from exc
    except ValueError as exc:  # a notebook whose fixed cells cannot be written back
        raise WriteError(str(exc)) from exc
    directory = os.path.dirname(os.path.abspath(path)) or "."
    try:
        st = os.stat(path)
    except OSError as exc:
        raise WriteError(f"cannot stat the file: {exc.strerror}") from exc
    if _read_only(path, st):
        raise WriteError("the file is read-only; fix not written")
    # Ctrl-C or SIGTERM waits until this file is either replaced or untouched and its
    # temporary file gone; without the hold, one landing inside mkstemp could leave it.
    with held():
        _replace(path, data, st, directory, expected_digest)


def _replace(path: str, data: bytes, st: os.stat_result, directory: str, expected_digest: Optional[str]) -> None:
    """Write `data` to a temporary file next to `path` and rename it over `path`."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".cachelint-", suffix=".tmp", dir=directory)
    except OSError as exc:  # disk full, read-only directory, no permission on it
        raise WriteError(f"cannot write the fix: {_reason(exc)}; fix not written") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _copy_owner(tmp, st)  # before chmod: chown may clear the setuid/setgid bits
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        if expected_digest is not None:
            try:
                current = read_regular_file(path)  # swapped for a FIFO meanwhile: no hang
            except OSError as exc:
                raise WriteError(f"cannot re-read the file: {exc.strerror}") from exc
            if content_digest(current) != expected_digest:
                raise WriteError("the file changed on disk while cachelint ran; fix not written")
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):  # disk full mid-write, an immutable file, a busy mount
            raise WriteError(f"cannot write the fix: {_reason(exc)}; fix not written") from exc
        raise


def _copy_owner(tmp: str, st: os.stat_result) -> None:
    """Give the temporary file the original's owner and group.

    The temporary file belongs to whoever runs cachelint: a fix made by root (a CI
    container, sudo, pre-commit in docker) would hand the user's file to root:root. Only
    root can give a file away; anyone else may still keep its group when they belong to
    it. Where neither is allowed (or the file system has no owners), the file keeps the
    runner's, as any editor saving it would.
    """
    if not hasattr(os, "chown"):  # Windows
        return
    try:
        os.chown(tmp, st.st_uid, st.st_gid)
    except OSError:
        try:
            os.chown(tmp, -1, st.st_gid)
        except OSError:
            pass


def _reason(exc: OSError) -> str:
    """The OS's words (`No space left on device`), without the errno and path noise."""
    return exc.strerror or str(exc) or type(exc).__name__
