"""Expression evaluation for the abstract interpreter: `eval` and the operators.

`eval` dispatches on the expression's node type (counting steps and nesting against the
budgets in `limits`) to the mixin that models it; this module itself models the operators:
`+` on strings and lists, `%` formatting, `*` repetition, `/` on paths, `|` on dicts,
`and`/`or` (with the `os.environ.get(...) or "default"` idiom) and comparisons.

Names, conditions, strings, containers, attributes and calls have their own modules.
"""

from __future__ import annotations

import ast
import os
from typing import List, Optional, Tuple

from cachelint.analysis.externals import ENV_LABEL
from cachelint.analysis.frames import Frame
from cachelint.analysis.spans import Span
from cachelint.analysis.valueops import MISSING, apply_op, compare, label, static_py, subject_text, truthiness
from cachelint.analysis.values import (
    Const,
    DefaultV,
    DictV,
    Guard,
    Item,
    Kind,
    ListV,
    Part,
    PathV,
    Str,
    UnionV,
    Unknown,
    Value,
    hole_for,
    options_of,
    static_part,
    union,
)
from cachelint.analysis.interp.limits import MAX_EVAL_DEPTH, MAX_UNROLL


class ExpressionsMixin:
    """Expression evaluation: the dispatch on node types and the operators."""

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
            d.open.append(Unknown(Kind.UNKNOWN, "dict comprehension", span))
            return d
        if isinstance(node, ast.Lambda):
            return self.function_value(frame.module.path, node, closure=frame, span=span)
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


def _operands(value: Str) -> Tuple[Tuple[Optional[Span], Kind, Optional[str]], ...]:
    """Operands of a `+` chain as (span, kind, last character); a nested chain written in
    place is flattened."""
    if value.operands and value.origin == value.span:
        return value.operands
    last = value.parts[-1].text[-1:] if value.parts and value.parts[-1].text else None
    return ((value.span, value.kind, last),)


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
