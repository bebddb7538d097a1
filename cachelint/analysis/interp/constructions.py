"""The model a configuration object carries, read from where the project builds it.

A function that takes its settings as a parameter (`def __init__(self, cfg: Config)`) is
analysed with `cfg` standing for "some `Config`": reading `cfg.model` gave an unknown
model, so the model's minimum cacheable prefix was unknown and a large uncached prompt
went unreported (voxie-assistant: a frozen dataclass built once, in `Config.from_env()`,
with `model=os.environ.get("VOXIE_MODEL", "claude-sonnet-4-5").strip()`).

`ConstructionsMixin.constructed_field` answers such a read from the project's own
constructions of the class, when they all agree: every call of the class by name and
every `cls(...)` in its class methods gives the field the same known text (a literal, a
module constant, a configuration default), as a keyword argument or through the field's
default. It answers nothing when it cannot see every construction: the class defines
`__init__` (its parameters need not be its fields), a subclass exists, a call passes
positional or `**` arguments, the argument reads a name of the enclosing function, or
the project copies such objects with a changed field (`replace(cfg, model=...)`,
`model_copy(update=...)`). Only fields named like a model are asked (`model`,
`model_name`, `default_model`...): a model id is what a default changes in a rule's
verdict (the minimum), and finding the constructions reads every project file once per
class, which reads of every other field of every settings object would multiply.
"""

from __future__ import annotations

import ast
import re
from typing import Any, Dict, List, Optional, Set, Tuple

from cachelint.analysis.candidates import module_functions
from cachelint.analysis.project import ClassInfo, ModuleInfo
from cachelint.analysis.spans import Span
from cachelint.analysis.values import ClassV, DefaultV, Kind, Str, Value

#: field names whose value the constructions are searched for
MODEL_FIELD_RE = re.compile(r"(?:\w+_)?model(?:_(?:name|id))?")
#: how many files may name the class: a settings object is built in one or two
MAX_FILES = 8
#: calls that copy an object with changed fields: with the field as a keyword anywhere in
#: the project, its constructions no longer say what it holds
_COPYING_CALLS = ("replace", "evolve", "model_copy", "copy", "_replace")


class ConstructionsMixin:
    """`constructed_field`: a field's value from the project's constructions of its class."""

    def constructed_field(self: Any, info: ClassInfo, name: str, span: Span) -> Optional[Value]:
        """The text every construction of `info` in the project gives its field `name`
        (a `DefaultV` when one of them is a configuration default), or None."""
        if not MODEL_FIELD_RE.fullmatch(name):
            return None
        memo: Dict[Tuple[Tuple[str, int], str], Optional[Value]] = self.__dict__.setdefault("_constructed", {})
        key = (info.key, name)
        if key not in memo:
            memo[key] = None  # a construction that reads the field itself finds nothing
            memo[key] = self._agreed_field(info, name)
        found = memo[key]
        return found.at(span) if found is not None else None

    def _agreed_field(self: Any, info: ClassInfo, name: str) -> Optional[Value]:
        if self.find_method(info, "__init__") is not None:
            return None
        values: List[Value] = []
        constructions = self._constructions(info)
        if constructions is None:
            return None
        for module, call, scope in constructions:
            value = self._field_argument(info, name, module, call, scope)
            if value is None:
                return None
            values.append(value)
        agreed = _agreement(values)
        # the project-wide searches last: most reads end above
        if agreed is None or self._has_subclass(info) or self._copied_with(name):
            return None
        return agreed

    def _has_subclass(self: Any, info: ClassInfo) -> bool:
        return bool(self.project.subclasses(info, self.resolve_class))

    def _copied_with(self: Any, name: str) -> bool:
        """Whether some project file copies an object with `name` changed."""
        keyword = re.compile(rb"\b" + re.escape(name.encode()) + rb"\s*=[^=]|[\"']" + re.escape(name.encode()) + rb"[\"']\s*:")
        for copier in _COPYING_CALLS:
            for path, offset in self.project.name_uses(copier):
                data = self.project.read_bytes_untracked(path, resolved=True)
                if data is None or not data[offset + len(copier):offset + len(copier) + 1] == b"(":
                    continue
                end = data.find(b")", offset)
                if keyword.search(data, offset, end if end != -1 else offset + 200):
                    return True
        return False

    def _constructions(self: Any, info: ClassInfo) -> Optional[List[Tuple[ModuleInfo, ast.Call, Optional[ast.AST]]]]:
        """Every call of `info` by name in the project that resolves to it, and every
        `cls(...)` in its class methods, each with its module and enclosing function;
        None when more than `MAX_FILES` files name the class (each would be parsed: a
        request model of a framework is named in hundreds)."""
        found: List[Tuple[ModuleInfo, ast.Call, Optional[ast.AST]]] = []
        paths = sorted({path for path, _ in self.project.name_uses(info.name)})
        if len(paths) > MAX_FILES:
            return None
        for path in paths:
            module = self.project.module(path)
            if module is None:
                continue
            frame = self._module_frame(module)
            for node, _ in module_functions(module):
                for call in _calls_named(node, info.name, own_only=True):
                    target = self.eval(call.func, frame)
                    if isinstance(target, ClassV) and target.info.key == info.key:
                        found.append((module, call, node))
            for call in _calls_named(module.tree, info.name, own_only=True):
                target = self.eval(call.func, frame)
                if isinstance(target, ClassV) and target.info.key == info.key:
                    found.append((module, call, None))
        for method in info.node.body:
            if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) and "classmethod" in self.decorator_names(method):
                found.extend((info.module, call, method) for call in _calls_named(method, "cls", own_only=True))
        return found

    def _field_argument(self: Any, info: ClassInfo, name: str, module: ModuleInfo, call: ast.Call,
                        scope: Optional[ast.AST]) -> Optional[Value]:
        """What one construction gives the field: its keyword argument, read where the
        call is, or the field's default; None when that is not a known text."""
        if call.args or any(k.arg is None for k in call.keywords):
            return None
        argument = next((k.value for k in call.keywords if k.arg == name), None)
        if argument is None:
            value = self.class_attr(info, name)
        else:
            if scope is not None and _names_in(argument) & _local_names(scope):
                return None
            value = self.eval(argument, self._module_frame(module))
        if isinstance(value, DefaultV) and value.default.text:
            return value
        if isinstance(value, Str) and value.text and value.kind == Kind.STATIC:
            return value
        return None


def _agreement(values: List[Value]) -> Optional[Value]:
    """The one text all `values` hold (a default when any is), or None."""
    if not values:
        return None
    texts = {v.default.text if isinstance(v, DefaultV) else v.text for v in values}  # type: ignore[union-attr]
    if len(texts) != 1:
        return None
    defaults = [v for v in values if isinstance(v, DefaultV)]
    sources = {d.source for d in defaults}
    if len(sources) > 1:
        return None
    return defaults[0] if defaults else values[0]


def _calls_named(root: ast.AST, name: str, own_only: bool = False) -> List[ast.Call]:
    """Calls of `name` (`Name(...)`, `module.Name(...)`) in `root`; with `own_only`, not
    those in the functions `root` defines (each is searched on its own, and a call must
    be read with the names of the function it is in)."""
    found: List[ast.Call] = []
    stack = [root]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if own_only and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if isinstance(child, ast.Call):
                func = child.func
                if (isinstance(func, ast.Name) and func.id == name) or (isinstance(func, ast.Attribute) and func.attr == name):
                    found.append(child)
            stack.append(child)
    return found


def _names_in(node: ast.AST) -> Set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _local_names(function: ast.AST) -> Set[str]:
    """Parameters and names a function binds (an argument reading one depends on the call)."""
    names: Set[str] = set()
    args = getattr(function, "args", None)
    if args is not None:
        for arg in list(args.posonlyargs) + list(args.args) + list(args.kwonlyargs) + [args.vararg, args.kwarg]:
            if arg is not None:
                names.add(arg.arg)
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node is not function:
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names
