"""Source rewrites that move dynamic prompt text after static text (CL002's fixes).

Three shapes are handled, each only when the whole expression is in view:

- an f-string whose dynamic hole sits on a line before static text: that line moves to
  the end (`f"Today is {d}.\\n{RULES}"` -> `f"{RULES}\\nToday is {d}."`);
- a `+` chain whose dynamic operands come before static ones: the static operands move
  first (`stamp + RULES` -> `RULES + "\\n" + stamp` when a separator is needed);
- a list display of blocks whose dynamic block comes before static ones: the dynamic block
  moves after them.

All of them change the prompt's order, so the fixes are unsafe.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple

from cachelint.context import SourceText
from cachelint.diagnostics import Edit
from cachelint.fix.edits import FixUnavailable, minimal_edit, parse_snippet_expression, render_expression

#: An escaped newline in string source: `\n` not preceded by another backslash.
_ESCAPED_NL = re.compile(r"(?<!\\)(?:\\\\)*\\n")


def _cst() -> Any:
    import libcst

    return libcst


def _newline_positions(text: str, raw: bool) -> List[Tuple[int, int]]:
    """(start, end) of each newline in the source text of a string part."""
    out: List[Tuple[int, int]] = []
    for i, ch in enumerate(text):
        if ch == "\n":
            out.append((i, i + 1))
    if not raw:
        for match in _ESCAPED_NL.finditer(text):
            out.append((match.end() - 2, match.end()))
    return sorted(out)


@dataclass
class FStringLines:
    """An f-string cut around the line that holds a dynamic hole:
    `before` + `line` + `newline` + `leading` blank lines + `core` + `trailing` newlines."""

    node: Any
    before: List[Any]
    line: List[Any]
    newline: Any
    leading: List[Any]
    core: List[Any]
    trailing: List[Any]


def fstring_lines(src: SourceText, start: int, end: int, hole: Tuple[int, int]) -> Optional[FStringLines]:
    """Cut the f-string at `[start, end)` around the line of the hole at `hole`, or None
    when it is not a plain f-string, or the line is already the last one."""
    text = src.text[start:end]
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(tree, ast.JoinedStr):
        return None
    # Which hole is it? Match the position of each hole's expression with `hole`.
    holes = [v.value for v in tree.values if isinstance(v, ast.FormattedValue)]
    index = next(
        (i for i, inner in enumerate(holes) if start + _offset(text, inner.lineno, inner.col_offset) == hole[0]), None
    )
    if index is None:
        return None
    cst = _cst()
    node = parse_snippet_expression(src, start, end)
    if not isinstance(node, cst.FormattedString) or "r" in node.prefix.lower():
        return None
    parts = list(node.parts)
    expr_positions = [i for i, p in enumerate(parts) if isinstance(p, cst.FormattedStringExpression)]
    if index >= len(expr_positions):
        return None
    at = expr_positions[index]
    # Split text parts so that newlines become part boundaries, then find the line.
    pieces: List[Any] = []  # (kind, text, node) with kind "text"|"expr"|"nl"
    for p in parts:
        if isinstance(p, cst.FormattedStringText):
            cursor = 0
            for nl_start, nl_end in _newline_positions(p.value, False):
                if nl_start > cursor:
                    pieces.append(("text", p.value[cursor:nl_start], p))
                pieces.append(("nl", p.value[nl_start:nl_end], p))
                cursor = nl_end
            if cursor < len(p.value):
                pieces.append(("text", p.value[cursor:], p))
        else:
            pieces.append(("expr", None, p))
    target = next(i for i, item in enumerate(pieces) if item[2] is parts[at] and item[0] == "expr")
    line_start = max((i + 1 for i in range(target) if pieces[i][0] == "nl"), default=0)
    line_end = next((i for i in range(target, len(pieces)) if pieces[i][0] == "nl"), None)
    if line_end is None:
        return None  # the dynamic line is already the last one
    after = pieces[line_end + 1 :]
    if not any(kind != "nl" for kind, _, _ in after):
        return None
    lead = 0
    while after[lead][0] == "nl":
        lead += 1
    trail = len(after)
    while after[trail - 1][0] == "nl":
        trail -= 1
    return FStringLines(node, pieces[:line_start], pieces[line_start:line_end], pieces[line_end],
                        after[:lead], after[lead:trail], after[trail:])


def move_fstring_line(src: SourceText, start: int, end: int, hole: Tuple[int, int]) -> Optional[Edit]:
    """Move the line holding the hole at `hole` (absolute span) to the end of the f-string.

    The static text moves up, the blank lines keep separating it from the moved line, and
    trailing newlines stay last.
    """
    cut = fstring_lines(src, start, end, hole)
    if cut is None:
        return None
    order = cut.before + cut.core + [cut.newline] + cut.leading + cut.line + cut.trailing
    return minimal_edit(src, start, end, render_expression(src, cut.node.with_changes(parts=_rebuild(order))))


def split_fstring(src: SourceText, start: int, end: int, hole: Tuple[int, int]) -> Optional[Tuple[str, str]]:
    """Source of two f-strings: the static text without the dynamic line, and that line."""
    cut = fstring_lines(src, start, end, hole)
    if cut is None:
        return None
    static = render_expression(src, cut.node.with_changes(parts=_rebuild(cut.before + cut.core + cut.trailing)))
    dynamic = render_expression(src, cut.node.with_changes(parts=_rebuild(cut.line)))
    return static, dynamic


def split_concat(src: SourceText, operands: Sequence[Tuple[Optional[Any], Any, Optional[str]]]) -> Optional[Tuple[str, str]]:
    """Source of the static operands and of the dynamic run of a `+` chain."""
    order = _concat_order(src, operands)
    if order is None:
        return None
    sources, staying, moving = order
    return " + ".join(sources[i] for i in staying), " + ".join(sources[i] for i in moving)


def _rebuild(items: Sequence[Tuple[str, Optional[str], Any]]) -> List[Any]:
    cst = _cst()
    out: List[Any] = []
    buffer = ""
    for kind, value, node in items:
        if kind == "expr":
            if buffer:
                out.append(cst.FormattedStringText(buffer))
                buffer = ""
            out.append(node)
        else:
            buffer += value or ""
    if buffer:
        out.append(cst.FormattedStringText(buffer))
    return out


def _offset(text: str, lineno: int, col: int) -> int:
    lines = text.split("\n")
    return sum(len(l) + 1 for l in lines[: lineno - 1]) + len(lines[lineno - 1].encode("utf-8")[:col].decode("utf-8", "ignore"))


def _concat_order(src: SourceText, operands: Sequence[Tuple[Optional[Any], Any, Optional[str]]]) -> Optional[Tuple[List[str], List[int], List[int]]]:
    """(operand sources, static operands, dynamic run) of a `+` chain written in `src`."""
    from cachelint.analysis.values import Kind

    if len(operands) < 2 or any(span is None or span.path != src.path for span, _, _ in operands):
        return None
    spans = [(span.start, span.end) for span, _, _ in operands]
    if any("\n" in src.text[s:e] for s, e in spans):
        return None
    # Only a `+` expression can be rewritten: `system += RULES` also builds its string from
    # two operands, but reordering its text would drop the assignment.
    try:
        whole = ast.parse(src.text[spans[0][0]:spans[-1][1]], mode="eval").body
    except SyntaxError:
        return None
    if not (isinstance(whole, ast.BinOp) and isinstance(whole.op, ast.Add)):
        return None
    dynamic = [i for i, (_, kind, _) in enumerate(operands) if kind == Kind.DYNAMIC]
    if not dynamic or any(not kind.cacheable and kind != Kind.DYNAMIC for _, kind, _ in operands):
        return None
    sources = [src.text[s:e] for s, e in spans]
    # The dynamic run keeps the short literals glued to it ("Customer: " + name + ". ").
    first, last = dynamic[0], dynamic[-1]
    while first > 0 and _short_literal(sources[first - 1]):
        first -= 1
    while last + 1 < len(operands) and _short_literal(sources[last + 1]):
        last += 1
    # ... and the newline that ends its line ("Product: " + name + "\n" + RULES).
    if last + 1 < len(operands) and _line_end_literal(sources[last + 1]):
        last += 1
    moving = list(range(first, last + 1))
    staying = [i for i in range(len(operands)) if i not in moving]
    if not any(i > last for i in staying):
        return None  # nothing static after the dynamic part
    return sources, staying, moving


def reorder_concat(src: SourceText, operands: Sequence[Tuple[Optional[Any], Any, Optional[str]]]) -> Optional[Edit]:
    """Rewrite `a + b + c` so operands that change per call come after the others.

    `operands` are (span, kind, last character) of each operand of the chain, in order, as
    the analysis saw them. A `"\\n"` separator is added when the static text would
    otherwise run into the moved text.
    """
    order = _concat_order(src, operands)
    if order is None:
        return None
    sources, staying, moving = order
    start, end = operands[0][0].start, operands[-1][0].end  # type: ignore[union-attr]
    last_char = operands[staying[-1]][2]
    joiner = ' + "\\n" + ' if last_char is not None and not last_char.isspace() else " + "
    static_part = " + ".join(sources[i] for i in staying)
    dynamic_part = " + ".join(sources[i] for i in moving)
    return minimal_edit(src, start, end, static_part + joiner + dynamic_part)


def move_list_element_last(src: SourceText, list_start: int, list_end: int, element: Tuple[int, int], after_count: int) -> Optional[Edit]:
    """Move the element at `element` (absolute span) to after the next `after_count` elements."""
    cst = _cst()
    try:
        node = parse_snippet_expression(src, list_start, list_end)
    except FixUnavailable:
        return None
    if not isinstance(node, cst.List):
        return None
    text = src.text[list_start:list_end]
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(tree, ast.List) or len(tree.elts) != len(node.elements):
        return None
    index = None
    for i, elt in enumerate(tree.elts):
        if _abs(src, list_start, text, elt) == element:
            index = i
            break
    if index is None or index + after_count >= len(node.elements):
        return None
    elements = list(node.elements)
    values = [e.value for e in elements]
    moved = values.pop(index)
    values.insert(index + after_count, moved)
    new_elements = [e.with_changes(value=v) for e, v in zip(elements, values)]
    return minimal_edit(src, list_start, list_end, render_expression(src, node.with_changes(elements=new_elements)))


def _abs(src: SourceText, base: int, text: str, node: ast.expr) -> Tuple[int, int]:
    start = base + _offset(text, node.lineno, node.col_offset)
    end = base + _offset(text, node.end_lineno or node.lineno, node.end_col_offset or node.col_offset)
    return start, end


def _short_literal(source: str) -> bool:
    """A short plain string literal (a label or punctuation next to a dynamic value)."""
    try:
        node = ast.parse(source, mode="eval").body
    except SyntaxError:
        return False
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) <= 80 and "\n" not in node.value


def _line_end_literal(source: str) -> bool:
    """A short literal that ends the dynamic value's line: `"\\n"`, `".\\n"`."""
    try:
        node = ast.parse(source, mode="eval").body
    except SyntaxError:
        return False
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    text = node.value
    return 0 < len(text) <= 80 and text.endswith("\n") and "\n" not in text[:-1]
