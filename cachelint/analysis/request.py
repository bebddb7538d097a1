"""The request model rules look at: one LLM request as the provider will build its prefix.

A `Request` lists its pieces in prefix order (tools, then system, then messages), each
with how often it changes (`Kind`), an estimated size, where it came from (a `Span` in any
project file) and the cache breakpoint it carries, if any. It also says which platform(s)
receive it and which model. Rules never look at syntax to decide; they look at this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Tuple

from cachelint.analysis.spans import Span
from cachelint.analysis.values import TRUE, Guard, Kind, Literal, Value

SECTIONS = ("tools", "system", "messages")


@dataclass(frozen=True)
class Marker:
    """A cache breakpoint or a caching field.

    `field` is "cache_control", "cachePoint" or "copilot_cache_control". `ttl` is the
    literal TTL ("5m"/"1h"), None when absent (5 minutes), "?" when not a literal.
    `span` is the marker's value, `entry_span` the whole `key: value` entry and
    `container` the dict display holding it (for fixes that remove or move it). `many`
    marks a loop that places one marker per element; `bound` caps how many.
    """

    field: str
    ttl: Optional[str] = None
    type: Optional[str] = "ephemeral"
    span: Optional[Span] = None
    entry_span: Optional[Span] = None
    container: Optional[Literal] = None
    cond: bool = False
    guard: Guard = TRUE
    many: bool = False
    bound: Optional[int] = None
    loop: Optional[Span] = None
    via_param: bool = False
    #: the loop whose body writes the marker on each element (for fixes and messages)
    written_in: Optional[Span] = None

    @property
    def effective_ttl(self) -> str:
        return self.ttl if self.ttl in ("5m", "1h") else "5m"


@dataclass(frozen=True)
class Piece:
    """One block of the prefix: a tool, a system block, a message content block.

    `value` is the text (for text blocks) whose parts carry the static/dynamic split;
    `container` is the block's dict display (where a fix adds `cache_control`);
    `string_content` is set when the content was a plain string that must become a block
    list before it can carry a marker; `owner` is the dict that held that string (a
    message) or None for `system=`.
    """

    section: str
    path: str
    kind: Kind
    tokens: Optional[int]
    static_tokens: int
    span: Optional[Span] = None
    value: Optional[Value] = None
    role: Optional[str] = None
    block_type: Optional[str] = None
    container: Optional[Literal] = None
    string_content: bool = False
    marker: Optional[Marker] = None
    copilot_marker: Optional[Marker] = None
    many: bool = False
    cond: bool = False
    bound: Optional[int] = None
    loop: Optional[Span] = None
    label: str = ""
    may_mark: bool = False
    via_param: bool = False
    #: Position of the piece's value in its container list, for fixes that insert after it.
    list_span: Optional[Span] = None
    #: the list display holding the piece (when `list_span` is set)
    list_container: Optional[Literal] = None
    #: the `lst.append(...)` call that added the piece (when it was not in a list display)
    append_site: Optional[Span] = None
    #: the block is one of a run appended by a loop inside one message (tool results)
    repeated_block: bool = False
    #: the loop that appended the block or message, if any
    appended_in: Optional[Span] = None
    empty_text: bool = False

    @property
    def cacheable(self) -> bool:
        return self.kind.cacheable and not self.many


@dataclass(frozen=True)
class PlatformAlt:
    """One platform the request may go to, from which client, under which conditions."""

    name: str
    client: str
    span: Optional[Span] = None
    guard: Guard = TRUE
    base_url: Optional[str] = None
    known: bool = True


@dataclass
class Request:
    api: str
    fmt: str
    call_span: Span
    report_span: Span
    platforms: Tuple[PlatformAlt, ...] = ()
    model: Optional[str] = None
    model_kind: Kind = Kind.UNKNOWN
    model_span: Optional[Span] = None
    #: set when the model is a configuration default (`os.environ.get("MODEL", "claude-...")`,
    #: an argparse or settings-field default): what may override it, e.g. "environment
    #: variable `MODEL`". `model` is then the default, which rules take as the likely model.
    model_default: Optional[str] = None
    pieces: Tuple[Piece, ...] = ()
    top_level: Optional[Marker] = None
    chain: Tuple[Span, ...] = ()
    path_guard: Guard = TRUE
    loop: Optional[Span] = None
    #: appends to the messages list inside the loop that makes this call (agent loops)
    history_appends: Tuple[Span, ...] = ()
    #: sections that may hold parts the analysis could not see
    incomplete: Tuple[str, ...] = ()
    #: unseen parts come from project code that handles cache markers
    hidden_markers: bool = False
    self_class: Optional[str] = None
    receiver_known: bool = True
    #: other recognised request fields: prompt_cache_key, cache_control_injection_points...
    extras: Dict[str, Value] = field(default_factory=dict)
    #: the body dict when the request is built from one (for fixes on raw bodies)
    body_span: Optional[Span] = None
    #: request-building spans inside the call (keyword values), by field name
    arg_spans: Dict[str, Span] = field(default_factory=dict)
    #: field name -> the Value passed (system, messages, tools...)
    args: Dict[str, Value] = field(default_factory=dict)
    #: interpreter frames active at the call: a dict display evaluated in one of them was
    #: written by the code that builds this request (not by a helper that returned it)
    frame_tokens: FrozenSet[int] = frozenset()
    #: when a field's value was chosen with the platform (a breakpoint on the direct-API
    #: branch only), the branch conditions of this request's values; TRUE otherwise
    variant: Guard = TRUE

    # --- views rules use --------------------------------------------------------------------
    @property
    def platform_names(self) -> Tuple[str, ...]:
        return tuple(sorted({p.name for p in self.platforms}))

    @property
    def platform_known(self) -> bool:
        return bool(self.platforms) and all(p.known and p.name != "unknown" for p in self.platforms)

    def section(self, name: str) -> List[Piece]:
        return [p for p in self.pieces if p.section == name]

    def markers(self) -> List[Tuple[int, Marker]]:
        """(piece index, marker) for every breakpoint on a piece, in prefix order."""
        return [(i, p.marker) for i, p in enumerate(self.pieces) if p.marker is not None]

    def static_prefix(self) -> List[Piece]:
        """Leading pieces that are the same on every call (tools, system, early messages)."""
        prefix: List[Piece] = []
        for piece in self.pieces:
            if not piece.cacheable or piece.cond:
                break
            prefix.append(piece)
        return prefix

    def prefix_tokens(self, end: int) -> Optional[int]:
        """Estimated tokens of pieces `[0, end]`; None if any size is unknown."""
        total = 0
        for piece in self.pieces[: end + 1]:
            if piece.tokens is None or piece.many:
                return None
            total += piece.tokens
        return total

    def breakpoint_count(self) -> Tuple[int, bool]:
        """(known number of breakpoints, True when loops may add more without a bound)."""
        count = 1 if self.top_level is not None and not self.top_level.cond else 0
        unbounded = False
        for _, marker in self.markers():
            if marker.many:
                if marker.bound is None:
                    unbounded = True
                    count += 1
                else:
                    count += marker.bound
            elif not marker.cond:
                count += 1
        return count, unbounded

    @property
    def location_label(self) -> str:
        return self.api
