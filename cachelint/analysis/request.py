"""The request model rules look at: one LLM request as the provider will build its prefix.

A `Request` lists its pieces in prefix order (tools, then system, then messages), each
with how often it changes (`Kind`), an estimated size, where it came from (a `Span` in any
project file) and the cache breakpoint it carries, if any. It also says which platform(s)
receive it and which model. Rules never look at syntax to decide; they look at this.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Tuple

from cachelint.analysis.spans import Span
from cachelint.analysis.values import TRUE, Guard, Kind, Literal, Value

SECTIONS = ("tools", "system", "messages")
#: The request fields that set a cache breakpoint (`Marker.field`): Anthropic's
#: `cache_control`, Bedrock Converse's `cachePoint` block, the GitHub Copilot API's
#: `copilot_cache_control`.
MARKER_FIELDS = ("cache_control", "cachePoint", "copilot_cache_control")
#: Words whose mention in a function's source means it may build or move a breakpoint: the
#: marker fields and `cache_point`, which wrappers (litellm, LangChain) take as an argument.
MARKER_WORDS = MARKER_FIELDS + ("cache_point",)


@dataclass(frozen=True)
class Marker:
    """A cache breakpoint or a caching field.

    `field` is "cache_control", "cachePoint", "copilot_cache_control" or
    "prompt_cache_breakpoint" (OpenAI). `ttl` is the literal TTL ("5m"/"1h"; OpenAI's
    "30m"/"12h"), None when absent (5 minutes for Claude), "?" when not a literal.
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
    #: project code removes some of these markers (keeps the newest few): how many stay
    #: is decided at run time, so findings that count or add markers are unsure here
    trimmed: bool = False
    #: of a loop's marker: each element is marked only when a caching flag of its own
    #: says so (`if message.cache: ...`): how many breakpoints the request gets is what
    #: the code that made the elements asked for, not what this loop decides
    opt_in: bool = False
    #: whether any loop was running when the marker was made (its dict display evaluated,
    #: or its write into a list the caller passed); None when the analysis cannot tell. A
    #: marker made outside every loop stays where it is while an agent loop runs (CL014)
    made_in_loop: Optional[bool] = None

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

    #: "tools", "system" or "messages" (`SECTIONS`), the order the provider caches in
    section: str
    #: where the piece sits in the request body, as a JSON path (`messages[2].content[0]`)
    path: str
    #: how often the piece changes: STATIC, PROCESS, UNKNOWN or DYNAMIC (per call)
    kind: Kind
    #: estimated size in tokens; None when some part's size is unknown
    tokens: Optional[int]
    #: estimated tokens of the parts that are the same on every call
    static_tokens: int
    #: the piece's value in the code (where findings about it are reported)
    span: Optional[Span] = None
    value: Optional[Value] = None
    #: the message's role ("user", "assistant", "system") for message pieces
    role: Optional[str] = None
    #: the block's `type` ("text", "tool_use", "image"...), "string" for plain strings
    block_type: Optional[str] = None
    container: Optional[Literal] = None
    string_content: bool = False
    #: the cache breakpoint (`cache_control` or `cachePoint`) placed on this piece
    marker: Optional[Marker] = None
    #: a `copilot_cache_control` field on the piece's message
    copilot_marker: Optional[Marker] = None
    #: OpenAI's `prompt_cache_breakpoint` on this content part (gpt-5.6 and later), kept
    #: apart from `marker`: it follows OpenAI's rules (`prompt_cache_options`), not Claude's
    openai_breakpoint: Optional[Marker] = None
    #: the piece stands for several of its kind (a loop's appends, an unknown run)
    many: bool = False
    #: the piece is present on some paths only
    cond: bool = False
    #: how many pieces `many` stands for at most (None: unbounded as far as known)
    bound: Optional[int] = None
    #: the loop that produced the pieces `many` stands for
    loop: Optional[Span] = None
    #: what the piece is, for messages (`parameter \`question\``, `retrieved text`)
    label: str = ""
    #: the piece came out of project code that handles cache markers: it may carry some
    may_mark: bool = False
    #: the value reached the function through a parameter: a fix at `span` would change
    #: what every other caller sends too
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
    #: a text block whose text is the empty string (the API rejects a breakpoint on it)
    empty_text: bool = False

    @property
    def cacheable(self) -> bool:
        return self.kind.cacheable and not self.many


class RequestFormat(str, enum.Enum):
    """The body format of a request: which keys mean what, where breakpoints go.

    A `str` enum: members compare equal to their value (`request.fmt == "anthropic"`) and
    print as it, so messages, JSON output and the data tables keep using the plain names.
    """

    #: Anthropic Messages API (`system`, `messages`, `tools`, block `cache_control`, and a
    #: request-level `cache_control`); also Bedrock InvokeModel bodies and raw HTTP to
    #: `/v1/messages` or `:rawPredict`
    ANTHROPIC = "anthropic"
    #: Message Batches: a list of Messages API requests (`requests=[{"params": ...}]`)
    ANTHROPIC_BATCH = "anthropic-batch"
    #: OpenAI Chat Completions (`messages` with `role: system`), also OpenRouter, Azure,
    #: litellm and other gateways speaking it
    OPENAI_CHAT = "openai-chat"
    #: OpenAI Responses (`instructions`, `input`)
    OPENAI_RESPONSES = "openai-responses"
    #: Bedrock Converse (`system`/`messages`/`toolConfig` lists with `cachePoint` blocks)
    CONVERSE = "converse"
    #: Bedrock InvokeModel before its JSON body is read (then ANTHROPIC)
    INVOKE = "invoke"
    #: google-genai `generate_content` (`contents`, `config.system_instruction`)
    GENAI = "genai"
    #: google-genai `caches.create` (an explicit Gemini cache)
    GENAI_CACHE = "genai-cache"

    __str__ = str.__str__
    __format__ = str.__format__


class Platform(str, enum.Enum):
    """Where a request is sent: a key of `cachelint/data/platforms.toml` (whose facts the
    user may override), or UNKNOWN. A `str` enum, like `RequestFormat`."""

    ANTHROPIC = "anthropic"
    #: the Claude API reached through its OpenAI SDK compatibility layer (no prompt caching)
    ANTHROPIC_OPENAI = "anthropic-openai"
    AWS = "aws"
    BEDROCK = "bedrock"
    BEDROCK_MANTLE = "bedrock-mantle"
    VERTEX = "vertex"
    GOOGLE_CLOUD = "google-cloud"
    FOUNDRY = "foundry"
    OPENROUTER = "openrouter"
    GATEWAY = "gateway"
    COPILOT = "copilot"
    OPENAI = "openai"
    AZURE_OPENAI = "azure-openai"
    GEMINI = "gemini"
    VERTEX_GEMINI = "vertex-gemini"
    UNKNOWN = "unknown"

    __str__ = str.__str__
    __format__ = str.__format__


@dataclass(frozen=True)
class PlatformAlt:
    """One platform the request may go to, from which client, under which conditions."""

    #: the platform (a `Platform`; plain strings of the same values compare equal)
    name: str
    #: the client that sends it, as users write it (`AnthropicBedrock`, `boto3
    #: bedrock-runtime`, `litellm`, `Router -> bedrock/...`)
    client: str
    #: where the client was made (its constructor call)
    span: Optional[Span] = None
    #: the branch conditions under which this client is the one used
    guard: Guard = TRUE
    #: the client's base URL when it was given one (gateways, proxies)
    base_url: Optional[str] = None
    #: False when the platform is a guess (a base URL or a litellm model string that is
    #: not a literal): rules about a platform's limits then stay silent
    known: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", Platform(self.name))


@dataclass
class Request:
    """One LLM request a call site sends, as the provider will see its prefix.

    Built by `analysis.builders` when the interpreter reaches an SDK request method (or a
    raw HTTP call to an LLM endpoint) with the arguments it has at that moment; a call site
    reached from several callers, or for several subclasses, gives one `Request` each.
    """

    #: the SDK method, dotted (`anthropic.messages.create`, `bedrock.converse`,
    #: `litellm.completion`, `http.post`)
    api: str
    #: the body format (a `RequestFormat`; plain strings of the same values compare equal)
    fmt: str
    #: the SDK call expression
    call_span: Span
    #: where findings about the request as a whole are reported: the first call of the
    #: chain, in the entry function the analysis started from
    report_span: Span
    #: every platform the request may go to (more than one when the client is chosen at
    #: run time), in the order the clients were found
    platforms: Tuple[PlatformAlt, ...] = ()
    #: the model id when known (a literal, a constant, a configuration default)
    model: Optional[str] = None
    #: how the model id is known: STATIC, PROCESS (read once at start-up), UNKNOWN
    model_kind: Kind = Kind.UNKNOWN
    #: set when the model is a configuration default (`os.environ.get("MODEL", "claude-...")`,
    #: an argparse or settings-field default): what may override it, e.g. "environment
    #: variable `MODEL`". `model` is then the default, which rules take as the likely model.
    model_default: Optional[str] = None
    #: the prefix in the order the provider caches it: tools, then system, then messages
    pieces: Tuple[Piece, ...] = ()
    #: the request-level `cache_control` (automatic caching), if any
    top_level: Optional[Marker] = None
    #: the calls that led here, from the entry function's call to the SDK call itself
    #: (`--show-requests` prints them as "reached from")
    chain: Tuple[Span, ...] = ()
    #: the branch conditions on the way to the SDK call
    path_guard: Guard = TRUE
    #: the innermost loop the call is made in (agent loops resend a growing history)
    loop: Optional[Span] = None
    #: appends to the messages list inside the loop that makes this call (agent loops)
    history_appends: Tuple[Span, ...] = ()
    #: sections that may hold parts the analysis could not see
    incomplete: Tuple[str, ...] = ()
    #: unseen parts come from project code that handles cache markers
    hidden_markers: bool = False
    #: the class `self` was an instance of when the call was analysed (a call site in a base
    #: class is analysed once per subclass that picks its own client)
    self_class: Optional[str] = None
    #: False when the receiver's type is unknown and the call was recognised by its method
    #: path and LLM-shaped arguments only (`x.messages.create(model=..., messages=...)`)
    receiver_known: bool = True
    #: other recognised request fields: prompt_cache_key, cache_control_injection_points...
    extras: Dict[str, Value] = field(default_factory=dict)
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

    def openai_breakpoints(self) -> List[Tuple[int, Marker]]:
        """(piece index, marker) for every OpenAI `prompt_cache_breakpoint`, in prefix order."""
        return [(i, p.openai_breakpoint) for i, p in enumerate(self.pieces) if p.openai_breakpoint is not None]

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
