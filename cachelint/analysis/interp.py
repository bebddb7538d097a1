"""The abstract interpreter: runs request-building code over abstract values.

It walks the stdlib syntax tree of a function statement by statement, the way Python would,
but over `values` instead of real objects: strings keep which parts are static or dynamic,
dicts and lists are shared and mutated in place, branches fork and join into unions with
the conditions that chose them, loops run twice so that what one iteration appends is seen
by the next call, and calls into project functions are followed a few levels deep (with
their arguments bound), across modules. When an SDK request method is reached, the
arguments at that moment are turned into a `Request`.

Every construct it does not model evaluates to `Unknown`; deep recursion and long
functions stop at a budget. The interpreter never imports or runs the linted code.
"""

from __future__ import annotations

import ast
import os
import re
import string
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from cachelint.analysis import sdk
from cachelint.analysis.effects import without_effect
from cachelint.analysis.events import ClientEvent, UsageRead
from cachelint.analysis.externals import (
    ENV_LABEL,
    EXTERNAL,
    argparse_method,
    jinja_env_method,
    namespace_attr,
    template_method,
)
from cachelint.analysis.frames import BudgetExceeded, Frame, LoopCtx
from cachelint.analysis.project import ClassInfo, ModuleInfo, Project
from cachelint.analysis.spans import Span
from cachelint.analysis.valueops import (
    BUILTINS,
    MISSING,
    STR_METHODS,
    ArgParserV,
    FileV,
    JinjaEnvV,
    JsonStr,
    NamespaceV,
    SuperV,
    TemplateV,
    apply_op,
    attr_path,
    class_name,
    clone,
    compare,
    flatten_union,
    MARKER_FIELDS,
    has_marker,
    is_none,
    is_sdk_name,
    isa_matches,
    label,
    literal_values,
    self_assignments,
    split_field,
    static_py,
    subject_text,
    tag_born,
    taint_markers,
    untag_born,
    to_python,
    truthiness,
    url_text,
    walk_local,
)
from cachelint.analysis.values import (
    TRUE,
    Atom,
    ClassV,
    ClientAlt,
    ClientV,
    Const,
    DefaultV,
    DictV,
    Entry,
    ExtV,
    FuncV,
    Guard,
    InstV,
    Item,
    Kind,
    ListV,
    ModV,
    Part,
    PartialV,
    PathV,
    ResponseV,
    Str,
    UnionV,
    Unknown,
    Value,
    hole,
    hole_for,
    options_of,
    uid_mark,
    satisfiable,
    static_part,
    union,
)

#: Functions that call the callable they are given with the arguments after it.
_RUNNERS = frozenset({"to_thread", "run_sync", "run_in_threadpool", "run_in_executor", "submit", "call_soon_threadsafe",
                      "call_soon", "run_async", "sync_to_async", "async_to_sync", "retry_call"})

MAX_UNROLL = 16
MAX_STEPS = 40_000
MAX_EVAL_DEPTH = 120
MAX_DISPATCH = 6
_CACHE_WORDS = ("cache_control", "cachePoint", "cache_point", "copilot_cache_control")


class Interpreter:
    """Interprets the functions of one entry module and collects the requests they send."""

    def __init__(self, project: Project, entry: ModuleInfo, max_depth: int = 3, strict: bool = False,
                 sending_names: FrozenSet[str] = frozenset()) -> None:
        from cachelint.analysis.builders import RequestBuilder

        self.project = project
        self.entry = entry
        self.max_depth = max_depth
        self.strict = strict
        self.builder = RequestBuilder(self)
        self.requests: List[Any] = []
        self._request_keys: Dict[Tuple[Any, ...], int] = {}
        self.events: List[Any] = []
        self.errors: List[str] = []
        self.steps = 0
        self.eval_depth = 0
        self._globals: Dict[Tuple[str, str], Value] = {}
        self._module_frames: Dict[str, Frame] = {}
        self._class_frames: Dict[Tuple[str, int], Frame] = {}
        self._class_attrs: Dict[Tuple[Tuple[str, int], str], Value] = {}
        self._evaluating: Set[Tuple[Any, ...]] = set()
        self._init_summaries: Dict[Tuple[str, int], Dict[str, Value]] = {}
        self._stack: List[Frame] = []
        self._mentions_cache: Dict[int, bool] = {}
        self.self_class: Optional[str] = None
        #: every loop and comprehension met, by span (markers refer back to them)
        self.loops: Dict[Span, LoopCtx] = {}
        #: names that lead to an LLM call from the entry module (its candidates and those its
        #: imports bring in): a call to one of them is always followed
        self.sending_names = sending_names
        #: the call whose result the statement being run drops (`log(x)` as a statement):
        #: a project function without effect called there is not followed
        self._dropped_call: Optional[ast.Call] = None
        #: calls skipped that way (shown by --verbose through the analysis notes)
        self.skipped_calls = 0
        #: results of calls to functions without effect, by function and arguments
        self._results: Dict[Tuple[Any, ...], Value] = {}

    # === entry points ============================================================================
    def run_module(self) -> None:
        """Run the module's top-level code as a script (it runs once per process)."""
        frame = self._module_frame(self.entry)
        self._run_entry(lambda: self.exec_block(self.entry.tree.body, frame), frame)

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
        decorators = {self._decorator_name(d) for d in getattr(node, "decorator_list", [])}
        if owner is not None and "staticmethod" not in decorators:
            if "classmethod" in decorators:
                self_value = ClassV(self_info or owner)
        frame.self_value = self_value
        self._bind_entry_params(node, frame, self_value)
        self._run_entry(lambda: self.exec_block(node.body, frame), frame)

    def _run_entry(self, run: Callable[[], None], frame: Frame) -> None:
        self.steps = 0
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
        module = frame.module
        start, end = module.index.node_range(node) if hasattr(node, "lineno") else (0, 0)
        return Span(module.path, start, end)

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise BudgetExceeded()

    def _many_unknown(self, kind: Kind, label: str, span: Optional[Span]) -> ListV:
        lst = ListV(span)
        lst.items.append(Item(Unknown(kind, label, span), many=True))
        return lst

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
            self._mentions_cache[key] = any(word in text for word in _CACHE_WORDS)
        return self._mentions_cache[key]

    # === statements ==============================================================================
    def exec_block(self, body: Sequence[ast.stmt], frame: Frame) -> bool:
        """Run statements; True when the block always ends (return/raise/break/continue)."""
        for stmt in body:
            if self.exec_stmt(stmt, frame):
                return True
        return False

    def exec_stmt(self, stmt: ast.stmt, frame: Frame) -> bool:
        self.tick()
        if isinstance(stmt, ast.Expr):
            value = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
            self._dropped_call = value if isinstance(value, ast.Call) else None
            self.eval(stmt.value, frame)
        elif isinstance(stmt, ast.Assign):
            value = self.eval(stmt.value, frame)
            for target in stmt.targets:
                self.assign(target, value, frame)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.assign(stmt.target, self.eval(stmt.value, frame), frame)
            elif isinstance(stmt.target, ast.Name) and frame.owner is None and frame.func is None:
                pass
        elif isinstance(stmt, ast.AugAssign):
            self.exec_augassign(stmt, frame)
        elif isinstance(stmt, ast.Return):
            value = self.eval(stmt.value, frame) if stmt.value is not None else Const(None)
            frame.returns.append((value, frame.guard))
            return True
        elif isinstance(stmt, ast.If):
            return self.exec_if(stmt, frame)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            self.exec_for(stmt, frame)
        elif isinstance(stmt, ast.While):
            self.exec_while(stmt, frame)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                ctx = self.eval(item.context_expr, frame)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, self._enter(ctx), frame)
            return self.exec_block(stmt.body, frame)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            return self.exec_try(stmt, frame)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            frame.locals[stmt.name] = FuncV(frame.module.path, stmt, owner=None, closure=frame, span=self.span(stmt, frame))
        elif isinstance(stmt, ast.ClassDef):
            info = next((c for c in frame.module.all_classes if c.node is stmt), None)
            if info is not None:
                frame.locals[stmt.name] = ClassV(info, self.span(stmt, frame))
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self.exec_import(stmt, frame)
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                self.delete(target, frame)
        elif isinstance(stmt, ast.Raise):
            return True
        elif isinstance(stmt, (ast.Break, ast.Continue)):
            return True
        elif isinstance(stmt, ast.Assert):
            then_atoms, _ = self.condition_atoms(stmt.test, frame)
            frame.guard = frame.guard + tuple(then_atoms)
        elif type(stmt).__name__ == "Match":
            self.exec_match(stmt, frame)
        return False

    def exec_import(self, stmt: ast.stmt, frame: Frame) -> None:
        for alias in stmt.names:  # type: ignore[attr-defined]
            if alias.name == "*":
                continue
            if isinstance(stmt, ast.Import):
                name = alias.asname or alias.name.split(".")[0]
                target = alias.name if alias.asname else alias.name.split(".")[0]
                frame.locals[name] = self.import_module_value(frame.module, target, 0)
            else:
                name = alias.asname or alias.name
                frame.locals[name] = self.import_from_value(frame.module, stmt.module or "", stmt.level, alias.name)

    def exec_augassign(self, stmt: ast.AugAssign, frame: Frame) -> None:
        target = stmt.target
        right = self.eval(stmt.value, frame)
        if isinstance(target, ast.Name):
            current = self.lookup(target.id, frame, self.span(target, frame))
            self.assign(target, self.binop(current, stmt.op, right, self.span(stmt, frame), frame, inplace=True), frame)
        elif isinstance(target, ast.Subscript):
            base = self.eval(target.value, frame)
            key = self.eval(target.slice, frame)
            current = self.get_item(base, key, self.span(target, frame), frame)
            self.set_item(base, key, self.binop(current, stmt.op, right, self.span(stmt, frame), frame, inplace=True), frame, self.span(stmt, frame))
        elif isinstance(target, ast.Attribute):
            base = self.eval(target.value, frame)
            current = self.get_attr(base, target.attr, self.span(target, frame), frame)
            self.set_attr(base, target.attr, self.binop(current, stmt.op, right, self.span(stmt, frame), frame, inplace=True), frame)

    def exec_if(self, stmt: ast.If, frame: Frame) -> bool:
        decided = self.static_truth(stmt.test, frame)
        if decided is True:
            return self.exec_block(stmt.body, frame)
        if decided is False:
            return self.exec_block(stmt.orelse, frame)
        then_atoms, else_atoms = self.condition_atoms(stmt.test, frame)
        return self._fork(frame, [(stmt.body, then_atoms), (stmt.orelse, else_atoms)])

    def _fork(self, frame: Frame, branches: List[Tuple[Sequence[ast.stmt], List[Atom]]]) -> bool:
        """Run alternative blocks on copies of the locals (and of `self`'s attributes, which
        `__init__` sets in branches: `if provider == "bedrock": self.client = ...`) and
        join what they bind."""
        base_locals = frame.locals
        base_guard = frame.guard
        inst = frame.self_value if isinstance(frame.self_value, InstV) else None
        base_attrs = dict(inst.attrs) if inst is not None else {}
        results: List[Tuple[Dict[str, Value], Guard, bool, Dict[str, Value]]] = []
        for body, atoms in branches:
            frame.locals = dict(base_locals)
            if inst is not None:
                inst.attrs = dict(base_attrs)
            frame.guard = base_guard + tuple(atoms)
            ended = self.exec_block(body, frame) if body else False
            results.append((frame.locals, tuple(atoms), ended, dict(inst.attrs) if inst is not None else {}))
        frame.guard = base_guard
        live = [r for r in results if not r[2]]
        if not live:
            frame.locals = base_locals
            if inst is not None:
                inst.attrs = base_attrs
            return True
        if len(live) == 1 and len(results) > 1:
            # `if not ok: return ...` : what follows runs only when the branch was not taken
            frame.guard = base_guard + tuple(a for a in live[0][1] if a not in base_guard)
        frame.locals = _join([(r[0], r[1]) for r in live], base_locals)
        if inst is not None:
            inst.attrs = _join([(r[3], r[1]) for r in live], base_attrs)
        return False

    def exec_try(self, stmt: Any, frame: Frame) -> bool:
        ended = self.exec_block(stmt.body, frame)
        if not ended:
            self.exec_block(stmt.orelse, frame)
        for handler in stmt.handlers:
            saved = dict(frame.locals)
            saved_guard = frame.guard
            frame.guard = frame.guard + (Atom("<exception>", "opaque"),)
            if handler.name:
                frame.locals[handler.name] = Unknown(Kind.DYNAMIC, "exception")
            handler_ended = self.exec_block(handler.body, frame)
            frame.guard = saved_guard
            if handler_ended:
                frame.locals = saved
            else:
                handler_locals = frame.locals
                frame.locals = saved
                for name, value in handler_locals.items():
                    if saved.get(name) is not value:
                        frame.locals[name] = union([(saved[name], ()), (value, ())]) if name in saved else value
        self.exec_block(stmt.finalbody, frame)
        return ended and not stmt.handlers

    def exec_match(self, stmt: Any, frame: Frame) -> None:
        subject = ast.unparse(stmt.subject)
        branches = []
        for case in stmt.cases:
            branches.append((case.body, [Atom(subject + " ~ " + ast.unparse(case.pattern), "opaque")]))
        branches.append(([], []))
        self._fork(frame, branches)

    # --- loops -------------------------------------------------------------------------------------
    def exec_for(self, stmt: Any, frame: Frame) -> None:
        iterable = self.eval(stmt.iter, frame)
        span = self.span(stmt, frame)
        bound, capped = self.loop_bound(stmt, iterable, frame)
        items = self._known_items(iterable)
        if items is not None and len(items) <= MAX_UNROLL:
            ctx = LoopCtx(span, bound=len(items), capped=capped, unrolled=True)
            self.loops[span] = ctx
            frame.loops.append(ctx)
            try:
                for value in items:
                    self.assign(stmt.target, value, frame)
                    self.exec_block(stmt.body, frame)
            finally:
                frame.loops.pop()
            self.exec_block(stmt.orelse, frame)
            return
        element = self.element_of(iterable, self.span(stmt.iter, frame))
        ctx = LoopCtx(span, bound=bound, capped=capped)
        self._run_loop_body(stmt, frame, ctx, lambda: self.assign(stmt.target, element, frame))

    def exec_while(self, stmt: ast.While, frame: Frame) -> None:
        if self.static_truth(stmt.test, frame) is False:
            self.exec_block(stmt.orelse, frame)
            return
        capped = self._body_caps(stmt.body)
        ctx = LoopCtx(self.span(stmt, frame), bound=None, capped=capped)
        self._run_loop_body(stmt, frame, ctx, lambda: None)

    def _run_loop_body(self, stmt: Any, frame: Frame, ctx: LoopCtx, bind: Callable[[], None]) -> None:
        """Two passes: the second sees what the first appended (an agent loop's history)."""
        self.loops[ctx.span] = ctx
        frame.loops.append(ctx)
        base_guard = frame.guard
        frame.guard = base_guard + (Atom(f"<loop {ctx.span.start}>", "opaque"),)
        try:
            for _ in range(2):
                ctx.pass_start = uid_mark()
                before = dict(frame.locals)
                bind()
                self.exec_block(stmt.body, frame)
                for name, value in frame.locals.items():
                    if name in before and before[name] is not value:
                        frame.locals[name] = union([(before[name], ()), (value, ())])
        finally:
            frame.loops.pop()
            frame.guard = base_guard
        self.exec_block(stmt.orelse, frame)

    def loop_bound(self, stmt: Any, iterable: Value, frame: Frame) -> Tuple[Optional[int], bool]:
        """(most iterations, whether the body caps itself) of a `for` loop."""
        bound: Optional[int] = None
        it = stmt.iter
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id in ("enumerate", "reversed") and it.args:
            it = it.args[0]
        if isinstance(it, ast.Subscript) and isinstance(it.slice, ast.Slice):
            bound = self._slice_bound(it.slice, frame)
        elif isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" and len(it.args) == 1:
            n = self.eval(it.args[0], frame)
            if isinstance(n, Const) and isinstance(n.value, int):
                bound = n.value
        elif isinstance(iterable, ListV) and iterable.known_length is not None:
            bound = iterable.known_length
        return bound, self._body_caps(stmt.body)

    def _slice_bound(self, sl: ast.Slice, frame: Frame) -> Optional[int]:
        lower = self.eval(sl.lower, frame) if sl.lower is not None else Const(None)
        upper = self.eval(sl.upper, frame) if sl.upper is not None else Const(None)
        lo = lower.value if isinstance(lower, Const) else "?"
        hi = upper.value if isinstance(upper, Const) else "?"
        if isinstance(lo, int) and lo < 0 and hi is None:
            return -lo
        if (lo is None or lo == 0) and isinstance(hi, int) and hi >= 0:
            return hi
        if isinstance(lo, int) and isinstance(hi, int) and lo >= 0 and hi >= lo:
            return hi - lo
        if isinstance(lo, int) and isinstance(hi, int) and lo < 0 and hi < 0 and hi >= lo:
            return hi - lo
        return None

    _CAP_NAME_RE = re.compile(r"max|limit|budget|remaining|cap|allowed|quota|left", re.IGNORECASE)

    def _body_caps(self, body: Sequence[ast.stmt]) -> bool:
        """Whether a loop body limits how often it runs or marks: `break`, `return`, a
        comparison with a small constant, with a name like `max_breakpoints`, or with the
        last index (`i == len(x) - 1`). Remembered on the body's first statement: a loop
        in a helper is entered on every call of the helper."""
        if not body:
            return False
        known: Optional[bool] = getattr(body[0], "_cachelint_body_caps", None)
        if known is None:
            known = self._scan_body_caps(body)
            body[0]._cachelint_body_caps = known  # type: ignore[attr-defined]
        return known

    def _scan_body_caps(self, body: Sequence[ast.stmt]) -> bool:
        for node in walk_local(body):
            if isinstance(node, (ast.Break, ast.Return)):
                return True
            if isinstance(node, ast.Compare):
                for operand in [node.left, *node.comparators]:
                    if isinstance(operand, ast.Constant) and isinstance(operand.value, int) and not isinstance(operand.value, bool):
                        if 0 < operand.value <= 4 and not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
                            return True
                    text = subject_text(operand)
                    if self._CAP_NAME_RE.search(text):
                        return True
                    if re.search(r"len\(.*\)\s*-\s*1", text):
                        return True
        return False

    # === assignment ==============================================================================
    def assign(self, target: ast.expr, value: Value, frame: Frame) -> None:
        if isinstance(target, ast.Name):
            frame.locals[target.id] = value
            frame.params.discard(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self._assign_unpack(target.elts, value, frame)
        elif isinstance(target, ast.Subscript):
            base = self.eval(target.value, frame)
            key = self.eval(target.slice, frame)
            self.set_item(base, key, value, frame, self.span(target, frame), entry_node=target)
        elif isinstance(target, ast.Attribute):
            base = self.eval(target.value, frame)
            self.set_attr(base, target.attr, value, frame)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, self._many_unknown(value.kind, "unpacked values", value.span), frame)

    def _assign_unpack(self, targets: List[ast.expr], value: Value, frame: Frame) -> None:
        items = self._known_items(value)
        if items is not None and len(items) == len(targets) and not any(isinstance(t, ast.Starred) for t in targets):
            for t, v in zip(targets, items):
                self.assign(t, v, frame)
            return
        for t in targets:
            element = self.element_of(value, value.span)
            self.assign(t, element, frame)

    def set_item(self, base: Value, key: Value, value: Value, frame: Frame, span: Span, entry_node: Optional[ast.AST] = None) -> None:
        for option, guard in options_of(base):
            if isinstance(option, DictV):
                if isinstance(key, Str) and key.text is not None:
                    self.set_entry(option, key.text, value, span, frame, guard)
                else:
                    option.open.append(Unknown(value.kind, "entry with a computed key", span, may_mark=True))
            elif isinstance(option, ListV):
                index = key.value if isinstance(key, Const) and isinstance(key.value, int) else None
                item = self._list_item_at(option, index)
                if item is not None:
                    pos, current = item
                    option.items[pos] = Item(value, current.many, current.cond or bool(frame.guard), current.guard, current.loop, current.bound, span)
                elif index == -1 and option.items and option.items[-1].many and has_marker(value):
                    # `msgs[-1] = marked` after a run of appended elements: the last one of
                    # the run is replaced; the run (zero or more) then this element is the
                    # closest model, and keeps the marker visible to the rules
                    option.items.append(Item(value, cond=bool(frame.guard), guard=frame.guard, site=span))
            elif isinstance(option, Unknown) and isinstance(key, Str) and key.text in MARKER_FIELDS:
                # `messages[-1]["content"][-1]["cache_control"] = ...` on a list the caller
                # passed: one breakpoint on (as far as the analysis knows) its last element.
                ttl = value.get("ttl") if isinstance(value, DictV) else None
                loops = [l for l in frame.all_loops() if not l.unrolled]
                loop = loops[-1] if loops else None
                option.root.marks.append(
                    (value.span or span, key.text, ttl.text if isinstance(ttl, Str) else None,
                     loop.span if loop is not None else None, loop.bound if loop is not None else None,
                     loop.capped if loop is not None else False)
                )

    def set_entry(self, d: DictV, key: str, value: Value, span: Optional[Span], frame: Frame, guard: Guard = TRUE) -> None:
        """Write `d[key] = value`, remembering the conditions and loops it happens under.

        A dict created once per iteration of a loop (a message appended in an agent loop, a
        block built in a comprehension) stands for all of them: a marker written on it is
        written on each, unless the loop also removes old markers.
        """
        full_guard = frame.guard + guard
        cond = any(not a.subject.startswith("<loop") for a in full_guard)
        entry = Entry(value, span, cond, full_guard)
        if d.born is not None:
            loops = [l for l in frame.all_loops() if not l.unrolled]
            current = loops[-1] if loops else None
            entry.loop = d.born
            entry.written_in = current.span if current is not None else None
            if current is not None and current.span != d.born:
                entry.loop_bound = current.bound
                entry.loop_capped = current.capped
            elif current is not None:
                entry.loop_bound = current.bound
        d.entries[key] = entry

    def _list_item_at(self, lst: ListV, index: Optional[int]) -> Optional[Tuple[int, Item]]:
        if index is None or not lst.items:
            return None
        if index < 0:
            pos = len(lst.items) + index
            # counting from the end is exact only when no run of unknown length follows
            if pos < 0 or any(i.many for i in lst.items[pos:]):
                return None
            return pos, lst.items[pos]
        if any(i.many or i.cond for i in lst.items[: index + 1]) or index >= len(lst.items):
            return None
        return index, lst.items[index]

    def set_attr(self, base: Value, name: str, value: Value, frame: Frame) -> None:
        for option, _ in options_of(base):
            if isinstance(option, InstV):
                option.attrs[name] = value

    def delete(self, target: ast.expr, frame: Frame) -> None:
        if isinstance(target, ast.Subscript):
            base = self.eval(target.value, frame)
            key = self.eval(target.slice, frame)
            if isinstance(key, Str) and key.text is not None:
                for option, _ in options_of(base):
                    if isinstance(option, DictV):
                        self._remove_key(option, key.text, frame)
        elif isinstance(target, ast.Name):
            frame.locals.pop(target.id, None)

    def _remove_key(self, d: DictV, key: str, frame: Frame) -> None:
        for loop in frame.all_loops():
            loop.removed.add(key)
        if key not in d.entries:
            return
        if frame.guard and self._guard_is_local(frame):
            entry = d.entries[key]
            d.entries[key] = Entry(entry.value, entry.key_span, True, entry.guard)
        else:
            del d.entries[key]

    def _guard_is_local(self, frame: Frame) -> bool:
        return any(not a.subject.startswith("<loop") for a in frame.guard)

    # === expressions =============================================================================
    def eval(self, node: Optional[ast.expr], frame: Frame) -> Value:
        if node is None:
            return Const(None)
        self.tick()
        self.eval_depth += 1
        try:
            if self.eval_depth > MAX_EVAL_DEPTH:
                return Unknown(Kind.UNKNOWN, "deeply nested expression", self.span(node, frame))
            return self._eval(node, frame)
        finally:
            self.eval_depth -= 1

    def _eval(self, node: ast.expr, frame: Frame) -> Value:
        span = self.span(node, frame)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return Str.literal(node.value, span)
            return Const(node.value, span)
        if isinstance(node, ast.JoinedStr):
            return self.eval_fstring(node, frame, span)
        if isinstance(node, ast.Name):
            return self.narrow(self.lookup(node.id, frame, span), node, frame)
        if isinstance(node, ast.Attribute):
            base = self.eval(node.value, frame)
            return self.narrow(self.get_attr(base, node.attr, span, frame), node, frame)
        if isinstance(node, ast.Subscript):
            base = self.eval(node.value, frame)
            if isinstance(node.slice, ast.Slice):
                return self.slice_value(base, node.slice, frame, span)
            key = self.eval(node.slice, frame)
            subject = subject_text(node.slice) if isinstance(node.slice, (ast.Name, ast.Attribute)) else None
            return self.get_item(base, key, span, frame, subject)
        if isinstance(node, ast.Call):
            return self.eval_call(node, frame, span)
        if isinstance(node, ast.BinOp):
            left = self.eval(node.left, frame)
            right = self.eval(node.right, frame)
            return self.binop(left, node.op, right, span, frame)
        if isinstance(node, ast.BoolOp):
            return self.eval_boolop(node, frame, span)
        if isinstance(node, ast.IfExp):
            decided = self.static_truth(node.test, frame)
            if decided is True:
                return self.eval(node.body, frame)
            if decided is False:
                return self.eval(node.orelse, frame)
            then_atoms, else_atoms = self.condition_atoms(node.test, frame)
            return union([(self.eval(node.body, frame), tuple(then_atoms)), (self.eval(node.orelse, frame), tuple(else_atoms))], span)
        if isinstance(node, ast.Dict):
            return self.eval_dict(node, frame, span)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return self.eval_list(node, frame, span)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            return self.eval_comprehension(node, frame, span)
        if isinstance(node, ast.DictComp):
            d = DictV(span)
            d.open.append(Unknown(self._comp_kind(node, frame), "dict comprehension", span))
            return d
        if isinstance(node, ast.Lambda):
            return FuncV(frame.module.path, node, closure=frame, span=span)
        if isinstance(node, ast.Await):
            return self.eval(node.value, frame).at(span) if not isinstance(node.value, ast.Call) else self.eval(node.value, frame)
        if isinstance(node, ast.NamedExpr):
            value = self.eval(node.value, frame)
            self.assign(node.target, value, frame)
            return value
        if isinstance(node, ast.Compare):
            return self.eval_compare(node, frame, span)
        if isinstance(node, ast.UnaryOp):
            operand = self.eval(node.operand, frame)
            if isinstance(operand, Const) and isinstance(node.op, ast.USub) and isinstance(operand.value, (int, float)):
                return Const(-operand.value, span)
            if isinstance(node.op, ast.Not):
                truth = truthiness(operand)
                return Const(not truth, span) if truth is not None else Unknown(operand.kind, "", span)
            return Unknown(operand.kind, "", span)
        if isinstance(node, ast.Starred):
            return self.eval(node.value, frame)
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            if node.value is not None:
                self.eval(node.value, frame)
            return Unknown(Kind.DYNAMIC, "value sent to a generator", span)
        return Unknown(Kind.UNKNOWN, type(node).__name__, span)

    def _comp_kind(self, node: Any, frame: Frame) -> Kind:
        return Kind.UNKNOWN

    # --- names ------------------------------------------------------------------------------------
    def lookup(self, name: str, frame: Frame, span: Span) -> Value:
        scope: Optional[Frame] = frame
        while scope is not None:
            if name in scope.locals:
                value = scope.locals[name]
                if scope is frame and name in frame.params:
                    value = value.at(span)
                    value.via_param = True
                    if isinstance(value, Str):
                        value = _relocate_holes(value, f"parameter `{name}`", span)
                    return value
                return value.at(span)
            scope = scope.parent
        if name == "__file__":
            return Str.literal(frame.module.path, span)
        if name == "__name__":
            text = frame.module.name
            return Str.literal(text or "__main__", span) if text is not None else Unknown(Kind.PROCESS, name, span)
        if name == "__package__":
            # "" (falsy) for a top-level module, so `__package__ or "pkg"` names the package
            text = frame.module.package
            return Str.literal(text, span) if text is not None else Unknown(Kind.PROCESS, name, span)
        value = self.global_value(frame.module, name)
        if value is not None:
            return value.at(span)
        if name in BUILTINS:
            return ExtV("builtins." + name, span)
        return Unknown(Kind.UNKNOWN, f"`{name}`", span)

    def global_value(self, module: ModuleInfo, name: str) -> Optional[Value]:
        """Value of a module-level name, evaluated lazily from its top-level statements."""
        key = (module.path, name)
        if key in self._globals:
            return self._globals[key]
        if name not in module.bindings:
            return None
        if ("global", key) in self._evaluating:
            return Unknown(Kind.UNKNOWN, f"`{name}` (circular)")
        self._evaluating.add(("global", key))
        frame = self._module_frame(module)
        saved_steps = self.steps
        try:
            ran: Set[int] = set()
            for stmt in module.bindings[name]:
                top = self._top_level_statement(module, stmt)
                if id(top) in ran:
                    continue
                ran.add(id(top))
                self.exec_stmt(top, frame)
            value = frame.locals.get(name)
        except (BudgetExceeded, RecursionError):
            value = Unknown(Kind.UNKNOWN, f"`{name}`")
        finally:
            self._evaluating.discard(("global", key))
            self.steps = saved_steps
        if value is None:
            value = Unknown(Kind.UNKNOWN, f"`{name}`")
        self._globals[key] = value
        return value

    def _top_level_statement(self, module: ModuleInfo, stmt: ast.stmt) -> ast.stmt:
        for top in module.tree.body:
            if top is stmt:
                return top
            if top.lineno <= stmt.lineno <= (top.end_lineno or top.lineno) and isinstance(top, (ast.If, ast.Try)):
                return top
            if type(top).__name__ == "TryStar" and top.lineno <= stmt.lineno <= (top.end_lineno or top.lineno):
                return top
        return stmt

    def _module_frame(self, module: ModuleInfo) -> Frame:
        frame = self._module_frames.get(module.path)
        if frame is None:
            frame = Frame(module=module, at_import=True)
            self._module_frames[module.path] = frame
        return frame

    # --- imports -----------------------------------------------------------------------------------
    def import_module_value(self, module: ModuleInfo, dotted: str, level: int) -> Value:
        if level == 0 and is_sdk_name(dotted):
            return ExtV(dotted)
        path = self.project.resolve_import(module.path, dotted, level)
        if path is not None:
            return ModV(path)
        return ExtV(dotted) if level == 0 else Unknown(Kind.UNKNOWN, f"module {dotted}")

    def import_from_value(self, module: ModuleInfo, dotted: str, level: int, name: str) -> Value:
        if level == 0 and is_sdk_name(dotted):
            return ExtV(f"{dotted}.{name}")
        path = self.project.resolve_import(module.path, dotted, level)
        if path is not None:
            target = self.project.module(path)
            if target is not None:
                if name in target.bindings:
                    key = ("from", path, name)
                    if key in self._evaluating:
                        return Unknown(Kind.UNKNOWN, name)
                    self._evaluating.add(key)
                    try:
                        value = self.global_value(target, name)
                    finally:
                        self._evaluating.discard(key)
                    if value is not None:
                        return _lazy_sdk_module(name, value)
                sub = self.project.resolve_import(module.path, (dotted + "." if dotted else "") + name, level)
                if sub is not None:
                    return ModV(sub)
                return Unknown(Kind.UNKNOWN, f"{dotted}.{name}")
        if level > 0:
            sub = self.project.resolve_import(module.path, (dotted + "." if dotted else "") + name, level)
            if sub is not None:
                return ModV(sub)
            return Unknown(Kind.UNKNOWN, name)
        return ExtV(f"{dotted}.{name}" if dotted else name)

    # --- narrowing -------------------------------------------------------------------------------
    def narrow(self, value: Value, node: ast.expr, frame: Frame) -> Value:
        """Apply `isinstance` and `is None` conditions on the current path to a value."""
        if not frame.guard or not isinstance(value, (ClientV, UnionV, InstV)):
            return value
        subject = subject_text(node)
        if isinstance(value, UnionV):
            for atom in frame.guard:
                if atom.op == "eq" and atom.subject == subject and atom.values == frozenset([None]):
                    kept = [(v, g) for v, g in value.options if is_none(v) != atom.negated]
                    if kept and len(kept) < len(value.options):
                        value = union(kept, value.span)
                        if not isinstance(value, UnionV):
                            return self.narrow(value, node, frame)
        atoms = [a for a in frame.guard if a.op == "isa" and a.subject == subject]
        if not atoms:
            return value
        if isinstance(value, ClientV):
            alts = [alt for alt in value.alts if all(isa_matches(alt.cls, a) for a in atoms)]
            return ClientV(alts or value.alts, value.path, value.span) if alts else value
        if isinstance(value, UnionV):
            kept = [(v, g) for v, g in value.options if all(isa_matches(class_name(v), a) for a in atoms) or class_name(v) is None]
            return union(kept, value.span) if kept else value
        return value

    # --- f-strings and formatting ---------------------------------------------------------------
    def eval_fstring(self, node: ast.JoinedStr, frame: Frame, span: Span) -> Str:
        parts: List[Part] = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(static_part(value.value, span))
            elif isinstance(value, ast.FormattedValue):
                inner = self.eval(value.value, frame)
                spec_static = value.format_spec is None or all(
                    isinstance(v, ast.Constant) for v in getattr(value.format_spec, "values", [])
                )
                as_str = self.stringify(inner, self.span(value.value, frame))
                if value.conversion == -1 and value.format_spec is None or (as_str.text is None):
                    parts.extend(as_str.parts)
                elif spec_static and isinstance(inner, (Str, Const)) and as_str.text is not None:
                    try:
                        spec = "".join(v.value for v in getattr(value.format_spec, "values", [])) if value.format_spec else ""
                        obj = inner.text if isinstance(inner, Str) else inner.value
                        conv = {115: str, 114: repr, 97: ascii}.get(value.conversion)
                        obj = conv(obj) if conv else obj
                        parts.append(static_part(format(obj, spec), as_str.span))
                    except Exception:
                        parts.append(hole_for(inner, label(inner), self.span(value.value, frame)))
                else:
                    parts.append(hole_for(inner, label(inner), self.span(value.value, frame)))
        result = Str(parts, span)
        if frame.at_import:
            result = result.with_kind_at_most(Kind.PROCESS)
        return result

    def stringify(self, value: Value, span: Optional[Span]) -> Str:
        """`str(value)` as an abstract string (unknown values become labelled holes)."""
        if isinstance(value, Str):
            return value
        if isinstance(value, Const):
            return Str([static_part(str(value.value), span, value.kind if value.kind != Kind.STATIC else Kind.STATIC)], span)
        if isinstance(value, PathV) and value.path is not None:
            return Str.literal(value.path, span)
        if isinstance(value, (DictV, ListV)):
            py = to_python(value)
            if py is not MISSING:
                return Str.literal(str(py), span)
            if isinstance(value, ListV) and value.container == "set":
                return Str([hole(Kind.DYNAMIC, "a set (its order changes between processes)", span)], span)
            return Str([hole(value.kind, label(value) or "a container", span)], span)
        if isinstance(value, UnionV):
            kinds = [v.kind for v, _ in value.options]
            texts = {self.stringify(v, span).text for v, _ in value.options}
            if len(texts) == 1 and None not in texts:
                return Str.literal(texts.pop(), span)  # type: ignore[arg-type]
            return Str([hole(max(kinds), label(value) or "one of several values", span)], span)
        return Str([hole_for(value, label(value), span)], span)

    def format_string(self, template: Str, args: List[Value], kwargs: Dict[str, Value], span: Span, frame: Frame) -> Str:
        """`template.format(...)` part by part, so a dynamic field keeps its position."""
        parts: List[Part] = []
        auto = 0
        formatter = string.Formatter()
        for tpart in template.parts:
            if tpart.text is None:
                parts.append(tpart)
                continue
            try:
                parsed = list(formatter.parse(tpart.text))
            except ValueError:
                parts.append(hole(Kind.UNKNOWN, "a malformed template", span))
                continue
            for literal, field_name, spec, conv in parsed:
                if literal:
                    parts.append(Part(literal, tpart.kind, None, tpart.span))
                if field_name is None:
                    continue
                root, rest = split_field(field_name)
                if root == "":
                    value = args[auto] if auto < len(args) else None
                    auto += 1
                elif root.isdigit():
                    value = args[int(root)] if int(root) < len(args) else None
                else:
                    value = kwargs.get(root)
                if value is None:
                    parts.append(hole(Kind.UNKNOWN, f"template field `{{{field_name}}}`", span))
                    continue
                if rest or spec or conv:
                    text = self.stringify(value, span).text
                    if text is not None and not rest:
                        try:
                            parts.append(static_part(format(text if not conv else {"r": repr, "s": str, "a": ascii}[conv](text), spec or ""), span))
                            continue
                        except Exception:
                            pass
                    parts.append(hole(value.kind, f"template field `{{{field_name}}}` ({label(value)})", value.span or span))
                    continue
                sval = self.stringify(value, value.span or span)
                if sval.text is None:
                    parts.extend(
                        Part(p.text, p.kind, p.chars, p.span, p.label or f"template field `{{{field_name}}}`", p.volatile)
                        for p in sval.parts
                    )
                else:
                    parts.extend(sval.parts)
        return Str(parts, span)

    def percent_format(self, template: Str, right: Value, span: Span) -> Str:
        text = template.text
        if text is None:
            return Str([hole(max(template.kind, right.kind), "a %-formatted string", span)], span)
        values: List[Value]
        mapping: Optional[DictV] = right if isinstance(right, DictV) else None
        if isinstance(right, ListV) and right.container == "tuple":
            values = [i.value for i in right.items]
        else:
            values = [right]
        parts: List[Part] = []
        pos = 0
        idx = 0
        for match in re.finditer(r"%(\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrifgexXo%]", text):
            parts.append(static_part(text[pos : match.start()], template.span))
            pos = match.end()
            token = match.group(0)
            if token == "%%":
                parts.append(static_part("%", template.span))
                continue
            if match.group(1) and mapping is not None:
                value = mapping.get(match.group(1)[1:-1]) or Unknown(Kind.UNKNOWN, token, span)
            else:
                value = values[idx] if idx < len(values) else Unknown(Kind.UNKNOWN, token, span)
                idx += 1
            parts.extend(self.stringify(value, value.span or span).parts)
        parts.append(static_part(text[pos:], template.span))
        return Str(parts, span)

    # --- operators ------------------------------------------------------------------------------
    def binop(self, left: Value, op: ast.operator, right: Value, span: Span, frame: Frame, inplace: bool = False) -> Value:
        if isinstance(left, UnionV) or isinstance(right, UnionV):
            results = []
            for lv, lg in options_of(left):
                for rv, rg in options_of(right):
                    results.append((self.binop(lv, op, rv, span, frame, inplace), lg + rg))
            return union(results, span)
        if isinstance(op, ast.Add):
            if isinstance(left, Str) and isinstance(right, Str):
                result = Str(left.parts + right.parts, span)
                result.operands = _operands(left) + _operands(right)
                return result
            if isinstance(left, Str) and isinstance(right, Unknown):
                return Str(left.parts + (hole_for(right, label(right), right.span),), span)
            if isinstance(left, Unknown) and isinstance(right, Str):
                return Str((hole_for(left, label(left), left.span),) + right.parts, span)
            if isinstance(left, ListV) and isinstance(right, ListV):
                if inplace:
                    self._extend(left, right, frame, span)
                    return left
                new = left.derive(span, grown_at=span if right.items else None)
                new.items.extend(right.items)
                return new
            if isinstance(left, ListV) and isinstance(right, Unknown):
                new = left if inplace else left.derive(span, grown_at=span)
                new.items.append(Item(right, many=True))
                return new
            if isinstance(left, Unknown) and isinstance(right, ListV):
                new = ListV(span)
                new.items = [Item(left, many=True)] + list(right.items)
                return new
            if isinstance(left, Const) and isinstance(right, Const):
                try:
                    return Const(left.value + right.value, span)
                except Exception:
                    pass
        if isinstance(op, ast.Mod) and isinstance(left, Str):
            return self.percent_format(left, right, span)
        if isinstance(op, ast.Mult):
            if isinstance(left, Const) and isinstance(right, (Str, ListV)):
                left, right = right, left
            if isinstance(left, Str) and isinstance(right, Const) and isinstance(right.value, int):
                times = max(0, right.value)
                text = left.text
                if text is not None and len(text) * times <= 2_000_000:
                    return Str([static_part(text * times, span, left.kind)], span)
                length = left.length
                return Str([Part(None, left.kind, length * times if length is not None else None, span, "repeated text")], span)
            if isinstance(left, ListV) and isinstance(right, Const) and isinstance(right.value, int):
                new = ListV(span)
                for _ in range(min(max(0, right.value), MAX_UNROLL)):
                    new.items.extend(left.items)
                return new
            if isinstance(left, Const) and isinstance(right, Const):
                try:
                    return Const(left.value * right.value, span)
                except Exception:
                    pass
        if isinstance(op, ast.Div) and isinstance(left, PathV):
            if isinstance(right, Str) and right.text is not None and left.path is not None:
                return PathV(os.path.normpath(os.path.join(left.path, right.text)), span)
            return PathV(None, span)
        if isinstance(op, ast.BitOr) and isinstance(left, DictV) and isinstance(right, DictV):
            new = left.copy(span)
            for key, entry in right.entries.items():
                new.entries[key] = entry
            new.open.extend(right.open)
            return new
        if isinstance(left, Const) and isinstance(right, Const):
            try:
                return Const(apply_op(op, left.value, right.value), span)
            except Exception:
                return Unknown(Kind.UNKNOWN, "", span)
        return Unknown(max(left.kind, right.kind), label(left) or label(right), span)

    def eval_boolop(self, node: ast.BoolOp, frame: Frame, span: Span) -> Value:
        values = [self.eval(v, frame) for v in node.values]
        if isinstance(node.op, ast.Or):
            options: List[Tuple[Value, Guard]] = []
            for value in values:
                truth = truthiness(value)
                if truth is False:
                    continue
                options.append((value, ()))
                if truth is True:
                    break
            default = _or_default(options, span)
            if default is not None:
                return default
            return union(options or [(values[-1], ())], span)
        truthy = [truthiness(v) for v in values]
        if all(t is True for t in truthy[:-1]):
            return values[-1]
        if any(t is False for t in truthy):
            first_false = next(v for v, t in zip(values, truthy) if t is False)
            return first_false
        return union([(values[-1], ()), (Const(False), ())], span)

    def eval_compare(self, node: ast.Compare, frame: Frame, span: Span) -> Value:
        left = self.eval(node.left, frame)
        if len(node.ops) == 1:
            right = self.eval(node.comparators[0], frame)
            lv = static_py(left)
            rv = static_py(right)
            if lv is not MISSING and rv is not MISSING:
                try:
                    return Const(compare(node.ops[0], lv, rv), span)
                except Exception:
                    pass
        else:
            for c in node.comparators:
                self.eval(c, frame)
        return Unknown(Kind.UNKNOWN, "comparison", span)

    def static_truth(self, test: ast.expr, frame: Frame) -> Optional[bool]:
        """Decide a condition when it is a constant (`TYPE_CHECKING`, a known flag)."""
        text = subject_text(test) if isinstance(test, (ast.Name, ast.Attribute)) else ""
        if text in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            return False
        if isinstance(test, ast.Constant):
            return bool(test.value)
        if isinstance(test, (ast.Name, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Attribute)):
            try:
                saved = self.steps
                value = self.eval(test, frame)
                self.steps = saved + 1
            except BudgetExceeded:
                raise
            if isinstance(value, Const) and value.kind == Kind.STATIC:
                return bool(value.value)
            if isinstance(value, Str) and value.text is not None and value.kind == Kind.STATIC and isinstance(test, ast.Name):
                return bool(value.text)
            if isinstance(value, (ListV, DictV)) and isinstance(test, (ast.Name, ast.Attribute)):
                return truthiness(value)
        return None

    def condition_atoms(self, test: ast.expr, frame: Frame) -> Tuple[List[Atom], List[Atom]]:
        """Atoms true in the `then` and in the `else` branch of a condition."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            then_atoms, else_atoms = self.condition_atoms(test.operand, frame)
            return else_atoms, then_atoms
        if isinstance(test, ast.BoolOp):
            parts = [self.condition_atoms(v, frame) for v in test.values]
            whole = Atom(subject_text(test), "opaque")
            if isinstance(test.op, ast.And):
                then_atoms = [a for p in parts for a in p[0]]
                return then_atoms, [whole.negate()]
            else_atoms = [a for p in parts for a in p[1]]
            return [whole], else_atoms
        if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance" and len(test.args) == 2:
            subject = self._subject(test.args[0], frame)
            names = self._class_names(test.args[1], frame)
            if names:
                atom = Atom(subject, "isa", frozenset(names))
                return [atom], [atom.negate()]
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            op = test.ops[0]
            subject = self._subject(test.left, frame)
            right = test.comparators[0]
            values = literal_values(right)
            if values is not None:
                if isinstance(op, (ast.Eq, ast.Is)):
                    atom = Atom(subject, "eq", frozenset(values))
                    return [atom], [atom.negate()]
                if isinstance(op, (ast.NotEq, ast.IsNot)):
                    atom = Atom(subject, "eq", frozenset(values))
                    return [atom.negate()], [atom]
                if isinstance(op, ast.In):
                    atom = Atom(subject, "eq", frozenset(values))
                    return [atom], [atom.negate()]
                if isinstance(op, ast.NotIn):
                    atom = Atom(subject, "eq", frozenset(values))
                    return [atom.negate()], [atom]
        if isinstance(test, (ast.Name, ast.Attribute)):
            atom = Atom(self._subject(test, frame), "truthy")
            return [atom], [atom.negate()]
        atom = Atom(subject_text(test), "opaque")
        return [atom], [atom.negate()]

    def _subject(self, node: ast.expr, frame: Frame) -> str:
        """The name a condition is about. `self.provider`, stored from the `__init__`
        parameter `provider`, is about `provider`: the client `__init__` chose with
        `if provider == "vertex"` and a later `if self.provider == "vertex"` agree."""
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"
                and isinstance(frame.self_value, InstV)):
            stored = frame.self_value.attrs.get(node.attr)
            if stored is None:
                stored = self.init_summary(frame.self_value.info).get(node.attr)
            match = re.fullmatch(r"parameter `(\w+)`", label(stored)) if stored is not None else None
            if match:
                return match.group(1)
        return subject_text(node)

    def _class_names(self, node: ast.expr, frame: Frame) -> List[str]:
        elts = node.elts if isinstance(node, ast.Tuple) else [node]
        names = []
        for elt in elts:
            value = self.eval(elt, frame)
            if isinstance(value, ExtV):
                names.append(value.qualname.rsplit(".", 1)[-1])
            elif isinstance(value, ClassV):
                names.append(value.info.name)
            elif isinstance(elt, (ast.Name, ast.Attribute)):
                names.append(ast.unparse(elt).rsplit(".", 1)[-1])
        return names

    # --- containers ---------------------------------------------------------------------------
    def eval_dict(self, node: ast.Dict, frame: Frame, span: Span) -> DictV:
        d = DictV(span, frame.literal(span, "dict"))
        for key_node, value_node in zip(node.keys, node.values):
            if key_node is None:
                self._merge_into(d, self.eval(value_node, frame), span)
                continue
            key = self.eval(key_node, frame)
            value = self.eval(value_node, frame)
            if isinstance(key, Str) and key.text is not None:
                entry_span = Span(span.path, self.span(key_node, frame).start, self.span(value_node, frame).end)
                d.entries[key.text] = Entry(value, entry_span, literal=d.literal)
            else:
                d.open.append(Unknown(max(key.kind, value.kind), "entry with a computed key", span))
        return d

    def _merge_into(self, d: DictV, value: Value, span: Span) -> None:
        merged = False
        for option, guard in options_of(value):
            if isinstance(option, DictV):
                for k, entry in option.entries.items():
                    if len(list(options_of(value))) > 1:
                        d.entries[k] = Entry(entry.value, entry.key_span, True, guard)
                    else:
                        d.entries[k] = entry
                d.open.extend(option.open)
                merged = True
            elif isinstance(option, Const) and option.value is None:
                continue
            else:
                unknown = option if isinstance(option, Unknown) else Unknown(option.kind, label(option), span)
                d.open.append(unknown)
        if not merged and not d.open and not isinstance(value, Const):
            d.open.append(Unknown(value.kind, label(value), span))

    def eval_list(self, node: Any, frame: Frame, span: Span) -> ListV:
        container = {ast.List: "list", ast.Tuple: "tuple", ast.Set: "set"}[type(node)]
        lst = ListV(span, frame.literal(span, "list"), container)
        for i, elt in enumerate(node.elts):
            if isinstance(elt, ast.Starred):
                inner = self.eval(elt.value, frame)
                if isinstance(inner, ListV):
                    if i == 0 and container == "list":
                        # `[*history, msg]`: a conversation rebuilt from `history`
                        lst.lineage = ((inner.uid, span if len(node.elts) > 1 else None),) + inner.lineage[:7]
                    lst.items.extend(inner.items)
                else:
                    lst.items.append(Item(Unknown(inner.kind, label(inner), inner.span, getattr(inner, "may_mark", False)), many=True))
            else:
                lst.items.append(Item(self.eval(elt, frame), site=self.span(elt, frame), in_display=True))
        return lst

    def eval_comprehension(self, node: Any, frame: Frame, span: Span) -> Value:
        container = "set" if isinstance(node, ast.SetComp) else "list"
        gen = node.generators[0]
        iterable = self.eval(gen.iter, frame)
        child = Frame(module=frame.module, locals=dict(frame.locals), parent=frame.parent, func=frame.func, owner=frame.owner,
                      self_value=frame.self_value, guard=frame.guard, at_import=frame.at_import, loops=list(frame.loops),
                      chain=frame.chain, depth=frame.depth, params=set(frame.params), token=frame.token, caller=frame.caller)
        result = ListV(span, None, container)
        items = self._known_items(iterable)
        simple = len(node.generators) == 1 and not gen.ifs
        if items is not None and len(items) <= MAX_UNROLL and simple:
            for value in items:
                self.assign(gen.target, value, child)
                result.items.append(Item(self.eval(node.elt, child)))
            return result
        self.assign(gen.target, self.element_of(iterable, self.span(gen.iter, frame)), child)
        for extra in node.generators[1:]:
            self.assign(extra.target, self.element_of(self.eval(extra.iter, child), span), child)
        conditions = [self.eval(test, child) for gen_ in node.generators for test in gen_.ifs]
        element = self.eval(node.elt, child)
        bound = len(items) if items is not None else None
        if isinstance(iterable, ListV) and iterable.container == "set" and isinstance(element, Str):
            element = Str([hole(Kind.DYNAMIC, "iteration over a set (order changes between processes)", span)], span)
        tag_born(element, span)
        self.loops.setdefault(span, LoopCtx(span, bound=bound))
        item = Item(element, many=True, bound=bound, cond=bool(gen.ifs))
        if element.kind < Kind.DYNAMIC and not frame.at_import:
            item.chosen, item.chosen_span = self._chosen_per_call(iterable, conditions, container, span)
        result.items.append(item)
        return result

    @staticmethod
    def _chosen_per_call(iterable: Value, conditions: List[Value], container: str, span: Span) -> Tuple[str, Optional[Span]]:
        """Why a comprehension's static elements still differ between calls, if they do:
        which elements it yields depends on a per-call value, or their order on a set's."""
        what = "set" if container == "set" else "list"
        if isinstance(iterable, ListV) and iterable.container == "set":
            return f"the {what} built from a set (its order changes between processes)", iterable.span or span
        if iterable.kind == Kind.DYNAMIC:
            return f"the {what} built per call from {label(iterable) or 'a per-call value'}", span
        if any(c.kind == Kind.DYNAMIC for c in conditions):
            return f"the {what} filtered per call", span
        return "", None

    def _known_items(self, value: Value) -> Optional[List[Value]]:
        if isinstance(value, ListV) and value.container != "set" and all(not i.many and not i.cond for i in value.items):
            return [i.value for i in value.items]
        if isinstance(value, Str) and value.text is not None and len(value.text) <= MAX_UNROLL:
            return [Str.literal(ch, value.span) for ch in value.text]
        return None

    def _last_element(self, lst: ListV, frame: Frame) -> Value:
        """`lst[-1]` when the list ends with a run of elements made by a loop.

        While that loop is still running, the run stands for "each element it appends", so
        a marker written on it is written on every turn (and accumulates). Once the loop
        has finished, `lst[-1]` is one element: it is materialised as a copy after the run,
        so a marker on it marks only the last element. The same holds in a deep copy
        (`ListV.snapshot`), whose elements are new on every turn.
        """
        last = lst.items[-1]
        value = last.value
        born = getattr(value, "born", None)
        active = {loop.span for loop in frame.all_loops()}
        if not last.many or not isinstance(value, (DictV, ListV)):
            return value
        if (born is None or born in active) and not lst.snapshot:
            return value
        single = clone(value, {})
        untag_born(single)
        lst.items.append(Item(single, False, last.cond, last.guard, None, None, last.site))
        return single

    def element_of(self, iterable: Value, span: Optional[Span]) -> Value:
        """The abstract 'each element' of an iterable (a union of what it may hold)."""
        if isinstance(iterable, ListV):
            if not iterable.items:
                return Unknown(Kind.UNKNOWN, "element", span)
            values = [(i.value, i.guard) for i in iterable.items]
            elem = union(values, span) if len(values) > 1 else values[0][0]
            if iterable.container == "set" and isinstance(elem, Str):
                return Str([hole(Kind.DYNAMIC, "iteration over a set (order changes between processes)", span)], span)
            return elem
        if isinstance(iterable, DictV):
            return Unknown(iterable.kind, "dict key", span)
        if isinstance(iterable, UnionV):
            return union([(self.element_of(v, span), g) for v, g in iterable.options], span)
        kind = iterable.kind
        text = _element_label(label(iterable))
        if isinstance(iterable, Unknown):
            return iterable.derived(label=text, span=span)
        return Unknown(kind, text, span)

    def slice_value(self, base: Value, sl: ast.Slice, frame: Frame, span: Span) -> Value:
        if isinstance(base, Str):
            text = base.text
            lower = self.eval(sl.lower, frame) if sl.lower else Const(None)
            upper = self.eval(sl.upper, frame) if sl.upper else Const(None)
            if text is not None and isinstance(lower, Const) and isinstance(upper, Const):
                try:
                    return Str.literal(text[lower.value : upper.value], span, base.kind)
                except Exception:
                    pass
            return Str([hole(base.kind, label(base), span)], span)
        if isinstance(base, ListV):
            bound = self._slice_bound(sl, frame)
            items = self._known_items(base)
            lower = self.eval(sl.lower, frame) if sl.lower else Const(None)
            upper = self.eval(sl.upper, frame) if sl.upper else Const(None)
            new = ListV(span, container=base.container)
            if _whole_slice(lower, upper, sl):
                return base.derive(span)  # `history[:]`: a copy, elements and all
            if items is not None and isinstance(lower, Const) and isinstance(upper, Const):
                try:
                    new.items = list(base.items[lower.value : upper.value])
                    return new
                except Exception:
                    pass
            new.items = [Item(i.value, True, i.cond, i.guard, i.loop, bound if bound is not None else i.bound, i.site) for i in base.items]
            return new
        return Unknown(base.kind, label(base), span)

    def get_item(self, base: Value, key: Value, span: Span, frame: Frame, key_subject: Optional[str] = None) -> Value:
        """`base[key]`. `key_subject` is the key's source (`provider`) when it is a name: a
        dict read with an unknown key is each of its values, under `provider == <its key>`,
        so the branch of `if provider == "copilot":` elsewhere matches the right entry."""
        results: List[Tuple[Value, Guard]] = []
        for option, guard in options_of(base):
            results.append((self._get_item_one(option, key, span, frame, key_subject), guard))
        return union(results, span) if len(results) > 1 else results[0][0]

    def _get_item_one(self, base: Value, key: Value, span: Span, frame: Frame, key_subject: Optional[str] = None) -> Value:
        if isinstance(base, DictV):
            if isinstance(key, Str) and key.text is not None:
                if key.text in base.entries:
                    return base.entries[key.text].value
                return Unknown(max([Kind.UNKNOWN] + [u.kind for u in base.open]), f"[{key.text!r}]", span, any(u.may_mark for u in base.open))
            values = [(e.value, e.guard + ((Atom(key_subject, "eq", frozenset([name])),) if key_subject else ()))
                      for name, e in base.entries.items()]
            if values and not base.open:
                return union(values, span)
            return Unknown(base.kind, "dict entry", span)
        if isinstance(base, ListV):
            if isinstance(key, Const) and isinstance(key.value, int):
                found = self._list_item_at(base, key.value)
                if found is not None:
                    return found[1].value
                # the last element of a list with runs: the last run's shape
                if key.value == -1 and base.items:
                    return self._last_element(base, frame)
            return self.element_of(base, span)
        if isinstance(base, ResponseV) and isinstance(key, Str) and key.text is not None:
            return self._response_attr(base, key.text, span, frame)
        if isinstance(base, Str):
            return Str([hole(base.kind, label(base), span)], span)
        if isinstance(base, ExtV) and base.qualname in ("os.environ",):
            return Unknown(Kind.PROCESS, ENV_LABEL, span)
        if isinstance(base, Unknown):
            return base.derived(kind=base.kind if base.kind != Kind.PROCESS else Kind.UNKNOWN, span=span)
        return Unknown(base.kind if base.kind != Kind.PROCESS else Kind.UNKNOWN, label(base), span)

    # --- attributes ---------------------------------------------------------------------------
    def get_attr(self, base: Value, name: str, span: Span, frame: Frame) -> Value:
        if isinstance(base, SuperV):
            for cls in base.classes:
                if name in cls.methods:
                    return FuncV(cls.module.path, cls.methods[name], owner=cls, bound=base.inst, span=span)
            return Unknown(Kind.UNKNOWN, f"super().{name}", span)
        if isinstance(base, UnionV):
            return union([(self.get_attr(v, name, span, frame), g) for v, g in base.options], span)
        if isinstance(base, ClientV):
            return base.attr(name, span)
        if isinstance(base, ExtV):
            if base.qualname.endswith("()") and name in ("messages", "chat", "responses", "beta"):
                return Unknown(Kind.PROCESS, base.qualname, span)
            return ExtV(f"{base.qualname}.{name}", span)
        if isinstance(base, ModV):
            module = self.project.module(base.path)
            if module is None:
                return Unknown(Kind.UNKNOWN, name, span)
            value = self.global_value(module, name)
            if value is not None:
                return value.at(span)
            directory = os.path.dirname(base.path)
            candidate = os.path.join(directory, name + ".py")
            if base.path.endswith("__init__.py") and os.path.isfile(candidate):
                return ModV(os.path.realpath(candidate), span)
            return Unknown(Kind.UNKNOWN, name, span)
        if isinstance(base, InstV):
            return self.instance_attr(base, name, span, frame)
        if isinstance(base, ClassV):
            method = self.find_method(base.info, name)
            if method is not None:
                return FuncV(method[0].module.path, method[1], owner=method[0], span=span)
            value = self.class_attr(base.info, name)
            return value.at(span) if value is not None else Unknown(Kind.UNKNOWN, f"{base.info.name}.{name}", span)
        if isinstance(base, PathV):
            if name == "parent":
                return PathV(os.path.dirname(base.path) if base.path else None, span)
            if name in ("name", "stem", "suffix"):
                if base.path is None:
                    return Unknown(Kind.UNKNOWN, name, span)
                p = os.path.basename(base.path)
                return Str.literal({"name": p, "stem": os.path.splitext(p)[0], "suffix": os.path.splitext(p)[1]}[name], span)
            return Unknown(Kind.UNKNOWN, name, span)
        if isinstance(base, ResponseV):
            return self._response_attr(base, name, span, frame)
        if isinstance(base, NamespaceV):
            return namespace_attr(base, name, span)
        if isinstance(base, Unknown):
            return base.derived(label=_attr_label(base.label, name), span=span)
        return Unknown(base.kind if base.kind != Kind.PROCESS else Kind.UNKNOWN, name, span)

    def _response_attr(self, base: ResponseV, name: str, span: Span, frame: Frame) -> ResponseV:
        attrs = base.attrs + (name,)
        if frame.module is self.entry:
            self.events.append(UsageRead(span=span, api=base.api, fmt=base.fmt, attrs=attrs, platforms=base.platforms))
        return ResponseV(base.api, base.fmt, span, attrs, base.platforms)

    def instance_attr(self, inst: InstV, name: str, span: Span, frame: Frame) -> Value:
        if name in inst.attrs:
            return inst.attrs[name].at(span)
        method = self.find_method(inst.info, name)
        if method is not None:
            cls, node = method
            decorators = {self._decorator_name(d) for d in getattr(node, "decorator_list", [])}
            func = FuncV(cls.module.path, node, owner=cls, bound=inst, span=span)
            if decorators & {"property", "cached_property"}:
                return self.call_function(func, [], DictV(span), span, frame).at(span)
            return func
        summary = self.init_summary(inst.info)
        if name in summary:
            value = clone(summary[name], {})
            inst.attrs[name] = value
            return value.at(span)
        value = self.class_attr(inst.info, name)
        if value is not None:
            return value.at(span)
        return Unknown(Kind.UNKNOWN, f"self.{name}", span)

    def find_method(self, info: ClassInfo, name: str) -> Optional[Tuple[ClassInfo, Any]]:
        for cls in self.mro(info):
            if name in cls.methods:
                return cls, cls.methods[name]
        return None

    def mro(self, info: ClassInfo) -> List[ClassInfo]:
        order: List[ClassInfo] = []
        stack = [info]
        while stack and len(order) < 16:
            cls = stack.pop(0)
            if cls in order:
                continue
            order.append(cls)
            for base in cls.node.bases:
                resolved = self.resolve_class(cls.module, base)
                if resolved is not None:
                    stack.append(resolved)
        return order

    def resolve_class(self, module: ModuleInfo, node: ast.expr) -> Optional[ClassInfo]:
        """The project class a base-class expression names, if any."""
        key = ("class", module.path, id(node))
        if key in self._evaluating:
            return None
        self._evaluating.add(key)
        try:
            frame = self._module_frame(module)
            saved = self.steps
            value = self.eval(node, frame)
            self.steps = saved
        except (BudgetExceeded, RecursionError):
            return None
        finally:
            self._evaluating.discard(key)
        return value.info if isinstance(value, ClassV) else None

    def class_attr(self, info: ClassInfo, name: str) -> Optional[Value]:
        """A class attribute's value; a pydantic-settings field's default is a `DefaultV`,
        since the environment overrides it."""
        value = self._class_attr(info, name)
        if isinstance(value, Str) and value.text and value.kind == Kind.STATIC and self._is_settings_class(info):
            return DefaultV(value, f"the environment (pydantic-settings field `{info.name}.{name}`)", value.span)
        return value

    def _is_settings_class(self, info: ClassInfo) -> bool:
        """A subclass of pydantic's `BaseSettings`, whose fields are read from the environment."""
        for cls in self.mro(info):
            for base in cls.node.bases:
                if subject_text(base).rsplit(".", 1)[-1] == "BaseSettings":
                    return True
        return False

    def _class_attr(self, info: ClassInfo, name: str) -> Optional[Value]:
        for cls in self.mro(info):
            if name in cls.attrs:
                key = (cls.key, name)
                if key not in self._class_attrs:
                    if ("cattr", key) in self._evaluating:
                        return Unknown(Kind.UNKNOWN, name)
                    self._evaluating.add(("cattr", key))
                    frame = self._class_frame(cls)
                    saved = self.steps
                    try:
                        for stmt in cls.attrs[name]:
                            self.exec_stmt(stmt, frame)
                        value = frame.locals.get(name)
                    except (BudgetExceeded, RecursionError):
                        value = None
                    finally:
                        self.steps = saved
                        self._evaluating.discard(("cattr", key))
                    stmt = cls.attrs[name][-1]
                    annotation = getattr(stmt, "annotation", None)
                    if annotation is not None and (value is None or is_none(value)):
                        # `client: Optional[AzureOpenAI] = None`: set on the instance later
                        stmt_span = Span(cls.module.path, *cls.module.index.node_range(stmt))
                        typed = self.annotation_value(cls.module, annotation, stmt_span)
                        if typed is not None:
                            value = typed if value is None else union([(typed, ()), (value, ())])
                    self._class_attrs[key] = value if value is not None else Unknown(Kind.UNKNOWN, name)
                return self._class_attrs[key]
        return None

    def _class_frame(self, info: ClassInfo) -> Frame:
        frame = self._class_frames.get(info.key)
        if frame is None:
            frame = Frame(module=info.module, parent=self._module_frame(info.module), at_import=True)
            self._class_frames[info.key] = frame
        return frame

    def init_summary(self, info: ClassInfo) -> Dict[str, Value]:
        """Instance attributes as `__init__` (and other methods) set them, per class.

        `__init__` runs with unknown per-instance arguments; other methods contribute the
        values they assign (`self._client = self._make_client()` in a lazy property). They
        run two calls short of the depth limit, so an object built there
        (`self.llm = Backend()`) still runs its own `__init__` and keeps its defaults.
        """
        depth = max(0, self.max_depth - 2)
        if info.key in self._init_summaries:
            return self._init_summaries[info.key]
        self._init_summaries[info.key] = {}
        inst = InstV(info)
        saved_steps, saved_stack = self.steps, list(self._stack)
        try:
            init = self.find_method(info, "__init__")
            if init is not None:
                frame = Frame(module=init[0].module, parent=self._module_frame(init[0].module), owner=init[0], self_value=inst,
                              entry_param_kind=Kind.UNKNOWN, depth=depth)
                self._bind_entry_params(init[1], frame, inst)
                self._stack.append(frame)
                self.exec_block(init[1].body, frame)
            post = self.find_method(info, "__post_init__") or self.find_method(info, "model_post_init")
            if post is not None:
                frame = Frame(module=post[0].module, parent=self._module_frame(post[0].module), owner=post[0], self_value=inst,
                              entry_param_kind=Kind.UNKNOWN, depth=depth)
                self._bind_entry_params(post[1], frame, inst)
                self.exec_block(post[1].body, frame)
            attrs = dict(inst.attrs)
            for cls in self.mro(info):
                for mname, node in cls.methods.items():
                    if mname in ("__init__", "__post_init__"):
                        continue
                    for target_name, rhs in self_assignments(node):
                        if target_name in attrs and not is_none(attrs[target_name]):
                            continue
                        frame = Frame(module=cls.module, parent=self._module_frame(cls.module), owner=cls, self_value=inst,
                                      entry_param_kind=Kind.UNKNOWN, depth=depth)
                        self._bind_entry_params(node, frame, inst)
                        value = self.eval(rhs, frame)
                        if is_none(value):
                            continue
                        previous = attrs.get(target_name)
                        attrs[target_name] = value if previous is None or is_none(previous) else union([(previous, ()), (value, ())])
        except (BudgetExceeded, RecursionError):
            attrs = dict(inst.attrs)
        finally:
            self.steps = saved_steps
            self._stack = saved_stack
        self._init_summaries[info.key] = attrs
        return attrs

    # --- annotations ---------------------------------------------------------------------------
    def annotation_value(self, module: ModuleInfo, node: Optional[ast.expr], span: Optional[Span]) -> Optional[Value]:
        """A value standing for 'something of this type' (clients and project classes)."""
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
        members: List[ast.expr] = []
        flatten_union(node, members)
        members = self._expand_aliases(module, members)
        alts: List[ClientAlt] = []
        insts: List[Value] = []
        for member in members:
            qual = self._annotation_qualname(module, member)
            if qual is None:
                continue
            if isinstance(qual, ClassInfo):
                inst = InstV(qual, span, exact=False)
                insts.append(inst)
                continue
            found = sdk.client_for_constructor(qual)
            if found is not None:
                sdk_name, cls, platform = found
                alts.append(ClientAlt(sdk_name, cls, platform or "unknown", span, base_url_known=platform is not None))
        if alts and not insts:
            return ClientV(alts, span=span)
        if insts and not alts:
            return insts[0] if len(insts) == 1 else union([(i, ()) for i in insts], span)
        return None

    def _expand_aliases(self, module: ModuleInfo, members: List[ast.expr], depth: int = 0) -> List[ast.expr]:
        """Replace type aliases (`ClaudeClient = Union[Anthropic, AnthropicBedrock]`) by their members."""
        out: List[ast.expr] = []
        for member in members:
            target = None
            if isinstance(member, ast.Name) and depth < 3 and member.id not in module.classes:
                for stmt in module.bindings.get(member.id, []):
                    if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(stmt.value, (ast.Subscript, ast.BinOp, ast.Attribute, ast.Name)):
                        target = stmt.value
            if target is None:
                out.append(member)
                continue
            inner: List[ast.expr] = []
            flatten_union(target, inner)
            out.extend(self._expand_aliases(module, inner, depth + 1))
        return out

    def _annotation_qualname(self, module: ModuleInfo, node: ast.expr) -> Any:
        if isinstance(node, ast.Name):
            for stmt in module.imports:
                if isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module:
                    for alias in stmt.names:
                        if (alias.asname or alias.name) == node.id:
                            qual = f"{stmt.module}.{alias.name}"
                            if is_sdk_name(stmt.module):
                                return qual
                            path = self.project.resolve_import(module.path, stmt.module, 0)
                            target = self.project.module(path) if path else None
                            if target is not None and alias.name in target.classes:
                                return target.classes[alias.name]
                            return qual
                elif isinstance(stmt, ast.ImportFrom) and stmt.level > 0:
                    for alias in stmt.names:
                        if (alias.asname or alias.name) == node.id:
                            path = self.project.resolve_import(module.path, stmt.module or "", stmt.level)
                            target = self.project.module(path) if path else None
                            if target is not None and alias.name in target.classes:
                                return target.classes[alias.name]
            if node.id in module.classes:
                return module.classes[node.id]
            return None
        if isinstance(node, ast.Attribute):
            text = ast.unparse(node)
            head = text.split(".", 1)[0]
            for stmt in module.imports:
                if isinstance(stmt, ast.Import):
                    for alias in stmt.names:
                        if (alias.asname or alias.name.split(".")[0]) == head:
                            base = alias.name if alias.asname else alias.name.split(".")[0]
                            return base + text[len(head):]
            return text
        return None

    # === calls ===================================================================================
    def eval_args(self, node: ast.Call, frame: Frame) -> Tuple[List[Value], DictV]:
        args: List[Value] = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                inner = self.eval(arg.value, frame)
                items = self._known_items(inner)
                if items is not None:
                    args.extend(items)
                else:
                    args.append(Unknown(inner.kind, "*args", self.span(arg, frame)))
            else:
                args.append(self.eval(arg, frame))
        kwargs = DictV(self.span(node, frame))
        for kw in node.keywords:
            value = self.eval(kw.value, frame)
            if kw.arg is None:
                self._merge_into(kwargs, value, self.span(kw.value, frame))
            else:
                kwargs.entries[kw.arg] = Entry(value, self.span(kw, frame))
        return args, kwargs

    def eval_call(self, node: ast.Call, frame: Frame, span: Span) -> Value:
        func = node.func
        if isinstance(func, ast.Attribute):
            base = self.eval(func.value, frame)
            method = func.attr
            handled = self.call_method(base, method, node, frame, span)
            if handled is not None:
                return handled
            callee = self.get_attr(base, method, self.span(func, frame), frame)
        else:
            callee = self.eval(func, frame)
        return self.call_value(callee, node, frame, span)

    def call_value(self, callee: Value, node: ast.Call, frame: Frame, span: Span, pre: Optional[Tuple[List[Value], DictV]] = None) -> Value:
        merged = _merge_clients(callee)
        if merged is not None:
            callee = merged
        if isinstance(callee, UnionV):
            results = []
            for option, guard in callee.options[:MAX_DISPATCH]:
                saved = frame.guard
                frame.guard = frame.guard + guard
                try:
                    results.append((self.call_value(option, node, frame, span, pre), guard))
                finally:
                    frame.guard = saved
            return union(results, span)
        dropped = node is self._dropped_call
        args, kwargs = pre if pre is not None else self.eval_args(node, frame)
        if isinstance(callee, FuncV):
            if dropped and self._inert(callee, args, kwargs):
                self.skipped_calls += 1
                return Const(None, span)
            key = self._result_key(callee, args, kwargs, frame)
            if key is not None:
                known = self._results.get(key)
                if known is not None:
                    return _fresh(known, span)
                result = self.call_function(callee, args, kwargs, span, frame)
                # a union's options carry the caller's branch conditions: kept only when
                # the call was made outside any branch
                if _immutable(result) and not (isinstance(result, UnionV) and frame.guard):
                    self._results[key] = result
                return result
            return self.call_function(callee, args, kwargs, span, frame)
        if isinstance(callee, ClassV):
            client = self._sdk_base(callee.info)
            if client is not None:
                # `class TracedBedrock(AnthropicBedrock)`: a client of its SDK base class
                return self.make_client(client, kwargs, span, frame)
            return self.construct(callee.info, args, kwargs, span, frame)
        if isinstance(callee, ExtV):
            if callee.qualname.rpartition(".")[2].split("(")[0] in _RUNNERS:
                forwarded = self._forward(args, kwargs, node, frame, span)
                if forwarded is not None:
                    return forwarded
            return self.call_external(callee.qualname, args, kwargs, node, frame, span)
        if isinstance(callee, ClientV):
            return self.call_client(callee, args, kwargs, node, frame, span)
        if isinstance(callee, PartialV):
            merged = DictV(span)
            merged.entries.update(callee.kwargs)
            merged.entries.update(kwargs.entries)
            merged.open = list(kwargs.open)
            return self.call_value(callee.func, node, frame, span, (list(callee.args) + args, merged))
        # An unknown callee: a wrapper that may receive an SDK method reference
        # (`retry(client.messages.create, **kw)`, `asyncio.to_thread(fn, ...)`).
        forwarded = self._forward(args, kwargs, node, frame, span)
        if forwarded is not None:
            return forwarded
        if isinstance(node.func, ast.Attribute):
            path = attr_path(node.func)
            keywords = tuple(k for k in kwargs.entries)
            method = sdk.untyped_method(path, keywords)
            if method is not None:
                alt = ClientAlt(method.api.split(".")[0], "unknown client", "unknown", None, base_url_known=False)
                return self.record_request(method, ClientV([alt], span=span), args, kwargs, node, frame, span, receiver_known=False)
        receiver = callee.kind if isinstance(callee, Unknown) and callee.volatile else None
        result = self.opaque_call(args, kwargs, span, frame, label(callee), receiver_kind=receiver)
        if receiver is not None and isinstance(result, Unknown):
            result.volatile = True
        return result

    def opaque_call(self, args: List[Value], kwargs: DictV, span: Span, frame: Frame, label: str = "", may_mark: bool = False,
                    receiver_kind: Optional[Kind] = None) -> Value:
        """A call the analysis cannot follow: the result depends on its arguments (and, for a
        method such as `now.strftime(...)`, on the value it is called on)."""
        values = list(args) + [e.value for e in kwargs.entries.values()] + list(kwargs.open)
        kind = Kind.DYNAMIC if any(v.kind == Kind.DYNAMIC for v in values) else Kind.UNKNOWN
        if receiver_kind is not None and receiver_kind > kind or receiver_kind == Kind.PROCESS and kind == Kind.UNKNOWN:
            kind = receiver_kind
        if frame.at_import and kind == Kind.DYNAMIC:
            kind = Kind.PROCESS
        for value in values:
            if may_mark and isinstance(value, (DictV, ListV)):
                taint_markers(value)
        # A lookup by per-call text (a question, a search query) returns per-call content,
        # and so do the methods of what it returns (`conn.execute(sql, (query,)).fetchall()`);
        # a lookup by an id or an object of unknown type may well return per-tenant
        # configuration (`db.execute(sql, (agent_id,)).fetchone()`): its methods stay unknown.
        volatile = kind == Kind.DYNAMIC and any(_per_call_text(v) for v in values)
        return Unknown(kind, _call_label(label), span, may_mark, volatile=volatile)

    def _forward(self, args: List[Value], kwargs: DictV, node: ast.Call, frame: Frame, span: Span) -> Optional[Value]:
        """A call that hands a request-sending callable to a runner or wrapper with the
        arguments to call it with (`asyncio.to_thread(self.llm.generate, system, q)`,
        `loop.run_in_executor(None, fn, q)`, `retry(client.messages.create, **kw)`): the
        callable called with the arguments after it, or None when no argument is one."""
        for i, arg in enumerate(args):
            if isinstance(arg, ClientV) and self._client_method(arg) is not None:
                return self.call_client(arg, args[i + 1 :], kwargs, node, frame, span)
            target = arg.func if isinstance(arg, PartialV) else arg
            if isinstance(target, FuncV) and target.name in self.sending_names:
                return self.call_value(arg, node, frame, span, (args[i + 1 :], kwargs))
        return None

    def _result_key(self, func: FuncV, args: List[Value], kwargs: DictV, frame: Frame) -> Optional[Tuple[Any, ...]]:
        """The memo key of a call to a function without effect (`_inert`) whose arguments
        are all immutable values, or None. Such a call's result depends only on the
        arguments (and on module constants, which do not change after import), so a helper
        called from many places (`safe_abs_path(p)`, `format_tokens(n)`) is run once per
        distinct argument list. Methods are not memoised: they read their instance."""
        if func.bound is not None or func.closure is not None or frame.depth >= self.max_depth:
            return None
        parts: List[Any] = [id(func.node), frame.at_import]
        for value in list(args) + [kwargs.entries[k].value for k in sorted(kwargs.entries)]:
            part = _immutable_key(value)
            if part is None:
                return None
            parts.append(part)
        if kwargs.open:
            return None
        parts.append(tuple(sorted(kwargs.entries)))
        if not self._inert(func, args, kwargs):
            return None
        return tuple(parts)

    def _inert(self, func: FuncV, args: List[Value], kwargs: DictV) -> bool:
        """Whether a call of `func` whose result is dropped cannot change any request (see
        `analysis.effects`). A response passed in is read for its usage fields (CL010), so
        such a call is always followed."""
        if isinstance(func.node, ast.Lambda):
            return False
        if any(isinstance(v, ResponseV) for v in list(args) + [e.value for e in kwargs.entries.values()]):
            return False
        module = self.project.module(func.module) if func.module != self.entry.path else self.entry
        if module is None:
            return False
        return without_effect(module, func.node, self.sending_names)

    def call_function(self, func: FuncV, args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
        module = self.project.module(func.module) if func.module != frame.module.path else frame.module
        if module is None:
            return self.opaque_call(args, kwargs, span, frame)
        node = func.node
        on_stack = any(f.func is not None and f.func.node is node for f in self._stack)
        if frame.depth >= self.max_depth or on_stack:
            return self.opaque_call(args, kwargs, span, frame, func.name, may_mark=self.mentions_cache(node, module))
        if isinstance(node, ast.Lambda):
            callee = Frame(module=module, parent=func.closure, func=func, guard=frame.guard, at_import=frame.at_import,
                           chain=frame.chain + (span,), depth=frame.depth + 1, caller=frame)
            self._bind_params(node, callee, args, kwargs, None, span)
            self._stack.append(callee)
            try:
                return self.eval(node.body, callee)
            finally:
                self._stack.pop()
        parent = func.closure if func.closure is not None else self._module_frame(module)
        callee = Frame(module=module, parent=parent, func=func, owner=func.owner, self_value=func.bound, guard=frame.guard,
                       at_import=frame.at_import, chain=frame.chain + (span,), depth=frame.depth + 1, caller=frame)
        self._bind_params(node, callee, args, kwargs, func.bound, span)
        if _is_generator(node):
            self._stack.append(callee)
            try:
                self.exec_block(node.body, callee)
            finally:
                self._stack.pop()
            return Unknown(Kind.DYNAMIC, f"items yielded by {func.name}()", span)
        self._stack.append(callee)
        try:
            self.exec_block(node.body, callee)
        finally:
            self._stack.pop()
        if not callee.returns:
            return Const(None, span)
        result = union(callee.returns, span)
        if isinstance(result, (Str, Const, Unknown, UnionV, JsonStr)):
            placed = result.at(span)
            placed.via_param = False
            return placed
        return result

    def _bind_params(self, node: Any, frame: Frame, args: List[Value], kwargs: DictV, bound: Optional[Value], span: Span) -> None:
        a = node.args
        positional = list(a.posonlyargs) + list(a.args)
        values = list(args)
        if bound is not None and positional:
            decorators = {self._decorator_name(d) for d in getattr(node, "decorator_list", [])}
            if "staticmethod" not in decorators:
                frame.locals[positional[0].arg] = bound
                positional = positional[1:]
        defaults = list(a.defaults)
        default_for: Dict[str, ast.expr] = {}
        for arg, default in zip(positional[len(positional) - len(defaults):], defaults):
            default_for[arg.arg] = default
        for arg, default in zip(a.kwonlyargs, a.kw_defaults):
            if default is not None:
                default_for[arg.arg] = default
        used: Set[str] = set()
        for i, arg in enumerate(positional):
            if i < len(values):
                value = values[i]
            elif arg.arg in kwargs.entries:
                value = kwargs.entries[arg.arg].value
                used.add(arg.arg)
            elif kwargs.open:
                value = Unknown(max(u.kind for u in kwargs.open), f"parameter `{arg.arg}`", span)
            elif arg.arg in default_for:
                value = self.eval(default_for[arg.arg], self._module_frame(frame.module))
            else:
                value = Unknown(Kind.UNKNOWN, f"parameter `{arg.arg}`", span)
            frame.locals[arg.arg] = value
            frame.params.add(arg.arg)
        for arg in a.kwonlyargs:
            if arg.arg in kwargs.entries:
                value = kwargs.entries[arg.arg].value
                used.add(arg.arg)
            elif kwargs.open:
                value = Unknown(max(u.kind for u in kwargs.open), f"parameter `{arg.arg}`", span)
            elif arg.arg in default_for:
                value = self.eval(default_for[arg.arg], self._module_frame(frame.module))
            else:
                value = Unknown(Kind.UNKNOWN, f"parameter `{arg.arg}`", span)
            frame.locals[arg.arg] = value
            frame.params.add(arg.arg)
        if a.vararg is not None:
            rest = ListV(span, container="tuple")
            rest.items = [Item(v) for v in values[len(positional):]]
            frame.locals[a.vararg.arg] = rest
        if a.kwarg is not None:
            rest_kw = DictV(span)
            for key, entry in kwargs.entries.items():
                if key not in used:
                    rest_kw.entries[key] = entry
            rest_kw.open = list(kwargs.open)
            frame.locals[a.kwarg.arg] = rest_kw

    def _sdk_base(self, info: ClassInfo) -> Optional[Tuple[str, str, Optional[str]]]:
        """The SDK client class a project class inherits from, if any."""
        for cls in self.mro(info):
            for base in cls.node.bases:
                key = ("sdkbase", cls.module.path, ast.dump(base))
                if key in self._evaluating:
                    continue
                self._evaluating.add(key)
                try:
                    saved = self.steps
                    value = self.eval(base, self._module_frame(cls.module))
                    self.steps = saved
                except (BudgetExceeded, RecursionError):
                    continue
                finally:
                    self._evaluating.discard(key)
                if isinstance(value, ExtV):
                    found = sdk.client_for_constructor(value.qualname)
                    if found is not None:
                        return found
        return None

    def construct(self, info: ClassInfo, args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
        inst = InstV(info, span)
        init = self.find_method(info, "__init__")
        if init is not None and frame.depth < self.max_depth:
            func = FuncV(init[0].module.path, init[1], owner=init[0], bound=inst, span=span)
            self.call_function(func, args, kwargs, span, frame)
        else:
            # dataclass/pydantic style: keyword arguments become attributes
            for key, entry in kwargs.entries.items():
                inst.attrs[key] = entry.value
        return inst

    # --- methods on values ---------------------------------------------------------------------
    def call_method(self, base: Value, method: str, node: ast.Call, frame: Frame, span: Span) -> Optional[Value]:
        """Calls whose meaning depends on the receiver's value (str, dict, list, path...)."""
        if isinstance(base, UnionV):
            if all(isinstance(v, (ClientV, ExtV, FuncV, InstV, ClassV, ModV)) for v, _ in base.options):
                return None
            if any(isinstance(v, (Str, DictV, ListV)) for v, _ in base.options):
                results = []
                args_pre = self.eval_args(node, frame)
                for option, guard in base.options[:MAX_DISPATCH]:
                    result = self._call_method_one(option, method, node, frame, span, args_pre)
                    if result is None:
                        result = Unknown(option.kind, method, span)
                    results.append((result, guard))
                return union(results, span)
            return None
        return self._call_method_one(base, method, node, frame, span, None)

    def _call_method_one(self, base: Value, method: str, node: ast.Call, frame: Frame, span: Span, pre: Optional[Tuple[List[Value], DictV]]) -> Optional[Value]:
        if isinstance(base, Str):
            args, kwargs = pre or self.eval_args(node, frame)
            return self.str_method(base, method, args, kwargs, span, frame)
        if isinstance(base, DictV):
            args, kwargs = pre or self.eval_args(node, frame)
            return self.dict_method(base, method, args, kwargs, span, frame)
        if isinstance(base, ListV):
            args, kwargs = pre or self.eval_args(node, frame)
            return self.list_method(base, method, args, kwargs, span, frame, node)
        if isinstance(base, PathV):
            args, kwargs = pre or self.eval_args(node, frame)
            return self.path_method(base, method, args, kwargs, span)
        if isinstance(base, TemplateV):
            args, kwargs = pre or self.eval_args(node, frame)
            return template_method(self, base, method, args, kwargs, span)
        if isinstance(base, JinjaEnvV):
            args, kwargs = pre or self.eval_args(node, frame)
            return jinja_env_method(self, base, method, args, kwargs, span)
        if isinstance(base, ArgParserV):
            args, kwargs = pre or self.eval_args(node, frame)
            return argparse_method(base, method, args, kwargs, span)
        if isinstance(base, FileV):
            if method in ("read", "readlines"):
                return self.read_file(base.path, span)
            return Unknown(Kind.UNKNOWN, method, span)
        if isinstance(base, ResponseV):
            args, kwargs = pre or self.eval_args(node, frame)
            if method in ("json", "model_dump", "to_dict", "dict"):
                return ResponseV(base.api, base.fmt, span, base.attrs, base.platforms)
            if method == "get" and args and isinstance(args[0], Str) and args[0].text is not None:
                return self._response_attr(base, args[0].text, span, frame)
            return Unknown(Kind.DYNAMIC, f"response.{method}()", span)
        if isinstance(base, Unknown) and method in STR_METHODS and method not in ("get", "items", "keys", "values"):
            args, kwargs = pre or self.eval_args(node, frame)
            if method == "format":
                return Str([hole(max([base.kind] + [a.kind for a in args]), label(base) or "a template", span)], span)
            return Unknown(base.kind, label(base), span, base.may_mark)
        return None

    def str_method(self, s: Str, method: str, args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
        text = s.text
        if method == "format":
            return self.format_string(s, args, {k: e.value for k, e in kwargs.entries.items()}, span, frame)
        if method == "format_map" and args and isinstance(args[0], DictV):
            return self.format_string(s, [], {k: e.value for k, e in args[0].entries.items()}, span, frame)
        if method == "join":
            return self.join(s, args[0] if args else Unknown(), span)
        if method in ("encode",):
            if isinstance(s, JsonStr):
                return s.at(span)
            return Str(s.parts, span)
        if method in ("strip", "lstrip", "rstrip", "lower", "upper", "title", "capitalize", "casefold", "replace",
                      "removeprefix", "removesuffix", "expandtabs", "center", "ljust", "rjust", "zfill", "swapcase"):
            static_args = [static_py(a) for a in args]
            if text is not None and all(a is not MISSING for a in static_args):
                try:
                    return Str.literal(getattr(text, method)(*static_args), span, s.kind)
                except Exception:
                    pass
            if method in ("strip", "rstrip") and s.parts and s.parts[-1].text is not None and s.parts[0].text is None:
                pass
            return Str(s.parts, span)
        if method in ("split", "splitlines", "partition", "rpartition", "rsplit"):
            lst = ListV(span)
            lst.items.append(Item(Str([hole(s.kind, label(s), span)], span) if text is None else Str.literal(text, span, s.kind), many=True))
            return lst
        if method in ("startswith", "endswith", "isdigit", "isalpha", "find", "index", "count", "rfind", "isspace", "isupper", "islower"):
            static_args = [static_py(a) for a in args]
            if text is not None and all(a is not MISSING for a in static_args):
                try:
                    return Const(getattr(text, method)(*static_args), span)
                except Exception:
                    pass
            return Unknown(s.kind, method, span)
        return Unknown(s.kind, label(s), span)

    def join(self, sep: Str, iterable: Value, span: Span) -> Str:
        parts: List[Part] = []
        if isinstance(iterable, ListV):
            if iterable.container == "set" and iterable.items:
                return Str([hole(Kind.DYNAMIC, "a joined set (its order changes between processes)", span)], span)
            for i, item in enumerate(iterable.items):
                if i:
                    parts.extend(sep.parts)
                value = self.stringify(item.value, item.value.span or span)
                if item.many:
                    parts.append(Part(None, max(value.kind, Kind.UNKNOWN) if not value.kind.cacheable else value.kind, None, value.span or span,
                                      label(item.value) or "joined items"))
                elif item.cond:
                    # present on some paths only: a breakpoint on the joined text is still
                    # read back on the paths without it (see `Part.optional`)
                    parts.append(Part(None, value.kind, None, value.span or span, label(item.value) or "an optional item",
                                      optional=True))
                else:
                    parts.extend(value.parts)
            return Str(parts, span)
        return Str([hole(iterable.kind, label(iterable) or "joined items", span)], span)

    def dict_method(self, d: DictV, method: str, args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
        if method == "update":
            for arg in args:
                self._merge_into_conditional(d, arg, span, frame)
            self._merge_into_conditional(d, kwargs, span, frame) if kwargs.entries or kwargs.open else None
            return Const(None, span)
        if method in ("get", "setdefault", "pop"):
            key = args[0] if args else None
            default = args[1] if len(args) > 1 else Const(None, span)
            if isinstance(key, Str) and key.text is not None:
                if key.text in d.entries:
                    value = d.entries[key.text].value
                    if method == "pop":
                        self._remove_key(d, key.text, frame)
                    return value
                if d.open:
                    return union([(Unknown(max(u.kind for u in d.open), f"[{key.text!r}]", span, any(u.may_mark for u in d.open)), ()), (default, ())], span)
                if method == "setdefault":
                    self.set_entry(d, key.text, default, span, frame)
                return default
            return Unknown(d.kind, "dict entry", span)
        if method == "copy":
            return d.copy(span)
        if method in ("items", "values", "keys"):
            lst = ListV(span)
            for key, entry in d.entries.items():
                if method == "values":
                    lst.items.append(Item(entry.value))
                elif method == "keys":
                    lst.items.append(Item(Str.literal(key, span)))
                else:
                    pair = ListV(span, container="tuple")
                    pair.items = [Item(Str.literal(key, span)), Item(entry.value)]
                    lst.items.append(Item(pair))
            for unknown in d.open:
                lst.items.append(Item(unknown, many=True))
            return lst
        if method == "clear":
            d.entries.clear()
            d.open.clear()
        return Unknown(d.kind, f"dict.{method}()", span)

    def _merge_into_conditional(self, d: DictV, value: Value, span: Span, frame: Frame) -> None:
        for option, guard in options_of(value):
            if isinstance(option, DictV):
                for key, entry in option.entries.items():
                    self.set_entry(d, key, entry.value, entry.key_span, frame, guard)
                    if entry.cond:
                        d.entries[key].cond = True
                d.open.extend(option.open)
            elif isinstance(option, ListV):
                for item in option.items:
                    pair = item.value
                    if isinstance(pair, ListV) and len(pair.items) == 2 and isinstance(pair.items[0].value, Str) and pair.items[0].value.text:
                        self.set_entry(d, pair.items[0].value.text, pair.items[1].value, span, frame, guard)
                    else:
                        d.open.append(Unknown(item.value.kind, "update() item", span))
            elif not (isinstance(option, Const) and option.value is None):
                d.open.append(option if isinstance(option, Unknown) else Unknown(option.kind, label(option), span))

    def list_method(self, lst: ListV, method: str, args: List[Value], kwargs: DictV, span: Span, frame: Frame, node: ast.Call) -> Value:
        loops = frame.all_loops()
        loop = loops[-1] if loops else None
        many = loop is not None and not loop.unrolled
        cond = bool([a for a in frame.guard if not a.subject.startswith("<loop")])
        if method == "append" and args:
            self._add_item(lst, Item(args[0], many=many, cond=cond, guard=frame.guard, loop=loop.span if loop else None,
                                     bound=loop.bound if loop else None, site=span), loop)
            return Const(None, span)
        if method == "extend" and args:
            self._extend(lst, args[0], frame, span)
            return Const(None, span)
        if method == "insert" and len(args) >= 2:
            index = args[0].value if isinstance(args[0], Const) and isinstance(args[0].value, int) else None
            item = Item(args[1], many=many, cond=cond, guard=frame.guard, loop=loop.span if loop else None, site=span)
            if index == 0:
                lst.items.insert(0, item)
            elif index is not None and 0 < index <= len(lst.items) and not any(i.many for i in lst.items[:index]):
                lst.items.insert(index, item)
            else:
                lst.items.append(Item(args[1], many=True, cond=True, site=span))
            return Const(None, span)
        if method == "pop":
            if lst.items and not args:
                if not any(i.many for i in lst.items[-1:]) and not cond:
                    return lst.items.pop().value
                return lst.items[-1].value
            return self.element_of(lst, span)
        if method == "copy":
            return lst.copy(span)
        if method in ("sort", "reverse"):
            if lst.container == "set":
                lst.container = "list"
            return Const(None, span)
        if method == "clear":
            lst.items.clear()
            return Const(None, span)
        if method in ("index", "count"):
            return Unknown(Kind.UNKNOWN, method, span)
        if method == "remove":
            return Const(None, span)
        return Unknown(lst.kind, f"list.{method}()", span)

    def _add_item(self, lst: ListV, item: Item, loop: Optional[LoopCtx]) -> None:
        if item.many and loop is not None and not loop.unrolled:
            tag_born(item.value, loop.span)
        if item.many and item.site is not None:
            for i, existing in enumerate(lst.items):
                if existing.many and existing.site == item.site:
                    # the same append in a later iteration: its run now also holds the
                    # newest element, so it moves to the end (`lst[-1]` right after
                    # `lst.append(question)` is the question, not last turn's answer)
                    del lst.items[i]
                    break
            lst.items.append(item)
        else:
            lst.items.append(item)
        if loop is not None and item.site is not None:
            loop.appended.setdefault(lst.uid, []).append(item.site)

    def _extend(self, lst: ListV, other: Value, frame: Frame, span: Span) -> None:
        loops = frame.all_loops()
        loop = loops[-1] if loops else None
        many = loop is not None and not loop.unrolled
        if isinstance(other, ListV):
            for item in other.items:
                self._add_item(lst, Item(item.value, item.many or many, item.cond, item.guard, item.loop or (loop.span if loop and many else None),
                                         item.bound, item.site or span), loop)
        else:
            self._add_item(lst, Item(Unknown(other.kind, label(other), other.span, getattr(other, "may_mark", False)), many=True, site=span), loop)

    def path_method(self, p: PathV, method: str, args: List[Value], kwargs: DictV, span: Span) -> Value:
        if method in ("read_text", "read_bytes"):
            return self.read_file(p.path, span)
        if method in ("resolve", "absolute", "expanduser"):
            return PathV(p.path, span)
        if method == "joinpath":
            path = p.path
            for arg in args:
                if path is None or not isinstance(arg, Str) or arg.text is None:
                    return PathV(None, span)
                path = os.path.normpath(os.path.join(path, arg.text))
            return PathV(path, span)
        if method in ("with_name", "with_suffix", "with_stem"):
            return _path_renamed(p, method, args, span)
        if method == "open":
            return FileV(p.path, span)
        if method in ("exists", "is_file", "is_dir"):
            return Unknown(Kind.PROCESS, method, span)
        return Unknown(Kind.UNKNOWN, method, span)

    def read_file(self, path: Optional[str], span: Span) -> Value:
        """Text of a prompt file read by the analysed code (only under the project root)."""
        if path is None:
            return Unknown(Kind.UNKNOWN, "text read from a file", span)
        text, size = self.project.read_prompt_file(path)
        name = os.path.relpath(path, self.project.root) if self.project.contains(path) else path
        if text is not None:
            return Str([Part(text, Kind.STATIC, len(text), span, f"prompt file {name}")], span)
        if size is not None:
            return Str([Part(None, Kind.STATIC, size, span, f"prompt file {name}")], span)
        return Unknown(Kind.UNKNOWN, f"text read from {name}", span)

    # --- external functions --------------------------------------------------------------------
    def call_external(self, qualname: str, args: List[Value], kwargs: DictV, node: ast.Call, frame: Frame, span: Span) -> Value:
        name = qualname[len("builtins."):] if qualname.startswith("builtins.") else qualname
        client = sdk.client_for_constructor(name)
        if client is not None:
            return self.make_client(client, kwargs, span, frame)
        if sdk.is_boto3_client_factory(name) or name.endswith("().client") and name.split(".")[0] in ("boto3", "aioboto3"):
            service = args[0] if args else kwargs.get("service_name")
            if isinstance(service, Str) and service.text == "bedrock-runtime":
                alt = ClientAlt("bedrock-runtime", "boto3 bedrock-runtime", "bedrock", span)
                self._client_event(alt, None, span, frame)
                return ClientV([alt], span=span)
            return ExtV(f"boto3.client({service.text if isinstance(service, Str) else '?'})", span)
        if name in ("boto3.Session", "boto3.session.Session", "aioboto3.Session"):
            return ExtV("boto3.Session()", span)
        head, _, tail = name.rpartition(".")
        if head == "litellm" and tail in sdk.LITELLM_FUNCTIONS:
            method = sdk.Method(f"litellm.{tail}", "openai-responses" if "responses" in tail else "openai-chat")
            alt = ClientAlt("litellm", "litellm", "unknown", span, base_url_known=False)
            return self.record_request(method, ClientV([alt], span=span), args, kwargs, node, frame, span)
        if name in sdk.HTTP_FUNCTIONS:
            return self.http_call(sdk.HTTP_FUNCTIONS[name], None, args, kwargs, node, frame, span)
        volatile = sdk.volatile_call(name)
        if volatile is not None:
            kind = Kind.DYNAMIC if volatile[0] == "call" and not frame.at_import else Kind.PROCESS
            if volatile[0] == "process":
                kind = Kind.PROCESS
            return Unknown(kind, volatile[1], span, volatile=volatile[0] == "call")
        handler = EXTERNAL.get(name)
        if handler is not None:
            return handler(self, args, kwargs, span, frame)
        if name.startswith(("datetime.", "time.")) and name.rsplit(".", 1)[-1] in ("now", "today", "utcnow"):
            return Unknown(Kind.PROCESS if frame.at_import else Kind.DYNAMIC, "the current time", span, volatile=True)
        if name.startswith(("anthropic.types", "google.genai.types", "openai.types", "anthropic.types.beta")) and not args:
            d = DictV(span, frame.literal(span, "dict-call"))
            d.entries.update(kwargs.entries)
            d.open.extend(kwargs.open)
            return d
        if name.endswith((".Template", "PromptTemplate.from_template")) and args:
            return args[0] if isinstance(args[0], Str) else Unknown(Kind.UNKNOWN, "a template", span)
        return self.opaque_call(args, kwargs, span, frame, name.rsplit(".", 1)[-1])

    def make_client(self, client: Tuple[str, str, Optional[str]], kwargs: DictV, span: Span, frame: Frame) -> ClientV:
        sdk_name, cls, platform = client
        base_url_value = kwargs.get("base_url") or kwargs.get("azure_endpoint")
        base_url: Optional[str] = None
        known = True
        if base_url_value is not None:
            text = base_url_value.text if isinstance(base_url_value, Str) else None
            if text is None and isinstance(base_url_value, Str):
                text = "".join(p.text or "" for p in base_url_value.parts) if base_url_value.parts and base_url_value.parts[0].text else None
                known = False if text is None or "://" not in text else True
            if text is not None:
                base_url = text
                if sdk_name == "openai" and platform is None or sdk_name == "anthropic" and cls in ("Anthropic", "AsyncAnthropic"):
                    guessed = sdk.platform_for_url(text)
                    platform = guessed if guessed != "unknown" else platform
            else:
                known = False
        if sdk_name == "genai":
            vertex = kwargs.get("vertexai")
            platform = "vertex-gemini" if isinstance(vertex, Const) and vertex.value else "gemini"
        if sdk_name == "openai" and platform is None:
            platform = "openai" if base_url_value is None else ("unknown" if not known else "gateway")
        if sdk_name == "anthropic" and cls in ("AnthropicFoundry", "AsyncAnthropicFoundry"):
            platform = "foundry"
        routes: Tuple[Tuple[str, str], ...] = ()
        if sdk_name == "litellm":
            platform = "unknown"
            known = False
            routes = _router_routes(kwargs.get("model_list"))
        if sdk_name == "http":
            platform = sdk.platform_for_url(base_url) if base_url else "unknown"
            known = base_url is not None
        alt = ClientAlt(sdk_name, cls, platform or "unknown", span, frame.guard, base_url, known, routes)
        self._client_event(alt, base_url_value, span, frame)
        return ClientV([alt], span=span)

    def _client_event(self, alt: ClientAlt, base_url_value: Optional[Value], span: Span, frame: Frame) -> None:
        if frame.module is self.entry or span.path == self.entry.path:
            self.events.append(ClientEvent(span=span, alt=alt, base_url_span=base_url_value.span if base_url_value is not None else None))

    def _client_method(self, client: ClientV) -> Optional[sdk.Method]:
        for alt in client.alts:
            method = sdk.method_for(alt.sdk, client.path)
            if method is not None:
                return method
        return None

    def call_client(self, client: ClientV, args: List[Value], kwargs: DictV, node: ast.Call, frame: Frame, span: Span) -> Value:
        method = self._client_method(client)
        if method is not None:
            return self.record_request(method, client, args, kwargs, node, frame, span)
        path = sdk.clean_path(client.path)
        alts = client.alts
        if alts and alts[0].sdk == "http" and path and path[-1] in ("post", "request", "stream"):
            return self.http_call(path[-1], client, args, kwargs, node, frame, span)
        if path and sdk.returns_client(path[-1]):  # with_options(), copy(), with_middleware()
            return ClientV(alts, path[:-1], span)
        return Unknown(Kind.DYNAMIC, f"{'.'.join(path)}()", span)

    def http_call(self, verb: str, client: Optional[ClientV], args: List[Value], kwargs: DictV, node: ast.Call, frame: Frame, span: Span) -> Value:
        """`requests.post(url, json=body)` and friends, to a known LLM endpoint path."""
        values = list(args)
        if verb in ("request", "stream"):
            method_value = values.pop(0) if values else kwargs.get("method")
            if isinstance(method_value, Str) and method_value.text is not None and method_value.text.upper() != "POST":
                return Unknown(Kind.DYNAMIC, "an HTTP response", span)
        url_value = values[0] if values else kwargs.get("url")
        base = client.alts[0].base_url if client is not None and client.alts else None
        # One endpoint per URL the call may use (`ENDPOINTS[provider]`: each entry, under
        # its key), grouped by the body format their path expects.
        by_format: Dict[str, List[ClientAlt]] = {}
        url_options = list(options_of(url_value)) if isinstance(url_value, UnionV) else [(url_value, TRUE)]
        for option, guard in url_options:
            url = url_text(option)
            full = url if url and "://" in url else ((base or "") + (url or "")) if (base or url) else None
            fmt = sdk.format_for_path(full) if full else None
            if fmt is None:
                continue
            platform = "unknown"
            known = False
            if full and "://" in full:
                platform = sdk.platform_for_url(full)
                known = True
            elif base:
                platform = sdk.platform_for_url(base)
                known = True
            by_format.setdefault(fmt, []).append(ClientAlt("http", "HTTP request", platform, span, frame.guard + guard, full, known))
        if not by_format:
            return Unknown(Kind.DYNAMIC, "an HTTP response", span)
        result: Value = Unknown(Kind.DYNAMIC, "an HTTP response", span)
        for fmt, alts in by_format.items():
            result = self._http_request(verb, fmt, alts, kwargs, node, frame, span)
        return result

    def _http_request(self, verb: str, fmt: str, alts: List[ClientAlt], kwargs: DictV, node: ast.Call, frame: Frame,
                      span: Span) -> Value:
        method = sdk.Method(f"http.{verb} {fmt}", fmt)
        body = kwargs.get("json")
        if body is None:
            data = kwargs.get("data") or kwargs.get("content")
            if isinstance(data, JsonStr):
                body = data.source
        body_kwargs = DictV(span)
        if isinstance(body, DictV):
            body_kwargs = body
        elif body is not None:
            body_kwargs.open.append(Unknown(body.kind, "request body", span))
        return self.record_request(method, ClientV(alts, span=span), [], body_kwargs, node, frame, span, http_body=body)

    # --- requests ---------------------------------------------------------------------------------
    def record_request(self, method: sdk.Method, client: ClientV, args: List[Value], kwargs: DictV, node: ast.Call, frame: Frame,
                       span: Span, receiver_known: bool = True, http_body: Optional[Value] = None) -> Value:
        alts = [alt for alt in client.alts if satisfiable(alt.guard + frame.guard)] or list(client.alts)
        requests = self.builder.build(method, alts, args, kwargs, node, frame, span, receiver_known, http_body)
        loops = frame.all_loops()
        active = frozenset(f.token for f in self._stack) | frozenset([frame.token])
        for request in requests:
            request.self_class = self.self_class
            request.frame_tokens = active
            if loops:
                loop = loops[-1]
                request.loop = loop.span
                messages = request.args.get("messages") or request.args.get("input") or request.args.get("contents")
                request.history_appends = self.history_growth(messages, loops)
            key = (request.call_span, request.chain, request.self_class, request.api, request.platform_names, request.variant)
            if key in self._request_keys:
                self.requests[self._request_keys[key]] = request
            else:
                self._request_keys[key] = len(self.requests)
                self.requests.append(request)
        platforms = tuple(sorted({p.name for r in requests for p in r.platforms} or {a.platform for a in alts}))
        return ResponseV(method.api, method.fmt, span, platforms=platforms)

    def history_growth(self, messages: Optional[Value], loops: List[LoopCtx]) -> Tuple[Span, ...]:
        """Where the conversation sent at a call inside `loops` grows from one turn to the
        next: appends to a list that outlives an iteration, or rebuilding it from one.

        Each possible list (a union when the name is rebound in the loop) is followed back
        through its lineage (`list(h)`, `h[:]`, `h + [m]`, `[*h, m]`). A list made before
        a loop persists across its turns: appends to it inside the loop grow what later
        copies send. A list made by an earlier pass of the loop and still reachable was
        carried into this turn (`history = add_turn(history, msg)`): what was added to it
        since grows the history. A list made afresh in each turn does not grow, whatever
        is appended to it (`msgs = [system]; msgs.append(question)`)."""
        sites: List[Span] = []
        rebound = isinstance(messages, UnionV)
        for option, _ in options_of(messages) if messages is not None else ():
            if isinstance(option, ListV):
                for ctx in loops:
                    sites.extend(_growth_in_loop(option, ctx, rebound))
        return tuple(dict.fromkeys(sites))

    def _enter(self, value: Value) -> Value:
        """What `with X as y` binds: files give a file, clients and streams themselves."""
        return value




def _immutable_key(value: Value) -> Optional[Tuple[Any, ...]]:
    """A hashable stand-in for an immutable abstract value, or None for a container, an
    instance or anything whose identity matters (it may be mutated)."""
    if isinstance(value, Str):
        return ("s", value.parts)
    if isinstance(value, Const):
        return ("c", type(value.value).__name__, value.value if isinstance(value.value, (str, int, float, bool, bytes, type(None))) else id(value), value.kind)
    if isinstance(value, Unknown):
        return ("u", value.kind, value.label, value.volatile, value.may_mark)
    if isinstance(value, PathV):
        return ("p", value.path, value.kind)
    if isinstance(value, (ExtV,)):
        return ("e", value.qualname)
    if isinstance(value, (FuncV, ClassV, ModV, ClientV)):
        return ("o", id(value))
    return None


def _immutable(value: Value) -> bool:
    if isinstance(value, UnionV):
        return all(_immutable(option) for option, _ in value.options)
    return isinstance(value, (Str, Const, Unknown, PathV)) and not (isinstance(value, Unknown) and value.marks)


def _fresh(value: Value, span: Span) -> Value:
    """A remembered result as a new call returns it: immutable values placed at the call,
    unknown values without the root that markers written through them are recorded on."""
    if isinstance(value, UnionV):
        return UnionV(((_fresh(v, span), g) for v, g in value.options), span)
    if isinstance(value, Unknown):
        return Unknown(value.kind, value.label, span, value.may_mark, value.volatile)
    placed = value.at(span)
    placed.via_param = False
    return placed


def _path_renamed(p: PathV, method: str, args: List[Value], span: Span) -> PathV:
    """`Path(__file__).with_name("system.md")` and its `with_suffix`/`with_stem` siblings."""
    new = args[0].text if args and isinstance(args[0], Str) else None
    if p.path is None or new is None:
        return PathV(None, span)
    directory, name = os.path.split(p.path)
    stem, suffix = os.path.splitext(name)
    renamed = {"with_name": new, "with_suffix": stem + new, "with_stem": new + suffix}[method]
    return PathV(os.path.join(directory, renamed), span)


def _or_default(options: List[Tuple[Value, Guard]], span: Span) -> Optional[DefaultV]:
    """`os.environ.get("MODEL") or "claude-..."`: the static text is a default that the
    environment overrides when the variable is set (see `DefaultV`).

    Only for the environment: `param or "..."` stays a union, which the builders already
    read as "one of these" for prompts."""
    if len(options) != 2:
        return None
    (first, _), (second, _) = options
    if type(first) is not Unknown or first.label != ENV_LABEL:
        return None
    if not (isinstance(second, Str) and second.text and second.kind == Kind.STATIC):
        return None
    return DefaultV(second.at(span), ENV_LABEL, span, first.kind)
def _whole_slice(lower: Value, upper: Value, sl: ast.Slice) -> bool:
    """`[:]` or `[0:]`: the slice copies the whole list."""
    return (sl.step is None and isinstance(lower, Const) and lower.value in (None, 0)
            and isinstance(upper, Const) and upper.value is None)


def _growth_in_loop(lst: ListV, ctx: LoopCtx, rebound: bool) -> List[Span]:
    """The sites that grow `lst`'s history across the iterations of `ctx` (see
    `Interpreter.history_growth`); empty when it is rebuilt from scratch each turn.

    `lst`'s lineage is a chain from it back to the lists it was copied from. The first
    list made before the loop is the history every turn starts from: with no list of an
    earlier turn in front of it, only appends to it inside the loop grow what is sent (the
    lists after it in the chain are fresh copies). A list made by an earlier turn and
    still used (`carried`) grows the history when it extends that pre-loop list (the sites
    in between, or appends to the lists in between). `rebound` says the name was bound to
    a new list during the loop (the messages were one of several lists): a carried list
    with no pre-loop ancestor is then rebuilt each turn, not kept."""
    chain = [(lst.uid, None)] + list(lst.lineage)
    carried = next((i for i, (uid, _) in enumerate(chain) if ctx.first_uid <= uid < ctx.pass_start), None)
    before = next((i for i, (uid, _) in enumerate(chain) if uid < ctx.first_uid), None)
    if before is not None and (carried is None or carried > before):
        return list(ctx.appended.get(chain[before][0], []))
    if carried is None:
        return []
    if before is None:
        return list(ctx.appended.get(lst.uid, [])) if carried == 0 and not rebound else []
    sites: List[Span] = []
    for uid, _ in chain[carried : before + 1]:
        sites.extend(ctx.appended.get(uid, []))
    sites.extend(site for _, site in chain[carried + 1 : before + 1] if site is not None)
    return sites


def _per_call_text(value: Value, depth: int = 0) -> bool:
    """A string that changes per call, alone or inside a tuple, list or dict argument."""
    if isinstance(value, Str):
        return value.kind == Kind.DYNAMIC
    if depth < 3 and isinstance(value, ListV):
        return any(_per_call_text(item.value, depth + 1) for item in value.items)
    if depth < 3 and isinstance(value, DictV):
        return any(_per_call_text(entry.value, depth + 1) for entry in value.entries.values())
    return False


def _call_label(callee: str) -> str:
    """The label of a call's result, kept readable along method chains.

    `the current date (date.today())` + `.isoformat()` -> `the current date
    (date.today().isoformat())`; `result of connect().execute` + `()` -> `result of
    connect().execute()` (not `result of result of ...`).
    """
    if not callee:
        return "a call result"
    described = re.fullmatch(r"((?:the|a|an) [^()]+) \((.+)\)\.(\w+)", callee)
    if described:
        return f"{described.group(1)} ({described.group(2)}.{described.group(3)}())"
    if callee.startswith("result of "):
        return callee + "()"
    return f"result of {callee}()"


def _element_label(container: str) -> str:
    """`element of result of fetchall()`, also for an element of an element (of the pairs
    of `enumerate()`): nesting says nothing a reader needs."""
    while True:
        for prefix in ("element of ", "items of "):
            if container.startswith(prefix):
                container = container[len(prefix):]
                break
        else:
            break
    return f"element of {container}" if container else "element"


def _attr_label(label: str, name: str) -> str:
    """`parameter `user`` + `name` -> `parameter `user.name``: keeps labels readable."""
    if label.endswith("`") and "`" in label[:-1]:
        return label[:-1] + "." + name + "`"
    return f"{label}.{name}" if label else name


def _operands(value: Str) -> Tuple[Tuple[Optional[Span], Kind, Optional[str]], ...]:
    """Operands of a `+` chain as (span, kind, last character); a nested chain written in
    place is flattened."""
    if value.operands and value.origin == value.span:
        return value.operands
    last = value.parts[-1].text[-1:] if value.parts and value.parts[-1].text else None
    return ((value.span, value.kind, last),)


def _relocate_holes(value: Str, label: str, span: Span) -> Str:
    """Point a parameter's hole at the place it is used (messages name that line)."""
    parts = [Part(p.text, p.kind, p.chars, span, p.label, p.volatile) if p.text is None and p.label == label else p
             for p in value.parts]
    new = Str(parts, value.span, value.origin)
    new.operands = value.operands
    new.via_param = value.via_param
    return new


def _merge_clients(value: Value) -> Optional[ClientV]:
    """One client value for a union of clients with the same attribute path.

    `client = AnthropicBedrock() if flag else Anthropic()` is one call site that can reach
    two platforms: each alternative keeps the condition that chose it, so rules can tell
    which platform a guarded marker reaches.
    """
    if not isinstance(value, UnionV):
        return None
    options = list(value.options)
    if not options or not all(isinstance(v, ClientV) for v, _ in options):
        return None
    paths = {v.path for v, _ in options}  # type: ignore[union-attr]
    if len(paths) != 1:
        return None
    alts: List[ClientAlt] = []
    for option, guard in options:
        for alt in option.alts:  # type: ignore[union-attr]
            extra = tuple(a for a in guard if a not in alt.guard)
            alts.append(ClientAlt(alt.sdk, alt.cls, alt.platform, alt.span, alt.guard + extra, alt.base_url, alt.base_url_known,
                                  alt.routes))
    return ClientV(alts, paths.pop(), value.span)


def _router_routes(model_list: Optional[Value]) -> Tuple[Tuple[str, str], ...]:
    """(alias, model) pairs of a literal litellm `Router(model_list=[...])`."""
    routes: List[Tuple[str, str]] = []
    if isinstance(model_list, ListV):
        for item in model_list.items:
            entry = item.value
            if not isinstance(entry, DictV):
                continue
            alias = entry.get("model_name")
            params = entry.get("litellm_params")
            model = params.get("model") if isinstance(params, DictV) else None
            if isinstance(alias, Str) and alias.text and isinstance(model, Str) and model.text:
                routes.append((alias.text, model.text))
    return tuple(routes)


def _is_generator(node: Any) -> bool:
    """Whether a function's own body yields; remembered on the node, as the same helper is
    called many times per analysed file."""
    known: Optional[bool] = getattr(node, "_cachelint_generator", None)
    if known is None:
        known = any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in walk_local(node.body))
        node._cachelint_generator = known
    return known


def _join(branches: List[Tuple[Dict[str, Value], Guard]], base: Dict[str, Value]) -> Dict[str, Value]:
    """Names bound after alternative branches: one value, or a union with the guards."""
    names: Set[str] = set()
    for bound, _ in branches:
        names |= set(bound)
    merged: Dict[str, Value] = {}
    for name in names:
        options: List[Tuple[Value, Guard]] = [(bound[name], atoms) for bound, atoms in branches if name in bound]
        if len(options) == 1 and len(branches) > 1 and name in base:
            options.append((base[name], ()))
        merged[name] = union(options)
    return merged


def _lazy_sdk_module(name: str, value: Value) -> Value:
    """`litellm = LazyLiteLLM()`: a project object named like an SDK package whose class
    forwards attribute access (`__getattr__`) stands for that package (a lazy import, as
    aider does to avoid import time)."""
    if isinstance(value, InstV) and name in sdk.SDK_PACKAGES and any("__getattr__" in cls.methods for cls in [value.info]):
        return ExtV(name, value.span)
    return value
