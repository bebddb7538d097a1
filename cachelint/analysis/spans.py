"""Source spans: where a value, a call or a marker lives, in any module of the project."""

from __future__ import annotations

import sys
from dataclasses import dataclass

#: `slots=True` where dataclasses know it (Python 3.10+)
_SLOTS = {"slots": True} if sys.version_info >= (3, 10) else {}


@dataclass(frozen=True, order=True, **_SLOTS)
class Span:
    """Characters `[start, end)` of the decoded text of the module at `path` (absolute).

    Slotted (Python 3.10+): the analysis keeps one on every node it evaluates
    (`Interpreter.span`), a hundred thousand on a generated module of megabytes (a
    `__dict__` each: 7 MB)."""

    path: str
    start: int
    end: int

    def contains(self, other: "Span") -> bool:
        return self.path == other.path and self.start <= other.start and other.end <= self.end
