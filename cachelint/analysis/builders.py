"""Turning the arguments of an SDK call into a `Request`, one body format at a time.

Each provider spells the same things differently: Anthropic has `system` and content
blocks with `cache_control`; OpenAI-style bodies carry the system prompt as the first
message and put markers on content parts; Bedrock Converse uses separate `cachePoint`
blocks; Gemini has `system_instruction`. The builders map all of them onto one list of
pieces in prefix order (tools, system, messages) with their markers.
"""

from __future__ import annotations

import ast
import json
import re
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from cachelint.analysis import sdk
from cachelint.analysis.request import MARKER_FIELDS, Marker, Piece, PlatformAlt, Request, RequestFormat
from cachelint.analysis.spans import Span
from cachelint.analysis.tokens import estimate_tokens
from cachelint.analysis.valueops import has_marker
from cachelint.tables import is_claude_model
from cachelint.analysis.values import (
    TRUE,
    ClientAlt,
    Const,
    DefaultV,
    DictV,
    Entry,
    Guard,
    Item,
    Kind,
    ListV,
    Str,
    UnionV,
    Unknown,
    Value,
    atom_is_platform_related,
    join_strings,
    options_of,
    satisfiable,
)

if TYPE_CHECKING:  # pragma: no cover
    from cachelint.analysis.frames import Frame, LoopCtx


class _Ctx:
    """Per-item context while walking a list: whether it repeats or is conditional."""

    def __init__(self, many: bool = False, cond: bool = False, bound: Optional[int] = None, loop: Optional[Span] = None,
                 guard: Guard = TRUE) -> None:
        self.many = many
        self.cond = cond
        self.bound = bound
        self.loop = loop
        #: conditions under which the item itself exists
        self.guard = guard
        #: why the items are chosen (or ordered) per call, and where (see `Item.chosen`)
        self.chosen = ""
        self.chosen_span: Optional[Span] = None

    def inner(self, item: Item, path: Guard = TRUE) -> "_Ctx":
        """The context of one item; an item is conditional only relative to the call's path."""
        cond = item.cond and _conditional(item.guard, path)
        ctx = _Ctx(self.many or item.many, self.cond or cond, item.bound if item.many else self.bound, item.loop or self.loop,
                   self.guard + tuple(a for a in item.guard if a not in self.guard))
        ctx.chosen, ctx.chosen_span = (item.chosen, item.chosen_span) if item.chosen else (self.chosen, self.chosen_span)
        return ctx

    def per_call(self, pieces: List[Piece], start: int) -> None:
        """Pieces made from elements chosen per call are per call, whatever their text."""
        if not self.chosen:
            return
        for k in range(start, len(pieces)):
            if pieces[k].kind != Kind.DYNAMIC:
                pieces[k] = _replace(pieces[k], kind=Kind.DYNAMIC, label=self.chosen, span=self.chosen_span or pieces[k].span)


NO_CTX = _Ctx()


class RequestBuilder:
    def __init__(self, loops: Dict[Span, "LoopCtx"]) -> None:
        #: the interpreter's loops by span (what a marker written in a loop refers to); not
        #: the interpreter itself, which holds this builder: that cycle kept every file's
        #: whole analysis alive until a full run of the cyclic garbage collector
        self.loops = loops
        #: conditions on the path to the call being built (markers are conditional only
        #: relative to them: a marker written after `if done: return` is not optional for a
        #: call that is reached only when `done` is false)
        self._path_guard: Guard = TRUE

    # --- entry ------------------------------------------------------------------------------------
    def build(self, method: sdk.Method, alts: List[ClientAlt], args: List[Value], kwargs: DictV, node: ast.Call,
              frame: "Frame", span: Span, receiver_known: bool) -> List[Request]:
        """The request(s) a call sends. One per combination of platform-dependent field
        values (see `_platform_variants`), each with the clients that can go with it."""
        out: List[Request] = []
        for variant, entries in _platform_variants(kwargs, frame.guard):
            chosen = [alt for alt in alts if satisfiable(alt.guard + frame.guard + variant)]
            if not chosen:
                continue
            body = kwargs
            if entries:
                body = kwargs.copy(kwargs.span)
                body.literal = kwargs.literal
                body.entries.update(entries)
            for request in self._build(method, chosen, args, body, node, frame, span, receiver_known, variant):
                request.variant = variant
                out.append(request)
        return out

    def _build(self, method: sdk.Method, alts: List[ClientAlt], args: List[Value], kwargs: DictV, node: ast.Call,
               frame: "Frame", span: Span, receiver_known: bool, variant: Guard) -> List[Request]:
        chain = frame.chain + (span,)
        report = chain[0]
        self._path_guard = frame.guard + variant
        if method.fmt == "anthropic-batch":
            return self._batch(method, alts, kwargs, frame, span, chain, report, receiver_known)
        fmt = method.fmt
        body = kwargs
        model_key = "model"
        if fmt == "invoke":
            model_key = "modelId"
            raw = kwargs.get("body")
            source = getattr(raw, "source", None)
            if isinstance(source, DictV):
                body = source
                if "messages" not in body.entries and not body.open:
                    return []  # an embedding or non-chat model: not a chat request
            else:
                body = DictV(span)
                body.open.append(Unknown(raw.kind if raw is not None else Kind.UNKNOWN, "request body", span))
            fmt = "anthropic"
        elif fmt == "converse":
            model_key = "modelId"
        request = Request(api=method.api, fmt=RequestFormat(fmt), call_span=span, report_span=report, chain=chain, path_guard=self._path_guard,
                          receiver_known=receiver_known)
        self._model(request, body, kwargs, model_key, method)
        if request.model is None and method.api.startswith("http."):
            request.model = _model_from_url(alts)
            if request.model is not None:
                request.model_kind = Kind.STATIC
        request.platforms = self._platforms(alts, request)
        if fmt == "anthropic":
            self._anthropic(request, body)
        elif fmt == "openai-chat":
            self._openai_chat(request, body)
        elif fmt == "openai-responses":
            self._openai_responses(request, body)
        elif fmt == "converse":
            self._converse(request, body)
        elif fmt in ("genai", "genai-cache"):
            self._genai(request, body, args)
        if body.open:
            request.incomplete = tuple(sorted(set(request.incomplete) | {"body"}))
            request.hidden_markers = request.hidden_markers or any(u.may_mark for u in body.open)
        return [request]

    def _batch(self, method: sdk.Method, alts: List[ClientAlt], kwargs: DictV, frame: "Frame", span: Span,
               chain: Tuple[Span, ...], report: Span, receiver_known: bool) -> List[Request]:
        requests_value = kwargs.get("requests")
        out: List[Request] = []
        if isinstance(requests_value, ListV):
            for item in requests_value.items:
                for option, _ in options_of(item.value):
                    params = option.get("params") if isinstance(option, DictV) else None
                    if isinstance(params, DictV):
                        request = Request(api=method.api, fmt=RequestFormat.ANTHROPIC, call_span=span, report_span=report, chain=chain,
                                          path_guard=frame.guard, receiver_known=receiver_known)
                        self._model(request, params, params, "model", method)
                        request.platforms = self._platforms(alts, request)
                        self._anthropic(request, params)
                        out.append(request)
        return out

    # --- common ---------------------------------------------------------------------------------
    def _model(self, request: Request, body: DictV, kwargs: DictV, key: str, method: sdk.Method) -> None:
        value = body.get(key) if body.get(key) is not None else kwargs.get(key)
        if value is None and key == "modelId":
            value = body.get("model")
        if value is None:
            return
        texts: List[str] = []
        sources: List[str] = []
        for option, _ in options_of(value):
            if isinstance(option, DefaultV) and option.default.text is not None:
                # a configuration default: the likely model, overridable by `source`
                texts.append(option.default.text)
                sources.append(option.source)
            elif isinstance(option, Str) and option.text is not None:
                texts.append(option.text)
                request.model_kind = option.kind
            else:
                # one alternative is not known: whichever text comes first is a guess
                request.model, request.model_kind, request.model_default = None, Kind.UNKNOWN, None
                return
        if not texts:
            return
        if len(set(texts)) > 1:
            request.model_kind = Kind.UNKNOWN
            if isinstance(value, UnionV):
                return
        request.model = texts[0]
        if sources:
            request.model_kind = Kind.PROCESS
            request.model_default = " or ".join(dict.fromkeys(sources))

    def _platforms(self, alts: List[ClientAlt], request: Request) -> Tuple[PlatformAlt, ...]:
        out: List[PlatformAlt] = []
        alts = _merge_same_client(alts)
        for alt in alts:
            name = alt.platform
            known = alt.base_url_known and name != "unknown"
            if alt.sdk == "litellm":
                routed = [model for alias, model in alt.routes if alias == request.model]
                if routed:
                    # a Router alias: one platform per deployment behind it
                    for model in routed:
                        platform = sdk.litellm_platform(model)
                        out.append(PlatformAlt(platform or "unknown", f"{alt.cls} -> {model}", alt.span, alt.guard, None,
                                               platform is not None))
                    if len(set(routed)) == 1:
                        request.model = routed[0]
                    elif all(is_claude_model(m) for m in routed) and request.model is not None:
                        request.model = routed[0]
                    continue
                name = sdk.litellm_platform(request.model) if request.model else None  # type: ignore[assignment]
                known = name is not None
                name = name or "unknown"
            # With a single client, the conditions under which it was made (a lazy
            # `if self._client is None:`) choose nothing: every path gets this client.
            guard = alt.guard if len(alts) > 1 else TRUE
            out.append(PlatformAlt(name, alt.cls, alt.span, guard, alt.base_url, known))
        return tuple(out)

    # --- markers --------------------------------------------------------------------------------
    def marker_from_entry(self, field: str, entry: Entry, container: Optional[DictV], ctx: _Ctx) -> Marker:
        value = entry.value
        ttl: Optional[str] = None
        typ: Optional[str] = "ephemeral" if field == "cache_control" else ("default" if field == "cachePoint" else "ephemeral")
        if isinstance(value, DictV):
            ttl_value = value.get("ttl")
            if ttl_value is not None:
                ttl = ttl_value.text if isinstance(ttl_value, Str) and ttl_value.text is not None else "?"
            type_value = value.get("mode" if field == "prompt_cache_breakpoint" else "type")
            if field == "prompt_cache_breakpoint":
                typ = None  # OpenAI's breakpoint has a `mode` ("explicit"), no `type`
            if type_value is not None:
                typ = type_value.text if isinstance(type_value, Str) else None
            if value.open:
                ttl = ttl or "?"
        elif not (isinstance(value, Const) and value.value is None):
            ttl = "?"
        many = ctx.many
        bound = ctx.bound
        capped = False
        loop = ctx.loop
        if entry.loop is not None:
            loop_ctx = self.loops.get(entry.loop)
            cleared = loop_ctx is not None and field in loop_ctx.removed
            if not cleared:
                many = True
                loop = entry.loop
                if entry.loop_bound is not None:
                    bound = entry.loop_bound if bound is None else min(bound, entry.loop_bound)
                capped = entry.loop_capped
            else:
                many = False
        if entry.trimmed:
            capped = True  # the code keeps some of these markers and removes the rest
        if many and loop is not None and bound is None and not capped:
            loop_ctx = self.loops.get(loop)
            if loop_ctx is not None and loop_ctx.capped and entry.loop is None:
                capped = True
        return Marker(
            field=field,
            ttl=ttl,
            type=typ,
            span=value.span,
            entry_span=entry.key_span,
            container=container.literal if container is not None and container.literal is not None else entry.literal,
            # A marker written on each element a loop appends under some condition (`if
            # block.type == "tool_use"`) is on every such element: conditional only beyond
            # the element's own condition. A single optional element keeps its condition.
            cond=entry.trimmed or (_conditional(entry.guard, self._path_guard + ctx.guard) if ctx.many
                                   else ctx.cond or _conditional(entry.guard, self._path_guard)),
            guard=entry.guard,
            many=many,
            bound=1 if capped and bound is None else bound,
            loop=loop,
            via_param=getattr(value, "via_param", False),
            written_in=entry.written_in,
            trimmed=entry.trimmed,
            made_in_loop=value.literal.in_loop if isinstance(value, DictV) and value.literal is not None else None,
            opt_in=many and entry.opt_in,
        )

    def _block_marker(self, block: DictV, ctx: _Ctx, field: str = "cache_control") -> Optional[Marker]:
        entry = block.entries.get(field)
        if entry is None or (isinstance(entry.value, Const) and entry.value.value is None):
            return None
        return self.marker_from_entry(field, entry, block, ctx)

    # --- pieces ---------------------------------------------------------------------------------
    def text_piece(self, section: str, path: str, text: Value, ctx: _Ctx, *, role: Optional[str] = None,
                   block: Optional[DictV] = None, block_type: Optional[str] = "text", string_content: bool = False,
                   marker: Optional[Marker] = None, list_span: Optional[Span] = None, copilot: Optional[Marker] = None,
                   openai_breakpoint: Optional[Marker] = None) -> Piece:
        text = _one_text(text)
        kind, tokens, static_tokens, label, may_mark = _measure(text)
        empty = isinstance(text, Str) and text.text == ""
        return Piece(
            section=section,
            path=path,
            kind=kind,
            tokens=tokens,
            static_tokens=static_tokens,
            span=text.span,
            value=text,
            role=role,
            block_type=block_type,
            container=block.literal if block is not None else None,
            string_content=string_content,
            marker=marker,
            copilot_marker=copilot,
            openai_breakpoint=openai_breakpoint,
            many=ctx.many,
            cond=ctx.cond,
            bound=ctx.bound,
            loop=ctx.loop,
            label=label,
            may_mark=may_mark,
            via_param=getattr(text, "via_param", False),
            list_span=list_span,
            empty_text=empty,
        )

    def unknown_piece(self, section: str, path: str, value: Value, ctx: _Ctx, role: Optional[str] = None,
                      many: bool = True) -> Piece:
        """A piece the analysis cannot see into: a run of unknown items (`many`, e.g.
        `messages=history`) or one block of unknown content."""
        kind, tokens, static_tokens, label, may_mark = _measure(value)
        marker = copilot = None
        if isinstance(value, Unknown):
            # markers written into the caller's list: on its last element
            # (`messages[-1][...]["cache_control"] = ...`) or on each element a loop visits
            for span, field, ttl, loop, bound, capped, guard in value.root.marks:
                if not satisfiable(guard + self._path_guard):
                    # written on another branch (`if model_type == ANTHROPIC:` formatting the
                    # same list another branch sends to Gemini): not on this request
                    continue
                found = Marker(field=field, ttl=ttl, span=span, entry_span=span, many=loop is not None,
                               bound=(1 if capped and bound is None else bound) if loop is not None else None,
                               loop=loop, written_in=loop, made_in_loop=loop is not None)
                if field == "copilot_cache_control":
                    copilot = found
                else:
                    marker = found
        return Piece(section=section, path=path, kind=max(kind, Kind.UNKNOWN) if kind != Kind.DYNAMIC else kind, tokens=None,
                     static_tokens=0, span=value.span, value=value, role=role, block_type=None, many=ctx.many or many,
                     cond=ctx.cond, bound=ctx.bound, loop=ctx.loop, label=label or "unknown items", may_mark=may_mark,
                     marker=marker, copilot_marker=copilot)

    def blocks(self, section: str, base: str, value: Value, ctx: _Ctx, out: List[Piece], role: Optional[str] = None,
               owner: Optional[DictV] = None, copilot: Optional[Marker] = None) -> None:
        """Pieces of a content value: a string, a list of blocks, or something unknown."""
        # one of several strings: their shared text; one of several block lists (built on
        # the branches of a helper: a plain string wrapped, or existing blocks copied, each
        # with the last one marked): the one that carries a marker, as for messages
        value = _one_list(_one_text(value))
        if isinstance(value, Str):
            out.append(self.text_piece(section, base, value, ctx, role=role, block_type="string", string_content=True,
                                       copilot=copilot, block=owner))
            return
        if isinstance(value, ListV):
            start = len(out)
            for i, item in enumerate(value.items):
                inner = ctx.inner(item, self._path_guard)
                for option, _ in list(options_of(item.value))[:1]:
                    before = len(out)
                    self.block(section, f"{base}[{i}]", option, inner, out, role, item.site if item.in_display else None)
                    inner.per_call(out, before)
                    if item.in_display and value.literal is not None and len(out) == before + 1:
                        out[-1] = _replace(out[-1], list_container=value.literal)
                    if item.many and len(out) == before + 1:
                        out[-1] = _replace(out[-1], repeated_block=owner is not None, appended_in=item.loop)
            if copilot is not None and len(out) > start and out[-1].copilot_marker is None:
                last = out[-1]
                out[-1] = _replace(last, copilot_marker=copilot)
            return
        if isinstance(value, Const) and value.value is None:
            return
        # Unknown content of one message: one block (or several) we cannot see into.
        piece = self.unknown_piece(section, base, value, ctx, role, many=owner is None)
        if copilot is not None and piece.copilot_marker is None:
            piece = _replace(piece, copilot_marker=copilot)
        out.append(piece)

    def block(self, section: str, path: str, value: Value, ctx: _Ctx, out: List[Piece], role: Optional[str], site: Optional[Span]) -> None:
        if isinstance(value, Str):
            out.append(self.text_piece(section, path, value, ctx, role=role, block_type="string", string_content=True, list_span=site))
            return
        if not isinstance(value, DictV):
            out.append(self.unknown_piece(section, path, value, ctx, role))
            return
        btype_value = value.get("type")
        btype = btype_value.text if isinstance(btype_value, Str) else None
        marker = self._block_marker(value, ctx)
        copilot = self._block_marker(value, ctx, "copilot_cache_control")
        openai_breakpoint = self._block_marker(value, ctx, "prompt_cache_breakpoint")
        text = value.get("text")
        if text is not None and btype in (None, "text", "input_text", "output_text"):
            out.append(self.text_piece(section, path, text, ctx, role=role, block=value, block_type=btype or "text",
                                       marker=marker, list_span=site, copilot=copilot, openai_breakpoint=openai_breakpoint))
            return
        kind, tokens, static_tokens, label, may_mark = _measure(value)
        out.append(Piece(section=section, path=path, kind=kind, tokens=tokens, static_tokens=static_tokens, span=value.span,
                         value=value, role=role, block_type=btype, container=value.literal, marker=marker,
                         copilot_marker=copilot, openai_breakpoint=openai_breakpoint, many=ctx.many,
                         cond=ctx.cond, bound=ctx.bound, loop=ctx.loop, label=label or (btype or "block"), may_mark=may_mark,
                         list_span=site))

    def tools(self, value: Optional[Value], out: List[Piece], request: Request, field: str = "cache_control") -> None:
        if value is None or (isinstance(value, Const) and value.value is None):
            return
        if isinstance(value, ListV):
            for i, item in enumerate(value.items):
                ctx = NO_CTX.inner(item, self._path_guard)
                tool = item.value
                before = len(out)
                if isinstance(tool, DictV):
                    kind, tokens, static_tokens, label, _ = _measure(tool)
                    may_mark = _tool_may_mark(tool)
                    if _server_defined(tool):
                        tokens = None  # the API expands it into a definition of its own size
                    out.append(Piece(section="tools", path=f"tools[{i}]", kind=kind, tokens=tokens, static_tokens=static_tokens,
                                     span=tool.span, value=tool, block_type="tool", container=tool.literal,
                                     marker=self._block_marker(tool, ctx), copilot_marker=self._block_marker(tool, ctx, "copilot_cache_control"),
                                     many=ctx.many, cond=ctx.cond, bound=ctx.bound, loop=ctx.loop, label=_tool_name(tool), may_mark=may_mark,
                                     list_span=item.site if item.in_display else None))
                else:
                    out.append(self.unknown_piece("tools", f"tools[{i}]", tool, ctx))
                ctx.per_call(out, before)
            return
        out.append(self.unknown_piece("tools", "tools", value, NO_CTX))
        request.incomplete = tuple(sorted(set(request.incomplete) | {"tools"}))

    def _top_level(self, request: Request, body: DictV) -> None:
        entry = body.entries.get("cache_control")
        extra = body.get("extra_body")
        if entry is None and isinstance(extra, DictV):
            entry = extra.entries.get("cache_control")
        if entry is not None and not satisfiable(entry.guard + self._path_guard):
            entry = None  # written on a path that returned before this call
        if entry is not None and not (isinstance(entry.value, Const) and entry.value.value is None):
            request.top_level = self.marker_from_entry("cache_control", entry, None, NO_CTX)

    def _extras(self, request: Request, body: DictV, names: Tuple[str, ...]) -> None:
        for name in names:
            value = body.get(name)
            if value is not None:
                request.extras[name] = value
        extra = body.get("extra_body")
        if isinstance(extra, DictV):
            for name in names:
                value = extra.get(name)
                if value is not None:
                    request.extras[name] = value

    def _flag_incomplete(self, request: Request, section: str, value: Optional[Value]) -> None:
        if value is None:
            return
        if _has_unknown(value):
            request.incomplete = tuple(sorted(set(request.incomplete) | {section}))
            if _tools_may_mark(value) if section == "tools" else _may_mark(value):
                request.hidden_markers = True

    # --- formats ----------------------------------------------------------------------------------
    def _anthropic(self, request: Request, body: DictV) -> None:
        pieces: List[Piece] = []
        tools = body.get("tools")
        self.tools(tools, pieces, request)
        system = body.get("system")
        if system is not None:
            request.args["system"] = system
            self.blocks("system", "system", system, NO_CTX, pieces)
        messages = body.get("messages")
        if messages is not None:
            request.args["messages"] = messages
            self._messages(messages, pieces, request, openai=False)
        if tools is not None:
            request.args["tools"] = tools
        request.pieces = tuple(pieces)
        self._top_level(request, body)
        self._extras(request, body, ("thinking", "extra_headers", "betas"))
        for name, value in (("system", system), ("messages", messages), ("tools", tools)):
            self._flag_incomplete(request, name, value)

    def _messages(self, messages: Value, pieces: List[Piece], request: Request, openai: bool) -> None:
        messages = _one_list(messages)
        if isinstance(messages, ListV):
            in_system = True
            for i, item in enumerate(messages.items):
                ctx = NO_CTX.inner(item, self._path_guard)
                message = item.value
                if isinstance(message, UnionV):
                    options = [v for v, _ in message.options if isinstance(v, DictV)]
                    message = options[0] if len(options) == 1 else message
                if not isinstance(message, DictV):
                    pieces.append(self.unknown_piece("messages", f"messages[{i}]", message, ctx))
                    in_system = False
                    continue
                role_value = message.get("role")
                role = role_value.text if isinstance(role_value, Str) else None
                section = "messages"
                if openai and in_system and role in ("system", "developer") and not item.many:
                    section = "system"
                else:
                    in_system = False
                copilot = self._block_marker(message, ctx, "copilot_cache_control")
                content = message.get("content")
                if content is None:
                    content = message.get("parts")
                if content is None and message.open:
                    # a message copied from the caller's (`dict(m)`): its content is unknown
                    content = Unknown(max(u.kind for u in message.open), "content of a message", message.span)
                start = len(pieces)
                if content is not None and not (isinstance(content, Const) and content.value is None):
                    self.blocks(section, f"messages[{i}].content", content, ctx, pieces, role, owner=message, copilot=copilot)
                elif (message.get("tool_calls") is not None or message.get("toolUse") is not None or copilot is not None
                      or "cache_control" in message.entries):
                    # a tool-call message (content None) still carries its message-level fields
                    piece = self.unknown_piece(section, f"messages[{i}]", message, ctx, role, many=False)
                    pieces.append(_replace(piece, copilot_marker=copilot) if copilot is not None else piece)
                ctx.per_call(pieces, start)
                if item.many and item.loop is not None:
                    for k in range(start, len(pieces)):
                        if pieces[k].appended_in is None:
                            pieces[k] = _replace(pieces[k], appended_in=item.loop)
                message_marker = self._block_marker(message, ctx)
                if message_marker is not None and len(pieces) > start:
                    last = pieces[-1]
                    pieces[-1] = _replace(last, marker=last.marker or _replace_marker(message_marker, field="cache_control@message"))
            return
        pieces.append(self.unknown_piece("messages", "messages", messages, NO_CTX))

    def _openai_chat(self, request: Request, body: DictV) -> None:
        request.args["request_body"] = body
        pieces: List[Piece] = []
        tools = body.get("tools")
        self.tools(tools, pieces, request)
        messages = body.get("messages")
        if messages is not None:
            request.args["messages"] = messages
            self._messages(messages, pieces, request, openai=True)
        if tools is not None:
            request.args["tools"] = tools
        # tools come first in the prefix; system messages next
        order = {"tools": 0, "system": 1, "messages": 2}
        request.pieces = tuple(sorted(pieces, key=lambda p: order[p.section]))
        self._top_level(request, body)
        self._extras(request, body, ("prompt_cache_key", "prompt_cache_retention", "prompt_cache_options",
                                     "cache_control_injection_points", "user"))
        for name, value in (("messages", messages), ("tools", tools)):
            self._flag_incomplete(request, name, value)
        if "cache_control_injection_points" in request.extras:
            request.hidden_markers = True

    def _openai_responses(self, request: Request, body: DictV) -> None:
        request.args["request_body"] = body
        pieces: List[Piece] = []
        tools = body.get("tools")
        self.tools(tools, pieces, request)
        instructions = body.get("instructions")
        if instructions is not None:
            request.args["system"] = instructions
            self.blocks("system", "instructions", instructions, NO_CTX, pieces)
        items = body.get("input")
        if items is not None:
            request.args["input"] = items
            if isinstance(items, Str):
                pieces.append(self.text_piece("messages", "input", items, NO_CTX, role="user", block_type="string", string_content=True))
            else:
                self._messages(items, pieces, request, openai=True)
        request.pieces = tuple(pieces)
        self._extras(request, body, ("prompt_cache_key", "prompt_cache_retention", "prompt_cache_options", "previous_response_id"))
        for name, value in (("system", instructions), ("messages", items), ("tools", tools)):
            self._flag_incomplete(request, name, value)

    def _converse(self, request: Request, body: DictV) -> None:
        pieces: List[Piece] = []
        tool_config = body.get("toolConfig")
        if isinstance(tool_config, DictV):
            self._converse_list("tools", "toolConfig.tools", tool_config.get("tools"), pieces, request)
        system = body.get("system")
        if system is not None:
            request.args["system"] = system
            self._converse_list("system", "system", system, pieces, request)
        messages = body.get("messages")
        if messages is not None:
            request.args["messages"] = messages
            if isinstance(messages, ListV):
                for i, item in enumerate(messages.items):
                    message = item.value
                    if not isinstance(message, DictV):
                        pieces.append(self.unknown_piece("messages", f"messages[{i}]", message, NO_CTX.inner(item, self._path_guard)))
                        continue
                    role_value = message.get("role")
                    role = role_value.text if isinstance(role_value, Str) else None
                    self._converse_list("messages", f"messages[{i}].content", message.get("content"), pieces, request, role,
                                        NO_CTX.inner(item, self._path_guard))
            else:
                pieces.append(self.unknown_piece("messages", "messages", messages, NO_CTX))
        request.pieces = tuple(pieces)
        for name, value in (("system", system), ("messages", messages)):
            self._flag_incomplete(request, name, value)

    def _converse_list(self, section: str, base: str, value: Optional[Value], pieces: List[Piece], request: Request,
                       role: Optional[str] = None, ctx: _Ctx = NO_CTX) -> None:
        """Converse blocks; a `{"cachePoint": ...}` block marks the piece before it."""
        if value is None:
            return
        if not isinstance(value, ListV):
            pieces.append(self.unknown_piece(section, base, value, ctx, role))
            return
        for i, item in enumerate(value.items):
            inner = ctx.inner(item, self._path_guard)
            block = item.value
            if isinstance(block, DictV) and "cachePoint" in block.entries:
                marker = self.marker_from_entry("cachePoint", block.entries["cachePoint"], block, inner)
                marker = _replace_marker(marker, entry_span=item.site or block.span)
                if pieces and pieces[-1].section == section:
                    pieces[-1] = _replace(pieces[-1], marker=pieces[-1].marker or marker)
                else:
                    pieces.append(Piece(section=section, path=f"{base}[{i}]", kind=Kind.STATIC, tokens=0, static_tokens=0,
                                        span=block.span, role=role, block_type="cachePoint", marker=marker))
                continue
            if isinstance(block, DictV):
                text = block.get("text")
                if text is not None:
                    piece = self.text_piece(section, f"{base}[{i}]", text, inner, role=role, block=block,
                                            list_span=item.site if item.in_display else None)
                    if not item.in_display and item.site is not None:
                        piece = _replace(piece, append_site=item.site)
                    if item.in_display and value.literal is not None:
                        piece = _replace(piece, list_container=value.literal)
                    pieces.append(piece)
                    continue
                kind, tokens, static_tokens, label, may_mark = _measure(block)
                pieces.append(Piece(section=section, path=f"{base}[{i}]", kind=kind, tokens=tokens, static_tokens=static_tokens,
                                    span=block.span, value=block, role=role, block_type=next(iter(block.entries), None),
                                    container=block.literal, many=inner.many, cond=inner.cond, bound=inner.bound, loop=inner.loop,
                                    label=label or "block", may_mark=may_mark, list_span=item.site if item.in_display else None))
                continue
            pieces.append(self.unknown_piece(section, f"{base}[{i}]", block, inner, role))

    def _genai(self, request: Request, body: DictV, args: List[Value]) -> None:
        pieces: List[Piece] = []
        config = body.get("config")
        system = config.get("system_instruction") if isinstance(config, DictV) else None
        if isinstance(config, DictV):
            request.args["config"] = config
            self.tools(config.get("tools"), pieces, request)
            cached = config.get("cached_content")
            if cached is not None:
                request.extras["cached_content"] = cached
        if system is not None:
            request.args["system"] = system
            self.blocks("system", "config.system_instruction", system, NO_CTX, pieces)
        contents = body.get("contents")
        if contents is None and isinstance(config, DictV):
            contents = config.get("contents")  # caches.create: what is being cached
        if contents is not None:
            request.args["contents"] = contents
            if isinstance(contents, Str):
                pieces.append(self.text_piece("messages", "contents", contents, NO_CTX, role="user", block_type="string", string_content=True))
            elif isinstance(contents, ListV) and any(isinstance(i.value, Str) for i in contents.items):
                # A list of plain strings is a list of user parts (google-genai convention).
                for i, item in enumerate(contents.items):
                    ctx = NO_CTX.inner(item, self._path_guard)
                    if isinstance(item.value, Str):
                        pieces.append(self.text_piece("messages", f"contents[{i}]", item.value, ctx, role="user", block_type="string",
                                                      string_content=True))
                    elif isinstance(item.value, DictV):
                        self._messages(_list_of_one(item), pieces, request, openai=False)
                    else:
                        pieces.append(self.unknown_piece("messages", f"contents[{i}]", item.value, ctx, "user", many=item.many))
            else:
                self._messages(contents, pieces, request, openai=False)
        request.pieces = tuple(pieces)


# --- measuring -------------------------------------------------------------------------------------
#: Request fields whose value may be chosen together with the platform.
_VARIANT_FIELDS = ("system", "messages", "tools", "cache_control")
#: At most this many variants of one call are built (the rest stays one joined request).
MAX_VARIANTS = 8


def _platform_variants(kwargs: DictV, guard: Guard) -> List[Tuple[Guard, Dict[str, Entry]]]:
    """Field values that were chosen by the same conditions as the client, as separate
    requests: `system` cached on the direct-API branch only (`if provider == "anthropic":
    system = [{..., "cache_control": ...}] else: system = PROMPT`) is two requests, one per
    branch, each sent by the clients its branch allows. Joined into one, the uncached
    Bedrock and Vertex prompt was "one of several values" and nothing was reported.

    Only unions whose branches are told apart by a platform-related condition are split
    (other branches stay joined: which one runs is not known, and a large prompt on one of
    them is no finding). Returns (the variant's extra conditions, the entries to replace);
    a single (TRUE, {}) when nothing is split."""
    splits: List[Tuple[str, Entry, List[Tuple[Value, Guard]]]] = []
    for name in _VARIANT_FIELDS:
        entry = kwargs.entries.get(name)
        if entry is None or not isinstance(entry.value, UnionV):
            continue
        union_value = entry.value
        # each option where its branch produced it: a fix for this variant edits that branch
        options = [(source, g) for source, (_, g) in zip(union_value.sources, union_value.options)]
        if len(options) > MAX_VARIANTS or not _told_apart_by_platform([g for _, g in options]):
            continue
        splits.append((name, entry, options))
    if not splits:
        return [(TRUE, {})]
    variants: List[Tuple[Guard, Dict[str, Entry]]] = [(TRUE, {})]
    for name, entry, options in splits:
        grown: List[Tuple[Guard, Dict[str, Entry]]] = []
        for extra, entries in variants:
            for value, option_guard in options:
                combined = extra + tuple(a for a in option_guard if a not in extra)
                if not satisfiable(guard + combined):
                    continue
                replaced = dict(entries)
                replaced[name] = Entry(value, entry.key_span, entry.cond, entry.guard, entry.loop, entry.loop_bound,
                                       entry.loop_capped, entry.written_in, entry.literal)
                grown.append((combined, replaced))
        if not grown or len(grown) > MAX_VARIANTS:
            return [(TRUE, {})]
        variants = grown
    return variants


def _told_apart_by_platform(guards: List[Guard]) -> bool:
    """Whether the conditions that tell the options apart (those not shared by all of
    them: a union built inside a callee carries its caller's conditions on every option)
    include one about the platform or client."""
    shared = set(guards[0]).intersection(*guards[1:]) if guards else set()
    return any(atom_is_platform_related(a) for g in guards for a in g if a not in shared)


def _measure(value: Value) -> Tuple[Kind, Optional[int], int, str, bool]:
    """(kind, estimated tokens or None, tokens of cacheable parts, label, may carry markers)."""
    if isinstance(value, Str):
        length = value.length
        static_chars = value.static_chars()
        label = next((p.label for p in value.parts if p.kind > Kind.PROCESS and p.label), "")
        tokens = estimate_tokens(length) if length is not None else None
        return value.kind, tokens, estimate_tokens(static_chars), label, False
    if isinstance(value, (DictV, ListV)):
        size, kind, complete, may_mark = _json_size(value, 0)
        tokens = estimate_tokens(size) if complete else None
        static = estimate_tokens(size) if kind.cacheable else 0
        return kind, tokens, static, "", may_mark
    if isinstance(value, Unknown):
        return value.kind, None, 0, value.label, value.may_mark
    if isinstance(value, UnionV):
        kinds = [_measure(v)[0] for v, _ in value.options]
        return max(kinds), None, 0, "", any(_measure(v)[4] for v, _ in value.options)
    if isinstance(value, Const):
        return value.kind, estimate_tokens(len(str(value.value))), estimate_tokens(len(str(value.value))), "", False
    return value.kind, None, 0, "", False


def _json_size(value: Value, depth: int) -> Tuple[int, Kind, bool, bool]:
    """Approximate JSON length of a value, its kind, whether fully known, may-mark."""
    if depth > 30:
        return 0, Kind.UNKNOWN, False, False
    if isinstance(value, Str):
        length = value.length
        return (length + 2 if length is not None else 0), value.kind, length is not None, False
    if isinstance(value, Const):
        return len(json.dumps(value.value, default=str)), value.kind, True, False
    if isinstance(value, DictV):
        total, kind, complete, may_mark = 2, Kind.STATIC, not value.open, any(u.may_mark for u in value.open)
        for key, entry in value.entries.items():
            if key in MARKER_FIELDS or key == "prompt_cache_breakpoint":
                continue
            size, k, c, m = _json_size(entry.value, depth + 1)
            total += size + len(key) + 4
            kind, complete, may_mark = max(kind, k), complete and c, may_mark or m
        for unknown in value.open:
            kind = max(kind, unknown.kind)
        return total, kind, complete, may_mark
    if isinstance(value, ListV):
        total, kind, complete, may_mark = 2, Kind.STATIC, True, False
        for item in value.items:
            size, k, c, m = _json_size(item.value, depth + 1)
            total += size + 2
            kind, may_mark = max(kind, k), may_mark or m
            complete = complete and c and not item.many
        return total, kind, complete, may_mark
    if isinstance(value, Unknown):
        return 0, value.kind, False, value.may_mark
    if isinstance(value, UnionV):
        sizes = [_json_size(v, depth + 1) for v, _ in value.options]
        return max(s[0] for s in sizes), max(s[1] for s in sizes), False, any(s[3] for s in sizes)
    return 0, value.kind, False, False


def _has_unknown(value: Value, depth: int = 0) -> bool:
    """Whether a section's structure has parts the analysis cannot see (a list it cannot
    enumerate, a dict built from unknown `**kwargs`); unknown *text* does not count."""
    if depth > 6:
        return False
    if isinstance(value, Unknown):
        return True
    if isinstance(value, DictV):
        return bool(value.open) or any(
            _has_unknown(e.value, depth + 1) for k, e in value.entries.items() if isinstance(e.value, (DictV, ListV))
        )
    if isinstance(value, ListV):
        return any(isinstance(i.value, Unknown) or _has_unknown(i.value, depth + 1) for i in value.items)
    return False


def _may_mark(value: Value, depth: int = 0) -> bool:
    if depth > 6:
        return False
    if isinstance(value, Unknown):
        return value.may_mark
    if isinstance(value, DictV):
        return any(u.may_mark for u in value.open) or any(_may_mark(e.value, depth + 1) for e in value.entries.values())
    if isinstance(value, ListV):
        return any(_may_mark(i.value, depth + 1) for i in value.items)
    if isinstance(value, UnionV):
        return any(_may_mark(v, depth + 1) for v, _ in value.options)
    return False


def _tools_may_mark(tools: Value) -> bool:
    """`_may_mark` for a request's tool list: whether a breakpoint the analysis cannot see
    may sit on one of its tools (`_tool_may_mark`)."""
    for option, _ in options_of(tools):
        if isinstance(option, Unknown) and option.may_mark:
            return True
        if isinstance(option, ListV) and any(_tool_may_mark(item.value) for item in option.items):
            return True
    return False


def _tool_may_mark(tool: Value) -> bool:
    """Whether a tool definition may carry a breakpoint the analysis cannot see.

    A tool's breakpoint is a key of the tool's own object (`{"name": ..., "cache_control":
    ...}`); what its `input_schema` (or `function.parameters`) holds is JSON Schema for the
    model to read, never a breakpoint. `_may_mark` looks everywhere inside a value, and a
    schema builder's `properties[name] = {"type": ...}` (a key it cannot read, which might
    have been `cache_control`) made every request sending such tools "built by code that
    handles cache markers": text2sql-framework's agent loop, resending its growing history
    behind one fixed breakpoint, was hidden from the rules that count breakpoints."""
    for option, _ in options_of(tool):
        if isinstance(option, Unknown) and option.may_mark:
            return True
        if isinstance(option, DictV) and any(u.may_mark for u in option.open):
            return True
    return False


_VERSIONED_TOOL_RE = re.compile(r"^[a-z][a-z_]*_\d{8}$")


def _server_defined(tool: DictV) -> bool:
    """An Anthropic-defined tool (`{"type": "computer_20250124", "name": "computer"}`,
    `bash_20250124`, `text_editor_20250429`, `web_search_20250305`...): the request names it
    in a few tokens, and the API puts its full definition (hundreds of tokens, plus a system
    prompt of its own) into the prefix. What the code shows says nothing of that size."""
    kind = tool.get("type")
    return isinstance(kind, Str) and kind.text is not None and _VERSIONED_TOOL_RE.match(kind.text) is not None


def _tool_name(tool: DictV) -> str:
    name = tool.get("name")
    if name is None:
        fn = tool.get("function") or tool.get("toolSpec")
        if isinstance(fn, DictV):
            name = fn.get("name")
    return f"tool {name.text}" if isinstance(name, Str) and name.text else "tool"


def _one_text(value: Value) -> Value:
    """A content value that may be one of several strings (built on several branches) as one
    string, keeping the static start they share; `None` options are dropped (no block)."""
    if not isinstance(value, UnionV):
        return value
    options = [v for v, _ in value.options if not (isinstance(v, Const) and v.value is None)]
    if len(options) == 1:
        return options[0]
    if options and all(isinstance(v, Str) for v in options):
        return _join_options(options, value.span)
    return value


def _one_list(value: Value) -> Value:
    """Messages that are one of several lists (a history rebound in a loop, `history =
    add_turn(history, msg)`, is the list before the loop or the one a turn built) as the
    list that stands for a later turn: one that carries a cache marker if any does (a rule
    must not report a breakpoint missing that some path places), else the longest."""
    if not isinstance(value, UnionV):
        return value
    options = [v for v, _ in value.options if not (isinstance(v, Const) and v.value is None)]
    if not options or not all(isinstance(v, ListV) for v in options):
        return value
    lists: List[ListV] = options  # type: ignore[assignment]
    marked = [lst for lst in lists if has_marker(lst)]
    return max(marked or lists, key=lambda lst: len(lst.items))


def _join_options(options: List[Value], span: Optional[Span]) -> Value:
    """Several possible strings for one field: the static start they share, then the rest as
    one hole, as long as the shortest and as static as the worst (see `join_strings`)."""
    return join_strings([o for o in options if isinstance(o, Str)], span)


def _replace(piece: Piece, **changes: Any) -> Piece:
    from dataclasses import replace

    return replace(piece, **changes)


def _replace_marker(marker: Marker, **changes: Any) -> Marker:
    from dataclasses import replace

    return replace(marker, **changes)


def _conditional(guard: Guard, path: Guard) -> bool:
    """Whether a guard adds a condition the call's own path does not already have."""
    return any(a not in path and not a.subject.startswith("<loop") for a in guard)


def _list_of_one(item: Item) -> ListV:
    lst = ListV(item.value.span)
    lst.items.append(item)
    return lst


_VERTEX_MODEL_RE = __import__("re").compile(r"/models/([^/:]+):(?:stream)?[rR]awPredict")


def _model_from_url(alts: List[ClientAlt]) -> Optional[str]:
    """Vertex puts the model in the URL path (`.../models/claude-sonnet-4-5@20250929:rawPredict`)."""
    for alt in alts:
        match = _VERTEX_MODEL_RE.search(alt.base_url or "")
        if match:
            return match.group(1)
    return None


def _merge_same_client(alts: List[ClientAlt]) -> List[ClientAlt]:
    """One alternative per client construction: reached on several paths (a lazy property
    that makes it on first use and returns it later), it holds on all of them."""
    from dataclasses import replace

    merged: Dict[Tuple[Any, ...], ClientAlt] = {}
    order: List[Tuple[Any, ...]] = []
    for alt in alts:
        key = (alt.sdk, alt.cls, alt.platform, alt.span, alt.base_url)
        if key in merged:
            common = tuple(a for a in merged[key].guard if a in alt.guard)
            merged[key] = replace(merged[key], guard=common)
        else:
            merged[key] = alt
            order.append(key)
    return [merged[k] for k in order]
