"""Conditions for the abstract interpreter: static truth, guard atoms and narrowing.

A test that is constant (`TYPE_CHECKING`, a known flag) picks one branch; any other becomes
atoms (`provider == "bedrock"`, `isinstance(client, AnthropicBedrock)`) that guard what the
branch binds, so rules can tell which platform a conditional marker reaches. On a path
under such atoms a client or union is narrowed (`narrow`) to the alternatives they allow.

Separate because guards are their own small logic, shared by statements (`if`, `assert`,
`while`) and expressions (`x if c else y`).
"""

from __future__ import annotations

import ast
import re
from typing import FrozenSet, List, Optional, Set, Tuple

from cachelint.analysis.frames import BudgetExceeded, Frame
from cachelint.analysis.valueops import (
    class_name,
    is_none,
    isa_matches,
    label,
    literal_values,
    subject_text,
    truthiness,
)
from cachelint.analysis.values import (
    Atom,
    ClassV,
    ClientV,
    Const,
    DictV,
    ExtV,
    InstV,
    Kind,
    ListV,
    ResponseV,
    Str,
    UnionV,
    Value,
    options_of,
    union,
)


#: the package of the objects an SDK's request methods return, by the first part of the
#: request's `api` (`anthropic.beta.messages.create`)
_RESPONSE_PACKAGES = {"anthropic": "anthropic", "openai": "openai", "litellm": "litellm"}
#: packages whose classes no other SDK's reply is an instance of
_SDK_PACKAGES = frozenset({"anthropic", "openai", "litellm", "google", "boto3", "botocore", "mistralai", "cohere", "groq"})

#: builtin types `isinstance` can be decided for, by the names that test for each
BUILTIN_TYPES = {
    "str": frozenset({"str"}),
    "list": frozenset({"list"}),
    "dict": frozenset({"dict"}),
    "tuple": frozenset({"tuple"}),
    "set": frozenset({"set"}),
    "bool": frozenset({"bool", "int"}),
    "int": frozenset({"int"}),
    "float": frozenset({"float"}),
    "bytes": frozenset({"bytes"}),
}


def builtin_type_of(value: Value) -> Optional[str]:
    """The builtin type of a value the analysis built itself, or None when it may be
    anything (an unknown, an instance, a value read from outside)."""
    if isinstance(value, Str):
        return "str"
    if isinstance(value, DictV):
        return "dict"
    if isinstance(value, ListV):
        return value.container if value.container in ("list", "tuple", "set") else None
    if isinstance(value, Const) and value.value is not None:
        return type(value.value).__name__ if type(value.value).__name__ in BUILTIN_TYPES else None
    return None


class ConditionsMixin:
    """Conditions: deciding constant tests, turning tests into guard atoms, narrowing."""

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
            kept = [(v, g) for v, g in value.options
                    if (all(isa_matches(class_name(v), a) for a in atoms) or class_name(v) is None)
                    and not any(not a.negated and _reply_of_other_sdk(v, a.packages) for a in atoms)]
            return union(kept, value.span) if kept else value
        return value

    def static_truth(self, test: ast.expr, frame: Frame) -> Optional[bool]:
        """Decide a condition when it is a constant (`TYPE_CHECKING`, a known flag)."""
        text = subject_text(test) if isinstance(test, (ast.Name, ast.Attribute)) else ""
        if text in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            return False
        if isinstance(test, ast.Constant):
            return bool(test.value)
        if _is_isinstance_call(test):
            return self._isinstance_truth(test, frame)
        if (isinstance(test, ast.BoolOp) and any(_is_isinstance_call(v) for v in test.values)
                and all(_plain_operand(v) for v in test.values)):
            # `x == "a" and isinstance(r, T)`: evaluating the expression leaves the
            # `isinstance` unknown; its operands are decided one by one instead. Only
            # when no operand binds a name or calls anything but `isinstance`: those are
            # left to the evaluation below, which runs them (`(system := fetch()) and ...`)
            return self._bool_op_truth(test, frame)
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

    def _bool_op_truth(self, test: ast.BoolOp, frame: Frame) -> Optional[bool]:
        """`a and b` / `a or b` decided from its operands' `static_truth`: one operand
        decides it (False in an `and`, True in an `or`) whatever the others are."""
        deciding = isinstance(test.op, ast.Or)
        undecided = False
        for operand in test.values:
            truth = self.static_truth(operand, frame)
            if truth is deciding:
                return deciding
            if truth is None:
                undecided = True
        return None if undecided else not deciding

    def _isinstance_truth(self, test: ast.Call, frame: Frame) -> Optional[bool]:
        """`isinstance(x, list)` decided when every value `x` may hold was built by the
        analysis with a known builtin type: the `elif isinstance(content, list):` branch of a
        helper that is only ever handed strings is not run (it would copy blocks that do
        not exist)."""
        types = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
        if not all(isinstance(elt, ast.Name) and elt.id in BUILTIN_TYPES for elt in types):
            return self._response_isinstance(test.args[0], test.args[1], frame)
        wanted = {elt.id for elt in types if isinstance(elt, ast.Name)}
        if any(name in frame.locals or name in frame.module.bindings for name in wanted | {"isinstance"}):
            return None  # a builtin name rebound by the project
        value = self.eval(test.args[0], frame)
        answers = set()
        for option, _ in options_of(value):
            kind = builtin_type_of(option)
            if kind is None:
                return None
            answers.add(bool(BUILTIN_TYPES[kind] & wanted))
        return answers.pop() if len(answers) == 1 else None

    def _response_isinstance(self, subject: ast.expr, classes: ast.expr, frame: Frame) -> Optional[bool]:
        """`isinstance(response, ModelResponse)` decided False when every value `response`
        may hold is what one SDK's request method returned and every class is another
        SDK's: a helper that reads litellm's usage fields after
        `isinstance(response, (ModelResponse, CustomStreamWrapper))` is not reading them
        from the Anthropic reply some caller passes it (skyvern: a false CL010). Never
        True: which of its own SDK's classes a reply is (message, stream, raw response)
        is not modelled."""
        _, packages = self._class_names(classes, frame)
        if not packages:
            return None
        value = self.eval(subject, frame)
        if all(_reply_of_other_sdk(option, packages) for option, _ in options_of(value)):
            return False
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
        if _is_isinstance_call(test):
            subject = self._subject(test.args[0], frame)
            names, packages = self._class_names(test.args[1], frame)
            if names:
                atom = Atom(subject, "isa", frozenset(names), packages=packages)
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

    def _class_names(self, node: ast.expr, frame: Frame) -> Tuple[List[str], FrozenSet[str]]:
        """The names of the classes of an `isinstance` test, and their packages when every
        one is an SDK's class (`Atom.packages`)."""
        elts = node.elts if isinstance(node, ast.Tuple) else [node]
        names = []
        packages: Optional[Set[str]] = set()
        for elt in elts:
            value = self.eval(elt, frame)
            if isinstance(value, ExtV):
                names.append(value.qualname.rsplit(".", 1)[-1])
                if packages is not None:
                    packages.add(value.qualname.split(".", 1)[0])
                continue
            packages = None
            if isinstance(value, ClassV):
                names.append(value.info.name)
            elif isinstance(elt, (ast.Name, ast.Attribute)):
                names.append(ast.unparse(elt).rsplit(".", 1)[-1])
        known = packages is not None and packages <= _SDK_PACKAGES
        return names, frozenset(packages) if known and packages else frozenset()


def _plain_operand(node: ast.expr) -> bool:
    """An operand whose deciding alone changes nothing: names, attributes, constants,
    comparisons and `not` of those, and `isinstance` calls; no walrus, no other call."""
    for child in ast.walk(node):
        if isinstance(child, (ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom, ast.Lambda)):
            return False
        if isinstance(child, ast.Call) and not _is_isinstance_call(child):
            return False
    return True


def _is_isinstance_call(node: ast.AST) -> bool:
    """`isinstance(x, T)` (the builtin's name, two arguments)."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance"
            and len(node.args) == 2)


def _reply_of_other_sdk(value: Value, packages: FrozenSet[str]) -> bool:
    """Whether `value` is an SDK's reply (not read further: `response`, not
    `response.usage`) tested against classes of other SDKs only (`packages`, as
    `Atom.packages` holds them): it is an instance of none of them. On the path of
    `elif isinstance(response, (ModelResponse, CustomStreamWrapper)):` a union of
    litellm's and Anthropic's replies is litellm's only."""
    if not packages or not isinstance(value, ResponseV) or value.attrs:
        return False
    sdk = _RESPONSE_PACKAGES.get(value.api.split(".", 1)[0])
    return sdk is not None and sdk not in packages
