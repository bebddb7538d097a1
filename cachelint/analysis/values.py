"""Abstract values: what the analysis knows about a Python value without running the code.

The analysis interprets request-building code over these values instead of real ones. A
string is a sequence of `Part`s, each static (known text), static per process (computed
once at import), dynamic per call (a clock, a parameter, retrieved text) or unknown, with
the source span it came from. Dicts and lists are mutable and shared by identity, like the
real objects, so a helper that mutates its argument (`block["cache_control"] = ...`) changes
what the caller later sends. Whatever the analysis cannot model becomes `Unknown`, never an
exception: "unknown" is the top of the lattice and rules stay silent on it.
"""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass, field, replace
from typing import Any, Dict, FrozenSet, Hashable, Iterable, Iterator, List, Optional, Tuple

from cachelint.analysis.spans import Span

_ids = itertools.count(1)

#: Text longer than this is measured, not kept (a prompt repeated a million times).
MAX_TEXT = 2_000_000
#: A string keeps at most this many parts; beyond, adjacent parts are merged.
MAX_PARTS = 64
#: Unions wider than this collapse to Unknown.
MAX_UNION = 8


class Kind(enum.IntEnum):
    """How often a piece of a request changes. Ordered: later kinds dominate in a mix."""

    STATIC = 0  # known at lint time
    PROCESS = 1  # fixed for the life of a process (computed at import)
    UNKNOWN = 2  # cannot tell
    DYNAMIC = 3  # changes per call

    @property
    def label(self) -> str:
        return {0: "static", 1: "static per process", 2: "unknown", 3: "dynamic"}[self.value]

    @property
    def cacheable(self) -> bool:
        """Whether a prefix made of this kind can be read back from the cache."""
        return self in (Kind.STATIC, Kind.PROCESS)


# --- guards -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Atom:
    """One condition on the path to a value: `subject op values`, possibly negated.

    `op` is "eq" (subject equals one of `values`), "truthy", "isa" (isinstance of one of
    the class names in `values`) or "opaque" (a condition the analysis cannot read; two
    opaque atoms on the same source text still contradict each other when one is negated,
    which is how `if self.use_bedrock: ... else: ...` correlates across methods).
    """

    subject: str
    op: str
    values: FrozenSet[Any] = frozenset()
    negated: bool = False
    #: of an "isa" atom whose classes are all other packages' classes (`ExtV`): their
    #: top-level packages (`litellm` for `litellm.ModelResponse`), which tell an SDK's
    #: reply it is none of them; empty otherwise. Not part of what the atom says.
    packages: FrozenSet[str] = field(default=frozenset(), compare=False)

    def negate(self) -> "Atom":
        return Atom(self.subject, self.op, self.values, not self.negated, self.packages)

    def describe(self) -> str:
        if self.op == "eq":
            vals = ", ".join(sorted(repr(v) for v in self.values))
            return f"{self.subject} {'not in' if self.negated else 'in'} ({vals})"
        if self.op == "isa":
            names = ", ".join(sorted(self.values))
            return f"{'not ' if self.negated else ''}isinstance({self.subject}, {names})"
        return f"{'not ' if self.negated else ''}{self.subject}"


Guard = Tuple[Atom, ...]
TRUE: Guard = ()

PLATFORM_WORDS = (
    "bedrock", "vertex", "mantle", "foundry", "azure", "anthropic", "openrouter", "copilot",
    "provider", "platform", "client", "transport", "llm_type", "api_type", "backend", "aws", "gcp",
)


def atom_is_platform_related(atom: Atom) -> bool:
    text = (atom.subject + " " + " ".join(str(v) for v in atom.values)).lower()
    return any(word in text for word in PLATFORM_WORDS)


def satisfiable(guard: Iterable[Atom]) -> bool:
    """False only when the atoms certainly contradict each other."""
    by_subject: Dict[Tuple[str, str], List[Atom]] = {}
    for atom in guard:
        by_subject.setdefault((atom.subject, atom.op), []).append(atom)
    for (_, op), atoms in by_subject.items():
        if op in ("truthy", "opaque"):
            if any(a.negated for a in atoms) and any(not a.negated for a in atoms):
                return False
        elif op in ("eq", "isa"):
            allowed: Optional[set] = None
            excluded: set = set()
            for a in atoms:
                if a.negated:
                    excluded |= set(a.values)
                else:
                    allowed = set(a.values) if allowed is None else allowed & set(a.values)
            if allowed is not None and not (allowed - excluded):
                return False
    return True


# --- values -------------------------------------------------------------------------------
class Value:
    """Base of every abstract value. `span` is where the value was last placed in code."""

    __slots__ = ("span", "via_param")

    def __init__(self, span: Optional[Span] = None) -> None:
        self.span = span
        #: True when the value reached this function through a parameter, so a fix at its
        #: span would change what other callers send too.
        self.via_param = False

    @property
    def kind(self) -> Kind:
        return Kind.UNKNOWN

    def at(self, span: Optional[Span]) -> "Value":
        """This value as seen at another place (immutable values are copied, containers
        keep their identity because mutation must stay shared)."""
        return self

    def describe(self) -> str:
        return type(self).__name__


@dataclass(frozen=True)
class Part:
    """A run of a string: known text, or a hole of some kind with a label and a span."""

    text: Optional[str]
    kind: Kind
    chars: Optional[int] = None
    span: Optional[Span] = None
    label: str = ""
    #: a hole filled by something that changes on every call for certain (the clock, a
    #: UUID, a random value), as opposed to a parameter or a lookup that may repeat
    volatile: bool = False
    #: the hole stands for text present on some paths only (the differing tails of a
    #: string built on several branches, see `join_strings`), so messages say "on some paths"
    optional: bool = False

    @property
    def length(self) -> Optional[int]:
        return len(self.text) if self.text is not None else self.chars


def static_part(text: str, span: Optional[Span], kind: Kind = Kind.STATIC) -> Part:
    if len(text) > MAX_TEXT:
        return Part(None, kind, len(text), span, "long text")
    return Part(text, kind, len(text), span)


def hole(kind: Kind, label: str, span: Optional[Span], chars: Optional[int] = None, volatile: bool = False) -> Part:
    return Part(None, kind, chars, span, label, volatile)


def hole_for(value: "Value", label: str, span: Optional[Span]) -> Part:
    """The hole a value leaves in a string, volatile when the value is (`Unknown.volatile`)."""
    return hole(value.kind, label, span, volatile=bool(getattr(value, "volatile", False)))


class Str(Value):
    """A string as a sequence of parts (an f-string, a concatenation, a template)."""

    __slots__ = ("parts", "origin", "operands")

    def __init__(self, parts: Iterable[Part], span: Optional[Span] = None, origin: Optional[Span] = None) -> None:
        super().__init__(span)
        self.parts: Tuple[Part, ...] = _normalize(parts)
        #: the expression that built the string (an f-string, a `+`, a `.format()` call);
        #: `span` moves to wherever the value is used, `origin` stays
        self.origin = origin if origin is not None else span
        #: for a `+` chain: (operand span, operand kind, operand's last character if known)
        self.operands: Tuple[Tuple[Optional[Span], Kind, Optional[str]], ...] = ()

    @classmethod
    def literal(cls, text: str, span: Optional[Span], kind: Kind = Kind.STATIC) -> "Str":
        return cls([static_part(text, span, kind)], span)

    @property
    def kind(self) -> Kind:
        return max((p.kind for p in self.parts), default=Kind.STATIC)

    @property
    def text(self) -> Optional[str]:
        """The whole text when every part is known."""
        if any(p.text is None for p in self.parts):
            return None
        return "".join(p.text for p in self.parts)  # type: ignore[misc]

    @property
    def length(self) -> Optional[int]:
        total = 0
        for p in self.parts:
            if p.length is None:
                return None
            total += p.length
        return total

    def static_chars(self) -> int:
        return sum(p.length or 0 for p in self.parts if p.kind.cacheable)

    def at(self, span: Optional[Span]) -> "Str":
        new = Str(self.parts, span, self.origin)
        new.operands = self.operands
        new.via_param = self.via_param
        return new

    def with_kind_at_most(self, kind: Kind) -> "Str":
        """Downgrade dynamic holes (used for code that runs once at import)."""
        parts = [
            Part(p.text, kind, p.chars, p.span, p.label, p.volatile, p.optional) if p.kind > kind and p.kind == Kind.DYNAMIC else p
            for p in self.parts
        ]
        return Str(parts, self.span, self.origin)

    def describe(self) -> str:
        text = self.text
        if text is not None:
            return repr(text[:40] + ("..." if len(text) > 40 else ""))
        return f"<string: {self.kind.label}>"


def join_strings(options: List[Str], span: Optional[Span]) -> Str:
    """One string standing for several possible ones (a value built on several branches).

    The provider caches by prefix, so what every option shares at its start is kept as is:
    the longest run of leading static text common to all options, with its size. The
    static text they all end with is kept too, so a per-call value that one branch puts in
    front of the shared prompt still shows as dynamic text before static text. What differs
    in between becomes one hole: as static as the worst option, as long as the shortest (so
    a size check never overestimates), labelled by the first per-call part of any option,
    and volatile only when every option has a volatile part (otherwise some paths repeat
    from call to call). The result has no `origin`: no single expression built it, so no
    fix may rewrite one.
    """
    head, tails = _common_head([list(o.parts) for o in options])
    if not any(tails):
        joined = Str(head, span)
    else:
        middles, end = _common_end(tails)
        joined = Str(head + [_tail_hole(middles, span)] + end, span)
    joined.origin = None
    return joined


def _common_end(tails: List[List[Part]]) -> Tuple[List[List[Part]], List[Part]]:
    """(each list without the trailing static parts they all share, those parts)."""
    if not all(tails):
        return tails, []
    flipped = [_reversed_parts(t) for t in tails]
    end, rests = _common_head(flipped)
    return [_reversed_parts(r) for r in rests], _reversed_parts(end)


def _reversed_parts(parts: List[Part]) -> List[Part]:
    """The parts in reverse order with their texts reversed (to find a common end)."""
    return [replace(p, text=p.text[::-1]) if p.text is not None else p for p in reversed(parts)]


def _common_head(parts: List[List[Part]]) -> Tuple[List[Part], List[List[Part]]]:
    """(leading static parts shared by every list, what remains of each list)."""
    head: List[Part] = []
    rests = [list(p) for p in parts]
    while rests and all(rests):
        firsts = [r[0] for r in rests]
        if not all(p.kind.cacheable for p in firsts):
            break
        kind = max(p.kind for p in firsts)
        texts = [p.text for p in firsts]
        if any(t is None for t in texts):
            # measured, not kept (very long text): shared only when it is the same run
            if all(p == firsts[0] for p in firsts[1:]):
                head.append(firsts[0])
                rests = [r[1:] for r in rests]
                continue
            break
        common = _common_text(texts)  # type: ignore[arg-type]
        if common:
            head.append(Part(common, kind, len(common), firsts[0].span, firsts[0].label))
        if any(len(t) != len(common) for t in texts):  # type: ignore[arg-type]
            rests = [([replace(p, text=p.text[len(common):], chars=None)] if len(p.text) > len(common) else [])  # type: ignore[index,arg-type]
                     + r[1:] for p, r in zip(firsts, rests)]
            break
        rests = [r[1:] for r in rests]
    return head, rests


def _common_text(texts: List[str]) -> str:
    shortest = min(texts, key=len)
    for i, ch in enumerate(shortest):
        if any(t[i] != ch for t in texts):
            return shortest[:i]
    return shortest


def _tail_hole(tails: List[List[Part]], span: Optional[Span]) -> Part:
    """The hole for the differing ends of several strings (see `join_strings`)."""
    kind = max((p.kind for tail in tails for p in tail), default=Kind.STATIC)
    lengths = [sum(p.length or 0 for p in tail) if all(p.length is not None for p in tail) else None for tail in tails]
    chars = min(lengths) if all(n is not None for n in lengths) else None  # type: ignore[type-var]
    varying = [p for tail in tails for p in tail if not p.kind.cacheable]
    first = varying[0] if varying else None
    label = first.label if first is not None and first.label else "one of several texts"
    volatile = all(any(p.volatile for p in tail) for tail in tails)
    optional = first is not None and any(all(p.kind.cacheable for p in tail) for tail in tails)
    return Part(None, kind, chars, first.span if first is not None else span, label, volatile, optional)


def _normalize(parts: Iterable[Part]) -> Tuple[Part, ...]:
    out: List[Part] = []
    for part in parts:
        if part.length == 0 and part.text is not None:
            continue
        if (
            out
            and part.kind == out[-1].kind
            and part.kind.cacheable
            and part.text is not None
            and out[-1].text is not None
            and len(out[-1].text) + len(part.text) <= MAX_TEXT
        ):
            prev = out[-1]
            out[-1] = Part(prev.text + part.text, prev.kind, None, prev.span, prev.label)
            continue
        out.append(part)
    if len(out) > MAX_PARTS:
        head, tail = out[: MAX_PARTS - 1], out[MAX_PARTS - 1 :]
        kind = max(p.kind for p in tail)
        chars = sum(p.length or 0 for p in tail) if all(p.length is not None for p in tail) else None
        out = head + [Part(None, kind, chars, tail[0].span, tail[0].label or "joined text", any(p.volatile for p in tail))]
    return tuple(out)


class Const(Value):
    """A number, bool, None or bytes literal."""

    __slots__ = ("value", "_kind")

    def __init__(self, value: Any, span: Optional[Span] = None, kind: Kind = Kind.STATIC) -> None:
        super().__init__(span)
        self.value = value
        self._kind = kind

    @property
    def kind(self) -> Kind:
        return self._kind

    def at(self, span: Optional[Span]) -> "Const":
        new = Const(self.value, span, self._kind)
        new.via_param = self.via_param
        return new

    def describe(self) -> str:
        return repr(self.value)


class Unknown(Value):
    """A value the analysis cannot model. `kind` says whether it is known to vary per call.

    `may_mark` is set when the value came out of project code that handles cache markers
    (a helper whose source mentions `cache_control`), so rules must not assume it carries
    none.
    """

    __slots__ = ("_kind", "label", "_may_mark", "volatile", "_root", "marks")

    def __init__(self, kind: Kind = Kind.UNKNOWN, label: str = "", span: Optional[Span] = None, may_mark: bool = False,
                 volatile: bool = False, root: Optional["Unknown"] = None) -> None:
        super().__init__(span)
        self._kind = kind
        self.label = label
        self._may_mark = may_mark
        #: the unknown value this one was read from (`history[-1]["content"]` of
        #: `history`): a marker written through it is recorded on the root. None when the
        #: value is its own root: a reference to itself would make every unknown value a
        #: reference cycle, which only the cyclic collector frees (37k per heavy file)
        self._root: Optional["Unknown"] = root if root is not None and root is not self else None
        #: markers written through this value (on its root only): (span, field, ttl, loop
        #: that wrote one per element, its bound, whether the loop caps itself, the branch
        #: conditions it was written under)
        self.marks: List[Tuple[Span, str, Optional[str], Optional[Span], Optional[int], bool, Guard]] = []
        #: made by a clock, a UUID or a random source, or returned by a call on a per-call
        #: value (`conn.execute(sql, (question,))`): whatever its methods return
        #: (`now.strftime(...)`, `.fetchall()`) changes per call too, unlike a method of a
        #: parameter of unknown type (`settings.prompt()`), which is merely unknown
        self.volatile = volatile

    @property
    def kind(self) -> Kind:
        return self._kind

    @property
    def root(self) -> "Unknown":
        """The unknown value this one was read from, or itself."""
        return self if self._root is None else self._root

    @property
    def may_mark(self) -> bool:
        return self._may_mark or (self._root is not None and self._root.may_mark)

    @may_mark.setter
    def may_mark(self, value: bool) -> None:
        self._may_mark = value

    def derived(self, kind: Optional[Kind] = None, label: Optional[str] = None, span: Optional[Span] = None) -> "Unknown":
        """An unknown value read out of this one (an item, an attribute)."""
        return Unknown(self._kind if kind is None else kind, self.label if label is None else label, span,
                       False, self.volatile, self.root)

    def at(self, span: Optional[Span]) -> "Unknown":
        new = Unknown(self._kind, self.label, span, self._may_mark, self.volatile, self.root)
        new.via_param = self.via_param
        return new

    def describe(self) -> str:
        return f"<{self._kind.label}: {self.label}>" if self.label else f"<{self._kind.label}>"


class DefaultV(Unknown):
    """A configuration value whose default is known: `os.environ.get("MODEL", "claude-...")`,
    `os.getenv(...) or "claude-..."`, an argparse option's `default=`, a dataclass, attrs or
    pydantic field default read through an instance the caller built.

    It *is* an `Unknown`: the deployment may override it, so a prompt taken from such a value
    stays unknown and rules stay silent on it, as for any unknown text. Only the request's
    model reads `default` (builders): the default is the likely model, so the platform and
    the minimum cacheable prefix follow from it, and `--show-requests` says the model is a
    default and what `source` may override it ("environment variable `MODEL`").
    Anything derived from it (an attribute, a method call) is a plain `Unknown`, but for
    the string methods that leave a model id what it is (`.strip()`, `.lower()`: see
    `CallsMixin._call_method_one`), whose result is the default so changed.
    """

    __slots__ = ("default", "source")

    def __init__(self, default: "Str", source: str, span: Optional[Span] = None, kind: Kind = Kind.PROCESS) -> None:
        super().__init__(kind, source, span)
        self.default = default
        self.source = source

    def at(self, span: Optional[Span]) -> "DefaultV":
        new = DefaultV(self.default, self.source, span, self._kind)
        new.via_param = self.via_param
        return new

    def describe(self) -> str:
        return f"<default {self.default.describe()} unless {self.source}>"


@dataclass
class Literal:
    """Where a dict or list display was written, for fixes that insert into it.

    `kind` is "dict" (`{...}`), "dict-call" (`dict(...)`) or "list" (`[...]`); `frame` is
    the interpreter frame that evaluated it, so a fix can tell a literal written in the
    request-building code from one returned by a helper used for many blocks.
    """

    span: Span
    kind: str
    frame: int
    in_loop: bool = False
    #: evaluated once at import (a module or class constant): editing it is always local
    module_level: bool = False


@dataclass
class Entry:
    """A dict entry. `cond` is set when it exists only on some paths (see `guard`)."""

    value: Value
    key_span: Optional[Span] = None
    cond: bool = False
    guard: Guard = TRUE
    #: set when a loop (not unrolled) wrote this entry on each element it visited
    loop: Optional[Span] = None
    loop_bound: Optional[int] = None
    loop_capped: bool = False
    #: the loop that was running when the entry was written (may differ from `loop`, the
    #: loop or comprehension that created the dict)
    written_in: Optional[Span] = None
    #: the dict display the entry is written in, if any (for fixes that remove it)
    literal: Optional["Literal"] = None
    #: project code removes this key from some of the dicts it is on (a loop over a slice
    #: of the marked blocks): which ones keep it depends on run-time counts, and the code
    #: limits how many remain
    trimmed: bool = False
    #: written under a caching flag of a loop's element (`Frame.under_element_cache_flag`)
    opt_in: bool = False


class DictV(Value):
    """A mutable dict with string keys. `open` holds what was merged in unseen (`**x`)."""

    __slots__ = ("entries", "open", "literal", "uid", "born")

    def __init__(self, span: Optional[Span] = None, literal: Optional[Literal] = None) -> None:
        super().__init__(span)
        self.entries: Dict[str, Entry] = {}
        self.open: List[Unknown] = []
        self.literal = literal
        self.uid = next(_ids)
        #: the loop or comprehension that created one such dict per iteration, if any
        self.born: Optional[Span] = None

    @property
    def kind(self) -> Kind:
        kinds = [e.value.kind for e in self.entries.values()] + [u.kind for u in self.open]
        return max(kinds, default=Kind.STATIC)

    def get(self, key: str) -> Optional[Value]:
        entry = self.entries.get(key)
        return entry.value if entry is not None else None

    def set(self, key: str, value: Value, key_span: Optional[Span] = None, guard: Guard = TRUE, cond: bool = False) -> None:
        self.entries[key] = Entry(value, key_span, cond or bool(guard), guard)

    def copy(self, span: Optional[Span] = None) -> "DictV":
        new = DictV(span or self.span)
        new.entries = dict(self.entries)
        new.open = list(self.open)
        return new

    def describe(self) -> str:
        return "{" + ", ".join(self.entries) + (", **?" if self.open else "") + "}"


@dataclass
class Item:
    """A list element, or `many` elements of this shape (a loop's appends, unknown runs).

    `loop` is the span of the loop that appended it; `bound` is how many times at most
    (None: unbounded as far as the analysis can tell).
    """

    value: Value
    many: bool = False
    cond: bool = False
    guard: Guard = TRUE
    loop: Optional[Span] = None
    bound: Optional[int] = None
    site: Optional[Span] = None
    #: the element is written inside a list display (`[a, b]`), so a fix can insert next
    #: to it; appended elements have the `.append(...)` call as their site instead
    in_display: bool = False
    #: why the elements (which ones, or their order) change per call although each one is
    #: static: a comprehension over a parameter, filtered on one, or over a set
    chosen: str = ""
    chosen_span: Optional[Span] = None


def uid_mark() -> int:
    """A number below the uid of every container made from now on and above every earlier
    one (uids grow), so a loop can tell lists made before it from lists made inside it."""
    return next(_ids)


#: One step of a list's lineage: (uid of the list it was copied from, the expression that
#: added elements after the copy: `history + [msg]`, `[*history, msg]`; None for a copy)
Lineage = Tuple[Tuple[int, Optional[Span]], ...]


class ListV(Value):
    """A mutable list (or tuple/set, see `container`)."""

    __slots__ = ("items", "literal", "container", "uid", "born", "lineage", "snapshot")

    def __init__(self, span: Optional[Span] = None, literal: Optional[Literal] = None, container: str = "list") -> None:
        super().__init__(span)
        self.items: List[Item] = []
        self.literal = literal
        self.container = container
        self.uid = next(_ids)
        self.born: Optional[Span] = None
        #: the lists this one starts with a copy of, nearest first (`list(h)`, `h[:]`,
        #: `h.copy()`, `h + [m]`, `[*h, m]`): a conversation rebuilt from `h` before each
        #: call grows when `h` does (see `Interpreter.history_growth`)
        self.lineage: Lineage = ()
        #: a deep copy: its elements are its own, so `lst[-1]` is one element even when a
        #: running loop appended the run it comes from (a marker on it is one marker)
        self.snapshot = False

    def derive(self, span: Optional[Span], grown_at: Optional[Span] = None) -> "ListV":
        """A new list that starts with this one's elements (and keeps its lineage); the
        caller adds what follows, at `grown_at`."""
        new = ListV(span, container=self.container)
        new.items = list(self.items)
        new.lineage = ((self.uid, grown_at),) + self.lineage[:7]
        return new

    @property
    def kind(self) -> Kind:
        return max((i.value.kind for i in self.items), default=Kind.STATIC)

    @property
    def known_length(self) -> Optional[int]:
        if any(i.many or i.cond for i in self.items):
            return None
        return len(self.items)

    def copy(self, span: Optional[Span] = None) -> "ListV":
        return self.derive(span or self.span)

    def describe(self) -> str:
        return f"[{len(self.items)} items]"


# --- things the code calls --------------------------------------------------------------------
@dataclass(frozen=True)
class ClientAlt:
    """One possible SDK client: which SDK and class, where requests go, under what guard."""

    sdk: str  # "anthropic" | "openai" | "bedrock-runtime" | "genai" | "litellm" | "http"
    cls: str  # constructor name, e.g. "AnthropicBedrock"
    platform: str  # key of the platforms table, or "unknown"
    span: Optional[Span] = None
    guard: Guard = TRUE
    base_url: Optional[str] = None
    base_url_known: bool = True
    #: litellm Router: (model alias, deployment model) pairs from its `model_list`
    routes: Tuple[Tuple[str, str], ...] = ()


class ClientV(Value):
    """An SDK client (or several possible ones) and attribute paths taken on it."""

    __slots__ = ("alts", "path")

    def __init__(self, alts: Iterable[ClientAlt], path: Tuple[str, ...] = (), span: Optional[Span] = None) -> None:
        super().__init__(span)
        self.alts: Tuple[ClientAlt, ...] = tuple(alts)
        self.path = path

    @property
    def kind(self) -> Kind:
        return Kind.PROCESS

    def attr(self, name: str, span: Optional[Span]) -> "ClientV":
        return ClientV(self.alts, self.path + (name,), span)

    def at(self, span: Optional[Span]) -> "ClientV":
        return ClientV(self.alts, self.path, span)

    def describe(self) -> str:
        names = "|".join(sorted({a.cls for a in self.alts}))
        return f"<{names}{'.' + '.'.join(self.path) if self.path else ''}>"


class ExtV(Value):
    """Something from outside the project, known by qualified name (`datetime.datetime`)."""

    __slots__ = ("qualname",)

    def __init__(self, qualname: str, span: Optional[Span] = None) -> None:
        super().__init__(span)
        self.qualname = qualname

    @property
    def kind(self) -> Kind:
        return Kind.PROCESS

    def at(self, span: Optional[Span]) -> "ExtV":
        return ExtV(self.qualname, span)

    def describe(self) -> str:
        return f"<{self.qualname}>"


class ModV(Value):
    """A module of the linted project."""

    __slots__ = ("path",)

    def __init__(self, path: str, span: Optional[Span] = None) -> None:
        super().__init__(span)
        self.path = path

    @property
    def kind(self) -> Kind:
        return Kind.PROCESS


class FuncV(Value):
    """A function or method of the project (`owner` is the class for methods, `bound` the
    instance it is bound to)."""

    __slots__ = ("module", "node", "owner", "bound", "closure")

    def __init__(self, module: str, node: Any, owner: Any = None, bound: Optional[Value] = None, closure: Any = None, span: Optional[Span] = None) -> None:
        super().__init__(span)
        self.module = module
        self.node = node
        self.owner = owner
        self.bound = bound
        self.closure = closure

    @property
    def kind(self) -> Kind:
        return Kind.PROCESS

    @property
    def name(self) -> str:
        return getattr(self.node, "name", "<lambda>")

    def describe(self) -> str:
        owner = getattr(self.owner, "name", None)
        return f"<function {owner + '.' if owner else ''}{self.name}>"


class ClassV(Value):
    __slots__ = ("info",)

    def __init__(self, info: Any, span: Optional[Span] = None) -> None:
        super().__init__(span)
        self.info = info

    @property
    def kind(self) -> Kind:
        return Kind.PROCESS

    def describe(self) -> str:
        return f"<class {self.info.name}>"


class InstV(Value):
    """An instance of a project class; `exact` is False for an annotated attribute or
    parameter, whose real class may be any subclass."""

    __slots__ = ("info", "attrs", "exact", "uid")

    def __init__(self, info: Any, span: Optional[Span] = None, exact: bool = True) -> None:
        super().__init__(span)
        self.info = info
        self.attrs: Dict[str, Value] = {}
        self.exact = exact
        self.uid = next(_ids)

    @property
    def kind(self) -> Kind:
        return Kind.PROCESS

    def describe(self) -> str:
        return f"<{self.info.name} instance>"


class UnionV(Value):
    """One of several values, each under the guard of the branch that produced it."""

    __slots__ = ("options", "sources")

    def __init__(self, options: Iterable[Tuple[Value, Guard]], span: Optional[Span] = None,
                 sources: Optional[Tuple[Value, ...]] = None) -> None:
        super().__init__(span)
        self.options: Tuple[Tuple[Value, Guard], ...] = tuple(options)
        #: each option as it was where its branch produced it (`at` moves the options to
        #: where the union is used): a fix for one branch only edits the branch
        self.sources: Tuple[Value, ...] = sources if sources is not None else tuple(v for v, _ in self.options)

    @property
    def kind(self) -> Kind:
        return max((v.kind for v, _ in self.options), default=Kind.UNKNOWN)

    def at(self, span: Optional[Span]) -> "UnionV":
        return UnionV(((v.at(span), g) for v, g in self.options), span, self.sources)

    def describe(self) -> str:
        return " | ".join(v.describe() for v, _ in self.options)


class PathV(Value):
    """A filesystem path (from `Path(...)`, `os.path.join`, `__file__`); `path` is absolute
    or None when not known."""

    __slots__ = ("path", "_kind")

    def __init__(self, path: Optional[str], span: Optional[Span] = None, kind: Kind = Kind.STATIC) -> None:
        super().__init__(span)
        self.path = path
        self._kind = kind

    @property
    def kind(self) -> Kind:
        return self._kind if self.path is not None else Kind.UNKNOWN


class ResponseV(Value):
    """What an SDK call returns; reads of its usage fields are checked by CL010."""

    __slots__ = ("api", "fmt", "attrs", "platforms", "origin")

    def __init__(self, api: str, fmt: str, span: Optional[Span] = None, attrs: Tuple[str, ...] = (), platforms: Tuple[str, ...] = (),
                 origin: Tuple[Any, ...] = ()) -> None:
        super().__init__(span)
        self.api = api
        self.fmt = fmt
        self.attrs = attrs
        self.platforms = platforms
        #: the `Request`s of the call that returned it, for a Gemini `caches.create` only
        #: (its cache is linked to the `generate_content` requests that use its name);
        #: empty for other calls, whose replies the next request may carry
        self.origin = origin

    def derived(self, span: Optional[Span], attrs: Tuple[str, ...]) -> "ResponseV":
        """The same response read further (`.name`, `["usage"]`, `.model_dump()`)."""
        return ResponseV(self.api, self.fmt, span, attrs, self.platforms, self.origin)

    @property
    def kind(self) -> Kind:
        return Kind.DYNAMIC


class PartialV(Value):
    """`functools.partial(f, *args, **kwargs)` or a bound SDK method reference."""

    __slots__ = ("func", "args", "kwargs")

    def __init__(self, func: Value, args: List[Value], kwargs: Dict[str, Value], span: Optional[Span] = None) -> None:
        super().__init__(span)
        self.func = func
        self.args = args
        self.kwargs = kwargs


def union(options: List[Tuple[Value, Guard]], span: Optional[Span] = None) -> Value:
    """Join values from branches; identical objects merge, wide unions become Unknown.

    Branch joins call this for every name in scope, most of them bound to the same object
    in every branch: that case returns the object at once (whichever branch runs, the value
    is the same). Guards are intersected through sets, not by scanning tuples: nested
    branches make them long, and the scans made joins quadratic."""
    if options:
        first = options[0][0]
        if all(value is first for value, _ in options):
            return first
    flat: List[Tuple[Value, Guard, Value]] = []
    for value, guard in options:
        if isinstance(value, UnionV):
            flat.extend((v, _concat(guard, g), source) for (v, g), source in zip(value.options, value.sources))
        else:
            flat.append((value, guard, value))
    unique: List[Tuple[Value, Guard]] = []
    sources: List[Value] = []
    index: Dict[Hashable, int] = {}
    for value, guard, source in flat:
        key = _merge_key(value)
        if key is not None:
            i = index.get(key)
        else:
            # not hashable by content (a Const holding a list): the pairwise test
            i = next((j for j, (seen, _) in enumerate(unique) if seen is value or _same_const(seen, value)), None)
        if i is not None:
            seen, seen_guard = unique[i]
            if seen_guard:
                members = set(guard)
                unique[i] = (seen, tuple(a for a in seen_guard if a in members))
        else:
            if key is not None:
                index[key] = len(unique)
            unique.append((value, guard))
            sources.append(source)
    if len(unique) == 1:
        return unique[0][0]
    if len(unique) > MAX_UNION:
        kind = max(v.kind for v, _ in unique)
        return Unknown(kind, "one of many values", span)
    return UnionV(unique, span, tuple(sources))


def _concat(outer: Guard, inner: Guard) -> Guard:
    """`outer` then the atoms of `inner` it does not already hold (guards are conjunctions)."""
    if not outer:
        return inner
    if not inner:
        return outer
    members = set(outer)
    return outer + tuple(a for a in inner if a not in members)


def _merge_key(value: Value) -> Optional[Hashable]:
    """A key equal for exactly the values `union` merges (the same object, or the same
    constant or string parts), so that a union of a long list's elements is one pass, not
    a comparison of every pair; None when the value's content cannot be hashed."""
    if isinstance(value, Str):
        return ("str", value.parts)
    if isinstance(value, Const):
        try:
            hash(value.value)
        except TypeError:
            return None
        if value.value != value.value:  # NaN equals nothing, not even itself
            return ("id", id(value))
        return ("const", type(value.value), value.value)
    return ("id", id(value))


def _same_const(a: Value, b: Value) -> bool:
    if isinstance(a, Str) and isinstance(b, Str):
        return a.parts == b.parts
    if isinstance(a, Const) and isinstance(b, Const):
        return type(a.value) is type(b.value) and a.value == b.value
    return False


def options_of(value: Value) -> Iterator[Tuple[Value, Guard]]:
    """The alternatives of a value (a single value is its own only alternative)."""
    if isinstance(value, UnionV):
        yield from value.options
    else:
        yield value, TRUE
