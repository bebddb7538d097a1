"""The `ast` node classes of newer Pythons, for the interpreters that lack them.

A module using `match` (3.10), `except*` (3.11), `type X = ...` (3.12) or a t-string (3.14)
still gets a complete syntax tree on an older interpreter (see `cachelint.syntax.convert`).
Its new statements and expressions need node classes: the running `ast` module's own when it
has them, else the stand-ins below, with the same names and fields as CPython 3.14 defines
them. The analysis recognises such nodes by class name (`type(node).__name__ == "Match"`),
and `ast.walk` / `ast.NodeVisitor` follow `_fields`, so a stand-in behaves like the real
node everywhere the analysis looks.
"""

from __future__ import annotations

import ast
from typing import Dict, Tuple, Type

_POSITIONS: Tuple[str, ...] = ("lineno", "col_offset", "end_lineno", "end_col_offset")

#: name -> (base class name, fields, has positions), as in CPython 3.14's `ast`
_SPECS: Dict[str, Tuple[str, Tuple[str, ...], bool]] = {
    "Match": ("stmt", ("subject", "cases"), True),
    "match_case": ("AST", ("pattern", "guard", "body"), False),
    "MatchValue": ("pattern", ("value",), True),
    "MatchSingleton": ("pattern", ("value",), True),
    "MatchSequence": ("pattern", ("patterns",), True),
    "MatchMapping": ("pattern", ("keys", "patterns", "rest"), True),
    "MatchClass": ("pattern", ("cls", "patterns", "kwd_attrs", "kwd_patterns"), True),
    "MatchStar": ("pattern", ("name",), True),
    "MatchAs": ("pattern", ("pattern", "name"), True),
    "MatchOr": ("pattern", ("patterns",), True),
    "TryStar": ("stmt", ("body", "handlers", "orelse", "finalbody"), True),
    "TypeAlias": ("stmt", ("name", "type_params", "value"), True),
    "TypeVar": ("type_param", ("name", "bound", "default_value"), True),
    "ParamSpec": ("type_param", ("name", "default_value"), True),
    "TypeVarTuple": ("type_param", ("name", "default_value"), True),
    "TemplateStr": ("expr", ("values",), True),
    "Interpolation": ("expr", ("value", "str", "conversion", "format_spec"), True),
}


def _base(name: str) -> Type[ast.AST]:
    found = getattr(ast, name, None)
    if isinstance(found, type) and issubclass(found, ast.AST):
        return found
    return _standin_base(name)


_BASES: Dict[str, Type[ast.AST]] = {}


def _standin_base(name: str) -> Type[ast.AST]:
    """`ast.pattern` (3.10) and `ast.type_param` (3.12) as abstract stand-ins."""
    cls = _BASES.get(name)
    if cls is None:
        cls = type(name, (ast.AST,), {"_fields": (), "_attributes": _POSITIONS, "__module__": __name__})
        _BASES[name] = cls
    return cls


def node_class(name: str) -> Type[ast.AST]:
    """The running `ast`'s class `name`, or a stand-in with CPython 3.14's fields."""
    found = getattr(ast, name, None)
    if isinstance(found, type) and issubclass(found, ast.AST):
        return found
    cls = _STANDINS.get(name)
    if cls is None:
        base, fields, positioned = _SPECS[name]
        cls = type(name, (_base(base),), {
            "_fields": fields,
            "_attributes": _POSITIONS if positioned else (),
            "__module__": __name__,
        })
        _STANDINS[name] = cls
    return cls


_STANDINS: Dict[str, Type[ast.AST]] = {}


def is_standin(node: ast.AST) -> bool:
    """True for a node of a class this interpreter's `ast` does not have."""
    return type(node).__module__ == __name__
