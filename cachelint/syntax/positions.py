"""Where each libcst node sits in the source, as character offsets.

libcst nodes carry no positions; its `PositionProvider` computes them by generating the
code again and counting lines and columns, after copying the whole tree. The conversion
to `ast` (`cachelint.syntax.convert`) needs the same "syntactic" ranges (without the
whitespace and parentheses a node owns), so this module runs the same code generation with
a state that counts characters instead, on the parsed tree itself: one pass, no copy.
libcst prints a parsed module back exactly, so an offset here is an offset into the text
that was parsed.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Tuple

from libcst._nodes.internal import CodegenState

Range = Tuple[int, int]


class _OffsetState(CodegenState):
    """A `CodegenState` that records each node's range instead of keeping the code."""

    __slots__ = ("offset", "ranges", "_starts")

    def __init__(self, default_indent: str, default_newline: str) -> None:
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.offset = 0
        #: id(node) -> (start, end): the syntactic range where the node records one, else
        #: everything the node printed (its own whitespace included)
        self.ranges: Dict[int, Range] = {}
        self._starts: List[int] = []

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.tokens.append(token)
            self.offset += len(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def before_codegen(self, node: Any) -> None:
        self._starts.append(self.offset)

    def after_codegen(self, node: Any) -> None:
        start = self._starts.pop()
        key = id(node)
        if key not in self.ranges:
            self.ranges[key] = (start, self.offset)

    @contextmanager
    def record_syntactic_position(
        self, node: Any, *, start_node: Optional[Any] = None, end_node: Optional[Any] = None
    ) -> Iterator[None]:
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None:
                start = self.ranges[id(start_node)][0]
            if end_node is not None:
                end = self.ranges[id(end_node)][1]
            self.ranges[id(node)] = (start, end)


def node_ranges(module: Any) -> Tuple[Dict[int, Range], int]:
    """(id(node) -> (start, end) offsets, length of the printed code) for a parsed module.

    The caller keeps `module` alive while it uses the ranges (they are keyed by `id`)."""
    state = _OffsetState(module.default_indent, module.default_newline)
    module._codegen(state)
    return state.ranges, sum(len(t) for t in state.tokens)


def expression_ranges(node: Any) -> Dict[int, Range]:
    """The ranges of a parsed expression (`libcst.parse_expression`), from offset 0."""
    state = _OffsetState("    ", "\n")
    node._codegen(state)
    return state.ranges
