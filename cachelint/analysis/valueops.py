"""Pure helpers over abstract values shared by the interpreter and the stdlib models.

Special value kinds that only the interpreter produces (a `json.dumps` result that remembers
its source, an open file, `super()`), and conversions: to a Python object when fully static,
truthiness, labels for messages, syntax-tree walks that stay inside one function.
"""

from __future__ import annotations

import ast
import re
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from cachelint.analysis.project import ClassInfo
from cachelint.analysis.request import MARKER_FIELDS
from cachelint.analysis.spans import Span
from cachelint.analysis.values import (
    Atom,
    ClassV,
    ClientV,
    Const,
    DictV,
    Entry,
    ExtV,
    FuncV,
    InstV,
    Item,
    Kind,
    ListV,
    ModV,
    Part,
    Str,
    UnionV,
    Unknown,
    Value,
)


class JsonStr(Str):
    """The result of `json.dumps(x)`: a string that remembers the value it serialised, so
    a Bedrock `invoke_model(body=json.dumps(body))` is analysed as the dict it was."""

    __slots__ = ("source",)

    def __init__(self, parts: Iterable[Part], span: Optional[Span], source: Value) -> None:
        super().__init__(parts, span)
        self.source = source

    def at(self, span: Optional[Span]) -> "JsonStr":
        new = JsonStr(self.parts, span, self.source)
        new.origin = self.origin
        new.via_param = self.via_param
        return new


class FileV(Value):
    """An open file (from `open(path)`), whose `.read()` gives the prompt file's text."""

    __slots__ = ("path",)

    def __init__(self, path: Optional[str], span: Optional[Span] = None) -> None:
        super().__init__(span)
        self.path = path


class ArgParserV(Value):
    """An `argparse.ArgumentParser` (or one of its argument groups, which feed the same
    namespace): the options added so far, by destination, with their defaults.

    Mutable and shared by identity, like the real parser: a `build_parser()` helper adds the
    options and its caller parses them."""

    __slots__ = ("options",)

    def __init__(self, span: Optional[Span] = None) -> None:
        super().__init__(span)
        #: dest -> (how the user sets it, e.g. "command-line option `--model`", default)
        self.options: Dict[str, Tuple[str, Optional[Value]]] = {}

    @property
    def kind(self) -> Kind:
        return Kind.PROCESS


class NamespaceV(Value):
    """What `parser.parse_args()` returns: one attribute per option the parser knew.

    An option with a known string default reads as a `DefaultV` (the default unless the
    command line sets it); any other option, and any name the parser did not declare, is
    unknown."""

    __slots__ = ("options",)

    def __init__(self, options: Dict[str, Tuple[str, Optional[Value]]], span: Optional[Span] = None) -> None:
        super().__init__(span)
        self.options = dict(options)

    @property
    def kind(self) -> Kind:
        return Kind.PROCESS

    def at(self, span: Optional[Span]) -> "NamespaceV":
        return NamespaceV(self.options, span)


class TemplateV(Value):
    """A template object over a known source: `string.Template(text)` (syntax "string") or
    a Jinja2 template (syntax "jinja", from `jinja2.Template(text)` or an environment's
    `get_template`); `substitute`/`render` fill it (see `templates.py`)."""

    __slots__ = ("source", "syntax")

    def __init__(self, source: Str, syntax: str, span: Optional[Span] = None) -> None:
        super().__init__(span)
        self.source = source
        self.syntax = syntax

    @property
    def kind(self) -> Kind:
        return self.source.kind


class JinjaEnvV(Value):
    """A Jinja2 loader or environment: the directories its templates are read from (in the
    project only), or None when they are not known."""

    __slots__ = ("dirs",)

    def __init__(self, dirs: Optional[Tuple[str, ...]], span: Optional[Span] = None) -> None:
        super().__init__(span)
        self.dirs = dirs

    @property
    def kind(self) -> Kind:
        return Kind.PROCESS


class SuperV(Value):
    """`super()` inside a method: attribute lookups start after the method's class."""

    __slots__ = ("inst", "classes")

    def __init__(self, inst: InstV, classes: List[ClassInfo], span: Optional[Span]) -> None:
        super().__init__(span)
        self.inst = inst
        self.classes = classes


MISSING = object()
BUILTINS = {
    "open", "str", "repr", "len", "sorted", "list", "dict", "tuple", "set", "frozenset", "isinstance", "getattr", "int",
    "float", "bool", "print", "range", "enumerate", "zip", "reversed", "min", "max", "sum", "any", "all", "map", "filter",
    "hasattr", "setattr", "type", "super", "iter", "next", "format", "input", "vars", "id", "hash", "abs", "round",
}
STR_METHODS = {
    "format", "strip", "lstrip", "rstrip", "lower", "upper", "replace", "join", "split", "encode", "title", "capitalize",
    "removeprefix", "removesuffix", "splitlines",
}


_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def walk_local(body: Sequence[ast.stmt]) -> Iterable[ast.AST]:
    """Nodes of a block without descending into nested functions or classes.

    The children of each node are read from its fields here, in `ast.iter_child_nodes`'s
    order, without the two generators it stacks per node: walks were a tenth of the
    analysis of litellm's router."""
    stack: List[ast.AST] = list(body)
    node_type, nested = ast.AST, _NESTED_SCOPES
    while stack:
        node = stack.pop()
        yield node
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for child in value:
                    if isinstance(child, node_type) and not isinstance(child, nested):
                        stack.append(child)
            elif isinstance(value, node_type) and not isinstance(value, nested):
                stack.append(value)


def walk_nodes(node: ast.AST) -> List[ast.AST]:
    """`list(ast.walk(node))`, in the same order (breadth first, children in field order),
    at a fraction of its cost (see `walk_local`)."""
    found: List[ast.AST] = [node]
    node_type = ast.AST
    i = 0
    while i < len(found):
        current = found[i]
        i += 1
        for name in current._fields:
            value = getattr(current, name, None)
            if type(value) is list:
                for child in value:
                    if isinstance(child, node_type):
                        found.append(child)
            elif isinstance(value, node_type):
                found.append(value)
    return found


def subject_text(node: ast.expr) -> str:
    """The source form of an expression (guards name their subjects by it), remembered on
    the node: the same conditions are read again on every path through a function."""
    known: Optional[str] = getattr(node, "_cachelint_text", None)
    if known is None:
        try:
            known = ast.unparse(node)
        except Exception:
            known = "?"
        try:
            node._cachelint_text = known  # type: ignore[attr-defined]
        except AttributeError:
            pass
    return known


def isa_matches(cls_name: Optional[str], atom: Atom) -> bool:
    if cls_name is None:
        return True
    hit = cls_name in atom.values or cls_name.replace("Async", "", 1) in {v.replace("Async", "", 1) for v in atom.values}
    return not hit if atom.negated else hit


def class_name(value: Value) -> Optional[str]:
    if isinstance(value, InstV):
        return value.info.name
    if isinstance(value, ClientV) and len(value.alts) == 1:
        return value.alts[0].cls
    return None


def literal_values(node: ast.expr) -> Optional[List[Any]]:
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and all(isinstance(e, ast.Constant) for e in node.elts):
        return [e.value for e in node.elts]  # type: ignore[attr-defined]
    return None


def label(value: Value) -> str:
    if isinstance(value, Unknown):
        return value.label
    if isinstance(value, Str):
        for part in value.parts:
            if part.text is None and part.label:
                return part.label
        return ""
    if isinstance(value, UnionV):
        for v, _ in value.options:
            text = label(v)
            if text:
                return text
    if isinstance(value, FuncV):
        return value.name
    if isinstance(value, ExtV):
        return value.qualname
    return ""


def truthiness(value: Value) -> Optional[bool]:
    if isinstance(value, Const) and value.kind == Kind.STATIC:
        return bool(value.value)
    if isinstance(value, Str):
        if value.text is not None:
            return bool(value.text)
        if any(p.text for p in value.parts):
            return True
        return None
    if isinstance(value, (ClientV, FuncV, ClassV, InstV, ModV)):
        return True
    if isinstance(value, ListV) and value.items and not any(i.many or i.cond for i in value.items):
        return True
    if isinstance(value, DictV) and value.entries and not any(e.cond for e in value.entries.values()):
        return True
    return None


def static_py(value: Value) -> Any:
    if isinstance(value, Const) and value.kind == Kind.STATIC:
        return value.value
    if isinstance(value, Str) and value.text is not None and value.kind == Kind.STATIC:
        return value.text
    return MISSING


def to_python(value: Value, depth: int = 0) -> Any:
    """The Python object a fully static abstract value stands for, else `MISSING`."""
    if depth > 40:
        return MISSING
    if isinstance(value, Str):
        return value.text if value.text is not None and value.kind.cacheable else MISSING
    if isinstance(value, Const):
        return value.value if value.kind.cacheable else MISSING
    if isinstance(value, DictV):
        if value.open or any(e.cond for e in value.entries.values()):
            return MISSING
        out = {}
        for key, entry in value.entries.items():
            item = to_python(entry.value, depth + 1)
            if item is MISSING:
                return MISSING
            out[key] = item
        return out
    if isinstance(value, ListV):
        if value.container == "set" or any(i.many or i.cond for i in value.items):
            return MISSING
        items = [to_python(i.value, depth + 1) for i in value.items]
        if any(i is MISSING for i in items):
            return MISSING
        return tuple(items) if value.container == "tuple" else items
    return MISSING


def compare(op: ast.cmpop, left: Any, right: Any) -> bool:
    if isinstance(op, ast.Eq):
        return left == right
    if isinstance(op, ast.NotEq):
        return left != right
    if isinstance(op, ast.Is):
        return left is right
    if isinstance(op, ast.IsNot):
        return left is not right
    if isinstance(op, ast.In):
        return left in right
    if isinstance(op, ast.NotIn):
        return left not in right
    if isinstance(op, ast.Lt):
        return left < right
    if isinstance(op, ast.LtE):
        return left <= right
    if isinstance(op, ast.Gt):
        return left > right
    if isinstance(op, ast.GtE):
        return left >= right
    raise ValueError(op)


def apply_op(op: ast.operator, a: Any, b: Any) -> Any:
    import operator

    table = {ast.Sub: operator.sub, ast.FloorDiv: operator.floordiv, ast.Div: operator.truediv, ast.Mod: operator.mod,
             ast.Pow: operator.pow, ast.BitOr: operator.or_, ast.BitAnd: operator.and_}
    fn = table.get(type(op))
    if fn is None:
        raise ValueError(op)
    if isinstance(op, ast.Pow) and abs(b) > 64:
        raise ValueError("too large")
    return fn(a, b)


def split_field(field_name: str) -> Tuple[str, str]:
    match = re.match(r"^([^.\[]*)(.*)$", field_name)
    return (match.group(1), match.group(2)) if match else (field_name, "")


def attr_path(node: ast.expr) -> Tuple[str, ...]:
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    return tuple(parts)


def url_text(value: Optional[Value]) -> Optional[str]:
    """The URL, or its known tail when it starts with an unknown base (`f"{BASE}/v1/messages"`)."""
    if value is None:
        return None
    if isinstance(value, Str):
        if value.text is not None:
            return value.text
        tail = "".join(p.text or "" for p in value.parts if p.text is not None)
        return tail or None
    if isinstance(value, UnionV):
        for v, _ in value.options:
            text = url_text(v)
            if text:
                return text
    return None


def flatten_union(node: ast.expr, out: List[ast.expr]) -> None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        flatten_union(node.left, out)
        flatten_union(node.right, out)
    elif isinstance(node, ast.Subscript) and isinstance(node.value, (ast.Name, ast.Attribute)) and ast.unparse(node.value).split(".")[-1] in ("Union", "Optional"):
        inner = node.slice
        elts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
        for elt in elts:
            flatten_union(elt, out)
    elif isinstance(node, ast.Constant) and node.value is None:
        return
    else:
        out.append(node)


def self_assignments(node: Any) -> Iterable[Tuple[str, ast.expr]]:
    """`self.x = value` pairs of a method body (remembered on the method node)."""
    known = getattr(node, "_cachelint_self_assignments", None)
    if known is None:
        known = node._cachelint_self_assignments = list(_self_assignments(node))
    return known


def _self_assignments(node: Any) -> Iterable[Tuple[str, ast.expr]]:
    for stmt in walk_local(node.body):
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
                    yield target.attr, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target = stmt.target
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
                yield target.attr, stmt.value


def is_none(value: Value) -> bool:
    return isinstance(value, Const) and value.value is None


def clone(value: Value, memo: Dict[int, Value]) -> Value:
    """A copy of the mutable parts of a value, so one analysis cannot leak into another."""
    if id(value) in memo:
        return memo[id(value)]
    if isinstance(value, DictV):
        new = DictV(value.span, value.literal)
        memo[id(value)] = new
        new.entries = {k: Entry(clone(e.value, memo), e.key_span, e.cond, e.guard) for k, e in value.entries.items()}
        new.open = list(value.open)
        return new
    if isinstance(value, ListV):
        new_list = ListV(value.span, value.literal, value.container)
        memo[id(value)] = new_list
        new_list.items = [Item(clone(i.value, memo), i.many, i.cond, i.guard, i.loop, i.bound, i.site) for i in value.items]
        return new_list
    if isinstance(value, UnionV):
        return UnionV([(clone(v, memo), g) for v, g in value.options], value.span)
    return value


def copy_value(value: Value, span: Span, deep: bool) -> Value:
    """`copy.copy(x)` / `copy.deepcopy(x)`: a new container, so what the caller then marks
    (`out[-1]["content"][-1]["cache_control"] = ...`) marks the copy sent this turn and not
    the history it came from. A deep copy also gets new dicts and lists inside, which no
    longer stand for every element a loop appended (a marker on one is one marker). A copied
    list remembers its source (`ListV.lineage`): the copy grows when the source does."""
    if isinstance(value, UnionV):
        return UnionV([(copy_value(v, span, deep), g) for v, g in value.options], span)
    if isinstance(value, ListV):
        if not deep:
            return value.derive(span)
        new = clone(value, {})
        assert isinstance(new, ListV)
        new.span = span
        new.lineage = ((value.uid, None),) + value.lineage[:7]
        new.snapshot = True
        return new
    if isinstance(value, DictV):
        return clone(value, {}) if deep else value.copy(span)
    return value


def tag_born(value: Value, span: Span, depth: int = 0) -> None:
    """Mark containers made once per iteration of the loop at `span` (and what they hold)."""
    if depth > 4:
        return
    if isinstance(value, DictV):
        if value.born is None:
            value.born = span
        for entry in value.entries.values():
            tag_born(entry.value, span, depth + 1)
    elif isinstance(value, ListV):
        if value.born is None:
            value.born = span
        for item in value.items:
            tag_born(item.value, span, depth + 1)
    elif isinstance(value, UnionV):
        for option, _ in value.options:
            tag_born(option, span, depth + 1)


def untag_born(value: Value, depth: int = 0) -> None:
    """Make a copied element concrete again (it no longer stands for every iteration)."""
    if depth > 6:
        return
    if isinstance(value, DictV):
        value.born = None
        for entry in value.entries.values():
            entry.loop = None
            untag_born(entry.value, depth + 1)
    elif isinstance(value, ListV):
        value.born = None
        for item in value.items:
            untag_born(item.value, depth + 1)


def has_marker(value: Value, depth: int = 0) -> bool:
    """Whether a value holds a cache marker (`cache_control`, `cachePoint`) anywhere inside."""
    if depth > 6:
        return False
    if isinstance(value, DictV):
        if any(key in MARKER_FIELDS and not is_none(entry.value) for key, entry in value.entries.items()):
            return True
        return any(has_marker(entry.value, depth + 1) for entry in value.entries.values())
    if isinstance(value, ListV):
        return any(has_marker(item.value, depth + 1) for item in value.items)
    if isinstance(value, UnionV):
        return any(has_marker(option, depth + 1) for option, _ in value.options)
    return False


def taint_markers(value: Value) -> None:
    """Mark a container passed to opaque marker-handling code: it may now carry markers."""
    if isinstance(value, DictV):
        value.open.append(Unknown(Kind.UNKNOWN, "changed by a helper", value.span, may_mark=True))
    elif isinstance(value, ListV):
        for item in value.items:
            if isinstance(item.value, (DictV, ListV)):
                taint_markers(item.value)
        value.items.append(Item(Unknown(Kind.UNKNOWN, "changed by a helper", value.span, may_mark=True), many=True, cond=True))


