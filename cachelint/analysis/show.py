"""`cachelint --show-requests`: print what the analysis understood of each LLM call.

This is how a user (and the test suite) sees why cachelint said something, or nothing: the
platforms a request can go to, the model and its minimum cacheable prefix, every piece of
the prefix with its kind (static, static per process, dynamic, unknown), estimated size,
breakpoint and the place in the source it came from.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from cachelint.analysis.request import Marker, Piece, Request
from cachelint.analysis.spans import Span
from cachelint.tables import Tables, is_claude_model

Locate = Callable[[Optional[Span]], Optional[Tuple[str, int, int]]]


def make_locator(project: Any, cwd: Path) -> Locate:
    """span -> (path relative to cwd, row, column), reading modules through the project."""

    def locate(span: Optional[Span]) -> Optional[Tuple[str, int, int]]:
        if span is None:
            return None
        module = project.module(span.path)
        if module is None:
            return None
        loc = module.index.location(span.start)
        try:
            rel = os.path.relpath(span.path, cwd)
        except ValueError:
            rel = span.path
        if rel.startswith(".."):
            rel = span.path
        return rel, loc.row, loc.column

    return locate


def _where(locate: Locate, span: Optional[Span]) -> str:
    found = locate(span)
    return f"{found[0]}:{found[1]}:{found[2]}" if found else "?"


def _marker_text(marker: Marker, locate: Locate) -> str:
    ttl = marker.ttl or "5m (default)"
    parts = [f"{marker.field} ttl={ttl}"]
    if marker.many:
        parts.append("one per element" + (f", at most {marker.bound}" if marker.bound is not None else ", unbounded"))
    if marker.cond:
        parts.append("conditional")
    parts.append("at " + _where(locate, marker.span))
    return ", ".join(parts)


def model_line(request: Request, tables: Tables) -> str:
    platform = request.platforms[0].name if len(request.platforms) == 1 else None
    model = request.model or "unknown"
    kind = request.model_kind.label if request.model else "not known statically"
    if request.model and request.model_default:
        kind = f"default, unless {request.model_default} overrides it"
    claude = request.fmt == "anthropic" or (request.model is not None and is_claude_model(request.model))
    if not claude:
        if request.fmt == "genai":
            note = "Gemini caches long prefixes implicitly (2.5 and newer)"
        elif platform in ("openai", "azure-openai"):
            note = "OpenAI caches prefixes of 1,024 tokens and more automatically"
        else:
            note = "not a Claude model"
        return f"{model} ({kind}); {note}"
    minimum = tables.min_tokens(request.model, platform)
    return f"{model} ({kind}); minimum cacheable prefix {minimum.describe()} tokens"


def render_text(requests: Sequence[Request], locate: Locate, tables: Tables) -> str:
    out: List[str] = []
    if not requests:
        return "No LLM requests found.\n"
    for request in requests:
        out.append(f"{_where(locate, request.call_span)}: {request.api}")
        if request.chain and len(request.chain) > 1:
            out.append("  reached from: " + " -> ".join(_where(locate, s) for s in request.chain[:-1]))
        if request.self_class:
            out.append(f"  analysed for: self is a {request.self_class}")
        if request.variant:
            out.append("  values chosen when: " + " and ".join(a.describe() for a in request.variant))
        platforms = ", ".join(
            f"{p.name}{'' if p.known else ' (unsure)'} via {p.client}" + (f" at {_where(locate, p.span)}" if p.span else "")
            + (f" when {' and '.join(a.describe() for a in p.guard)}" if p.guard else "")
            for p in request.platforms
        ) or "unknown"
        out.append(f"  platform: {platforms}")
        out.append(f"  model: {model_line(request, tables)}")
        out.append("  prefix (tools -> system -> messages):")
        if not request.pieces:
            out.append("    (nothing known)")
        for piece in request.pieces:
            out.append("    " + _piece_text(piece, locate))
        top = request.top_level
        out.append("  top-level cache_control: " + (_marker_text(top, locate) if top else "none"))
        count, unbounded = request.breakpoint_count()
        out.append(f"  breakpoints: {count}{' or more (a loop adds one per element)' if unbounded else ''}")
        for cache in _caches_used(request):
            out.append(f"  uses the explicit cache made at {_where(locate, cache.call_span)}")
        if request.incomplete:
            out.append("  not fully known: " + ", ".join(request.incomplete)
                       + (" (built by code that handles cache markers)" if request.hidden_markers else ""))
        if request.loop is not None:
            out.append(f"  sent inside the loop at {_where(locate, request.loop)}"
                       + (f"; history appended at {', '.join(_where(locate, s) for s in request.history_appends)}" if request.history_appends else ""))
        out.append("")
    return "\n".join(out)


def _piece_text(piece: Piece, locate: Locate) -> str:
    size = f"~{piece.tokens:,} tokens" if piece.tokens is not None else "? tokens"
    if piece.tokens is None and piece.static_tokens:
        size = f"~{piece.static_tokens:,} static tokens + ?"
    flags = []
    if piece.many:
        flags.append("repeated" + (f" (at most {piece.bound})" if piece.bound is not None else ""))
    if piece.cond:
        flags.append("conditional")
    if piece.role:
        flags.append(piece.role)
    if piece.block_type:
        flags.append(piece.block_type)
    label = f" [{piece.label}]" if piece.label else ""
    text = f"{piece.path:<28} {piece.kind.label:<19} {size:<22} {' '.join(flags)}{label} at {_where(locate, piece.span)}"
    if piece.marker is not None:
        text += f"\n      breakpoint: {_marker_text(piece.marker, locate)}"
    if piece.copilot_marker is not None:
        text += f"\n      copilot_cache_control at {_where(locate, piece.copilot_marker.span)}"
    if piece.openai_breakpoint is not None:
        text += f"\n      {_marker_text(piece.openai_breakpoint, locate)}"
    return text


def request_json(request: Request, locate: Locate, tables: Tables) -> Dict[str, Any]:
    def loc(span: Optional[Span]) -> Optional[Dict[str, Any]]:
        found = locate(span)
        return {"file": found[0], "row": found[1], "column": found[2]} if found else None

    def marker(m: Optional[Marker]) -> Optional[Dict[str, Any]]:
        if m is None:
            return None
        return {"field": m.field, "type": m.type, "ttl": m.ttl, "many": m.many, "bound": m.bound, "conditional": m.cond,
                "location": loc(m.span)}

    platform = request.platforms[0].name if len(request.platforms) == 1 else None
    minimum = tables.min_tokens(request.model, platform)
    count, unbounded = request.breakpoint_count()
    data: Dict[str, Any] = {
        "location": loc(request.call_span),
        "api": request.api,
        "format": request.fmt,
        "reached_from": [loc(s) for s in request.chain[:-1]],
        "self_class": request.self_class,
        "platforms": [
            {"name": p.name, "client": p.client, "known": p.known, "location": loc(p.span), "base_url": p.base_url,
             "when": [a.describe() for a in p.guard]}
            for p in request.platforms
        ],
        "model": _model_json(request, minimum.low, minimum.high),
        "pieces": [
            {"section": p.section, "path": p.path, "role": p.role, "type": p.block_type, "kind": p.kind.label,
             "tokens": p.tokens, "static_tokens": p.static_tokens, "repeated": p.many, "conditional": p.cond,
             "label": p.label, "location": loc(p.span), "breakpoint": marker(p.marker),
             "copilot_cache_control": marker(p.copilot_marker)}
            for p in request.pieces
        ],
        "top_level_cache_control": marker(request.top_level),
        "breakpoints": {"count": count, "unbounded": unbounded},
        "incomplete": list(request.incomplete),
        "hidden_markers": request.hidden_markers,
        "loop": loc(request.loop),
        "receiver_known": request.receiver_known,
    }
    for i, p in enumerate(request.pieces):  # only where present, so other goldens stay as they were
        if p.openai_breakpoint is not None:
            data["pieces"][i]["prompt_cache_breakpoint"] = marker(p.openai_breakpoint)
    caches = _caches_used(request)
    if caches:  # a Gemini request reading an explicit cache: where that cache was made
        data["cached_content_from"] = [loc(c.call_span) for c in caches]
    if request.variant:  # only then: the goldens of requests without variants stay as they were
        data["variant"] = [a.describe() for a in request.variant]
    if request.loop is not None:
        # where the conversation sent grows from turn to turn (CL013 needs it); only for
        # calls in a loop, so the goldens of other requests stay as they were
        data["history_grows_at"] = [loc(s) for s in request.history_appends]
    return data


def _caches_used(request: Request) -> List[Request]:
    """The `caches.create` requests whose cache this request names in `cached_content`."""
    from cachelint.analysis.values import ResponseV, options_of

    config = request.args.get("config")
    entry = getattr(config, "entries", {}).get("cached_content") if config is not None else None
    if entry is None:
        return []
    found: List[Request] = []
    for option, _ in options_of(entry.value):
        if isinstance(option, ResponseV) and option.api.endswith("caches.create"):
            found.extend(r for r in option.origin if isinstance(r, Request) and r not in found)
    return found


def _model_json(request: Request, low: Any, high: Any) -> Dict[str, Any]:
    """The model entry. A configuration default has kind "default" and an `overridden_by`
    key (only then, so the model of every other request reads as before)."""
    out: Dict[str, Any] = {"id": request.model, "kind": request.model_kind.label if request.model else None,
                           "min_cache_tokens": [low, high]}
    if request.model and request.model_default:
        out["kind"] = "default"
        out["overridden_by"] = request.model_default
    return out


def render_json(requests: Sequence[Request], locate: Locate, tables: Tables) -> str:
    return json.dumps([request_json(r, locate, tables) for r in requests], indent=2, sort_keys=True) + "\n"
