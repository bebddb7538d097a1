"""Which Python a project targets, and the first construct of a file that it cannot parse.

A syntax error means "invalid for the Python this project runs on", not "invalid for the
interpreter that happens to run cachelint": a PEP 701 f-string is fine in a project that
requires Python 3.12, and an error in one that still supports 3.9, whichever Python lints
it. The target comes from `target-version` (`"py39"`, as ruff spells it) or from the lower
bound of `requires-python`; without either, every syntax up to Python 3.14 is accepted.

`newer_syntax` finds the first construct of a parsed tree that needs a Python newer than the
target. It reads the `ast` (from the stdlib parser or converted from libcst, which give the
same tree), plus the source where the tree cannot tell (an `except A, B:` without
parentheses, an f-string reusing its quotes). Constructs of 3.8 and earlier, and a few
rare ones of 3.9 (parenthesized context managers), are not checked.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

from cachelint.source import LineIndex

Version = Tuple[int, int]

#: The oldest and newest Python whose syntax cachelint knows.
OLDEST: Version = (3, 8)
NEWEST: Version = (3, 14)
RUNNING: Version = (sys.version_info[0], sys.version_info[1])

_TARGET_RE = re.compile(r"^(?:py3(\d{1,2})|3\.(\d{1,2}))$", re.IGNORECASE)
_CLAUSE_RE = re.compile(r"^\s*(~=|===|==|>=|>|<=|<|!=)\s*v?(\d+)(?:\.(\d+|\*))?")


def show(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


def parse_target(value: str) -> Version:
    """`"py39"`, `"py314"`, `"3.9"` -> (3, 9); ValueError for anything else or out of range."""
    match = _TARGET_RE.match(value.strip())
    if match is None:
        raise ValueError(f"expected a Python version such as \"py39\" or \"py314\", got {value!r}")
    version = (3, int(match.group(1) or match.group(2)))
    if not OLDEST <= version <= NEWEST:
        raise ValueError(f"expected a Python version from {show(OLDEST)} to {show(NEWEST)}, got {value!r}")
    return version


def from_requires_python(spec: str) -> Optional[Version]:
    """The oldest Python a `requires-python` specifier admits (clamped to the versions
    cachelint knows), or None when it sets no lower bound or cannot be read.

    `>=3.9`, `>=3.9,<4`, `~=3.10`, `==3.11.*`, `>3.8` all have a lower bound; `<3.13` or
    `!=3.9.*` alone do not (then nothing older is excluded, and nothing is assumed)."""
    lowest: Optional[Version] = None
    for clause in spec.split(","):
        if not clause.strip():
            continue
        match = _CLAUSE_RE.match(clause)
        if match is None:
            return None
        op, major, minor = match.group(1), int(match.group(2)), match.group(3)
        if op not in (">=", ">", "~=", "==", "==="):
            continue
        if major != 3:
            if major > 3:
                return None
            continue  # ">=2.7": no bound on Python 3
        version = (3, int(minor) if minor is not None and minor != "*" else 0)
        if lowest is None or version > lowest:
            lowest = version
    if lowest is None:
        return None
    return max(OLDEST, min(NEWEST, lowest))


@dataclass(frozen=True)
class TooNew:
    """A construct needing a newer Python than the target, at a 1-based row and column."""

    what: str
    version: Version
    row: int
    column: int

    def message(self, target: Version) -> str:
        return (
            f"syntax error for Python {show(target)} (the project's target version): "
            f"{self.what} needs Python {show(self.version)} or newer"
        )


# Cheap tests on the text: the tree is walked only when one of them hints at a construct
# newer than the target (most files have none).
_HINTS: Tuple[Tuple[Version, "re.Pattern[str]"], ...] = (
    ((3, 9), re.compile(r"^[ \t]*@", re.MULTILINE)),
    ((3, 10), re.compile(r"^[ \t]*match\b", re.MULTILINE)),
    ((3, 11), re.compile(r"except\s*\*|\[\s*\*|:\s*\*")),
    ((3, 12), re.compile(r"^[ \t]*type\b|\b(?:def|class)\s+\w+\s*\[|(?<![\w.])[rRbB]?[fF][rRbB]?['\"]", re.MULTILINE)),
    ((3, 13), re.compile(r"\b(?:def|class)\s+\w+\s*\[|^[ \t]*type\b", re.MULTILINE)),
    ((3, 14), re.compile(r"(?<![\w.])[rR]?[tT][rR]?['\"]|except\b[^:\n(]*,")),
)


def newer_syntax(tree: ast.Module, text: str, target: Version, ceiling: Version, exact_fstrings: bool) -> Optional[TooNew]:
    """The first construct (in source order) of `tree` that needs a Python newer than
    `target`, among those of versions up to `ceiling` (what the parser that built `tree`
    accepts); `exact_fstrings`: the tree has CPython 3.12's positions inside f-strings."""
    versions = [v for v, hint in _HINTS if target < v <= ceiling and hint.search(text)]
    if not versions:
        return None
    finder = _Finder(text, target, ceiling, exact_fstrings)
    found = sorted(finder.find(tree), key=lambda f: (f.row, f.column))
    return found[0] if found else None


def _dotted(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


class _Finder:
    def __init__(self, text: str, target: Version, ceiling: Version, exact_fstrings: bool) -> None:
        self.text = text
        self.index = LineIndex(text)
        self.target = target
        self.ceiling = ceiling
        self.exact_fstrings = exact_fstrings and target < (3, 12) <= ceiling

    def wanted(self, version: Version) -> bool:
        return self.target < version <= self.ceiling

    def offset(self, node: ast.AST) -> int:
        return self.index.offset_from_ast(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def at(self, what: str, version: Version, offset: int) -> TooNew:
        location = self.index.location(offset)
        return TooNew(what, version, location.row, location.column)

    def node(self, what: str, version: Version, node: ast.AST) -> TooNew:
        return self.at(what, version, self.offset(node))

    def find(self, tree: ast.Module) -> Iterator[TooNew]:
        for node in ast.walk(tree):
            kind = type(node).__name__
            if kind == "Match" and self.wanted((3, 10)):
                yield self.node("a `match` statement", (3, 10), node)
            elif kind == "TryStar" and self.wanted((3, 11)):
                yield self.node("`except*`", (3, 11), node)
            elif kind == "TypeAlias" and self.wanted((3, 12)):
                yield self.node("a `type` statement", (3, 12), node)
            elif kind == "TemplateStr" and self.wanted((3, 14)):
                yield self.node("a t-string", (3, 14), node)
            elif isinstance(node, ast.ExceptHandler) and self.wanted((3, 14)):
                if isinstance(node.type, ast.Tuple) and self.text[self.offset(node.type)] != "(":
                    yield self.node("`except` with several exception types without parentheses", (3, 14), node.type)
            elif isinstance(node, ast.Subscript) and self.wanted((3, 11)):
                s = node.slice
                if isinstance(s, ast.Tuple) and any(isinstance(e, ast.Starred) for e in s.elts) and self.text[self.offset(s)] != "(":
                    yield self.node("a starred expression in a subscript", (3, 11), s)
            elif isinstance(node, ast.arguments) and self.wanted((3, 11)):
                if node.vararg is not None and isinstance(node.vararg.annotation, ast.Starred):
                    yield self.node("a starred annotation of `*args`", (3, 11), node.vararg.annotation)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                yield from self.definition(node)
            elif isinstance(node, ast.JoinedStr) and self.exact_fstrings:
                found = self.fstring(node)
                if found is not None:
                    yield found

    def definition(self, node: ast.AST) -> Iterator[TooNew]:
        params = getattr(node, "type_params", None) or []
        if params and self.wanted((3, 12)):
            yield self.node("type parameters", (3, 12), params[0])
        for param in params:
            default = getattr(param, "default_value", None)
            if default is not None and self.wanted((3, 13)):
                yield self.node("a default for a type parameter", (3, 13), default)
        if self.wanted((3, 9)):
            for decorator in node.decorator_list:  # type: ignore[attr-defined]
                called = decorator.func if isinstance(decorator, ast.Call) else decorator
                if not _dotted(called):
                    yield self.node("a decorator that is not a dotted name or a call of one", (3, 9), decorator)

    # --- PEP 701 ---------------------------------------------------------------------------
    def fstring(self, node: ast.JoinedStr) -> Optional[TooNew]:
        """A replacement field that only Python 3.12 parses: it reuses the quotes of its
        f-string, holds a backslash or a `#`, or spans lines in a single-quoted f-string."""
        suspects: List[Tuple[ast.FormattedValue, ast.FormattedValue, str]] = []
        for field, outer in _fields(node):
            start = self.offset(field)
            spec = field.format_spec
            end = self.offset(spec) if spec is not None else self.index.offset_from_ast(field.end_lineno, field.end_col_offset) - 1  # type: ignore[arg-type]
            region = self.text[start + 1:end]
            if any(c in region for c in "'\"\\#\r\n"):
                suspects.append((field, outer, region))
        if not suspects:
            return None
        quotes = self.quotes(node)
        if quotes is None:
            return None  # the pieces could not be told apart: say nothing
        for field, outer, region in suspects:
            quote = quotes.get(self.offset(outer))
            if quote is None:
                continue
            if (
                quote in region
                or "\\" in region
                or "#" in _STRING_RE.sub("", region)  # a `#` inside a nested string was fine
                or (len(quote) == 1 and ("\n" in region or "\r" in region))
            ):
                return self.node(
                    "an f-string replacement field that reuses the f-string's quotes or holds a backslash, a comment or a line break",
                    (3, 12),
                    field,
                )
        return None

    def quotes(self, node: ast.JoinedStr) -> Optional[Dict[int, str]]:
        """Offset of each replacement field's `{` -> the quote of the string piece holding it.

        The pieces of an implicitly concatenated f-string are read one by one; the fields
        (nested strings and all) are skipped by the positions the tree gives them."""
        text = self.text
        fields: Dict[int, int] = {}
        for field in node.values:
            if isinstance(field, ast.FormattedValue):
                end = self.index.offset_from_ast(field.end_lineno, field.end_col_offset)  # type: ignore[arg-type]
                fields[self.offset(field)] = end
        out: Dict[int, str] = {}
        pos = self.offset(node)
        end = self.index.offset_from_ast(node.end_lineno, node.end_col_offset)  # type: ignore[arg-type]
        while pos < end:
            skip = _BETWEEN_RE.match(text, pos)
            if skip is not None and skip.end() > pos:
                pos = skip.end()
                continue
            opening = _OPENING_RE.match(text, pos)
            if opening is None:
                return None
            prefix, quote = opening.group(1).lower(), opening.group(2)
            raw, formatted = "r" in prefix, ("f" in prefix or "t" in prefix)
            pos = opening.end()
            while True:
                if pos >= end:
                    return None
                if text.startswith(quote, pos):
                    pos += len(quote)
                    break
                c = text[pos]
                if c == "\\":
                    if not raw and text.startswith("N{", pos + 1):
                        close = text.find("}", pos)
                        pos = close + 1 if close > 0 else end
                    else:
                        pos += 2
                elif formatted and c in "{}" and text[pos + 1:pos + 2] == c:
                    pos += 2
                elif formatted and c == "{":
                    field_end = fields.get(pos)
                    if field_end is None:
                        return None
                    out[pos] = quote
                    pos = field_end
                else:
                    pos += 1
        return out


_STRING_RE = re.compile(r"(\"\"\"|'''|\"|')(?:(?!\1).)*\1", re.DOTALL)
_BETWEEN_RE = re.compile(r"(?:[ \t\f\r\n]+|\\\r?\n|#[^\r\n]*)+")
_OPENING_RE = re.compile(r"([rRbBuUfFtT]{0,2})(\"\"\"|'''|\"|')")


def _fields(node: ast.JoinedStr) -> Iterator[Tuple[ast.FormattedValue, ast.FormattedValue]]:
    """(field, the top-level field holding it) for each replacement field of an f-string,
    those nested in format specs included (they sit in the same string piece)."""
    for value in node.values:
        if isinstance(value, ast.FormattedValue):
            yield value, value
            stack = [value.format_spec]
            while stack:
                spec = stack.pop()
                if isinstance(spec, ast.JoinedStr):
                    for inner in spec.values:
                        if isinstance(inner, ast.FormattedValue):
                            yield inner, value
                            stack.append(inner.format_spec)
