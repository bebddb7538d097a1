"""Calls for the abstract interpreter: dispatch, parameter binding, project functions.

`call_value` dispatches on the callee (union, project function, class, external name,
client, partial, runner such as `asyncio.to_thread(fn, ...)`); `call_method` on the
receiver (str, dict, list, path, template, response...). A project function is followed
a few levels deep with its arguments bound (`call_function`, `_bind_params`); calls it
cannot follow become opaque results (`opaque_call`), and the results of calls to functions
without effect are memoised by argument (`_result_key`, `_fresh`).

Separate because it decides what is followed, and so bounds the cost of the analysis.
"""

from __future__ import annotations

import ast
import re
from typing import Any, Dict, List, Optional, Set, Tuple

from cachelint.analysis import sdk
from cachelint.analysis.effects import reaches_request, without_effect
from cachelint.analysis.externals import argparse_method, jinja_env_method, template_method
from cachelint.analysis.frames import Frame
from cachelint.analysis.spans import Span
from cachelint.analysis.valueops import (
    STR_METHODS,
    ArgParserV,
    FileV,
    JinjaEnvV,
    JsonStr,
    TemplateV,
    attr_path,
    label,
    taint_markers,
    walk_local,
)
from cachelint.analysis.values import (
    ClassV,
    ClientAlt,
    ClientV,
    Const,
    DefaultV,
    DictV,
    Entry,
    ExtV,
    FuncV,
    InstV,
    Item,
    Kind,
    ListV,
    ModV,
    PartialV,
    PathV,
    ResponseV,
    Str,
    UnionV,
    Unknown,
    Value,
    hole,
    union,
)
from cachelint.analysis.interp.limits import HELPER_STEPS, MAX_DISPATCH

#: Functions that call the callable they are given with the arguments after it.
_RUNNERS = frozenset({"to_thread", "run_sync", "run_in_threadpool", "run_in_executor", "submit", "call_soon_threadsafe",
                      "call_soon", "run_async", "sync_to_async", "async_to_sync", "retry_call"})


class CallsMixin:
    """Calls: dispatch on the callee, binding parameters, following project functions, memoised results."""

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
            if isinstance(callee, Unknown) and isinstance(base, Unknown) and method in self.sending_names:
                callee = self.interface_dispatch(method, self.span(func, frame)) or callee
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
        callable called with the arguments after it, or None when no argument is one.

        A callable that is one of several values (a client from a helper that may also
        return a test double or None: wick-harness's `_get_anthropic_client()`) is called as
        a direct call of it is, on each option under its guard, when one of them sends."""
        for i, arg in enumerate(args):
            options = [option for option, _ in arg.options] if isinstance(arg, UnionV) else [arg]
            if any(self._sends_when_called(option) for option in options):
                return self.call_value(arg, node, frame, span, (args[i + 1 :], kwargs))
        return None

    def _sends_when_called(self, value: Value) -> bool:
        """Whether `value`, handed to a runner, is a callable that sends a request: an SDK
        request method of a client, or a project function leading to one."""
        if isinstance(value, ClientV):
            return self._client_method(value) is not None
        target = value.func if isinstance(value, PartialV) else value
        return isinstance(target, FuncV) and target.name in self.sending_names

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
        if self._helper_started is None and not isinstance(node, ast.Lambda) and not reaches_request(module, node, self.sending_names):
            # the outermost call of a helper that cannot reach a request: its steps count
            # against the entry's helper budget; once that is spent, it is not followed
            if self.helper_steps >= HELPER_STEPS:
                return self.opaque_call(args, kwargs, span, frame, func.name, may_mark=self.mentions_cache(node, module))
            self._helper_started = self.steps
            try:
                return self._follow(func, module, args, kwargs, span, frame)
            finally:
                self.helper_steps += self.steps - self._helper_started
                self._helper_started = None
        if self._helper_started is not None and self.helper_steps + self.steps - self._helper_started >= HELPER_STEPS:
            return self.opaque_call(args, kwargs, span, frame, func.name, may_mark=self.mentions_cache(node, module))
        return self._follow(func, module, args, kwargs, span, frame)

    def _follow(self, func: FuncV, module: Any, args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
        """Run a project function's body with its arguments bound, and return its result."""
        node = func.node
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
            decorators = self.decorator_names(node)
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
            else:
                value = self._keyword_or_default(arg.arg, kwargs, default_for, used, frame, span)
            frame.locals[arg.arg] = value
            frame.params.add(arg.arg)
        for arg in a.kwonlyargs:
            frame.locals[arg.arg] = self._keyword_or_default(arg.arg, kwargs, default_for, used, frame, span)
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

    def _keyword_or_default(self, name: str, kwargs: DictV, default_for: Dict[str, ast.expr], used: Set[str],
                            frame: Frame, span: Span) -> Value:
        """A parameter no positional argument filled: its keyword argument (noted in `used`,
        so `**kwargs` leaves it out), unknown when `**mapping` may hold it, else its default."""
        if name in kwargs.entries:
            used.add(name)
            return kwargs.entries[name].value
        if kwargs.open:
            return Unknown(max(u.kind for u in kwargs.open), f"parameter `{name}`", span)
        if name in default_for:
            return self.eval(default_for[name], self._module_frame(frame.module))
        return Unknown(Kind.UNKNOWN, f"parameter `{name}`", span)

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
                return base.derived(span, base.attrs)
            if method == "get" and args and isinstance(args[0], Str) and args[0].text is not None:
                return self._response_attr(base, args[0].text, span, frame)
            return Unknown(Kind.DYNAMIC, f"response.{method}()", span)
        if isinstance(base, DefaultV) and method in _DEFAULT_KEEPING_METHODS:
            # `os.environ.get("MODEL", "claude-sonnet-4-5").strip()`: still that default
            # unless the variable is set (a model id read this way was lost: voxie-assistant)
            args, kwargs = pre or self.eval_args(node, frame)
            default = self.str_method(base.default, method, args, kwargs, span, frame)
            if isinstance(default, Str) and default.text is not None:
                return DefaultV(default, base.source, span, base.kind)
        if isinstance(base, Unknown) and method in STR_METHODS and method not in ("get", "items", "keys", "values"):
            args, kwargs = pre or self.eval_args(node, frame)
            if method == "format":
                return Str([hole(max([base.kind] + [a.kind for a in args]), label(base) or "a template", span)], span)
            return Unknown(base.kind, label(base), span, base.may_mark)
        return None


#: string methods that leave a configuration value's default what it means (a model id with
#: surrounding blanks or in another case): the result is still a `DefaultV`
_DEFAULT_KEEPING_METHODS = frozenset({"strip", "lstrip", "rstrip", "lower", "casefold"})


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


def _is_generator(node: Any) -> bool:
    """Whether a function's own body yields; remembered on the node, as the same helper is
    called many times per analysed file."""
    known: Optional[bool] = getattr(node, "_cachelint_generator", None)
    if known is None:
        known = any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in walk_local(node.body))
        node._cachelint_generator = known
    return known
