"""Positions as the Language Server Protocol counts them, and back.

cachelint counts 1-based rows and columns in code points (`cachelint.diagnostics.Location`)
and edits in 0-based character offsets into the decoded text. LSP counts 0-based lines and,
within a line, code units of the encoding the client and server agreed on at `initialize`:
UTF-16 unless the client offered another (`general.positionEncodings`). A line holding
`é` (one UTF-16 unit, two UTF-8 bytes) or an emoji (two UTF-16 units, one code point) puts
the three apart, and an editor then underlines the wrong characters; every conversion goes
through this module so that cannot happen in one place and not another.

Both sides split lines on `\\r\\n`, `\\r` and `\\n` only (`cachelint.source.LineIndex` does
the same), so rows map to lines one to one. This module imports neither pygls nor lsprotocol:
positions are plain `(line, character)` pairs, testable without the server's extra.
"""

from __future__ import annotations

from typing import Tuple

from cachelint.diagnostics import Location
from cachelint.source import LineIndex

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def units(text: str, encoding: str = UTF16) -> int:
    """How many code units of `encoding` `text` takes."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    # Characters beyond the Basic Multilingual Plane take a surrogate pair in UTF-16.
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def chars_for_units(line: str, count: int, encoding: str = UTF16) -> int:
    """How many characters of `line` its first `count` code units cover.

    A count that ends inside a character (half a surrogate pair, the middle of a UTF-8
    sequence) stops before that character; a count past the end of the line is the line's
    end, as the protocol asks of both sides.
    """
    if count <= 0:
        return 0
    if encoding == UTF32 or line.isascii():
        return min(count, len(line))
    used = 0
    for i, ch in enumerate(line):
        used += units(ch, encoding)
        if used > count:
            return i
        if used == count:
            return i + 1
    return len(line)


def to_lsp(index: LineIndex, offset: int, encoding: str = UTF16) -> Tuple[int, int]:
    """The LSP `(line, character)` of a character offset into `index.text`."""
    return location_to_lsp(index, index.location(offset), encoding)


def location_to_lsp(index: LineIndex, location: Location, encoding: str = UTF16) -> Tuple[int, int]:
    """The LSP `(line, character)` of a cachelint `Location` in `index.text`.

    A row past the end of the text is clamped to the text's end (a finding on the last,
    empty line of a file ending in a newline is on that line)."""
    row = max(1, location.row)
    if row > index.line_count:
        return to_lsp(index, len(index.text), encoding)
    line = index.line_text(row)
    column = max(0, min(location.column - 1, len(line)))
    return row - 1, units(line[:column], encoding)


def from_lsp(index: LineIndex, line: int, character: int, encoding: str = UTF16) -> int:
    """The character offset into `index.text` of an LSP position (clamped to the text)."""
    if line < 0:
        return 0
    if line >= index.line_count:
        return len(index.text)
    text = index.line_text(line + 1)
    return index.line_start(line + 1) + chars_for_units(text, character, encoding)


def normalise_encoding(name: object) -> str:
    """The encoding named by a `PositionEncodingKind` (an enum or its string value)."""
    value = str(getattr(name, "value", name) or UTF16).lower()
    return value if value in (UTF8, UTF16, UTF32) else UTF16
