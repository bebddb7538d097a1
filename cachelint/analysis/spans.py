"""Source spans: where a value, a call or a marker lives, in any module of the project."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Span:
    """Characters `[start, end)` of the decoded text of the module at `path` (absolute)."""

    path: str
    start: int
    end: int

    def contains(self, other: "Span") -> bool:
        return self.path == other.path and self.start <= other.start and other.end <= self.end
