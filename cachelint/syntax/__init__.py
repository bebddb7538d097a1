"""Parsing Python source of any version from 3.8 to 3.14, on any interpreter cachelint runs on.

The analysis reads the stdlib `ast`, and the stdlib parser only knows the syntax of the
interpreter running it: installed on Python 3.11, cachelint used to report a PEP 701
f-string (`f"{"-".join(tags)}"`) as a syntax error and skip the file. Now:

1. The stdlib parser reads the file (C speed; the same tree as before).
2. If it refuses and the running Python is older than 3.14, libcst's native parser (it
   knows every grammar up to 3.14) reads it, and `convert` builds the very `ast` tree
   CPython 3.14 would (same nodes, values and positions). Only files using syntax newer
   than the interpreter pay for it (libcst plus the conversion cost ~12x the stdlib parse).
3. A file both refuse is a syntax error for every Python: CL000, with the stdlib's message
   and position (libcst's are terse; in a file that also uses syntax newer than the
   interpreter, the stdlib may point at that instead of at the error).
4. The tree is checked against the project's target version (`versions`): syntax the
   target cannot parse is a CL000 "needs Python 3.12" finding, whichever interpreter runs.

Huge modules (generated clients, data tables) are parsed in chunks of whole top-level
statements (`_chunks`), so that Ctrl-C is answered between chunks instead of after a
single parser call of many seconds, and so that only the chunks holding new syntax go
through libcst.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

from cachelint.syntax.versions import NEWEST, RUNNING, TooNew, Version, newer_syntax

#: Texts longer than this (characters) are parsed in chunks.
CHUNK_THRESHOLD = 1_000_000
#: Size of one chunk (grown when a chunk ends inside a statement).
CHUNK_SIZE = 250_000

#: Where a chunk may start: a line starting a statement at column 0 that cannot continue
#: the previous one (`else:`, `except:` ... do; a decorator line starts its definition).
_BOUNDARY_RE = re.compile(r"^(?=[A-Za-z_@])(?!(?:else|elif|except|finally|case)\b)", re.MULTILINE)

#: stdlib messages of a chunk cut inside a statement (not worth asking libcst about)
_CUT_MESSAGES = ("was never closed", "unterminated triple-quoted", "unexpected EOF", "expected an indented block",
                 "EOF while scanning", "EOF in multi-line")

Error = Tuple[str, int, int]


@dataclass
class Parsed:
    """The result of parsing one file: a tree, or the CL000 error (message, row, column)."""

    tree: Optional[ast.Module]
    error: Optional[Error] = None
    #: the tree (or part of it) was built from libcst: the file uses syntax newer than the
    #: running interpreter
    converted: bool = False
    #: the first construct the project's target version cannot parse
    too_new: Optional[TooNew] = None


def parse_module(text: str, filename: str = "<unknown>", target: Optional[Version] = None) -> Parsed:
    """Parse `text` as a module of any Python from 3.8 to 3.14; never raises for bad input.

    `target`: the oldest Python the project supports (None: any up to 3.14); syntax it
    cannot parse is reported in `too_new` (the tree is still there to analyse)."""
    try:
        if len(text) > CHUNK_THRESHOLD:
            tree, converted = _parse_chunked(text, filename)
        else:
            tree, converted = _parse_piece(text, filename, 1, final=True)
    except SyntaxError as exc:
        return Parsed(None, (f"syntax error: {exc.msg}", exc.lineno or 1, exc.offset or 1))
    except (RecursionError, MemoryError):
        return Parsed(None, ("the file is too deeply nested to parse", 1, 1))
    except ValueError as exc:
        return Parsed(None, (f"cannot parse: {exc}", 1, 1))
    if converted:
        tree._cachelint_converted = True  # type: ignore[attr-defined]
    parsed = Parsed(tree, converted=converted)
    if target is not None:
        parsed.too_new = check_target(tree, text, target)
    return parsed


def check_target(tree: ast.Module, text: str, target: Version) -> Optional[TooNew]:
    """The first construct of a tree from `parse_module` that `target` cannot parse."""
    converted = getattr(tree, "_cachelint_converted", False)
    ceiling = NEWEST if converted else min(RUNNING, NEWEST)
    if target >= ceiling:
        return None  # the parser that built the tree accepts nothing newer than the target
    return newer_syntax(tree, text, target, ceiling, exact_fstrings=converted or RUNNING >= (3, 12))


def parses(text: str) -> Optional[Tuple[int, str]]:
    """None when `text` is valid Python of some version up to 3.14, else (row, message)."""
    result = parse_module(text)
    if result.error is not None:
        return result.error[1], result.error[0]
    return None


def parse_expression(text: str) -> ast.expr:
    """`ast.parse(text, mode="eval").body`, for an expression of any Python up to 3.14.
    Raises SyntaxError (RecursionError on absurd nesting) as `ast.parse` does."""
    try:
        return ast.parse(text, mode="eval").body
    except SyntaxError:
        if RUNNING >= NEWEST:
            raise
        from cachelint.syntax.convert import convert_expression

        return convert_expression(text)


def _parse_piece(text: str, filename: str, first_row: int, final: bool) -> Tuple[ast.Module, bool]:
    """Parse one piece (the whole file or a chunk starting at `first_row`): stdlib first,
    then libcst when the interpreter may be too old for the piece's syntax.

    `final`: the piece ends where the file ends (an error is then the file's error)."""
    try:
        padded = "\n" * (first_row - 1) + text if first_row > 1 else text  # rows as in the file
        return ast.parse(padded, filename=filename), False
    except SyntaxError as exc:
        if RUNNING >= NEWEST:
            raise
        if not final and any(m in (exc.msg or "") for m in _CUT_MESSAGES):
            raise  # a chunk cut inside a statement: the caller grows it
        stdlib_error = exc
    from cachelint.syntax.convert import convert_module

    try:
        return convert_module(text, filename, first_row), True
    except (SyntaxError, RecursionError, MemoryError):
        # invalid for every Python: the stdlib's message says best what is wrong (in a file
        # that also uses syntax newer than the interpreter it may point at that instead)
        raise stdlib_error from None


def _parse_chunked(text: str, filename: str) -> Tuple[ast.Module, bool]:
    """Parse a huge module in chunks of whole top-level statements.

    A chunk ends before a line that starts a statement at column 0. If that line is in
    fact inside a string or brackets, the chunk ends in the middle of it and cannot parse;
    it is then grown (doubled) until it parses or reaches the end of the text, where an
    error is the file's own. A chunk that parses holds whole statements, so the next one
    starts at a statement too. Rows are the file's (the stdlib parser is given the chunk
    after as many empty lines; libcst is told the first row)."""
    body: List[ast.stmt] = []
    converted = False
    start, row, size = 0, 1, CHUNK_SIZE
    while start < len(text):
        end = _boundary_after(text, start + size)
        final = end >= len(text)
        try:
            tree, used_cst = _parse_piece(text[start:end], filename, row, final)
        except SyntaxError:
            if final:
                raise
            size *= 2
            continue
        body.extend(tree.body)
        converted = converted or used_cst
        row += text.count("\n", start, end) + text.count("\r", start, end) - text.count("\r\n", start, end)
        start, size = end, CHUNK_SIZE
    return ast.Module(body=body, type_ignores=[]), converted


def _boundary_after(text: str, position: int) -> int:
    if position >= len(text):
        return len(text)
    match = _BOUNDARY_RE.search(text, position)
    return match.start() if match is not None else len(text)


__all__ = ["CHUNK_SIZE", "CHUNK_THRESHOLD", "Parsed", "check_target", "parse_expression", "parse_module", "parses"]
