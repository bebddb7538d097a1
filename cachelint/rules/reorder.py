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
from cachelint.syntax import parse_expression

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
        tree = parse_expression(text)
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
        whole = parse_expression(src.text[spans[0][0]:spans[-1][1]])
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


def move_list_element_last(src: SourceText, list_start: int, list_end: int, element: Tuple[int, int], after_count: int,
                           insert_before_moved: Optional[str] = None, mark_last_static: Optional[Tuple[str, str]] = None) -> Optional[Edit]:
    """Move the element at `element` (absolute span) to after the next `after_count` elements.

    `insert_before_moved` is an element's source put between them and the moved element (a
    Converse `cachePoint` block); `mark_last_static` a `(key, value)` source pair added to the
    dict display of the last element moved past (a `cache_control` breakpoint)."""
    cst = _cst()
    try:
        node = parse_snippet_expression(src, list_start, list_end)
    except FixUnavailable:
        return None
    if not isinstance(node, cst.List):
        return None
    text = src.text[list_start:list_end]
    try:
        tree = parse_expression(text)
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
    if mark_last_static is not None:
        from cachelint.fix.edits import append_element, dict_element

        last = values[index + after_count - 1]
        if not isinstance(last, cst.Dict):
            return None
        values[index + after_count - 1] = append_element(last, dict_element(*mark_last_static))
    values.insert(index + after_count, moved)
    new_elements = [e.with_changes(value=v) for e, v in zip(elements, values)]
    if insert_before_moved is not None:
        at = index + after_count
        template = new_elements[at - 1]
        extra = template.with_changes(value=cst.parse_expression(insert_before_moved))
        if isinstance(template.comma, cst.MaybeSentinel):
            extra = extra.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        new_elements.insert(at, extra)
    return minimal_edit(src, list_start, list_end, render_expression(src, node.with_changes(elements=new_elements)))


def _abs(src: SourceText, base: int, text: str, node: ast.expr) -> Tuple[int, int]:
    start = base + _offset(text, node.lineno, node.col_offset)
    end = base + _offset(text, node.end_lineno or node.lineno, node.end_col_offset or node.col_offset)
    return start, end


def _short_literal(source: str) -> bool:
    """A short plain string literal (a label or punctuation next to a dynamic value)."""
    try:
        node = parse_expression(source)
    except SyntaxError:
        return False
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) <= 80 and "\n" not in node.value


def _line_end_literal(source: str) -> bool:
    """A short literal that ends the dynamic value's line: `"\\n"`, `".\\n"`."""
    try:
        node = parse_expression(source)
    except SyntaxError:
        return False
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    text = node.value
    return 0 < len(text) <= 80 and text.endswith("\n") and "\n" not in text[:-1]


# --- templates: `"...".format(...)`, `TEMPLATE.format(...)`, `"..." % x` ---------------------------
@dataclass
class TemplateSplit:
    """A template call cut in two: `edits` make the call build the static text only;
    `dynamic` is the source of an expression for the line that held the per-call field."""

    edits: List[Edit]
    dynamic: str
    #: the static template's source after the edit (for in-place literals), for messages
    static: Optional[str] = None


def _template_lines(text: str, field_at: int) -> Optional[Tuple[str, str]]:
    """(template without the line holding offset `field_at`, that line): the line's own
    newline and the blank lines after it go with it. None when the line is the last one
    (nothing static follows) or the text has no line break."""
    start = text.rfind("\n", 0, field_at) + 1
    end = text.find("\n", field_at)
    if end < 0:
        return None
    after = end
    while after < len(text) and text[after] == "\n":
        after += 1
    if after >= len(text):
        return None
    line = text[start:end]
    return text[:start] + text[after:], line


def _format_fields(template: str) -> Optional[List[Tuple[int, str]]]:
    """(offset, field name) of each `{field}` of a `str.format` template; None when a field
    is positional (`{}`, `{0}`) or the template does not parse."""
    import string

    out: List[Tuple[int, str]] = []
    offset = 0
    try:
        for literal, name, spec, conv in string.Formatter().parse(template):
            offset += len(literal.replace("{", "{{").replace("}", "}}"))
            if name is None:
                continue
            base = re.split(r"[.\[]", name, 1)[0]
            if not base or base.isdigit() or spec and "{" in spec:
                return None
            out.append((offset, base))
            offset += len(name) + 2 + (len(spec) + 1 if spec else 0) + (2 if conv else 0)
    except ValueError:
        return None
    return out


def _fields(template: str) -> Optional[List[str]]:
    found = _format_fields(template)
    return None if found is None else [name for _, name in found]


def _simple(node: ast.expr) -> bool:
    """An expression cheap and safe to evaluate twice (a name, a constant, attributes)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, (ast.Name, ast.Constant))


def split_format_call(src: SourceText, start: int, end: int, hole: Tuple[int, int],
                      constant_text: Optional[str] = None) -> Optional[Tuple[ast.Call, str, str, List[ast.keyword], List[ast.keyword]]]:
    """Cut `TEMPLATE.format(k=v, ...)` at `[start, end)` around the line of the field whose
    argument is at `hole`. Returns (call, static template, dynamic line, keywords the static
    part needs, keywords the line needs), or None. `constant_text` is the template's text
    when the call's receiver is a name (a constant); otherwise it must be a string literal."""
    text = src.text[start:end]
    try:
        call = parse_expression(text)
    except SyntaxError:
        return None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "format"):
        return None
    if call.args or any(k.arg is None for k in call.keywords):
        return None
    receiver = call.func.value
    if isinstance(receiver, ast.Constant) and isinstance(receiver.value, str):
        template = receiver.value
    elif isinstance(receiver, ast.Name) and constant_text is not None:
        template = constant_text
    else:
        return None
    keyword = next((k for k in call.keywords if _abs(src, start, text, k.value) == hole), None)
    if keyword is None:
        return None
    positions = _format_fields(template)
    if positions is None:
        return None
    at = next((offset for offset, name in positions if name == keyword.arg), None)
    if at is None:
        return None
    cut = _template_lines(template, at)
    if cut is None:
        return None
    static, line = cut
    static_fields, line_fields = set(_fields(static) or []), set(_fields(line) or [])
    by_name = {k.arg: k for k in call.keywords}
    if not (static_fields | line_fields) <= set(by_name):
        return None
    for name in static_fields & line_fields:
        if not _simple(by_name[name].value):
            return None  # would be evaluated twice
    static_kw = [k for k in call.keywords if k.arg in static_fields]
    line_kw = [k for k in call.keywords if k.arg in line_fields]
    return call, static, line, static_kw, line_kw


def _call_source(src: SourceText, start: int, text: str, template_src: str, keywords: List[ast.keyword]) -> str:
    if not keywords:
        return template_src
    args = ", ".join(f"{k.arg}={ast.get_source_segment(text, k.value)}" for k in keywords)
    return f"{template_src}.format({args})"


def _literal(value: str, like: str = '"') -> str:
    """A one-line string literal for `value` (the braces of a format template kept)."""
    from cachelint.fix.edits import string_literal

    return string_literal(value, like)


def split_template_in_place(src: SourceText, start: int, end: int, hole: Tuple[int, int]) -> Optional[Tuple[str, str]]:
    """`"Today is {d}.\\n{rules}".format(d=..., rules=...)` written in place: sources of the
    static text and of the dynamic line, each formatting only its own fields."""
    found = split_format_call(src, start, end, hole)
    if found is None:
        return None
    call, static, line, static_kw, line_kw = found
    text = src.text[start:end]
    receiver = call.func.value  # type: ignore[attr-defined]
    if "\n" in (ast.get_source_segment(text, receiver) or "\n"):
        return None  # an implicit concatenation over several lines: left as written
    static_src = _call_source(src, start, text, _literal(static) if static_kw else _literal(_unbrace(static)), static_kw)
    line_src = _call_source(src, start, text, _literal(line) if line_kw else _literal(_unbrace(line)), line_kw)
    return static_src, line_src


def move_template_line_in_place(src: SourceText, start: int, end: int, hole: Tuple[int, int]) -> Optional[Edit]:
    """Automatic caching: the line with the per-call field moves to the end of the template."""
    found = split_format_call(src, start, end, hole)
    if found is None:
        return None
    call, static, line, _, _ = found
    text = src.text[start:end]
    receiver = call.func.value  # type: ignore[attr-defined]
    if not isinstance(receiver, ast.Constant):
        return None
    rseg = ast.get_source_segment(text, receiver) or ""
    if "\n" in rseg:
        return None
    sep = "" if static.endswith("\n") else "\n"
    new_receiver = _literal(static + sep + line)
    r0 = start + _offset(text, receiver.lineno, receiver.col_offset)
    r1 = start + _offset(text, receiver.end_lineno or receiver.lineno, receiver.end_col_offset or 0)
    return minimal_edit(src, r0, r1, new_receiver)


def _unbrace(template: str) -> str:
    return template.replace("{{", "{").replace("}}", "}")


def leading_line_edit(src: SourceText, start: int, end: int, line: str) -> Optional[Edit]:
    """The constant's expression at `[start, end)` without its first `line` and the line
    breaks after it, edited in its leftmost string literal (the rest of the expression,
    `+`, `*`, implicit concatenation, keeps its layout)."""
    # in parentheses: the expression may continue on indented lines
    text = "(" + src.text[start:end] + ")"
    try:
        tree = parse_expression(text)
    except SyntaxError:
        return None
    start -= 1  # offsets below are into `text`, one character longer in front
    node = tree
    parent: Optional[ast.BinOp] = None
    while isinstance(node, ast.BinOp):
        parent, node = node, node.left
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return None
    seg = ast.get_source_segment(text, node) or ""
    # the leftmost literal token of an implicit concatenation
    import io
    import tokenize

    try:
        # in parentheses: the literals of an implicit concatenation may sit on indented lines
        tokens = [t for t in tokenize.generate_tokens(io.StringIO("(" + seg + ")").readline) if t.type == tokenize.STRING]
    except (tokenize.TokenError, SyntaxError):
        return None
    if not tokens:
        return None
    first = tokens[0]
    try:
        value = ast.literal_eval(first.string)
    except (ValueError, SyntaxError):
        return None
    if not isinstance(value, str) or not value.startswith(line + "\n") or first.start[0] != 1:
        return None
    rest = value[len(line):].lstrip("\n")
    prefix = re.match(r"[a-zA-Z]*", first.string).group(0)  # type: ignore[union-attr]
    if any(c in prefix.lower() for c in "rbf"):
        return None
    quote = first.string[len(prefix):][:3] if first.string[len(prefix):][:3] in ('"""', "'''") else first.string[len(prefix)]
    node_start = start + _offset(text, node.lineno, node.col_offset)
    tok_end = node_start + len(first.string)
    if not rest and len(tokens) == 1 and parent is not None and isinstance(parent.op, ast.Add):
        # `"line\n" + REST`: the `+` goes with the literal
        right = start + _offset(text, parent.right.lineno, parent.right.col_offset)
        return minimal_edit(src, node_start, right, "")
    if not rest and len(tokens) > 1:
        # drop the token and the whitespace up to the next one
        nxt = seg.find(tokens[1].string, len(first.string))
        if nxt < 0:
            return None
        return minimal_edit(src, node_start, node_start + nxt, "")
    from cachelint.fix.edits import string_literal

    return minimal_edit(src, node_start, tok_end, string_literal(rest, quote, prefix))


def constant_text(node: ast.expr) -> Optional[str]:
    """The text of a string constant's expression: literals, implicit concatenation, `+`,
    and `*` by an integer (`"..." * 70`). None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Add):
            left, right = constant_text(node.left), constant_text(node.right)
            return left + right if left is not None and right is not None else None
        if isinstance(node.op, ast.Mult):
            for text_node, count_node in ((node.left, node.right), (node.right, node.left)):
                text = constant_text(text_node)
                if text is not None and isinstance(count_node, ast.Constant) and type(count_node.value) is int \
                        and 0 <= count_node.value <= 10_000:
                    return text * count_node.value
    return None


def format_call_sources(src: SourceText, start: int, end: int, hole: Tuple[int, int], template: str,
                        receiver_src: str) -> Optional[Tuple[str, str, str]]:
    """For `NAME.format(...)` at `[start, end)` whose template text is `template`: (the dynamic
    line as it stands in the template, the call that builds the static text, an expression
    for the line)."""
    found = split_format_call(src, start, end, hole, constant_text=template)
    if found is None:
        return None
    _, static, line, static_kw, line_kw = found
    if not template.startswith(line + "\n"):
        return None  # only a leading line is cut out of a constant
    text = src.text[start:end]
    static_call = f"{receiver_src}.format({', '.join(f'{k.arg}={ast.get_source_segment(text, k.value)}' for k in static_kw)})"
    line_src = _call_source(src, start, text, _literal(line) if line_kw else _literal(_unbrace(line)), line_kw)
    return line, static_call, line_src


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])")


def split_percent_in_place(src: SourceText, start: int, end: int, hole: Tuple[int, int],
                           move_to_end: bool = False) -> Optional[Tuple[str, str]]:
    """`"User: %s\\n\\n%s" % (name, RULES)` written in place: sources of the static text and
    of the line holding the per-call argument, each formatted with its own arguments."""
    text = src.text[start:end]
    try:
        node = parse_expression(text)
    except SyntaxError:
        return None
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod)
            and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)):
        return None
    if "\n" in (ast.get_source_segment(text, node.left) or "\n"):
        return None
    template = node.left.value
    args = list(node.right.elts) if isinstance(node.right, ast.Tuple) else [node.right]
    if any(isinstance(a, ast.Starred) for a in args) or isinstance(node.right, ast.Dict):
        return None
    specs = [m for m in _PERCENT_SPEC.finditer(template) if m.group(1) != "%"]
    if len(specs) != len(args) or any("(" in m.group(0) or "*" in m.group(0) for m in specs):
        return None
    index = next((i for i, a in enumerate(args) if _abs(src, start, text, a) == hole), None)
    if index is None:
        return None
    cut = _template_lines(template, specs[index].start())
    if cut is None:
        return None
    static, line = cut
    line_start = template.rfind("\n", 0, specs[index].start()) + 1
    line_end = line_start + len(line)
    in_line = [i for i, m in enumerate(specs) if line_start <= m.start() < line_end]
    rest = [i for i in range(len(specs)) if i not in in_line]

    def render(tpl: str, which: List[int]) -> str:
        if not which:
            return _literal(tpl.replace("%%", "%"))
        parts = [ast.get_source_segment(text, args[i]) or "" for i in which]
        return f"{_literal(tpl)} % ({parts[0]},)" if len(parts) == 1 else f"{_literal(tpl)} % ({', '.join(parts)})"

    if move_to_end:
        sep = "" if static.endswith("\n") else "\n"
        return render(static + sep + line, rest + in_line), ""
    return render(static, rest), render(line, in_line)


def move_percent_line_in_place(src: SourceText, start: int, end: int, hole: Tuple[int, int]) -> Optional[Edit]:
    """Automatic caching: the `%` template's line with the per-call argument moves last."""
    found = split_percent_in_place(src, start, end, hole, move_to_end=True)
    return minimal_edit(src, start, end, found[0]) if found is not None else None
