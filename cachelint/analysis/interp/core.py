"""The `Interpreter` class: its state, entry points and the step budget.

It combines the mixins of this package (one per concern: statements, assignment,
expressions, names, conditions, strings, containers, objects, calls, SDK calls) and holds
what they share: the project and entry module, the requests and events found, the caches,
the call stack, and the step counter checked by `tick`. `run_module` and `run_function`
are what `analysis.analyse_file` calls.
"""

from __future__ import annotations

import ast
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Set, Tuple

from cachelint.analysis.frames import BudgetExceeded, Cancelled, Frame, LoopCtx
from cachelint.analysis.project import ClassInfo, ModuleInfo, Project
from cachelint.analysis.request import MARKER_WORDS
from cachelint.analysis.spans import Span
from cachelint.analysis.values import ClassV, DictV, FuncV, InstV, Item, Kind, ListV, Str, Unknown, Value, hole
from cachelint.analysis.interp.limits import MAX_STEPS
from cachelint.analysis.interp.statements import StatementsMixin
from cachelint.analysis.interp.assignment import AssignmentMixin
from cachelint.analysis.interp.expressions import ExpressionsMixin
from cachelint.analysis.interp.names import NamesMixin
from cachelint.analysis.interp.conditions import ConditionsMixin
from cachelint.analysis.interp.strings import StringsMixin
from cachelint.analysis.interp.containers import ContainersMixin
from cachelint.analysis.interp.objects import ObjectsMixin
from cachelint.analysis.interp.calls import CallsMixin
from cachelint.analysis.interp.sdkcalls import SdkCallsMixin

class Interpreter(
    StatementsMixin,
    AssignmentMixin,
    ExpressionsMixin,
    NamesMixin,
    ConditionsMixin,
    StringsMixin,
    ContainersMixin,
    ObjectsMixin,
    CallsMixin,
    SdkCallsMixin,
):
    """Interprets the functions of one entry module and collects the requests they send."""

    def __init__(self, project: Project, entry: ModuleInfo, max_depth: int = 3, strict: bool = False,
                 sending_names: FrozenSet[str] = frozenset()) -> None:
        from cachelint.analysis.builders import RequestBuilder

        self.project = project
        #: set by another thread when this analysis is no longer wanted (`Project.cancel`)
        self._cancel = project.cancel
        self.entry = entry
        self.max_depth = max_depth
        self.strict = strict
        #: every loop and comprehension met, by span (markers refer back to them)
        self.loops: Dict[Span, LoopCtx] = {}
        self.builder = RequestBuilder(self.loops)
        self.requests: List[Any] = []
        #: requests recorded so far, counting those that replaced an equal one (a loop
        #: whose first pass sent one runs a second pass, see `_run_loop_body`)
        self.sent = 0
        self._request_keys: Dict[Tuple[Any, ...], int] = {}
        self.events: List[Any] = []
        self.errors: List[str] = []
        self.steps = 0
        #: steps this entry spent in helpers that cannot reach a request (`HELPER_STEPS`),
        #: and the step count when the outermost such helper being run was entered
        self.helper_steps = 0
        self._helper_started: Optional[int] = None
        self.eval_depth = 0
        self._globals: Dict[Tuple[str, str], Value] = {}
        self._module_frames: Dict[str, Frame] = {}
        self._class_frames: Dict[Tuple[str, int], Frame] = {}
        self._class_attrs: Dict[Tuple[Tuple[str, int], str], Value] = {}
        self._evaluating: Set[Tuple[Any, ...]] = set()
        #: base-class expressions resolved so far (`ObjectsMixin.resolve_class`)
        self._resolved_bases: Dict[Tuple[Any, ...], Optional[ClassInfo]] = {}
        #: project subclasses of a class, by its key (`ObjectsMixin.overriding_methods`)
        self._subclasses: Dict[Tuple[str, int], List[ClassInfo]] = {}
        #: the implementations of a `typing.Protocol` a method is called on, by the
        #: protocol's key and the method (`ObjectsMixin.overriding_methods`)
        self._implementations: Dict[Tuple[Tuple[str, int], str], List[ClassInfo]] = {}
        #: the instance of a subclass that a receiver known up to its base was taken for,
        #: by the receiver's uid and the subclass's key (`ObjectsMixin.overriding_methods`)
        self._dispatched: Dict[Tuple[int, Tuple[str, int]], InstV] = {}
        self._init_summaries: Dict[Tuple[str, int], Dict[str, Value]] = {}
        self._stack: List[Frame] = []
        self._mentions_cache: Dict[int, bool] = {}
        self.self_class: Optional[str] = None
        #: names that lead to an LLM call from the entry module (its candidates and those its
        #: imports bring in): a call to one of them is always followed
        self.sending_names = sending_names
        #: the call whose result the statement being run drops (`log(x)` as a statement):
        #: a project function without effect called there is not followed
        self._dropped_call: Optional[ast.Call] = None
        #: per branch being run (`StatementsMixin._fork`, innermost last): the dict entries
        #: it wrote, each with the entry it replaced, so the next branch starts from the
        #: heap as it was and the join merges them
        self._branch_writes: List[List[Tuple[Any, str, Any]]] = []
        #: results of calls to functions without effect, by function and arguments
        self._results: Dict[Tuple[Any, ...], Value] = {}
        #: function values that refer to a frame (`def` in a body, `lambda`) or to an
        #: instance (a bound method): each can be a reference cycle (see `release`)
        self.made_functions: List[Any] = []

    def function_value(self, path: str, node: Any, owner: Any = None, bound: Any = None, closure: Any = None,
                       span: Any = None) -> Any:
        """A function value (`FuncV`), remembered for `release` when it refers to a frame
        or an instance."""
        func = FuncV(path, node, owner=owner, bound=bound, closure=closure, span=span)
        if bound is not None or closure is not None:
            self.made_functions.append(func)
        return func

    def release(self) -> None:
        """Break the reference cycles the analysis made, once its results are taken.

        A function value refers to the frame that defined it, and that frame's locals to
        the function; a bound method to its instance, whose attributes may hold it
        (`self.on_chunk = self._stream`). Left alone, each such cycle (with every value,
        syntax subtree and module it reaches) waits for a full run of the cyclic garbage
        collector, which on litellm let a worker's memory double. Nothing but the
        interpreter follows a closure or a bound instance."""
        for func in self.made_functions:
            func.closure = None
            func.bound = None
        self.made_functions.clear()
        self._dispatched.clear()

    # === entry points ============================================================================
    def run_module(self) -> None:
        """Run the module's top-level code as a script (it runs once per process)."""
        frame = self._module_frame(self.entry)
        self._run_entry(lambda: self._exec_module_code(frame), frame)

    def _exec_module_code(self, frame: Frame) -> None:
        """The module's top-level statements, but those that only bind a name nothing has
        read yet (`ModuleInfo.deferrable`: a constant, a `def`, a `class`): the name is
        evaluated from its bindings if something reads it later."""
        deferrable = self.entry.deferrable()
        if not deferrable:
            self.exec_block(self.entry.tree.body, frame)
            return
        bound, evaluated, path = frame.locals, self._globals, self.entry.path
        for stmt in self.entry.tree.body:
            name = deferrable.get(id(stmt))
            if name is not None and name not in bound and (path, name) not in evaluated:
                continue
            if self.exec_stmt(stmt, frame):
                return

    def run_function(self, node: Any, owner: Optional[ClassInfo] = None, self_info: Optional[ClassInfo] = None, parent: Optional[Frame] = None) -> None:
        """Analyse one function as called from outside with unknown per-call arguments."""
        module = owner.module if owner is not None else self.entry
        frame = Frame(module=module, parent=parent or self._module_frame(module), owner=owner, entry_param_kind=Kind.DYNAMIC)
        self_value: Optional[Value] = None
        if self_info is not None:
            inst = InstV(self_info, exact=True)
            self_value = inst
            self.self_class = self_info.name
        else:
            self.self_class = None
        decorators = self.decorator_names(node)
        if owner is not None and "staticmethod" not in decorators:
            if "classmethod" in decorators:
                self_value = ClassV(self_info or owner)
        frame.self_value = self_value
        self._bind_entry_params(node, frame, self_value)
        self._run_entry(lambda: self.exec_block(node.body, frame), frame)

    def _run_entry(self, run: Callable[[], None], frame: Frame) -> None:
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled()
        self.steps = 0
        self.helper_steps = 0
        self._helper_started = None
        before = len(self.requests)
        self._stack = [frame]
        try:
            run()
        except BudgetExceeded:
            del self.requests[before:]
            self._request_keys = {k: v for k, v in self._request_keys.items() if v < before}
        except RecursionError:
            del self.requests[before:]
            self._request_keys = {k: v for k, v in self._request_keys.items() if v < before}
        except Exception as exc:  # the analysis must never take the linter down
            if self.strict:
                raise
            self.errors.append(f"{type(exc).__name__}: {exc}")
            del self.requests[before:]
            self._request_keys = {k: v for k, v in self._request_keys.items() if v < before}
        finally:
            self._stack = []

    def _bind_entry_params(self, node: Any, frame: Frame, self_value: Optional[Value]) -> None:
        args = node.args
        positional = list(args.posonlyargs) + list(args.args)
        if self_value is not None and positional:
            frame.locals[positional[0].arg] = self_value
            positional = positional[1:]
        for arg in positional + list(args.kwonlyargs):
            frame.locals[arg.arg] = self._param_value(arg, frame, frame.entry_param_kind)
            frame.params.add(arg.arg)
        if args.vararg is not None:
            frame.locals[args.vararg.arg] = self._many_unknown(Kind.DYNAMIC, f"*{args.vararg.arg}", self.span(args.vararg, frame))
            frame.params.add(args.vararg.arg)
        if args.kwarg is not None:
            d = DictV(self.span(args.kwarg, frame))
            d.open.append(Unknown(Kind.DYNAMIC, f"**{args.kwarg.arg}", self.span(args.kwarg, frame)))
            frame.locals[args.kwarg.arg] = d
            frame.params.add(args.kwarg.arg)

    def _param_value(self, arg: ast.arg, frame: Frame, kind: Kind) -> Value:
        span = self.span(arg, frame)
        if arg.annotation is not None:
            typed = self.annotation_value(frame.module, arg.annotation, span)
            if typed is not None:
                return typed
            if isinstance(arg.annotation, ast.Name) and arg.annotation.id == "str":
                text = Str([hole(kind, f"parameter `{arg.arg}`", span)], span)
                text.via_param = True
                return text
        value = Unknown(kind, f"parameter `{arg.arg}`", span)
        value.via_param = True
        return value

    # === spans and helpers =======================================================================
    def span(self, node: Any, frame: Frame) -> Span:
        """The node's span in its module. Asked for over and over (every evaluation makes
        one), so the span is kept on the node: a node belongs to one module's tree."""
        path = frame.module.path
        cached = getattr(node, "_cachelint_span", None)
        if cached is not None and cached.path == path:
            return cached
        start, end = frame.module.index.node_range(node) if hasattr(node, "lineno") else (0, 0)
        found = Span(path, start, end)
        try:
            node._cachelint_span = found
        except AttributeError:
            pass
        return found

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise BudgetExceeded()
        if not self.steps & 255 and self._cancel is not None and self._cancel.is_set():
            raise Cancelled()

    def _many_unknown(self, kind: Kind, label: str, span: Optional[Span]) -> ListV:
        lst = ListV(span)
        lst.items.append(Item(Unknown(kind, label, span), many=True))
        return lst

    def decorator_names(self, node: Any) -> Set[str]:
        """The names of a function's decorators (`@classmethod`, `@functools.cache` ->
        `cache`); none for a lambda."""
        return {self._decorator_name(d) for d in getattr(node, "decorator_list", [])}

    @staticmethod
    def _decorator_name(node: ast.expr) -> str:
        if isinstance(node, ast.Call):
            node = node.func
        if isinstance(node, ast.Attribute):
            return node.attr
        if isinstance(node, ast.Name):
            return node.id
        return ""

    def mentions_cache(self, node: Any, module: ModuleInfo) -> bool:
        """Whether a function's source handles cache markers (its results may carry some)."""
        key = id(node)
        if key not in self._mentions_cache:
            start, end = module.index.node_range(node)
            text = module.text[start:end]
            self._mentions_cache[key] = any(word in text for word in MARKER_WORDS)
        return self._mentions_cache[key]
