"""Interpreter state: frames (one per function activation) and loop contexts."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Tuple

from cachelint.analysis.spans import Span
from cachelint.analysis.values import TRUE, Guard, Literal, Value, uid_mark

_tokens = itertools.count(1)


#: a condition that is a field of a name and nothing else: `message.cache`, `m['cache']`,
#: `m.get('cache')` (the name, then the field's name); not `m.get('cache') is False`
_ELEMENT_FIELD = re.compile(
    r"""([A-Za-z_]\w*)(?:\.(\w+)|\[\s*['"](\w+)['"]\s*\]|\.get\(\s*['"](\w+)['"][^()]*\))$""")


@dataclass
class LoopCtx:
    """A loop being interpreted: what it appends to, and how many iterations it may run.

    `bound` is a known maximum of iterations (a slice `[-2:]`, `range(3)`), `capped` is set
    when the body limits itself (a `break`, a comparison with a cap), `unrolled` when each
    element of a known list gets its own pass (then appends are concrete, not "many").
    """

    span: Span
    bound: Optional[int] = None
    capped: bool = False
    unrolled: bool = False
    appended: Dict[int, List[Span]] = field(default_factory=dict)
    #: dict keys removed (pop/del) while the loop ran, e.g. old cache_control markers
    removed: Set[str] = field(default_factory=set)
    #: containers with a smaller uid existed before the loop started (they persist across
    #: its iterations); `pass_start` is the same mark for the pass being interpreted, so a
    #: list between the two was made by an earlier pass and carried into this one (a
    #: conversation rebound each turn: `history = history + [msg]`)
    first_uid: int = field(default_factory=uid_mark)
    pass_start: int = 0
    #: the loop may run over some of its elements only (a slice `marked[:-4]`, a `while`):
    #: a key it removes from the element it binds is removed from some of them, maybe none
    subset: bool = False
    #: the names bound where a `break` left the loop, one dict per `break` met: after the
    #: loop, each is a way the code may go on (`found = item; break` in a search)
    breaks: List[Dict[str, Any]] = field(default_factory=list)
    #: the lists the loop iterates (`for msg in history:`), as lineage steps: each one's
    #: uid, then the lists it is a copy of. A list made before the loop that the body
    #: appends to is built from them (the history converted into an SDK's format each
    #: turn), so it grows when they do
    over: Tuple[Tuple[int, Optional[Span]], ...] = ()
    #: the names the loop binds to each element (`for message in messages`: `message`)
    targets: Tuple[str, ...] = ()


@dataclass
class Frame:
    module: Any  # ModuleInfo
    locals: Dict[str, Value] = field(default_factory=dict)
    parent: Optional["Frame"] = None
    func: Any = None  # FuncV being run
    owner: Any = None  # ClassInfo of the method
    self_value: Optional[Value] = None
    guard: Guard = TRUE
    at_import: bool = False
    loops: List[LoopCtx] = field(default_factory=list)
    chain: Tuple[Span, ...] = ()
    depth: int = 0
    returns: List[Tuple[Value, Guard]] = field(default_factory=list)
    params: Set[str] = field(default_factory=set)
    #: parameters of the entry function are per-call inputs; of __init__, per-instance
    entry_param_kind: Any = None
    token: int = field(default_factory=lambda: next(_tokens))
    #: outer frame that called this one (for loop contexts that span calls)
    caller: Optional["Frame"] = None

    def literal(self, span: Span, kind: str) -> "Literal":
        """Provenance of a dict/list display evaluated in this frame."""
        return Literal(span, kind, self.token, in_loop=bool(self.all_loops()),
                       module_level=self.at_import and self.func is None)

    def under_element_cache_flag(self) -> bool:
        """Whether this code runs under a caching flag of the element a running loop visits
        (`for message in messages: if message.cache: ...`, `if m.get("cache_me")`): a
        breakpoint written here is on the elements whose maker asked for one (motosan-ai
        serializes `Message(cache=True)` so). Only a flag named for caching: a test that the
        element has content (`if message.content_blocks`) holds for nearly every element."""
        targets = {name for loop in self.all_loops() if not loop.unrolled for name in loop.targets}
        if not targets:
            return False
        for atom in self.guard:
            # an attribute's truth is a "truthy" atom; a subscript's or `get`'s is opaque
            if atom.op not in ("truthy", "opaque") or atom.negated:
                continue
            field = _ELEMENT_FIELD.match(atom.subject)
            if field is None or field.group(1) not in targets:
                continue
            name = field.group(2) or field.group(3) or field.group(4) or ""
            if "cache" in name.lower():
                return True
        return False

    def all_loops(self) -> List[LoopCtx]:
        """Loops active in this frame and in the frames that called it, outermost first."""
        loops: List[LoopCtx] = []
        frame: Optional[Frame] = self
        chain: List[Frame] = []
        while frame is not None:
            chain.append(frame)
            frame = frame.caller
        for f in reversed(chain):
            loops.extend(f.loops)
        return loops


class BudgetExceeded(Exception):
    """The analysis of one entry function took too many steps; its results are dropped."""


class PathEnds(Exception):
    """The statement being run certainly raises (a constructor called with a keyword its
    `__init__` does not take: `TypeError`): its path ends there, as at a `raise`
    (`StatementsMixin.exec_stmt` catches it)."""


class Cancelled(BaseException):
    """The caller no longer wants this analysis (the language server: the buffer changed
    again). A BaseException, so no `except Exception` of the interpreter turns it into an
    "unknown" value: it ends the whole file's analysis, and nothing partial is returned."""
