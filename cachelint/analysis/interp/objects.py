"""Objects for the abstract interpreter: attributes, instances, classes and annotations.

Attribute reads on every kind of value; project classes (`mro`, methods, class attributes,
pydantic-settings defaults); instances, whose attributes not set on the path come from a
per-class summary of what `__init__` and other methods assign (`init_summary`);
constructing an instance (or a client, for a subclass of an SDK client class); and
annotations, which give a typed parameter (`client: AsyncAnthropic`) a value.

Separate because this is where per-class state is summarised and cached, independently of
the call being analysed.
"""

from __future__ import annotations

import ast
import os
from typing import Any, Dict, List, Optional, Set, Tuple

from cachelint.analysis import sdk
from cachelint.analysis.candidates import holds_sdk_call
from cachelint.analysis.events import UsageRead
from cachelint.analysis.externals import namespace_attr
from cachelint.analysis.frames import BudgetExceeded, Frame, PathEnds
from cachelint.analysis.project import ClassInfo, ModuleInfo, is_protocol
from cachelint.analysis.spans import Span
from cachelint.analysis.sdk import is_sdk_name
from cachelint.analysis.valueops import (
    NamespaceV,
    SuperV,
    clone,
    flatten_union,
    is_none,
    self_assignments,
    subject_text,
)
from cachelint.analysis.values import (
    TRUE,
    Atom,
    ClassV,
    ClientAlt,
    ClientV,
    DefaultV,
    DictV,
    ExtV,
    FuncV,
    Guard,
    InstV,
    Kind,
    ListV,
    ModV,
    PathV,
    ResponseV,
    Str,
    UnionV,
    Unknown,
    Value,
    union,
)


#: A method name defined in more files than this is not followed as an interface method.
MAX_INTERFACE_FILES = 24
#: `resolve_class` has not resolved this expression yet (None is a valid answer).
_UNRESOLVED = object()


class ObjectsMixin:
    """Objects: attributes, instances, project classes and their MRO, `__init__` summaries, annotations."""

    # --- attributes ---------------------------------------------------------------------------
    def get_attr(self, base: Value, name: str, span: Span, frame: Frame) -> Value:
        if isinstance(base, SuperV):
            for cls in base.classes:
                if name in cls.methods:
                    return self.function_value(cls.module.path, cls.methods[name], owner=cls, bound=base.inst, span=span)
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
                return self.runtime_global(module, name, value.at(span), frame, span)
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
                cls, node = method
                if "classmethod" in self.decorator_names(node):
                    # `Factory.create(name)`: `cls` is the class it was called on
                    return self.function_value(cls.module.path, node, owner=cls, bound=base, span=span)
                return FuncV(cls.module.path, node, owner=cls, span=span)
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
        return base.derived(span, attrs)

    def instance_attr(self, inst: InstV, name: str, span: Span, frame: Frame) -> Value:
        if name in inst.attrs:
            return inst.attrs[name].at(span)
        method = self.find_method(inst.info, name)
        if method is not None:
            cls, node = method
            decorators = self.decorator_names(node)
            # a classmethod called on an instance gets its class as `cls`
            bound: Value = ClassV(inst.info, span) if "classmethod" in decorators else inst
            func = self.function_value(cls.module.path, node, owner=cls, bound=bound, span=span)
            if decorators & {"property", "cached_property"}:
                return self.call_function(func, [], DictV(span), span, frame).at(span)
            if not inst.exact:
                overrides = self.overriding_methods(inst, name, span)
                if overrides:
                    if not _abstract(node, decorators):
                        overrides.insert(0, (func, TRUE))
                    return union(overrides, span)
            return func
        summary = self.init_summary(inst.info)
        if name in summary:
            value = clone(summary[name], {})
            inst.attrs[name] = value
            return value.at(span)
        value = self.class_attr(inst.info, name)
        if value is not None:
            if not inst.exact and _empty(value):
                # an object typed by an annotation was made elsewhere: a field whose
                # default is empty (`args: tuple[str, ...] = ()`) holds what its maker
                # gave. Read as certainly empty, `if not " ".join(envelope.args): return`
                # ended turborg's `!ask` handler before its request.
                given = Unknown(Kind.DYNAMIC, f"`{name}` as given where the {inst.info.name} was made", span)
                return union([(value.at(span), ()), (given, ())], span)
            return value.at(span)
        return Unknown(Kind.UNKNOWN, f"self.{name}", span)

    def interface_dispatch(self, name: str, span: Span) -> Optional[Value]:
        """`x.generate_response(...)` on a receiver of unknown type (a backend a factory
        built from a configuration string, `importlib` and a registry of class paths): the
        overrides of `name` in the project's class hierarchy that declares it, when there
        is exactly one such hierarchy. Every project class defining `name` must derive from
        one base class that defines it too (the interface); a method name also defined
        outside such a hierarchy (a free function, an unrelated class) could be anything
        the receiver is, and the call stays unknown."""
        # kept for the whole run, so by the key of the class: its module may be dropped
        # from the project between files, and a class does not keep its module alive
        memo: Dict[str, Optional[Tuple[str, int]]] = self.project.interfaces
        if name not in memo:
            found = self._interface_of(name)
            memo[name] = found.key if found is not None else None
        key = memo[name]
        base = self.project.class_at(key) if key is not None else None
        if base is None:
            return None
        overrides = self.overriding_methods(InstV(base, span, exact=False), name, span)
        return union(overrides, span) if overrides else None

    def _interface_of(self, name: str) -> Optional[ClassInfo]:
        definers: List[ClassInfo] = []
        files = self.project.defining_files(name)
        if len(files) > MAX_INTERFACE_FILES:
            return None  # a name this common (`run`, `completion`) singles out no hierarchy
        for path in files:
            module = self.project.module(path)
            if module is None:
                return None
            in_classes = [cls for cls in module.all_classes if name in cls.methods]
            if not in_classes:
                return None  # a free function of that name: not an interface method
            definers.extend(in_classes)
        if len(definers) < 2:
            return None
        for base in definers:
            if all(base == cls or base in self.mro(cls) for cls in definers):
                return base
        return None

    def overriding_methods(self, inst: InstV, name: str, span: Span) -> List[Tuple[Value, Guard]]:
        """The methods `name` of the project subclasses of an instance whose class is only
        known up to a base (`llm: LLMBase`, `self.llm: LLMBase`): class-hierarchy analysis,
        one bound method per subclass that defines it, each on an instance of its class and
        under an `isinstance` condition (at most `MAX_DISPATCH` are followed at a call). A
        `typing.Protocol` with no subclass is dispatched to the classes implementing it
        (`Project.implementations`)."""
        found: List[Tuple[Value, Guard]] = []
        subclasses = self._subclasses.get(inst.info.key)
        if subclasses is None:
            from_scratch = not self._evaluating
            subclasses = self.project.subclasses(inst.info, self.resolve_class)
            if from_scratch:
                self._subclasses[inst.info.key] = subclasses
        if not subclasses and is_protocol(inst.info):
            key = (inst.info.key, name)
            implementations = self._implementations.get(key)
            if implementations is None:
                # only files holding an SDK call: parsing every file defining the method
                # cost corpus L 5 % (protocols are common in the SDKs themselves)
                implementations = self._implementations[key] = self.project.implementations(
                    inst.info, name, MAX_INTERFACE_FILES, lambda path: holds_sdk_call(self.project, path))
            subclasses = implementations
        for sub in subclasses:
            node = sub.methods.get(name)
            if node is None:
                continue
            decorators = self.decorator_names(node)
            if decorators & {"property", "cached_property", "staticmethod", "classmethod"} or _abstract(node, decorators):
                continue
            # one object per receiver and subclass: what a method stores on it (a history
            # `self._messages` appended to on every `model.act(...)` of a loop) is there
            # at the next call, as on the real object (wikimoth's agentic browsing loop)
            concrete = self._dispatched.get((inst.uid, sub.key))
            if concrete is None:
                concrete = self._dispatched[(inst.uid, sub.key)] = InstV(sub, span, exact=True)
            concrete.attrs.update(inst.attrs)
            guard = (Atom(inst.info.name, "isa", frozenset({sub.name})),)
            found.append((self.function_value(sub.module.path, node, owner=sub, bound=concrete, span=span), guard))
        return found

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
        """The project class a base-class expression names, if any.

        Remembered for the rest of this entry module's analysis when it was resolved from
        scratch (no other evaluation in progress, whose cycle guard could have cut it short,
        and within the budget): method lookups, `mro` and class-hierarchy dispatch ask for
        the same bases hundreds of thousands of times on an SDK's resource classes."""
        key = ("class", module.path, id(node))
        known = self._resolved_bases.get(key, _UNRESOLVED)
        if known is not _UNRESOLVED:
            return known
        if key in self._evaluating:
            return None
        from_scratch = not self._evaluating
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
        resolved = value.info if isinstance(value, ClassV) else None
        if from_scratch:
            self._resolved_bases[key] = resolved
        return resolved

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

    def set_class_attr(self, info: ClassInfo, name: str, value: Value, frame: Frame) -> None:
        """`Cls.name = value` in code (a registry filled on first use: `if Factory._providers
        is None: Factory._providers = {...}`): later reads in this analysis see it. Under a
        condition the analysis could not decide, what was there before stays possible."""
        key = (info.key, name)
        before = self._class_attr(info, name) if frame.guard else None
        self._class_attrs[key] = union([(before, ()), (value, frame.guard)], value.span) if before is not None else value

    def _class_attr(self, info: ClassInfo, name: str) -> Optional[Value]:
        for cls in self.mro(info):
            written = self._class_attrs.get((cls.key, name)) if name not in cls.attrs else None
            if written is not None:
                return written  # set by code only (`set_class_attr`), not in the class body
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

    def _sdk_base(self, info: ClassInfo) -> Optional[Tuple[str, str, Optional[str]]]:
        """The SDK client class a project class inherits from, if any."""
        for cls in self.mro(info):
            for base in cls.node.bases:
                key = ("sdkbase", cls.module.path, base.lineno, base.col_offset)  # not ast.dump: slow, and a cycle per call
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
        if init is not None and init[0] == info and not info.node.decorator_list and not info.node.keywords \
                and _rejects_keywords(init[1], kwargs):
            # only an `__init__` the class itself defines, undecorated and with no
            # metaclass: a dataclass's generated one, or a base's, may take other names
            raise PathEnds()
        if init is not None and frame.depth < self.max_depth:
            func = self.function_value(init[0].module.path, init[1], owner=init[0], bound=inst, span=span)
            self.call_function(func, args, kwargs, span, frame)
        else:
            # dataclass/pydantic style: keyword arguments become attributes
            for key, entry in kwargs.entries.items():
                inst.attrs[key] = entry.value
        return inst

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


def _attr_label(label: str, name: str) -> str:
    """`parameter `user`` + `name` -> `parameter `user.name``: keeps labels readable."""
    if label.endswith("`") and "`" in label[:-1]:
        return label[:-1] + "." + name + "`"
    return f"{label}.{name}" if label else name


def _abstract(node: Any, decorators: Set[str]) -> bool:
    """A method that only declares an interface: `@abstractmethod`, or a body of a docstring,
    `pass`, `...` or `raise NotImplementedError`."""
    if "abstractmethod" in decorators:
        return True
    body = list(getattr(node, "body", []))
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        body = body[1:]
    if not body:
        return True
    if len(body) != 1:
        return False
    stmt = body[0]
    if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and stmt.value.value is Ellipsis):
        return True
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


def _rejects_keywords(init: Any, kwargs: DictV) -> bool:
    """Whether calling `__init__` with these keyword arguments raises `TypeError`: one of
    them names no parameter it takes by keyword and it has no `**` parameter (roboop's
    `Conversation(bot, cache_user_prompt=True)`, an option since removed: the script stops
    there, and the agent loop after it never runs). A `**` spread of unknown keys decides
    nothing."""
    args = getattr(init, "args", None)
    if args is None or args.kwarg is not None or kwargs.open:
        return False
    names = {a.arg for a in list(args.args) + list(args.kwonlyargs)}
    return any(key not in names for key in kwargs.entries)


def _empty(value: Value) -> bool:
    """Whether `value` is an empty literal: `()`, `[]`, `{}`, `""`."""
    if isinstance(value, ListV):
        return not value.items
    if isinstance(value, DictV):
        return not value.entries and not value.open
    return isinstance(value, Str) and value.text == ""
