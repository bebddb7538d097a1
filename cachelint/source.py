"""Reading Python source the way the interpreter does, and mapping positions.

A file is read as bytes and decoded exactly as CPython would (BOM, PEP 263 coding line,
UTF-8 default), remembering the encoding, the BOM and the dominant line ending so a fix can
write the file back byte-for-byte the same outside the edited ranges.

`LineIndex` converts between the three position systems in play: the stdlib `ast` (1-based
rows, columns in UTF-8 *bytes*), libcst and our output (columns in code points) and plain
character offsets into the decoded text (what edits use).
"""

from __future__ import annotations

import bisect
import codecs
import hashlib
import io
import os
import re
import stat
import tokenize
import warnings
from contextlib import contextmanager
from itertools import accumulate, repeat
from operator import add
from typing import Iterator, List, Optional, Tuple

from cachelint.diagnostics import Location
from cachelint.sourcefile import SourceError, SourceFile

_NEWLINE_RE = re.compile(r"\r\n|\r|\n")
_COOKIE_RE = re.compile(rb"^[ \t\f]*#.*?coding[:=]", re.MULTILINE)


@contextmanager
def quiet_warnings() -> Iterator[None]:
    """Silence Python's warnings while cachelint parses, compiles or analyses linted code.

    `ast.parse` and `compile` warn about the code they read (`invalid escape sequence
    '\\d'`, a SyntaxWarning shown by default from Python 3.12; `"is" with a literal`);
    those warnings are about the user's file, not about cachelint, and would be printed to
    cachelint's stderr once or twice per file. Also usable as a decorator.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


class NotRegularFile(OSError):
    """The path names a FIFO, socket, device or directory: reading it could block forever
    (a FIFO without a writer) or never end (/dev/zero), so it is not read at all."""


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "a special file"


def not_regular_reason(mode: int) -> Optional[str]:
    """The one-line reason a file with this `st_mode` is not read, or None if it is regular."""
    if stat.S_ISREG(mode):
        return None
    return f"not a regular file ({_kind(mode)}); skipped"


def _open_nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def content_digest(data: bytes) -> str:
    """The digest that names a file's content everywhere: the result cache's entries and
    dependencies, the analysis's module summaries and the fixer's check that a file did
    not change while it was fixed all compare it, so there is one definition."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_regular_file(path: str, size: int = -1) -> bytes:
    """The bytes of `path` (at most `size`), refusing anything that is not a regular file.

    The file is opened non-blocking and checked with `fstat` on the open descriptor, so a
    FIFO is never waited on (opening one without a writer blocks) and a file swapped for a
    FIFO between a check and the read cannot slip through. Raises `OSError` (with a
    `NotRegularFile` for special files) as `open` would.
    """
    with open(path, "rb", opener=_open_nonblocking) as fh:
        reason = not_regular_reason(os.fstat(fh.fileno()).st_mode)
        if reason is not None:
            raise NotRegularFile(0, reason, path)
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fh.fileno(), True)
        return fh.read(size)


def detect_newline(text: str) -> str:
    """The first line ending in the file; files without one default to `\\n`."""
    match = _NEWLINE_RE.search(text)
    return match.group(0) if match else "\n"


def decode_source(path: str, raw: bytes) -> SourceFile:
    """Decode like CPython: a BOM or PEP 263 cookie picks the codec, else UTF-8.

    Raises `SourceError` with the row of the offending byte, so the caller can report one
    precise line instead of a traceback. A notebook (`.ipynb`) is read as the module its
    code cells make (`cachelint.notebook`); its `encode` writes the notebook back.
    """
    if path.endswith(".ipynb"):
        from cachelint.notebook import decode_notebook

        return decode_notebook(path, raw)
    if b"\x00" in raw:
        row = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise SourceError("source contains a NUL byte", row=row)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:
        if _COOKIE_RE.search(b"\n".join(raw.splitlines()[:2])):
            raise SourceError(f"invalid encoding declaration: {exc.msg}", row=exc.lineno or 1)
        # No coding line: the first lines are simply not UTF-8; say which byte, as for
        # any later line.
        encoding = "utf-8"
    bom = False
    body = raw
    if encoding == "utf-8-sig":
        bom = raw.startswith(codecs.BOM_UTF8)
        encoding = "utf-8"
        if bom:
            body = raw[len(codecs.BOM_UTF8):]
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        row = body.count(b"\n", 0, exc.start) + 1
        byte = body[exc.start : exc.start + 1].hex()
        raise SourceError(
            f"cannot decode byte 0x{byte} as {encoding} (add a PEP 263 coding line or re-save as UTF-8)",
            row=row,
        )
    except LookupError:
        raise SourceError(f"unknown encoding {encoding!r} in the coding line")
    return SourceFile(
        path=path, raw=raw, text=text, encoding=encoding, bom=bom, newline=detect_newline(text)
    )


class LineIndex:
    """Row/column <-> offset conversions for one decoded text.

    Rows are split on `\\r\\n`, `\\r` and `\\n` only, as the Python tokenizer does (not on the
    other characters `str.splitlines` knows).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        if "\r" in text:
            starts = [0]
            for match in _NEWLINE_RE.finditer(text):
                starts.append(match.end())
        else:
            # `\n` only (nearly every file): the row starts are the running sums of the line
            # lengths, computed at C speed (the loop above took 0.05 s on a 3 MB module)
            starts = list(accumulate(map(add, map(len, text.split("\n")[:-1]), repeat(1)), initial=0))
        self._starts: List[int] = starts
        self._ascii = text.isascii()

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def line_start(self, row: int) -> int:
        """Offset of the first character of 1-based `row` (clamped to the text)."""
        if row < 1:
            return 0
        if row > len(self._starts):
            return len(self.text)
        return self._starts[row - 1]

    def line_text(self, row: int) -> str:
        """The text of `row` without its line ending."""
        start = self.line_start(row)
        end = self._starts[row] if row < len(self._starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def offset_from_ast(self, lineno: int, col_offset: int) -> int:
        """Character offset of an `ast` position (column in UTF-8 bytes)."""
        start = self.line_start(lineno)
        if self._ascii:
            return min(start + col_offset, len(self.text))
        line = self.line_text(lineno)
        prefix = line.encode("utf-8")[:col_offset]
        return start + len(prefix.decode("utf-8", errors="ignore"))

    def location(self, offset: int) -> Location:
        """1-based row and code-point column of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        row = bisect.bisect_right(self._starts, offset)
        return Location(row, offset - self._starts[row - 1] + 1)

    def offset(self, location: Location) -> int:
        return self.line_start(location.row) + location.column - 1

    def node_range(self, node: object) -> Tuple[int, int]:
        """Character range `[start, end)` of an `ast` node that has positions.

        Not kept on the node: the analysis keeps each evaluated node's span there
        (`Interpreter.span`), which is what it asks for over and over; a second cache of
        the same range cost 12 MB on a generated module of 3 MB and saved nothing."""
        start = self.offset_from_ast(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end_lineno: Optional[int] = getattr(node, "end_lineno", None)
        end_col: Optional[int] = getattr(node, "end_col_offset", None)
        return (start, start) if end_lineno is None or end_col is None else (start, self.offset_from_ast(end_lineno, end_col))
