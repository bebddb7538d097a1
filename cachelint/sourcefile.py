"""What a decoded file is (`SourceFile`) and how reading one fails (`SourceError`).

Kept apart from `cachelint.source`, which decodes files, so that the decoders of other file
kinds (`cachelint.notebook`) can build on these without importing the decoder that
dispatches to them: the import graph stays acyclic (tests/test_layers.py).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass


class SourceError(Exception):
    """A file that cannot be turned into Python source; carries the row for the message."""

    def __init__(self, message: str, row: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


@dataclass(frozen=True)
class SourceFile:
    """Decoded source plus what is needed to encode it back unchanged."""

    path: str
    raw: bytes
    text: str
    encoding: str
    bom: bool
    newline: str

    def encode(self, text: str) -> bytes:
        """Encode `text` the way this file was encoded (same codec, same BOM)."""
        data = text.encode(self.encoding)
        if self.bom:
            data = codecs.BOM_UTF8 + data
        return data
