"""What several request rules share: which requests reach Claude, sizes and prices, where to
report, and how to place a cache marker on a piece of a request safely.

Placing a marker is the one fix most rules need. It is only offered where the edit changes
exactly this request's caching markup and cannot break the code: a string is wrapped into a
one-block list only when the analysis knows it is a string; a dict display gets a new entry
only when it was written by the code that builds this request (or once, at import) and not
in a loop or a helper shared by other blocks.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, List, Optional, Sequence, Tuple

from cachelint.analysis.caching import (  # noqa: F401  (rules reach them through support)
    CLAUDE_PLATFORMS,
    CLAUDE_VIA_OPENAI_FORMAT,
    has_markers,
    is_claude_request,
    request_min_tokens,
    total_tokens,
)
from cachelint.analysis.request import Marker, Piece, PlatformAlt, Request
from cachelint.analysis.spans import Span
from cachelint.analysis.values import Str, atom_is_platform_related, satisfiable
from cachelint.analysis.valueops import isa_matches
from cachelint.diagnostics import Edit, Location, Reach
from cachelint.fix.edits import (
    FixUnavailable,
    add_call_keyword_edit,
    add_dict_entry_edit,
    make_edit,
    parse_snippet_expression,
    wrap_expression_edits,
)
from cachelint.syntax import parse_expression
from cachelint.tables import Tables

if TYPE_CHECKING:  # pragma: no cover
    from cachelint.context import FileContext

EPHEMERAL = '{"type": "ephemeral"}'
CACHE_POINT = '{"cachePoint": {"type": "default"}}'

def read_ratio(request: Request, tables: Tables) -> float:
    """Price of a cache read relative to plain input for the model (0.1 when not known)."""
    info = tables.model(request.model)
    if info is not None:
        base, read = info.price("input"), info.price("cache-read")
        if base and read is not None:
            return read / base
    return 0.1


def describe_platforms(request: Request, tables: Tables, names: Optional[Sequence[str]] = None) -> str:
    """`Vertex AI or Amazon Bedrock`: the request's platforms (or the given ones), by label."""
    names = [n for n in dict.fromkeys(request.platform_names if names is None else names) if n != "unknown"]
    if not names:
        return "an unknown platform"
    labels = [tables.platform_label(n) for n in names]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def reaches(alt: PlatformAlt, marker: Marker, request: Request) -> Optional[bool]:
    """Whether the marker is sent when the request goes to `alt`: True, False, or None
    when a condition that looks platform-related cannot be decided."""
    guard = alt.guard + request.path_guard + marker.guard
    if not satisfiable(guard):
        return False
    for atom in guard:
        if atom.op == "isa" and not isa_matches(alt.client, atom):
            return False
    undecided = [a for a in marker.guard + request.path_guard
                 if atom_is_platform_related(a) and a not in alt.guard and a.op != "isa"]
    return None if undecided else True


def describe_model(request: Request) -> str:
    """The model for messages; a configuration default says so, since the deployment may
    override it (the finding then holds for the default)."""
    if not request.model:
        return "a Claude model"
    if request.model_default:
        return f"{request.model} (the default of {request.model_default})"
    return request.model


# --- where to report --------------------------------------------------------------------------
def report_range(ctx: "FileContext", request: Request, preferred: Optional[Span] = None) -> Tuple[int, int, List[Tuple[int, int]]]:
    """(start, end, anchors) in the linted file.

    A finding sits on `preferred` (the dynamic hole, the system argument) when that is in
    the linted file and in the function that sends the request; otherwise on the call in
    the linted file that leads to the request. The call that sends the request is an
    anchor: a suppression comment on it covers findings about the request.
    """
    anchors: List[Tuple[int, int]] = []
    for span in (request.report_span, request.call_span):
        if span.path == ctx.path:
            anchors.append((span.start, span.end))
    if preferred is not None and preferred.path == ctx.path and len(request.chain) <= 1:
        return preferred.start, preferred.end, anchors
    span = request.report_span
    return span.start, span.end, anchors


def report(ctx: "FileContext", rule: Any, request: Request, preferred: Optional[Span], message: str, *,
           fix: Any = None, fix_title: Optional[str] = None, severity: Any = None) -> None:
    """Report a finding about `request` (placed by `report_range`), once per defect.

    The same request can be met several times in one file (a helper analysed on its own
    and again through each caller); the finding is kept where the call chain is shortest.
    """
    start, end, anchors = report_range(ctx, request, preferred)
    reason = unsure_reason(request)
    if fix is not None and reason is not None:
        fix = None
        fix_title = f"{fix_title or 'Fix by hand'} (no automatic fix: {reason})"
    sent_at, related = request_trail(ctx, request, start, end, preferred)
    defect = (rule.code, request.call_span, message, request.self_class)
    ctx.report(rule, start, end, message, fix=fix, fix_title=fix_title, severity=severity,
               related=related, anchor_ranges=anchors, defect=defect, rank=len(request.chain), sent_at=sent_at,
               reach=reach(request, preferred, related, message))


def reach(request: Request, part: Optional[Span], related: Sequence[Tuple[str, Location, str]], said: str) -> Reach:
    """The `Reach` of a finding about `part` of `request` (None: the whole of it), whose
    `request_trail` gave `related` (the calls in between are among them), saying `said`."""
    call = request.call_span
    about = (call.path, call.start, part.path, part.start) if part is not None else (call.path, call.start, "", -1)
    return about, tuple((path, loc.row, loc.column) for path, loc, note in related if note == THROUGH), said


#: the note of a related location that is a call on the way to the request
THROUGH = "through this call"


def request_trail(ctx: "FileContext", request: Request, start: int, end: int,
                  preferred: Optional[Span]) -> Tuple[str, List[Tuple[str, Location, str]]]:
    """Where a finding placed at `[start, end)` of the linted file finds its request, when
    that is not where the finding sits: (`sent_at`, `related`).

    A request reached through a call chain is reported at the chain's first call in the
    linted file (`report_range`): `main()` in a two-line `__main__.py` can carry a dozen
    findings about requests sent in other modules, each saying "this breakpoint" with no
    breakpoint in sight. `sent_at` names the SDK call (`line 40`, or `pkg/llm.py:40` in
    another file) for the message, which every output format shows (`FileContext.report`
    adds it, once for all the requests a finding is about); `related` lists the
    rest of the way for the formats that show locations (`full`, SARIF, the editor): each
    later call of the chain, the SDK call, and the part of the request the rule is about
    (`preferred`) when the finding could not sit on it. Both are empty when the finding
    sits on the SDK call or inside it, or in the function that makes it (a prompt built
    a line above the call needs no pointer to it)."""
    call = request.call_span
    if call.path == ctx.path and (len(request.chain) <= 1 or call.start < end and start < call.end):
        return "", []
    related: List[Tuple[str, Location, str]] = []
    for hop in request.chain[1:-1]:  # the chain ends with the SDK call itself
        _add_related(ctx, related, hop, THROUGH)
    _add_related(ctx, related, call, "the request is sent here")
    if preferred is not None and not (preferred.path == ctx.path and preferred.start == start):
        _add_related(ctx, related, preferred, "the part of the request this finding is about")
    if call.path == ctx.path:
        return _line_in_file(ctx, call.start), related
    return where(ctx, call), related


def _line_in_file(ctx: "FileContext", offset: int) -> str:
    """`line 40` of the linted file; `cell 2, line 3` in a notebook, as its user counts."""
    location = ctx.location(offset)
    notebook = getattr(ctx.source, "notebook", None)
    if notebook is not None:
        from cachelint.notebook import cell_location

        number, in_cell = cell_location(notebook, location)
        if number is not None:
            return f"cell {number}, line {in_cell.row}"
    return f"line {location.row}"


def _add_related(ctx: "FileContext", related: List[Tuple[str, Location, str]], span: Span, note: str) -> None:
    """Append `span` as a related location (none when its file cannot be read)."""
    if span.path == ctx.path:
        related.append((span.path, ctx.location(span.start), note))
        return
    src = ctx.load_source(span.path)
    if src is not None:
        related.append((span.path, src.index.location(span.start), note))


def unsure_reason(request: Request) -> Optional[str]:
    """Why the analysis is not sure enough of this request to rewrite code for it, or None.

    A finding may still be worth reading when part of the request is decided at run time,
    but an edit built on a guess can change a file that has no defect (a marker added
    next to one the code removes and re-adds itself). So such findings carry no fix.
    """
    if any(p.marker is not None and p.marker.trimmed for p in request.pieces):
        return "the code removes some cache markers at run time, so which ones reach the API is not known"
    if not request.receiver_known:
        return "the client's type is not known, the call was recognised by its method name"
    return None


def where(ctx: "FileContext", span: Optional[Span]) -> str:
    """`file:row` of a span, relative to the project root, for messages."""
    if span is None:
        return "?"
    src = ctx.load_source(span.path)
    if src is None:
        return project_relative(ctx, span.path)
    row = src.index.location(span.start).row
    return f"{project_relative(ctx, span.path)}:{row}"


def project_relative(ctx: "FileContext", path: str) -> str:
    """`path` relative to the project root with `/` separators (messages are the same on
    every machine and in the result cache), or as it is when outside the root."""
    root = os.path.realpath(str(ctx.settings.project_root))
    real = os.path.realpath(path)
    try:
        inside = os.path.commonpath([root, real]) == root
    except ValueError:  # another drive
        inside = False
    return os.path.relpath(real, root).replace(os.sep, "/") if inside else path


# --- placing markers --------------------------------------------------------------------------
def literal_editable(request: Request, piece: Piece, private: bool = False) -> bool:
    """The piece's dict display may receive a new key for this request only.

    `private`: the caller checked that the helper writing the display is used once in the
    project (`private_helper`), so a display of a helper's frame qualifies too."""
    literal = piece.container
    if literal is None or literal.in_loop or piece.many:
        return False
    if not (literal.module_level or literal.frame in request.frame_tokens or private):
        return False
    sharing = [p for p in request.pieces if p.container is not None and p.container.span == literal.span]
    return len(sharing) == 1


def wrappable(piece: Piece, allow_param: bool = False) -> bool:
    """The piece is a string placed by one expression that can become a block list."""
    if not piece.string_content or piece.many or piece.span is None or not isinstance(piece.value, Str):
        return False
    return allow_param or not piece.via_param


def marker_edits(ctx: "FileContext", request: Request, piece: Piece, marker_src: str = EPHEMERAL,
                 allow_param: bool = False, key: str = "cache_control", text_type: str = "text",
                 private: bool = False) -> Optional[List[Edit]]:
    """Edits that give `piece` a breakpoint with value `marker_src`, or None if not safe.

    `key` is the breakpoint's field (`cache_control`, or OpenAI's `prompt_cache_breakpoint`)
    and `text_type` the type of the text block a string becomes (`input_text` in OpenAI's
    Responses API)."""
    existing = piece.openai_breakpoint if key == "prompt_cache_breakpoint" else piece.marker
    if existing is not None:
        return None  # a block has one marker; a second key would replace it
    try:
        if request.fmt == "converse":
            return _cache_point_after(ctx, piece)
        if wrappable(piece, allow_param):
            assert piece.span is not None
            src = ctx.load_source(piece.span.path)
            if src is None:
                return None
            return wrap_expression_edits(
                src, piece.span.start, piece.span.end, f'[{{"type": "{text_type}", "text": ', f', "{key}": {marker_src}}}]'
            )
        if piece.container is not None and literal_editable(request, piece, private) and not piece.string_content:
            span = piece.container.span
            src = ctx.load_source(span.path)
            if src is None:
                return None
            if piece.container.kind == "dict":
                edit = add_dict_entry_edit(src, span.start, span.end, f'"{key}"', marker_src)
            elif piece.container.kind == "dict-call":
                edit = add_call_keyword_edit(src, span.start, span.end, key, marker_src)
            else:
                return None
            return [edit] if edit is not None else None
    except FixUnavailable:
        return None
    return None


def _cache_point_after(ctx: "FileContext", piece: Piece) -> Optional[List[Edit]]:
    """Converse: a separate `{"cachePoint": ...}` block right after the piece's element (in
    its list display, or appended by a statement of its own after `lst.append(block)`)."""
    if piece.many:
        return None
    if piece.list_span is not None:
        src = ctx.load_source(piece.list_span.path)
        if src is None:
            return None
        parse_snippet_expression(src, piece.list_span.start, piece.list_span.end)
        return [make_edit(src, piece.list_span.end, piece.list_span.end, ", " + CACHE_POINT)]
    if piece.append_site is not None:
        return _append_after(ctx, piece.append_site, CACHE_POINT)
    return None


def _append_after(ctx: "FileContext", site: Span, element: str) -> Optional[List[Edit]]:
    """After the statement `lst.append(x)` at `site`, add `lst.append(<element>)`."""
    import ast

    src = ctx.load_source(site.path)
    if src is None:
        return None
    call_text = src.text[site.start:site.end]
    try:
        call = parse_expression(call_text)
    except SyntaxError:
        return None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "append"):
        return None
    start_loc = src.index.location(site.start)
    line = src.index.line_text(start_loc.row)
    end_loc = src.index.location(site.end)
    indent = line[: len(line) - len(line.lstrip())]
    # the call must be the whole statement, alone on its line(s)
    if line.strip() != call_text.splitlines()[0].strip() or src.index.line_text(end_loc.row).rstrip() != src.text[src.index.line_start(end_loc.row):site.end].rstrip():
        return None
    receiver = ast.unparse(call.func.value)
    newline = src.source.newline
    return [make_edit(src, site.end, site.end, f"{newline}{indent}{receiver}.append({element})")]


def module_tree(ctx: "FileContext", path: str) -> Optional[Any]:
    """The stdlib syntax tree of a project file (the linted one's is at hand)."""

    if path == ctx.path:
        return ctx.tree
    src = ctx.load_source(path)
    if src is None:
        return None
    from cachelint.syntax import parse_module

    return parse_module(src.text, path).tree  # any Python's syntax, whatever runs cachelint


def enclosing_function(ctx: "FileContext", span: Span) -> Optional[Any]:
    """The innermost `def` whose body holds `span`, or None (module level)."""
    import ast

    tree = module_tree(ctx, span.path)
    src = ctx.load_source(span.path)
    if tree is None or src is None:
        return None
    best = None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start, end = src.index.node_range(node)
            if start <= span.start and span.end <= end and (best is None or start >= best[0]):
                best = (start, node)
    return best[1] if best is not None else None


def same_function(ctx: "FileContext", a: Span, b: Span) -> bool:
    """Both spans are in the body of one `def` (the dict and the statement that marks it)."""
    if a.path != b.path:
        return False
    fa, fb = enclosing_function(ctx, a), enclosing_function(ctx, b)
    return fa is not None and fb is not None and (fa.lineno, fa.col_offset) == (fb.lineno, fb.col_offset)


def private_helper(ctx: "FileContext", span: Span) -> bool:
    """`span` is in a function the project uses in exactly one place (one call site, no
    other reference by name anywhere, tests included): editing it changes what that one
    call builds and nothing else."""
    func = enclosing_function(ctx, span)
    if func is None:
        return False
    return len(ctx.name_uses(func.name)) == 1


def marker_source(ctx: "FileContext", marker: Marker) -> Optional[str]:
    """The source text of an existing marker's value (to move it elsewhere unchanged)."""
    if marker.span is None:
        return None
    src = ctx.load_source(marker.span.path)
    if src is None:
        return None
    text = src.text[marker.span.start : marker.span.end]
    if "\n" in text or "\r" in text:
        return None
    return text


def last_markable(ctx: "FileContext", request: Request, pieces: Sequence[Piece], marker_src: str = EPHEMERAL,
                  allow_param: bool = False, private: Optional[Span] = None) -> Tuple[Optional[Piece], Optional[List[Edit]]]:
    """The last block of `pieces` and the edits that mark it, or (None, None).

    Only the real last block qualifies: if it is one of a run the analysis cannot
    enumerate, or cannot be edited safely, there is no fix (marking an earlier block would
    silently cache less than asked).
    """
    for piece in reversed(list(pieces)):
        if piece.block_type in ("thinking", "redacted_thinking") or piece.empty_text:
            continue
        if piece.many:
            return None, None
        # `private`: a display in a helper used once (see `private_helper`) whose blocks may
        # be edited when they are written in that same helper
        helper = private is not None and piece.container is not None \
            and piece.container.frame not in request.frame_tokens and same_function(ctx, piece.container.span, private)
        edits = marker_edits(ctx, request, piece, marker_src, allow_param, private=helper)
        return (piece, edits) if edits else (None, None)
    return None, None


def conversation_continues(request: Request) -> bool:
    """Whether a later call resends this request's messages (so a marker on the latest
    message is read by the next turn): an agent loop appending to them, or a history
    passed in by the caller."""
    if request.loop is not None and request.history_appends:
        return True
    return any(p.section == "messages" and (p.many or p.may_mark) for p in request.pieces)


# --- values passed in by callers ------------------------------------------------------------
_STR_METHODS = {"format", "strip", "lstrip", "rstrip", "replace", "join", "lower", "upper", "format_map", "removeprefix",
                "removesuffix", "read_text"}


def _string_expr(ctx: "FileContext", path: str, tree: Any, node: Any, depth: int = 0) -> bool:
    """`node` (in the module at `path`) certainly evaluates to a `str`: a literal, an
    f-string, `+`/`*`/`%` of strings, a str method or `textwrap.dedent` of one, or a
    module-level name (of that module, or imported from a project module) bound once to such."""
    import ast

    if depth > 4:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Add):
            return _string_expr(ctx, path, tree, node.left, depth + 1) and _string_expr(ctx, path, tree, node.right, depth + 1)
        if isinstance(node.op, (ast.Mult, ast.Mod)):
            return _string_expr(ctx, path, tree, node.left, depth + 1)
        return False
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _STR_METHODS:
            if func.attr == "join":
                return isinstance(func.value, ast.Constant) and isinstance(func.value.value, str)
            return _string_expr(ctx, path, tree, func.value, depth + 1)
        if isinstance(func, ast.Attribute) and func.attr == "dedent" and node.args:
            return _string_expr(ctx, path, tree, node.args[0], depth + 1)
        if isinstance(func, ast.Name) and func.id == "str":
            return True
        return False
    if isinstance(node, ast.Name):
        return _module_name_is_string(ctx, path, tree, node.id, depth + 1)
    return False


def _module_name_is_string(ctx: "FileContext", path: str, tree: Any, name: str, depth: int) -> bool:
    import ast

    if tree is None:
        return False
    bound = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
                bound.append(stmt.value)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == name and stmt.value:
            bound.append(stmt.value)
        elif isinstance(stmt, ast.ImportFrom) and stmt.module is not None:
            for alias in stmt.names:
                if (alias.asname or alias.name) == name:
                    return _imported_is_string(ctx, path, stmt, alias.name, depth)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and stmt.name == name:
            return False
    if len(bound) != 1:
        return False
    # rebound anywhere else in the module (`global NAME`, a loop): not a constant
    writes = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)]
    return len(writes) == 1 and _string_expr(ctx, path, tree, bound[0], depth)


def _imported_is_string(ctx: "FileContext", path: str, stmt: Any, name: str, depth: int) -> bool:
    import os

    module = stmt.module or ""
    base = os.path.dirname(path)
    for _ in range(max(stmt.level - 1, 0)):
        base = os.path.dirname(base)
    roots = [base] if stmt.level else [base, str(ctx.settings.project_root)]
    for root in roots:
        for candidate in (os.path.join(root, *module.split(".")) + ".py",
                          os.path.join(root, *module.split("."), "__init__.py")):
            if ctx.load_source(candidate) is not None:
                tree = module_tree(ctx, candidate)
                return _module_name_is_string(ctx, candidate, tree, name, depth)
    return False


def callers_pass_strings(ctx: "FileContext", span: Span) -> Optional[str]:
    """None when the name at `span` is a parameter of its function, never rebound there,
    and every use of that function in the project is a call passing a string for it;
    otherwise why not (for the help line of a finding left without a fix)."""
    import ast

    func = enclosing_function(ctx, span)
    src = ctx.load_source(span.path)
    if func is None or src is None:
        return "the prompt is not a parameter of a function"
    name = src.text[span.start:span.end]
    params = [a.arg for a in func.args.posonlyargs + func.args.args]
    kwonly = [a.arg for a in func.args.kwonlyargs]
    if name not in params + kwonly:
        return "the prompt is built from a parameter inside the wrapper"
    rebound = [n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)]
    if rebound:
        return f"the wrapper `{func.name}` reassigns `{name}`"
    uses = ctx.name_uses(func.name)
    if not uses:
        return f"no caller of `{func.name}` was found in the project"
    method = bool(params) and params[0] in ("self", "cls")
    defaults = dict(zip(params[len(params) - len(func.args.defaults):], func.args.defaults))
    defaults.update({a.arg: d for a, d in zip(func.args.kwonlyargs, func.args.kw_defaults) if d is not None})
    for path, offset in uses:
        where = ctx.load_source(path)
        tree = module_tree(ctx, path)
        if where is None or tree is None:
            return f"a caller of `{func.name}` cannot be read"
        call = None
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                target = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
                if target != func.name:
                    continue
                start = where.index.node_range(node.func)[1] - len(func.name)
                if start == offset:
                    call = node
                    break
        row = where.index.location(offset).row
        rel = where_label(ctx, path, row)
        if call is None:
            return f"`{func.name}` is used other than by a call ({rel})"
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return f"a caller passes `*args`/`**kwargs` to `{func.name}` ({rel})"
        shift = 1 if method and isinstance(call.func, ast.Attribute) else 0
        arg = next((k.value for k in call.keywords if k.arg == name), None)
        if arg is None and name in params:
            index = params.index(name) - shift
            if 0 <= index < len(call.args):
                arg = call.args[index]
        if arg is None:
            default = defaults.get(name)
            if default is None or not _string_expr(ctx, func_path(span), module_tree(ctx, span.path), default):
                return f"a caller of `{func.name}` leaves `{name}` to its default ({rel})"
            continue
        if not _string_expr(ctx, path, tree, arg):
            return f"a caller of `{func.name}` passes `{name}` a value that may not be a string ({rel})"
    return None


def func_path(span: Span) -> str:
    return span.path


def where_label(ctx: "FileContext", path: str, row: int) -> str:
    return f"{project_relative(ctx, path)}:{row}"
