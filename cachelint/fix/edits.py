"""Building fixes: libcst changes on the exact source of a node, rendered as minimal text edits.

A fix never re-renders a whole module. It takes the source text of the node it changes
(located precisely from the stdlib `ast` positions), parses that snippet with libcst,
transforms it, and turns the difference between old and new snippet into the smallest text
edit (common prefix and suffix removed). So everything outside the changed characters keeps
its formatting and comments, and two fixes that touch different parts of one dict do not
overlap. New line breaks use the file's own line ending.

libcst is imported lazily: it costs ~0.17 s, paid only when a file has a fixable finding.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

from cachelint.context import SourceText
from cachelint.diagnostics import Edit


class FixUnavailable(Exception):
    """The snippet cannot be changed safely (unexpected shape); the finding gets no fix."""


def make_edit(src: SourceText, start: int, end: int, content: str) -> Edit:
    """An edit of `src` with its row/column locations filled in."""
    return Edit(
        path=src.path,
        start=start,
        end=end,
        content=content,
        location=src.index.location(start),
        end_location=src.index.location(end),
    )


def minimal_edit(src: SourceText, start: int, end: int, new_text: str) -> Optional[Edit]:
    """The smallest edit turning `src.text[start:end]` into `new_text` (None if equal)."""
    old = src.text[start:end]
    if old == new_text:
        return None
    prefix = 0
    limit = min(len(old), len(new_text))
    while prefix < limit and old[prefix] == new_text[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < limit - prefix
        and old[len(old) - 1 - suffix] == new_text[len(new_text) - 1 - suffix]
    ):
        suffix += 1
    return make_edit(
        src, start + prefix, end - suffix, new_text[prefix : len(new_text) - suffix]
    )


def _cst():
    import libcst

    return libcst


def parse_snippet_expression(src: SourceText, start: int, end: int) -> Any:
    """libcst expression for `src.text[start:end]` (which is exactly one expression)."""
    cst = _cst()
    text = src.text[start:end]
    try:
        return cst.parse_expression(
            text, config=cst.PartialParserConfig(default_newline=src.source.newline)
        )
    except (cst.ParserSyntaxError, RecursionError, ValueError) as exc:
        raise FixUnavailable(f"cannot parse the expression to fix: {exc}") from exc


def render_expression(src: SourceText, node: Any) -> str:
    cst = _cst()
    module = cst.Module(body=[], default_newline=src.source.newline)
    return module.code_for_node(node)


def expression_edit(src: SourceText, start: int, end: int, transform: Any) -> Optional[Edit]:
    """Parse the expression at `[start, end)`, apply `transform(node) -> node`, diff back."""
    node = parse_snippet_expression(src, start, end)
    new_node = transform(node)
    return minimal_edit(src, start, end, render_expression(src, new_node))


# --- string literals ------------------------------------------------------------------------
def string_literal(value: str, quote: str = '"', prefix: str = "") -> str:
    """A Python string literal for `value` using the given quote characters."""
    body = value.replace("\\", "\\\\")
    body = body.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    if len(quote) == 1:
        body = body.replace(quote, "\\" + quote)
    else:
        body = body.replace(quote[0] * 3, (quote[0] * 2) + "\\" + quote[0])
    return f"{prefix}{quote}{body}{quote}"


def replace_string_edit(src: SourceText, start: int, end: int, value: str) -> Optional[Edit]:
    """Replace the string literal at `[start, end)` by `value`, keeping its quote style."""
    cst = _cst()

    def transform(node: Any) -> Any:
        if not isinstance(node, cst.SimpleString):
            raise FixUnavailable("not a plain string literal")
        prefix = "".join(ch for ch in node.prefix if ch in "uU")
        return node.with_changes(value=string_literal(value, node.quote, prefix))

    return expression_edit(src, start, end, transform)


# --- dict and list displays -----------------------------------------------------------------
def _comma_after(element: Any) -> Any:
    cst = _cst()
    return element.comma if isinstance(element.comma, cst.Comma) else None


def _is_multiline(ws: Any) -> bool:
    cst = _cst()
    return isinstance(ws, cst.ParenthesizedWhitespace)


def append_element(node: Any, new_element: Any) -> Any:
    """Append `new_element` to a libcst `Dict`/`List`/`Tuple`, keeping its layout.

    Single-line displays get `, new`; multi-line ones get the new element on its own line
    with the indentation of the previous element and the display's trailing-comma style.
    """
    cst = _cst()
    elements = list(node.elements)
    if not elements:
        return node.with_changes(elements=[new_element.with_changes(comma=cst.MaybeSentinel.DEFAULT)])
    last = elements[-1]
    last_comma = _comma_after(last)
    opener_ws = node.lbrace.whitespace_after if hasattr(node, "lbrace") else node.lbracket.whitespace_after
    multiline = (last_comma is not None and _is_multiline(last_comma.whitespace_after)) or _is_multiline(opener_ws)
    if not multiline:
        trailing = last_comma is not None
        elements[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        elements.append(new_element.with_changes(comma=cst.Comma() if trailing else cst.MaybeSentinel.DEFAULT))
        return node.with_changes(elements=elements)
    # Multi-line: the whitespace between elements is stored after each comma; the one after
    # the last comma (or before the closing bracket) holds the indentation of the bracket.
    if len(elements) >= 2 and _comma_after(elements[-2]) is not None:
        between = _comma_after(elements[-2]).whitespace_after
    else:
        between = opener_ws
    if last_comma is not None:
        closing_ws = last_comma.whitespace_after
        elements[-1] = last.with_changes(comma=last_comma.with_changes(whitespace_after=between))
        elements.append(new_element.with_changes(comma=cst.Comma(whitespace_after=closing_ws)))
        return node.with_changes(elements=elements)
    # No trailing comma: the closing bracket's own whitespace holds the final newline (and a
    # comment on the last element's line). That comment stays on the last element's line;
    # the new element goes on the next line and the bracket keeps its indentation.
    closer = node.rbrace if hasattr(node, "rbrace") else node.rbracket
    closing_ws = closer.whitespace_before
    if _is_multiline(closing_ws) and _is_multiline(between):
        after_last = closing_ws.with_changes(indent=between.indent, last_line=between.last_line)
        new_closing = closing_ws.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
        elements[-1] = last.with_changes(comma=cst.Comma(whitespace_after=after_last))
        elements.append(new_element.with_changes(comma=cst.MaybeSentinel.DEFAULT))
        closer_attr = "rbrace" if hasattr(node, "rbrace") else "rbracket"
        return node.with_changes(
            elements=elements, **{closer_attr: closer.with_changes(whitespace_before=new_closing)}
        )
    elements[-1] = last.with_changes(comma=cst.Comma(whitespace_after=between))
    elements.append(new_element.with_changes(comma=cst.MaybeSentinel.DEFAULT))
    return node.with_changes(elements=elements)


def dict_element(key_src: str, value_src: str) -> Any:
    """A libcst `DictElement` from source texts of key and value."""
    cst = _cst()
    return cst.DictElement(
        key=cst.parse_expression(key_src),
        value=cst.parse_expression(value_src),
        whitespace_before_colon=cst.SimpleWhitespace(""),
        whitespace_after_colon=cst.SimpleWhitespace(" "),
    )


def add_dict_entry_edit(src: SourceText, start: int, end: int, key_src: str, value_src: str) -> Optional[Edit]:
    """Add `key: value` as the last entry of the dict display at `[start, end)`."""
    cst = _cst()

    key = cst.parse_expression(key_src)
    key_value = key.evaluated_value if isinstance(key, cst.SimpleString) else None

    def transform(node: Any) -> Any:
        if not isinstance(node, cst.Dict):
            raise FixUnavailable("not a dict display")
        # The key is there already: the analysis misread the dict (a second entry would
        # silently replace the first); never add it twice.
        for element in node.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString) \
                    and key_value is not None and element.key.evaluated_value == key_value:
                raise FixUnavailable(f"the dict already has a {key_value!r} entry")
        return append_element(node, dict_element(key_src, value_src))

    return expression_edit(src, start, end, transform)


def add_call_keyword_edit(src: SourceText, start: int, end: int, name: str, value_src: str) -> Optional[Edit]:
    """Add `name=value` as the last argument of the call at `[start, end)`, keeping layout.

    With a trailing comma (one argument per line) the new argument gets its own line with
    the same indentation; otherwise it follows the last argument, and whatever stood
    between that argument and `)` (a line break, a comment) now follows the new one.
    """
    cst = _cst()

    def transform(node: Any) -> Any:
        if not isinstance(node, cst.Call):
            raise FixUnavailable("not a call")
        args = list(node.args)
        if any(arg.keyword is not None and arg.keyword.value == name for arg in args):
            raise FixUnavailable(f"the call already passes {name}=")
        new_arg = cst.Arg(
            keyword=cst.Name(name),
            value=cst.parse_expression(value_src),
            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
        )
        if not args:
            return node.with_changes(args=[new_arg])
        last = args[-1]
        if isinstance(last.comma, cst.Comma):
            closing = last.comma.whitespace_after
            if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma):
                between = args[-2].comma.whitespace_after
            else:
                between = node.whitespace_before_args
            if not _is_multiline(closing):
                between = cst.SimpleWhitespace(" ")
            args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=between))
            args.append(new_arg.with_changes(comma=cst.Comma(whitespace_after=closing),
                                             whitespace_after_arg=last.whitespace_after_arg))
        else:
            args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
                                         whitespace_after_arg=cst.SimpleWhitespace(""))
            args.append(new_arg.with_changes(whitespace_after_arg=last.whitespace_after_arg))
        return node.with_changes(args=args)

    return expression_edit(src, start, end, transform)


def wrap_expression_edits(src: SourceText, start: int, end: int, before: str, after: str) -> List[Edit]:
    """Put `before` and `after` around the expression at `[start, end)` (two insertions).

    Used to turn `system=PROMPT` into `system=[{"type": "text", "text": PROMPT, ...}]`
    without touching the expression itself, so comments inside it survive.
    """
    _check_expression(src, start, end)
    return [make_edit(src, start, start, before), make_edit(src, end, end, after)]


def _check_expression(src: SourceText, start: int, end: int) -> None:
    parse_snippet_expression(src, start, end)


def check_parses(text: str) -> Optional[Tuple[int, str]]:
    """None when `text` is valid Python (of any version up to 3.14, whatever interpreter
    runs cachelint: a fix must not be refused because the file uses PEP 701 f-strings on
    Python 3.11), else (row, message) of the first error."""
    from cachelint.syntax import parses

    return parses(text)


def remove_dict_entry_edit(src: SourceText, dict_start: int, dict_end: int, key: str) -> Optional[Edit]:
    """Remove the entry with string key `key` from the dict display at `[start, end)`."""
    cst = _cst()

    def transform(node: Any) -> Any:
        if not isinstance(node, cst.Dict):
            raise FixUnavailable("not a dict display")
        elements = list(node.elements)
        for i, element in enumerate(elements):
            if (
                isinstance(element, cst.DictElement)
                and isinstance(element.key, cst.SimpleString)
                and element.key.evaluated_value == key
            ):
                break
        else:
            raise FixUnavailable(f"no {key!r} entry")
        return node.with_changes(elements=_without(elements, i))

    return expression_edit(src, dict_start, dict_end, transform)


def _without(items: List[Any], i: int) -> List[Any]:
    """`items` (dict elements, call arguments) without the one at `i`. Removing the last
    one, the new last one takes over its comma (or lack of it), so the layout stays."""
    removed = items.pop(i)
    if items and i == len(items):
        items[-1] = items[-1].with_changes(comma=removed.comma)
    return items


def remove_call_keyword_edit(src: SourceText, start: int, end: int, name: str) -> Optional[Edit]:
    """Remove the keyword argument `name=...` from the call at `[start, end)`."""
    cst = _cst()

    def transform(node: Any) -> Any:
        if not isinstance(node, cst.Call):
            raise FixUnavailable("not a call")
        args = list(node.args)
        for i, arg in enumerate(args):
            if arg.keyword is not None and arg.keyword.value == name:
                break
        else:
            raise FixUnavailable(f"no {name}= argument")
        return node.with_changes(args=_without(args, i))

    return expression_edit(src, start, end, transform)


def rename_dict_key_edit(src: SourceText, entry_start: int, old: str, new: str) -> Optional[Edit]:
    """Rename the string key `old` of the dict entry starting at `entry_start`."""
    import re

    match = re.match(r"""([rRuU]?)(['"])""" + re.escape(old) + r"""\2""", src.text[entry_start:])
    if match is None:
        return None
    quote = match.group(2)
    return make_edit(src, entry_start, entry_start + match.end(), f"{match.group(1)}{quote}{new}{quote}")


def combine_edits(src: SourceText, edits: Sequence[Edit]) -> List[Edit]:
    """Merge edits of one file that touch each other into single edits.

    Two edits built separately (wrap a value, remove the entry right after it) may share
    a boundary; the fixer would treat them as a conflict. Applied in order (an insertion
    before a replacement at the same offset), they are one unambiguous change. Edits that
    really overlap raise `FixUnavailable`.
    """
    ordered = sorted(edits, key=lambda e: (e.start, e.end - e.start))
    out: List[Edit] = []
    group: List[Edit] = []

    def flush() -> None:
        if not group:
            return
        start, end = group[0].start, max(e.end for e in group)
        pieces: List[str] = []
        cursor = start
        for edit in group:
            if edit.start < cursor:
                raise FixUnavailable("overlapping edits")
            pieces.append(src.text[cursor:edit.start])
            pieces.append(edit.content)
            cursor = edit.end
        pieces.append(src.text[cursor:end])
        out.append(make_edit(src, start, end, "".join(pieces)))
        group.clear()

    for edit in ordered:
        if edit.path != src.path:
            raise FixUnavailable("edits in another file")
        if group and edit.start > max(e.end for e in group):
            flush()
        group.append(edit)
    flush()
    return out


def remove_statement_edit(src: SourceText, tree: Any, target: Tuple[int, int]) -> Edit:
    """Remove the assignment statement whose one target is at `target` (its whole lines).

    Used to drop `msg["copilot_cache_control"] = ...` once the marker is placed elsewhere.
    The statement must stand on lines of its own (a trailing comment goes with it) and not
    be the only statement of its block, which would leave the block empty.
    """
    import ast

    found = None
    for node in ast.walk(tree):
        for field_name in ("body", "orelse", "finalbody"):
            body = getattr(node, field_name, None)
            if not isinstance(body, list):
                continue
            for stmt in body:
                if (
                    isinstance(stmt, ast.Assign)
                    and len(stmt.targets) == 1
                    and src.index.node_range(stmt.targets[0]) == target
                ):
                    found = (stmt, body)
    if found is None:
        raise FixUnavailable("no assignment statement with that target")
    stmt, body = found
    if len(body) < 2:
        raise FixUnavailable("the statement is alone in its block")
    start, end = src.index.node_range(stmt)
    first = src.index.location(start).row
    last = src.index.location(end).row
    line_start = src.index.line_start(first)
    if src.text[line_start:start].strip():
        raise FixUnavailable("another statement shares the first line")
    rest = src.text[end : src.index.line_start(last) + len(src.index.line_text(last))]
    if rest.strip() and not rest.strip().startswith("#"):
        raise FixUnavailable("another statement shares the last line")
    return make_edit(src, line_start, src.index.line_start(last + 1), "")
