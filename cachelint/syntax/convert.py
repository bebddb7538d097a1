"""A libcst tree converted into the `ast` tree CPython would build for the same code.

The analysis reads the stdlib `ast`. When the running interpreter is older than the syntax
of a file (a PEP 701 f-string on 3.11, `match` on 3.9), its parser rejects the file, but
libcst's native parser accepts every grammar from 3.0 to 3.14. This module turns that CST
into the `ast.Module` CPython 3.14 would produce: the same node types, fields, values and
positions (line, UTF-8 byte column, end line, end column), so that nothing downstream can
tell the difference. Node types the running `ast` lacks are stand-ins of the same name
(`cachelint.syntax.nodes`); fields it lacks (`type_params` before 3.12) are left out.

A construct CPython would reject although libcst accepts it (an assignment to a literal,
an invalid escape) raises `SyntaxError` with its position, as `ast.parse` would.
Which Python version the syntax needs is judged on the result, the same way for both
parsers (`cachelint.syntax.versions`).
"""

from __future__ import annotations

import ast
import bisect
import re
import threading
from typing import Any, Dict, List, Optional, Sequence, Tuple, Type

import libcst as cst

from cachelint.syntax.nodes import node_class
from cachelint.syntax.positions import Range, expression_ranges, node_ranges

_NEWLINE_RE = re.compile(r"\r\n|\r|\n")

_LOAD = ast.Load()
_STORE = ast.Store()
_DEL = ast.Del()

_BINOPS: Dict[type, Type[ast.AST]] = {
    cst.Add: ast.Add, cst.Subtract: ast.Sub, cst.Multiply: ast.Mult, cst.Divide: ast.Div,
    cst.FloorDivide: ast.FloorDiv, cst.Modulo: ast.Mod, cst.Power: ast.Pow,
    cst.LeftShift: ast.LShift, cst.RightShift: ast.RShift, cst.BitOr: ast.BitOr,
    cst.BitXor: ast.BitXor, cst.BitAnd: ast.BitAnd, cst.MatrixMultiply: ast.MatMult,
}
_AUGOPS: Dict[type, Type[ast.AST]] = {
    cst.AddAssign: ast.Add, cst.SubtractAssign: ast.Sub, cst.MultiplyAssign: ast.Mult,
    cst.DivideAssign: ast.Div, cst.FloorDivideAssign: ast.FloorDiv, cst.ModuloAssign: ast.Mod,
    cst.PowerAssign: ast.Pow, cst.LeftShiftAssign: ast.LShift, cst.RightShiftAssign: ast.RShift,
    cst.BitOrAssign: ast.BitOr, cst.BitXorAssign: ast.BitXor, cst.BitAndAssign: ast.BitAnd,
    cst.MatrixMultiplyAssign: ast.MatMult,
}
_UNARYOPS: Dict[type, Type[ast.AST]] = {
    cst.Plus: ast.UAdd, cst.Minus: ast.USub, cst.BitInvert: ast.Invert, cst.Not: ast.Not,
}
_CMPOPS: Dict[type, Type[ast.AST]] = {
    cst.Equal: ast.Eq, cst.NotEqual: ast.NotEq, cst.LessThan: ast.Lt, cst.LessThanEqual: ast.LtE,
    cst.GreaterThan: ast.Gt, cst.GreaterThanEqual: ast.GtE, cst.Is: ast.Is, cst.IsNot: ast.IsNot,
    cst.In: ast.In, cst.NotIn: ast.NotIn,
}
_CONVERSIONS = {"s": ord("s"), "r": ord("r"), "a": ord("a")}

_FIELDS: Dict[type, Tuple[frozenset, Tuple[str, ...]]] = {}


def _make(_cls: Type[ast.AST], **fields: Any) -> Any:
    """`_cls(**fields)` without the fields this interpreter's `_cls` does not have."""
    known = _FIELDS.get(_cls)
    if known is None:
        known = _FIELDS[_cls] = (frozenset(_cls._fields), tuple(_cls._attributes))
    names = known[0]
    return _cls(**{key: value for key, value in fields.items() if key in names})


class _Unsupported(Exception):
    """A node of a grammar newer than 3.14 (`lazy import`), or one this module does not know."""


class Converter:
    """Converts one parsed libcst module (or expression) into `ast` nodes."""

    def __init__(self, text: str, ranges: Dict[int, Range], filename: str = "<unknown>", first_row: int = 1) -> None:
        self.text = text
        self.ranges = ranges
        self.filename = filename
        #: the row of the text's first line in its file (a chunk of a huge module)
        self.row_base = first_row - 1
        starts = [0]
        for match in _NEWLINE_RE.finditer(text):
            starts.append(match.end())
        self._starts = starts
        self._ascii = text.isascii()

    # --- positions ------------------------------------------------------------------------
    def rng(self, node: Any) -> Range:
        return self.ranges[id(node)]

    def loc(self, offset: int) -> Tuple[int, int]:
        """(1-based line, UTF-8 byte column) of a character offset."""
        row = bisect.bisect_right(self._starts, offset)
        start = self._starts[row - 1]
        if self._ascii:
            return row + self.row_base, offset - start
        return row + self.row_base, len(self.text[start:offset].encode("utf-8"))

    def at(self, node: Any, start: int, end: int) -> Any:
        attributes = _FIELDS.get(type(node))
        if attributes is None:
            self_cls = type(node)
            attributes = _FIELDS[self_cls] = (frozenset(self_cls._fields), tuple(self_cls._attributes))
        if attributes[1]:
            node.lineno, node.col_offset = self.loc(start)
            node.end_lineno, node.end_col_offset = self.loc(end)
        return node

    def like(self, node: Any, cst_node: Any) -> Any:
        start, end = self.rng(cst_node)
        return self.at(node, start, end)

    def outer(self, node: Any) -> Range:
        """The range of an expression with its own parentheses (CPython's parent nodes end
        at the last token of a child, a closing parenthesis included)."""
        start, end = self.rng(node)
        lpar = getattr(node, "lpar", None)
        if lpar:
            start = self.rng(lpar[0])[0]
            end = self.rng(node.rpar[-1])[1]
        return start, end

    def error(self, message: str, offset: int) -> SyntaxError:
        row = bisect.bisect_right(self._starts, offset)
        line_start = self._starts[row - 1]
        line_end = self._starts[row] if row < len(self._starts) else len(self.text)
        line = self.text[line_start:line_end]
        return SyntaxError(message, (self.filename, row + self.row_base, offset - line_start + 1, line))

    # --- module and statements -----------------------------------------------------------
    def module(self, node: cst.Module) -> ast.Module:
        body: List[ast.stmt] = []
        for stmt in node.body:
            body.extend(self.statement(stmt))
        return _make(ast.Module, body=body, type_ignores=[])

    def statement(self, node: Any) -> List[ast.stmt]:
        if isinstance(node, cst.SimpleStatementLine):
            return [self.small(s) for s in node.body]
        method = getattr(self, "stmt_" + type(node).__name__, None)
        if method is None:
            raise _Unsupported(type(node).__name__)
        return [method(node)]

    def block(self, suite: Any) -> List[ast.stmt]:
        out: List[ast.stmt] = []
        if isinstance(suite, cst.SimpleStatementSuite):
            for s in suite.body:
                out.append(self.small(s))
            return out
        for stmt in suite.body:
            out.extend(self.statement(stmt))
        return out

    def small(self, node: Any) -> ast.stmt:
        method = getattr(self, "small_" + type(node).__name__, None)
        if method is None:
            raise _Unsupported(type(node).__name__)
        return self.like(method(node), node)

    def small_Expr(self, node: cst.Expr) -> ast.stmt:
        return _make(ast.Expr, value=self.expr(node.value))

    def small_Assign(self, node: cst.Assign) -> ast.stmt:
        targets = [self.target(t.target, _STORE) for t in node.targets]
        return _make(ast.Assign, targets=targets, value=self.expr(node.value), type_comment=None)

    def small_AnnAssign(self, node: cst.AnnAssign) -> ast.stmt:
        target = node.target
        simple = int(isinstance(target, cst.Name) and not target.lpar)
        if not isinstance(target, (cst.Name, cst.Attribute, cst.Subscript)):
            raise self.error("only single target (not tuple) can be annotated", self.rng(target)[0])
        return _make(
            ast.AnnAssign,
            target=self.target(target, _STORE),
            annotation=self.expr(node.annotation.annotation),
            value=self.expr(node.value) if node.value is not None else None,
            simple=simple,
        )

    def small_AugAssign(self, node: cst.AugAssign) -> ast.stmt:
        target = node.target
        if not isinstance(target, (cst.Name, cst.Attribute, cst.Subscript)):
            raise self.error("'tuple' is an illegal expression for augmented assignment", self.rng(target)[0])
        return _make(
            ast.AugAssign,
            target=self.target(target, _STORE),
            op=_AUGOPS[type(node.operator)](),
            value=self.expr(node.value),
        )

    def small_Return(self, node: cst.Return) -> ast.stmt:
        return _make(ast.Return, value=self.expr(node.value) if node.value is not None else None)

    def small_Raise(self, node: cst.Raise) -> ast.stmt:
        return _make(
            ast.Raise,
            exc=self.expr(node.exc) if node.exc is not None else None,
            cause=self.expr(node.cause.item) if node.cause is not None else None,
        )

    def small_Assert(self, node: cst.Assert) -> ast.stmt:
        return _make(ast.Assert, test=self.expr(node.test), msg=self.expr(node.msg) if node.msg is not None else None)

    def small_Del(self, node: cst.Del) -> ast.stmt:
        target = node.target
        if isinstance(target, cst.Tuple) and not target.lpar:
            targets = [self.target(e.value, _DEL) for e in target.elements]
        else:
            targets = [self.target(target, _DEL)]
        return _make(ast.Delete, targets=targets)

    def small_Pass(self, node: Any) -> ast.stmt:
        return _make(ast.Pass)

    def small_Break(self, node: Any) -> ast.stmt:
        return _make(ast.Break)

    def small_Continue(self, node: Any) -> ast.stmt:
        return _make(ast.Continue)

    def small_Global(self, node: cst.Global) -> ast.stmt:
        return _make(ast.Global, names=[n.name.value for n in node.names])

    def small_Nonlocal(self, node: cst.Nonlocal) -> ast.stmt:
        return _make(ast.Nonlocal, names=[n.name.value for n in node.names])

    def small_Import(self, node: cst.Import) -> ast.stmt:
        return _make(ast.Import, names=[self.alias(a) for a in node.names])

    def small_ImportFrom(self, node: cst.ImportFrom) -> ast.stmt:
        module = _dotted(node.module) if node.module is not None else None
        if isinstance(node.names, cst.ImportStar):
            start, end = self.rng(node.names)
            names = [self.at(_make(ast.alias, name="*", asname=None), start, end)]
        else:
            names = [self.alias(a) for a in node.names]
        level = len(node.relative)
        return _make(ast.ImportFrom, module=module, names=names, level=level)

    def alias(self, node: cst.ImportAlias) -> ast.alias:
        asname = node.asname.name.value if node.asname is not None else None  # type: ignore[union-attr]
        return self.like(_make(ast.alias, name=_dotted(node.name), asname=asname), node)

    def small_TypeAlias(self, node: Any) -> ast.stmt:
        return _make(
            node_class("TypeAlias"),
            name=self.like(_make(ast.Name, id=node.name.value, ctx=_STORE), node.name),
            type_params=self.type_params(node.type_parameters),
            value=self.expr(node.value),
        )

    def type_params(self, params: Any) -> List[Any]:
        if params is None:
            return []
        out = []
        for tp in params.params:
            param = tp.param
            default = self.expr(tp.default) if tp.default is not None else None
            if default is not None and tp.star:
                star = self.rng(tp.whitespace_after_star)[0] - 1
                default = self.at(_make(ast.Starred, value=default, ctx=_LOAD), star, self.outer(tp.default)[1])
            name = param.name.value
            if isinstance(param, cst.TypeVar):
                bound = self.expr(param.bound) if param.bound is not None else None
                made = _make(node_class("TypeVar"), name=name, bound=bound, default_value=default)
            elif isinstance(param, cst.TypeVarTuple):
                made = _make(node_class("TypeVarTuple"), name=name, default_value=default)
            else:
                made = _make(node_class("ParamSpec"), name=name, default_value=default)
            start, end = self.rng(param)
            if default is not None:
                end = self.outer(tp.default)[1]
            out.append(self.at(made, start, end))
        return out

    # compound statements: positions run from the keyword to the end of the last block
    def stmt_If(self, node: cst.If) -> ast.stmt:
        orelse: List[ast.stmt] = []
        if isinstance(node.orelse, cst.If):
            orelse = [self.stmt_If(node.orelse)]
        elif node.orelse is not None:
            orelse = self.block(node.orelse.body)
        made = _make(ast.If, test=self.expr(node.test), body=self.block(node.body), orelse=orelse)
        return self.like(made, node)

    def stmt_While(self, node: cst.While) -> ast.stmt:
        orelse = self.block(node.orelse.body) if node.orelse is not None else []
        made = _make(ast.While, test=self.expr(node.test), body=self.block(node.body), orelse=orelse)
        return self._compound(made, node, node.orelse.body if node.orelse is not None else node.body)

    def stmt_For(self, node: cst.For) -> ast.stmt:
        cls = ast.AsyncFor if node.asynchronous is not None else ast.For
        orelse = self.block(node.orelse.body) if node.orelse is not None else []
        made = _make(
            cls, target=self.target(node.target, _STORE), iter=self.expr(node.iter),
            body=self.block(node.body), orelse=orelse, type_comment=None,
        )
        return self._compound(made, node, node.orelse.body if node.orelse is not None else node.body)

    def stmt_With(self, node: cst.With) -> ast.stmt:
        cls = ast.AsyncWith if node.asynchronous is not None else ast.With
        items = []
        for item in node.items:
            optional = self.target(item.asname.name, _STORE) if item.asname is not None else None
            items.append(_make(ast.withitem, context_expr=self.expr(item.item), optional_vars=optional))
        made = _make(cls, items=items, body=self.block(node.body), type_comment=None)
        return self._compound(made, node, node.body)

    def stmt_Try(self, node: Any) -> ast.stmt:
        return self._try(node, ast.Try)

    def stmt_TryStar(self, node: Any) -> ast.stmt:
        return self._try(node, node_class("TryStar"))

    def _try(self, node: Any, cls: Type[ast.AST]) -> ast.stmt:
        handlers = []
        for h in node.handlers:
            handler_type = None
            if h.type is not None:
                handler_type = self.expr(h.type)
            name = h.name.name.value if h.name is not None else None
            made = _make(ast.ExceptHandler, type=handler_type, name=name, body=self.block(h.body))
            handlers.append(self._compound(made, h, h.body))
        orelse = self.block(node.orelse.body) if node.orelse is not None else []
        finalbody = self.block(node.finalbody.body) if node.finalbody is not None else []
        made = _make(cls, body=self.block(node.body), handlers=handlers, orelse=orelse, finalbody=finalbody)
        return self.like(made, node)

    def stmt_FunctionDef(self, node: cst.FunctionDef) -> ast.stmt:
        cls = ast.AsyncFunctionDef if node.asynchronous is not None else ast.FunctionDef
        decorators = [self.expr(d.decorator) for d in node.decorators]
        made = _make(
            cls,
            name=node.name.value,
            args=self.arguments(node.params),
            body=self.block(node.body),
            decorator_list=decorators,
            returns=self.expr(node.returns.annotation) if node.returns is not None else None,
            type_comment=None,
            type_params=self.type_params(node.type_parameters),
        )
        _keep_type_params(made, node, self)
        start = self.rng(node.asynchronous)[0] if node.asynchronous is not None else self._keyword_start(node, "def")
        return self.at(made, start, self.rng(node.body)[1])

    def stmt_ClassDef(self, node: cst.ClassDef) -> ast.stmt:
        bases, keywords = self.call_args(list(node.bases) + list(node.keywords))
        made = _make(
            ast.ClassDef,
            name=node.name.value,
            bases=bases,
            keywords=keywords,
            body=self.block(node.body),
            decorator_list=[self.expr(d.decorator) for d in node.decorators],
            type_params=self.type_params(node.type_parameters),
        )
        _keep_type_params(made, node, self)
        return self.at(made, self._keyword_start(node, "class"), self.rng(node.body)[1])

    def _keyword_start(self, node: Any, keyword: str) -> int:
        """Offset of `def`/`class` of a definition (the node's range starts at its decorators)."""
        start, end = self.rng(node)
        if node.decorators:
            start = self.rng(node.decorators[-1])[1]
        found = self.text.find(keyword, start, end)
        while found > 0 and not _is_keyword_at(self.text, found, keyword):
            found = self.text.find(keyword, found + 1, end)
        return found if found >= 0 else start

    def stmt_Match(self, node: Any) -> ast.stmt:
        cases = []
        for case in node.cases:
            cases.append(_make(
                node_class("match_case"),
                pattern=self.pattern(case.pattern),
                guard=self.expr(case.guard) if case.guard is not None else None,
                body=self.block(case.body),
            ))
        made = _make(node_class("Match"), subject=self.expr(node.subject), cases=cases)
        return self.like(made, node)

    def _compound(self, made: Any, node: Any, last_block: Any) -> Any:
        start = self.rng(node)[0]
        return self.at(made, start, self.rng(last_block)[1])

    # --- patterns ------------------------------------------------------------------------
    def pattern(self, node: Any) -> Any:
        kind = type(node).__name__
        if kind == "MatchValue":
            return self.like(_make(node_class("MatchValue"), value=self.expr(node.value)), node)
        if kind == "MatchSingleton":
            value = {"None": None, "True": True, "False": False}[node.value.value]
            return self.like(_make(node_class("MatchSingleton"), value=value), node)
        if kind in ("MatchList", "MatchTuple"):
            patterns = [self.pattern(e) if isinstance(e, cst.MatchStar) else self.pattern(e.value) for e in node.patterns]
            return self._outer(_make(node_class("MatchSequence"), patterns=patterns), node, brackets=True)
        if kind == "MatchStar":
            name = node.name.value if node.name is not None else None
            return self.like(_make(node_class("MatchStar"), name=name), node)
        if kind == "MatchMapping":
            keys = [self.expr(e.key) for e in node.elements]
            patterns = [self.pattern(e.pattern) for e in node.elements]
            rest = node.rest.value if node.rest is not None else None
            return self._outer(_make(node_class("MatchMapping"), keys=keys, patterns=patterns, rest=rest), node, brackets=True)
        if kind == "MatchClass":
            made = _make(
                node_class("MatchClass"),
                cls=self.expr(node.cls),
                patterns=[self.pattern(p.value) for p in node.patterns],
                kwd_attrs=[k.key.value for k in node.kwds],
                kwd_patterns=[self.pattern(k.pattern) for k in node.kwds],
            )
            return self.like(made, node)
        if kind == "MatchAs":
            pattern = self.pattern(node.pattern) if node.pattern is not None else None
            name = node.name.value if node.name is not None else None
            if name == "_" and pattern is None:
                name = None
            return self.like(_make(node_class("MatchAs"), pattern=pattern, name=name), node)
        if kind == "MatchOr":
            made = _make(node_class("MatchOr"), patterns=[self.pattern(p.pattern) for p in node.patterns])
            return self.like(made, node)
        raise _Unsupported(kind)

    def _outer(self, made: Any, node: Any, brackets: bool) -> Any:
        """A sequence or mapping pattern: its range includes its own brackets."""
        start, end = self.rng(node)
        lpar = getattr(node, "lpar", None)
        if lpar and getattr(node, "lbracket", None) is None and type(node).__name__ == "MatchTuple":
            start, end = self.rng(lpar[-1])[0], self.rng(node.rpar[0])[1]
        return self.at(made, start, end)

    # --- arguments -----------------------------------------------------------------------
    def arguments(self, params: cst.Parameters) -> ast.arguments:
        posonly = [self.arg(p) for p in params.posonly_params]
        args = [self.arg(p) for p in params.params]
        defaults = [self.expr(p.default) for p in (*params.posonly_params, *params.params) if p.default is not None]
        vararg = self.arg(params.star_arg) if isinstance(params.star_arg, cst.Param) else None
        kwonly = [self.arg(p) for p in params.kwonly_params]
        kw_defaults = [self.expr(p.default) if p.default is not None else None for p in params.kwonly_params]
        kwarg = self.arg(params.star_kwarg) if params.star_kwarg is not None else None
        return _make(
            ast.arguments, posonlyargs=posonly, args=args, vararg=vararg, kwonlyargs=kwonly,
            kw_defaults=kw_defaults, kwarg=kwarg, defaults=defaults,
        )

    def arg(self, param: cst.Param) -> ast.arg:
        annotation = self.expr(param.annotation.annotation) if param.annotation is not None else None
        start, end = self.rng(param.name)
        if param.annotation is not None:
            end = self.outer(param.annotation.annotation)[1]
        return self.at(_make(ast.arg, arg=param.name.value, annotation=annotation, type_comment=None), start, end)

    def call_args(self, cst_args: Sequence[cst.Arg]) -> Tuple[List[ast.expr], List[ast.keyword]]:
        args: List[ast.expr] = []
        keywords: List[ast.keyword] = []
        for a in cst_args:
            value = self.expr(a.value)
            if a.keyword is not None:
                keywords.append(self.at(_make(ast.keyword, arg=a.keyword.value, value=value), self.rng(a.keyword)[0], self.outer(a.value)[1]))
            elif a.star == "**":
                keywords.append(self.like(_make(ast.keyword, arg=None, value=value), a))
            elif a.star == "*":
                args.append(self.like(_make(ast.Starred, value=value, ctx=_LOAD), a))
            else:
                args.append(value)
        return args, keywords

    # --- expressions ---------------------------------------------------------------------
    def expr(self, node: Any) -> ast.expr:
        method = getattr(self, "e_" + type(node).__name__, None)
        if method is None:
            raise _Unsupported(type(node).__name__)
        return method(node)

    def target(self, node: Any, ctx: ast.expr_context) -> ast.expr:
        """An assignment or deletion target, with `ctx` on every name it binds."""
        kind = type(node).__name__
        if kind == "Name":
            if node.value in ("None", "True", "False", "__debug__"):
                raise self.error(f"cannot assign to {node.value}", self.rng(node)[0])
            return self.like(_make(ast.Name, id=node.value, ctx=ctx), node)
        if kind == "Attribute":
            return self.like(_make(ast.Attribute, value=self.expr(node.value), attr=node.attr.value, ctx=ctx), node)
        if kind == "Subscript":
            return self.like(_make(ast.Subscript, value=self.expr(node.value), slice=self.subscript_slice(node), ctx=ctx), node)
        if kind in ("Tuple", "List"):
            elts = [self.target(e.value, ctx) if isinstance(e, cst.Element) else self.target(e, ctx) for e in node.elements]
            if kind == "Tuple":
                return self._tuple_range(_make(ast.Tuple, elts=elts, ctx=ctx), node)
            return self.like(_make(ast.List, elts=elts, ctx=ctx), node)
        if kind == "StarredElement":
            return self.like(_make(ast.Starred, value=self.target(node.value, ctx), ctx=ctx), node)
        raise self.error(f"cannot {'delete' if ctx is _DEL else 'assign to'} {_describe(node)}", self.rng(node)[0])

    def e_Name(self, node: cst.Name) -> ast.expr:
        value = node.value
        if value in ("None", "True", "False"):
            constant = {"None": None, "True": True, "False": False}[value]
            return self.like(_make(ast.Constant, value=constant, kind=None), node)
        return self.like(_make(ast.Name, id=value, ctx=_LOAD), node)

    def e_Ellipsis(self, node: Any) -> ast.expr:
        return self.like(_make(ast.Constant, value=..., kind=None), node)

    def e_Integer(self, node: cst.Integer) -> ast.expr:
        return self.like(_make(ast.Constant, value=_int(node.value), kind=None), node)

    def e_Float(self, node: cst.Float) -> ast.expr:
        return self.like(_make(ast.Constant, value=float(node.value.replace("_", "")), kind=None), node)

    def e_Imaginary(self, node: cst.Imaginary) -> ast.expr:
        return self.like(_make(ast.Constant, value=complex(node.value.replace("_", "")), kind=None), node)

    def e_SimpleString(self, node: cst.SimpleString) -> ast.expr:
        value = self.literal(node)
        kind = "u" if node.prefix.lower() == "u" else None
        return self.like(_make(ast.Constant, value=value, kind=kind), node)

    def literal(self, node: cst.SimpleString) -> Any:
        try:
            return ast.literal_eval(node.value)
        except (SyntaxError, ValueError) as exc:
            raise self.error(_literal_message(exc), self.rng(node)[0])

    def e_ConcatenatedString(self, node: Any) -> ast.expr:
        pieces = _flatten_strings(node)
        start, end = self.rng(node)
        if all(isinstance(p, cst.SimpleString) for p in pieces):
            values = [self.literal(p) for p in pieces]
            if len({isinstance(v, bytes) for v in values}) > 1:
                raise self.error("cannot mix bytes and nonbytes literals", self.rng(pieces[0])[0])
            value = b"".join(values) if isinstance(values[0], bytes) else "".join(values)
            kind = "u" if pieces[0].prefix.lower() == "u" else None
            return self.at(_make(ast.Constant, value=value, kind=kind), start, end)
        if any(isinstance(p, cst.TemplatedString) for p in pieces):
            if not all(isinstance(p, cst.TemplatedString) for p in pieces):
                raise self.error("cannot mix t-string literals with string or bytes literals", start)
            parts: List[Any] = []
            for p in pieces:
                parts.extend(self.template_parts(p))
            return self.at(_make(node_class("TemplateStr"), values=_merge_template(parts)), start, end)
        values: List[ast.expr] = []
        for p in pieces:
            if isinstance(p, cst.SimpleString):
                value = self.literal(p)
                if isinstance(value, bytes):
                    raise self.error("cannot mix bytes and nonbytes literals", self.rng(p)[0])
                if value:
                    s, e = self.rng(p)
                    values.append(self.at(_make(ast.Constant, value=value, kind=None), s, e))
            else:
                values.extend(self.fstring_parts(p))
        return self.at(_make(ast.JoinedStr, values=_merge_constants(values, self)), start, end)

    def e_FormattedString(self, node: cst.FormattedString) -> ast.expr:
        values = _merge_constants(self.fstring_parts(node), self)
        return self.like(_make(ast.JoinedStr, values=values), node)

    def fstring_parts(self, node: cst.FormattedString) -> List[ast.expr]:
        prefix = node.prefix.lower()
        quote = node.start[len(node.prefix):]
        raw = "r" in prefix
        return self._string_parts(node.parts, quote, raw, node, template=False)

    def template_parts(self, node: Any) -> List[Any]:
        prefix = node.prefix.lower()
        quote = node.start[len(node.prefix):]
        return self._string_parts(node.parts, quote, "r" in prefix, node, template=True)

    def e_TemplatedString(self, node: Any) -> ast.expr:
        values = _merge_template(self.template_parts(node))
        return self.like(_make(node_class("TemplateStr"), values=values), node)

    def _string_parts(self, parts: Sequence[Any], quote: str, raw: bool, owner: Any, template: bool) -> List[Any]:
        out: List[Any] = []
        for part in parts:
            name = type(part).__name__
            if name in ("FormattedStringText", "TemplatedStringText"):
                start, end = self.rng(part)
                value = self.fstring_text(part.value, quote, raw, start)
                if value:
                    out.append(self.at(_make(ast.Constant, value=value, kind=None), start, end))
                continue
            start, end = self.rng(part)
            expression = self.expr(part.expression)
            if part.equal is not None:
                # `{x = }`: the text of the field up to and including `=`, then its repr
                debug_end = self.rng(part.equal)[1]
                while self.text[debug_end] in " \t\f\r\n":
                    debug_end += 1
                debug = self.text[start + 1:debug_end].replace("\r\n", "\n").replace("\r", "\n")
                out.append(self.at(_make(ast.Constant, value=debug, kind=None), start + 1, debug_end))
            conversion = _CONVERSIONS[part.conversion] if part.conversion else -1
            if part.equal is not None and conversion == -1 and part.format_spec is None:
                conversion = ord("r")
            spec = None
            if part.format_spec is not None:
                spec_values = self._string_parts(part.format_spec, quote, raw, owner, template)
                spec_range = self._spec_range(part)
                spec = self.at(_make(ast.JoinedStr, values=_merge_constants(spec_values, self)), *spec_range)
            if template:
                text = self.text[self.rng(part.expression)[0]:self.rng(part.expression)[1]]
                made = _make(node_class("Interpolation"), value=expression, str=text, conversion=conversion, format_spec=spec)
            else:
                made = _make(ast.FormattedValue, value=expression, conversion=conversion, format_spec=spec)
            out.append(self.at(made, start, end))
        return out

    def _spec_range(self, part: Any) -> Range:
        spec = part.format_spec
        start, end = self.rng(part)
        if spec:  # from the colon on, as CPython counts it
            return self.rng(spec[0])[0] - 1, self.rng(spec[-1])[1]
        colon = self.text.rfind(":", start, end)
        return colon, colon + 1

    def fstring_text(self, value: str, quote: str, raw: bool, offset: int) -> str:
        """The value of a literal piece of an f-string: `{{` is `{`, escapes decoded, line
        breaks read as `\\n` (as the tokenizer reads them)."""
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        if raw or "\\" not in value:
            return value.replace("{{", "{").replace("}}", "}")
        try:
            return _ESCAPE_RE.sub(_unescape, value)
        except ValueError as exc:
            raise self.error(f"(unicode error) 'unicodeescape' codec can't decode bytes: {exc}", offset)

    def e_Attribute(self, node: cst.Attribute) -> ast.expr:
        return self.like(_make(ast.Attribute, value=self.expr(node.value), attr=node.attr.value, ctx=_LOAD), node)

    def e_Call(self, node: cst.Call) -> ast.expr:
        args, keywords = self.call_args(node.args)
        if len(node.args) == 1 and isinstance(node.args[0].value, cst.GeneratorExp) and not node.args[0].value.lpar:
            # `f(x for x in y)`: the generator's range is the call's parentheses
            self.at(args[0], self.rng(node.whitespace_after_func)[1], self.rng(node)[1])
        return self.like(_make(ast.Call, func=self.expr(node.func), args=args, keywords=keywords), node)

    def e_Subscript(self, node: cst.Subscript) -> ast.expr:
        return self.like(_make(ast.Subscript, value=self.expr(node.value), slice=self.subscript_slice(node), ctx=_LOAD), node)

    def subscript_slice(self, node: cst.Subscript) -> ast.expr:
        elements = node.slice
        if len(elements) == 1 and elements[0].comma is cst.MaybeSentinel.DEFAULT or (
            len(elements) == 1 and not isinstance(elements[0].comma, cst.Comma)
        ):
            element = elements[0].slice
            if isinstance(element, cst.Index) and element.star is not None:
                return self._subscript_tuple(node, [element])
            return self.slice_item(element)
        return self._subscript_tuple(node, [e.slice for e in elements])

    def _subscript_tuple(self, node: cst.Subscript, items: Sequence[Any]) -> ast.expr:
        elts = [self.slice_item(i) for i in items]
        start = self.rng(node.slice[0])[0]
        last = node.slice[-1]
        end = self.rng(last.comma)[1] if isinstance(last.comma, cst.Comma) else self.rng(last)[1]
        if isinstance(last.comma, cst.Comma):
            end = self.rng(last.comma)[0] + 1
        return self.at(_make(ast.Tuple, elts=elts, ctx=_LOAD), start, end)

    def slice_item(self, item: Any) -> ast.expr:
        if isinstance(item, cst.Index):
            value = self.expr(item.value)
            if item.star is not None:
                start = self.rng(item)[0]
                return self.at(_make(ast.Starred, value=value, ctx=_LOAD), start, self.rng(item.value)[1])
            return value
        lower = self.expr(item.lower) if item.lower is not None else None
        upper = self.expr(item.upper) if item.upper is not None else None
        step = self.expr(item.step) if item.step is not None else None
        start, end = self.rng(item)
        return self.at(_make(ast.Slice, lower=lower, upper=upper, step=step), start, _rstrip_ws(self.text, start, end))

    def e_BinaryOperation(self, node: cst.BinaryOperation) -> ast.expr:
        made = _make(ast.BinOp, left=self.expr(node.left), op=_BINOPS[type(node.operator)](), right=self.expr(node.right))
        return self.like(made, node)

    def e_UnaryOperation(self, node: cst.UnaryOperation) -> ast.expr:
        return self.like(_make(ast.UnaryOp, op=_UNARYOPS[type(node.operator)](), operand=self.expr(node.expression)), node)

    def e_BooleanOperation(self, node: cst.BooleanOperation) -> ast.expr:
        op_type = type(node.operator)
        values: List[ast.expr] = []
        self._bool_values(node, op_type, values)
        op = ast.And() if op_type is cst.And else ast.Or()
        return self.like(_make(ast.BoolOp, op=op, values=values), node)

    def _bool_values(self, node: Any, op_type: type, out: List[ast.expr]) -> None:
        # `a or b or c` is one BoolOp; libcst nests it to the left
        left = node.left
        if isinstance(left, cst.BooleanOperation) and type(left.operator) is op_type and not left.lpar:
            self._bool_values(left, op_type, out)
        else:
            out.append(self.expr(left))
        out.append(self.expr(node.right))

    def e_Comparison(self, node: cst.Comparison) -> ast.expr:
        ops = [_CMPOPS[type(c.operator)]() for c in node.comparisons]
        comparators = [self.expr(c.comparator) for c in node.comparisons]
        return self.like(_make(ast.Compare, left=self.expr(node.left), ops=ops, comparators=comparators), node)

    def e_IfExp(self, node: cst.IfExp) -> ast.expr:
        return self.like(_make(ast.IfExp, test=self.expr(node.test), body=self.expr(node.body), orelse=self.expr(node.orelse)), node)

    def e_Lambda(self, node: cst.Lambda) -> ast.expr:
        return self.like(_make(ast.Lambda, args=self.arguments(node.params), body=self.expr(node.body)), node)

    def e_NamedExpr(self, node: cst.NamedExpr) -> ast.expr:
        if not isinstance(node.target, cst.Name):
            raise self.error(f"cannot use assignment expressions with {_describe(node.target)}", self.rng(node.target)[0])
        return self.like(_make(ast.NamedExpr, target=self.target(node.target, _STORE), value=self.expr(node.value)), node)

    def e_Await(self, node: cst.Await) -> ast.expr:
        return self.like(_make(ast.Await, value=self.expr(node.expression)), node)

    def e_Yield(self, node: cst.Yield) -> ast.expr:
        value = node.value
        if isinstance(value, cst.From):
            return self.like(_make(ast.YieldFrom, value=self.expr(value.item)), node)
        return self.like(_make(ast.Yield, value=self.expr(value) if value is not None else None), node)

    def e_StarredElement(self, node: cst.StarredElement) -> ast.expr:
        return self.like(_make(ast.Starred, value=self.expr(node.value), ctx=_LOAD), node)

    def _elements(self, elements: Sequence[Any]) -> List[ast.expr]:
        out = []
        for e in elements:
            if isinstance(e, cst.StarredElement):
                out.append(self.e_StarredElement(e))
            else:
                out.append(self.expr(e.value))
        return out

    def e_Tuple(self, node: cst.Tuple) -> ast.expr:
        return self._tuple_range(_make(ast.Tuple, elts=self._elements(node.elements), ctx=_LOAD), node)

    def _tuple_range(self, made: Any, node: cst.Tuple) -> Any:
        """A tuple's range includes its innermost parentheses and a trailing comma."""
        if node.lpar:
            return self.at(made, self.rng(node.lpar[-1])[0], self.rng(node.rpar[0])[1])
        start, end = self.rng(node)
        if node.elements:
            last = node.elements[-1]
            if isinstance(last.comma, cst.Comma):
                end = self.rng(last.comma)[0] + 1
            else:
                end = self.rng(last)[1]
        return self.at(made, start, end)

    def e_List(self, node: cst.List) -> ast.expr:
        return self.like(_make(ast.List, elts=self._elements(node.elements), ctx=_LOAD), node)

    def e_Set(self, node: cst.Set) -> ast.expr:
        return self.like(_make(ast.Set, elts=self._elements(node.elements)), node)

    def e_Dict(self, node: cst.Dict) -> ast.expr:
        keys: List[Optional[ast.expr]] = []
        values: List[ast.expr] = []
        for e in node.elements:
            if isinstance(e, cst.StarredDictElement):
                keys.append(None)
                values.append(self.expr(e.value))
            else:
                keys.append(self.expr(e.key))
                values.append(self.expr(e.value))
        return self.like(_make(ast.Dict, keys=keys, values=values), node)

    def comprehensions(self, for_in: Any) -> List[ast.comprehension]:
        out = []
        while for_in is not None:
            out.append(_make(
                ast.comprehension,
                target=self.target(for_in.target, _STORE),
                iter=self.expr(for_in.iter),
                ifs=[self.expr(i.test) for i in for_in.ifs],
                is_async=int(for_in.asynchronous is not None),
            ))
            for_in = for_in.inner_for_in
        return out

    def e_ListComp(self, node: cst.ListComp) -> ast.expr:
        return self.like(_make(ast.ListComp, elt=self.expr(node.elt), generators=self.comprehensions(node.for_in)), node)

    def e_SetComp(self, node: cst.SetComp) -> ast.expr:
        return self.like(_make(ast.SetComp, elt=self.expr(node.elt), generators=self.comprehensions(node.for_in)), node)

    def e_GeneratorExp(self, node: cst.GeneratorExp) -> ast.expr:
        made = _make(ast.GeneratorExp, elt=self.expr(node.elt), generators=self.comprehensions(node.for_in))
        if node.lpar:
            return self.at(made, self.rng(node.lpar[-1])[0], self.rng(node.rpar[0])[1])
        return self.like(made, node)

    def e_DictComp(self, node: cst.DictComp) -> ast.expr:
        made = _make(ast.DictComp, key=self.expr(node.key), value=self.expr(node.value), generators=self.comprehensions(node.for_in))
        return self.like(made, node)


# --- helpers -------------------------------------------------------------------------------
def _dotted(node: Any) -> str:
    if isinstance(node, cst.Name):
        return node.value
    return _dotted(node.value) + "." + node.attr.value


def _int(text: str) -> int:
    text = text.replace("_", "")
    if len(text) > 1 and text[0] == "0" and text[1] not in "xXoObB":
        return int(text, 10)  # "00" (only zeros are allowed after a leading zero)
    return int(text, 0)


def _flatten_strings(node: Any) -> List[Any]:
    out: List[Any] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.ConcatenatedString):
            stack.append(n.right)
            stack.append(n.left)
        else:
            out.append(n)
    return out


def _keep_type_params(made: Any, node: Any, conv: "Converter") -> None:
    """Before 3.12 `FunctionDef`/`ClassDef` have no `type_params` field; the parameters are
    kept as a plain attribute anyway, so the version check sees them (not walked)."""
    if "type_params" not in type(made)._fields and node.type_parameters is not None:
        made.type_params = conv.type_params(node.type_parameters)


def _merge_constants(values: List[Any], conv: Optional[Converter]) -> List[Any]:
    """Adjacent string pieces of an f-string become one `Constant`, as CPython builds them."""
    out: List[Any] = []
    for v in values:
        if out and isinstance(v, ast.Constant) and isinstance(out[-1], ast.Constant):
            prev = out[-1]
            merged = _make(ast.Constant, value=prev.value + v.value, kind=None)
            if hasattr(prev, "lineno"):
                merged.lineno, merged.col_offset = prev.lineno, prev.col_offset
                merged.end_lineno, merged.end_col_offset = v.end_lineno, v.end_col_offset
            out[-1] = merged
        else:
            out.append(v)
    return out


def _merge_template(values: List[Any]) -> List[Any]:
    return _merge_constants(values, None)  # type: ignore[arg-type]


_ESCAPE_RE = re.compile(
    r"\\(N\{[^}]*\}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|\r\n|[\s\S])|\{\{|\}\}"
)
_SIMPLE_ESCAPES = {
    "\n": "", "\r": "", "\r\n": "", "\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b",
    "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
}


def _unescape(match: "re.Match[str]") -> str:
    """One escape sequence of a (non-raw) str literal, decoded as CPython decodes it."""
    whole = match.group(0)
    if whole in ("{{", "}}"):
        return whole[0]
    body = match.group(1)
    simple = _SIMPLE_ESCAPES.get(body)
    if simple is not None:
        return simple
    head = body[0]
    if head == "N" and len(body) > 1:
        import unicodedata

        try:
            return unicodedata.lookup(body[2:-1])
        except KeyError:
            raise ValueError(f"unknown Unicode character name {body[2:-1]!r}") from None
    if head in "xuU" and len(body) > 1:
        code = int(body[1:], 16)
        if code > 0x10FFFF:
            raise ValueError("illegal Unicode character")
        return chr(code)
    if head in "01234567":
        return chr(int(body, 8))
    return whole  # an unknown escape stays as written (CPython only warns)


def _is_keyword_at(text: str, i: int, keyword: str) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + len(keyword)] if i + len(keyword) < len(text) else " "
    return not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_")


def _rstrip_ws(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \t\f\\\r\n":
        end -= 1
    return end


def _describe(node: Any) -> str:
    names = {
        "Call": "function call", "Integer": "literal", "Float": "literal", "Imaginary": "literal",
        "SimpleString": "literal", "ConcatenatedString": "literal", "FormattedString": "f-string expression",
        "BinaryOperation": "expression", "UnaryOperation": "expression", "BooleanOperation": "expression",
        "Comparison": "comparison", "Lambda": "lambda", "IfExp": "conditional expression",
        "Await": "await expression", "Yield": "yield expression", "Dict": "dict literal",
        "Set": "set display", "ListComp": "list comprehension", "SetComp": "set comprehension",
        "DictComp": "dict comprehension", "GeneratorExp": "generator expression", "NamedExpr": "named expression",
        "Ellipsis": "ellipsis", "Name": "name",
    }
    return names.get(type(node).__name__, "expression")


def _literal_message(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, SyntaxError) and exc.msg:
        text = exc.msg
    return text


#: libcst's native parser recurses on the C stack: about 1,300 nested brackets or 6,000
#: chained attributes overflow the main thread's 8 MB and kill the process. It runs in a
#: thread with this much stack (address space; only the pages used are committed)...
_PARSER_STACK = 512 * 1024 * 1024
#: ...and not at all on text nested deeper than this (CPython allows 200 levels of brackets)
_MAX_BRACKET_DEPTH = 1_000
_BRACKETS_RE = re.compile(r"[^()\[\]{}]+")
#: It also takes time quadratic in the depth of any nesting: a chain of attributes, calls
#: and subscripts (4,000 `[0]` in a row: 40 s), of binary operators (4,000: 3 s), of prefix
#: operators (8,000 `-` or `not`: 12 s; 8,000 `lambda:`: 55 s), of conditional expressions
#: (2,000: 1.5 s). CPython reads each in milliseconds. Text with such a run is not given
#: to libcst (a few hundred cost it well under a second).
_LONG_CHAIN_RE = re.compile(
    r"(?:(?:\.\s*[A-Za-z_]\w*|\([^()]*\)|\[[^\[\]]*\])\s*){300,}"
    r"|(?:[\w)\]'\"]\s*(?:\*\*|//|<<|>>|[-+*/%|&^@])\s*){1000,}"
    r"|(?:(?:[-+~]|\bnot\b|\bawait\b|\blambda\b[^:\n]{0,200}:)\s*){300,}"
    r"|(?:\bif\b[^\n]{0,200}?\belse\b\s*[\w.]*\s*){300,}"
)


def _refuse(text: str) -> None:
    """RecursionError for text libcst could crash on or take minutes over."""
    if _bracket_depth(text) > _MAX_BRACKET_DEPTH:
        raise RecursionError("too deeply nested for libcst")
    if _LONG_CHAIN_RE.search(text):
        raise RecursionError("too long a chain of operations for libcst")


def _bracket_depth(text: str) -> int:
    """The deepest bracket nesting of `text`, counting brackets in strings and comments too
    (an over-estimate is safe: it only keeps libcst away from the text)."""
    depth = deepest = 0
    for char in _BRACKETS_RE.sub("", text):
        if char in "([{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif depth:
            depth -= 1
    return deepest


def _with_big_stack(function: Any, *args: Any) -> Any:
    """`function(*args)` in a thread with `_PARSER_STACK` bytes of stack; its exception is
    raised here. Where the stack size cannot be set, in this thread."""
    outcome: Dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:  # handed to the calling thread
            outcome["error"] = exc

    try:
        previous = threading.stack_size(_PARSER_STACK)
    except (ValueError, RuntimeError):
        return function(*args)
    try:
        worker = threading.Thread(target=run, name="cachelint-libcst", daemon=True)
        worker.start()
    finally:
        threading.stack_size(previous)
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def convert_module(text: str, filename: str = "<unknown>", first_row: int = 1) -> ast.Module:
    """Parse `text` with libcst's native parser and convert it to an `ast.Module`.

    Raises `SyntaxError` (with line and column) when the text is not valid Python 3.14,
    as `ast.parse` on CPython 3.14 would; `RecursionError` on absurd nesting."""
    _refuse(text)
    return _with_big_stack(_convert_module, text, filename, first_row)


def _convert_module(text: str, filename: str, first_row: int) -> ast.Module:
    base = first_row - 1
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise SyntaxError(exc.message, (filename, exc.raw_line + base, exc.raw_column + 1, None)) from None
    except (RecursionError, MemoryError):
        raise
    except Exception as exc:  # libcst's own validation (it refuses concatenated t-strings)
        raise SyntaxError(f"cannot parse: {exc}", (filename, first_row, 1, None)) from None
    ranges, length = node_ranges(module)
    if length != len(text):  # libcst always prints a parsed module back exactly
        raise SyntaxError("cannot map the syntax tree to the source", (filename, first_row, 1, None))
    converter = Converter(text, ranges, filename, first_row)
    try:
        tree = converter.module(module)
    except _Unsupported as exc:
        raise SyntaxError(f"syntax newer than Python 3.14 ({exc})", (filename, first_row, 1, None)) from None
    except (AttributeError, KeyError, TypeError) as exc:  # a libcst older than this module knows
        raise SyntaxError(f"cannot convert ({type(exc).__name__}: {exc})", (filename, first_row, 1, None)) from None
    return tree


def convert_expression(text: str) -> ast.expr:
    """`ast.parse(text, mode="eval").body` for any Python version's expression syntax."""
    _refuse(text)
    return _with_big_stack(_convert_expression, text)


def _convert_expression(text: str) -> ast.expr:
    try:
        node = cst.parse_expression(text)
    except cst.ParserSyntaxError as exc:
        raise SyntaxError(exc.message, ("<unknown>", exc.raw_line, exc.raw_column + 1, None)) from None
    except (RecursionError, MemoryError):
        raise
    except Exception as exc:
        raise SyntaxError(f"cannot parse: {exc}") from None
    converter = Converter(text, expression_ranges(node))
    try:
        return converter.expr(node)
    except _Unsupported as exc:
        raise SyntaxError(f"syntax newer than Python 3.14 ({exc})") from None


__all__ = ["Converter", "convert_expression", "convert_module"]
