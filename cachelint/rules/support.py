"""What several request rules share: which requests reach Claude, sizes and prices, where to
report, and how to place a cache marker on a piece of a request safely.

Placing a marker is the one fix most rules need. It is only offered where the edit changes
exactly this request's caching markup and cannot break the code: a string is wrapped into a
one-block list only when the analysis knows it is a string; a dict display gets a new entry
only when it was written by the code that builds this request (or once, at import) and not
in a loop or a helper shared by other blocks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, List, Optional, Sequence, Tuple

from cachelint.analysis.request import Marker, Piece, PlatformAlt, Request
from cachelint.analysis.spans import Span
from cachelint.analysis.values import Str, atom_is_platform_related, satisfiable
from cachelint.analysis.valueops import isa_matches
from cachelint.diagnostics import Edit
from cachelint.fixes import (
    FixUnavailable,
    add_call_keyword_edit,
    add_dict_entry_edit,
    make_edit,
    parse_snippet_expression,
    wrap_expression_edits,
)
from cachelint.tables import MinTokens, Tables, is_claude_model

if TYPE_CHECKING:  # pragma: no cover
    from cachelint.context import FileContext

EPHEMERAL = '{"type": "ephemeral"}'
CACHE_POINT = '{"cachePoint": {"type": "default"}}'

#: Platforms where a request in Anthropic's format reaches Claude.
CLAUDE_PLATFORMS = {"anthropic", "aws", "bedrock", "bedrock-mantle", "vertex", "google-cloud", "foundry"}
#: Platforms where an OpenAI-format request to a Claude model honours `cache_control` parts.
CLAUDE_VIA_OPENAI_FORMAT = CLAUDE_PLATFORMS | {"openrouter"}


def is_claude_request(request: Request) -> bool:
    """A request that certainly reaches a Claude model through a caching-capable path.

    Token counting (`messages.count_tokens`) reads and writes no cache, so it is not one.
    """
    if "count_tokens" in request.api:
        return False
    names = set(request.platform_names)
    if request.fmt == "anthropic":
        return not names or names <= CLAUDE_PLATFORMS | {"unknown", "gateway"}
    if request.fmt == "openai-chat":
        return bool(request.model) and is_claude_model(request.model or "") and bool(names) and names <= CLAUDE_VIA_OPENAI_FORMAT
    if request.fmt == "converse":
        return bool(request.model) and is_claude_model(request.model or "")
    return False


def request_min_tokens(request: Request, tables: Tables) -> MinTokens:
    """The minimum cacheable prefix over every platform the request may go to."""
    names = [p.name for p in request.platforms] or [None]
    values = [tables.min_tokens(request.model, name) for name in names]
    return MinTokens(min(v.low for v in values), max(v.high for v in values))


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
    defect = (rule.code, request.call_span, message, request.self_class)
    ctx.report(rule, start, end, message, fix=fix, fix_title=fix_title, severity=severity,
               anchor_ranges=anchors, defect=defect, rank=len(request.chain))


def where(ctx: "FileContext", span: Optional[Span]) -> str:
    """`file:row` of a span, relative to the project root, for messages."""
    if span is None:
        return "?"
    src = ctx.load_source(span.path)
    if src is None:
        return span.path
    row = src.index.location(span.start).row
    root = str(ctx.settings.project_root)
    rel = span.path[len(root) + 1 :] if span.path.startswith(root + "/") else span.path
    return f"{rel}:{row}"


# --- placing markers --------------------------------------------------------------------------
def literal_editable(request: Request, piece: Piece) -> bool:
    """The piece's dict display may receive a new key for this request only."""
    literal = piece.container
    if literal is None or literal.in_loop or piece.many:
        return False
    if not (literal.module_level or literal.frame in request.frame_tokens):
        return False
    sharing = [p for p in request.pieces if p.container is not None and p.container.span == literal.span]
    return len(sharing) == 1


def wrappable(piece: Piece, allow_param: bool = False) -> bool:
    """The piece is a string placed by one expression that can become a block list."""
    if not piece.string_content or piece.many or piece.span is None or not isinstance(piece.value, Str):
        return False
    return allow_param or not piece.via_param


def marker_edits(ctx: "FileContext", request: Request, piece: Piece, marker_src: str = EPHEMERAL,
                 allow_param: bool = False, key: str = "cache_control", text_type: str = "text") -> Optional[List[Edit]]:
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
        if piece.container is not None and literal_editable(request, piece) and not piece.string_content:
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
        call = ast.parse(call_text, mode="eval").body
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
                  allow_param: bool = False) -> Tuple[Optional[Piece], Optional[List[Edit]]]:
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
        edits = marker_edits(ctx, request, piece, marker_src, allow_param)
        return (piece, edits) if edits else (None, None)
    return None, None


def conversation_continues(request: Request) -> bool:
    """Whether a later call resends this request's messages (so a marker on the latest
    message is read by the next turn): an agent loop appending to them, or a history
    passed in by the caller."""
    if request.loop is not None and request.history_appends:
        return True
    return any(p.section == "messages" and (p.many or p.may_mark) for p in request.pieces)


def total_tokens(pieces: Iterable[Piece]) -> Optional[int]:
    total = 0
    for piece in pieces:
        if piece.tokens is None:
            return None
        total += piece.tokens
    return total


def has_markers(request: Request) -> bool:
    """Any breakpoint the code places, even conditionally, or may place unseen."""
    if request.top_level is not None or request.hidden_markers:
        return True
    if "cache_control_injection_points" in request.extras:
        return True
    return any(p.marker is not None or p.may_mark for p in request.pieces)
