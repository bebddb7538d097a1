"""Protocol positions: 0-based lines, characters in UTF-16 (or the negotiated) code units.

The checks count code units by encoding the text (`lsp_client.code_units`), not with the
server's own counting, so a shared mistake cannot hide."""

from __future__ import annotations

import pytest
from lsp_client import code_units

from cachelint.diagnostics import Location
from cachelint.server.positions import (
    UTF8,
    UTF16,
    UTF32,
    chars_for_units,
    from_lsp,
    location_to_lsp,
    normalise_encoding,
    to_lsp,
    units,
)
from cachelint.source import LineIndex

TEXT = 'a = 1\nmsg = "héllo 😀 wörld"; call(system=PROMPT)\r\nlast'


@pytest.mark.parametrize("encoding", [UTF8, UTF16, UTF32])
def test_every_character_offset_round_trips(encoding: str) -> None:
    index = LineIndex(TEXT)
    for offset in range(len(TEXT) + 1):
        if TEXT[offset - 1 : offset + 1] == "\r\n":
            continue  # between \r and \n: no position of its own
        line, character = to_lsp(index, offset, encoding)
        assert from_lsp(index, line, character, encoding) == offset


@pytest.mark.parametrize("encoding", [UTF8, UTF16, UTF32])
def test_a_column_after_non_ascii_text_counts_code_units(encoding: str) -> None:
    index = LineIndex(TEXT)
    line_text = TEXT.split("\n")[1].rstrip("\r")
    column = line_text.index("system")  # code points before it, 0-based
    line, character = location_to_lsp(index, Location(2, column + 1), encoding)
    assert line == 1
    assert character == code_units(line_text[:column], encoding)
    if encoding == UTF16:
        assert character == column + 1  # the emoji is two UTF-16 units, é one
    if encoding == UTF8:
        assert character == column + 1 + 3 + 1  # é, ö two bytes; the emoji four


def test_a_position_inside_a_surrogate_pair_or_past_the_line_end_is_clamped() -> None:
    line = "x😀y"
    assert chars_for_units(line, 2, UTF16) == 1  # half the emoji: before it
    assert chars_for_units(line, 3, UTF16) == 2
    assert chars_for_units(line, 99, UTF16) == 3
    index = LineIndex("ab\ncd")
    assert from_lsp(index, 0, 99) == 2  # end of the line, not into the next one
    assert from_lsp(index, 7, 0) == len("ab\ncd")
    assert from_lsp(index, -1, 0) == 0


def test_lines_end_at_cr_lf_and_crlf_only() -> None:
    text = "a\rb\r\nc\nd\x0ce\u2028f"  # form feed and U+2028 do not end a line in LSP
    index = LineIndex(text)
    assert to_lsp(index, text.index("b")) == (1, 0)
    assert to_lsp(index, text.index("c")) == (2, 0)
    assert to_lsp(index, text.index("f")) == (3, 4)


def test_units_and_encoding_names() -> None:
    assert units("é😀", UTF16) == 3
    assert units("é😀", UTF8) == 6
    assert units("é😀", UTF32) == 2
    assert normalise_encoding("utf-8") == UTF8
    assert normalise_encoding(None) == UTF16
    assert normalise_encoding("utf-7") == UTF16
