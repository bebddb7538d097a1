"""What calling a project function can change, read off its syntax once per function.

The interpreter follows calls into project functions with their arguments bound, because a
request is often built across several helpers. Most calls in real code have nothing to do
with a request, though: logging, printing, path helpers, progress output. Following them
cost most of the analysis time (in one 2,000-line agent class, 10,000 inlined calls for
37 entry functions, a third of them into one chat-log writer), and the call-depth limit
they forced cut the flows that matter.

`Effects` is the summary that lets the interpreter skip such a call soundly when its
result is discarded: a function that sends no request (its text names no SDK method and
it calls nothing that may), handles no cache marker, and stores into no container,
attribute or global (nor calls a mutating method such as `.append`) cannot change anything
a later request is built from. The summary is transitive over the functions of the same
module it calls by name; a call to another module is judged by name against the project's
request-sending names (see `Interpreter.sending_names`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, List, Optional, Set, Tuple

from cachelint.analysis.candidates import code_text, module_functions, module_triggers, summarise
from cachelint.analysis.request import MARKER_WORDS
from cachelint.analysis.valueops import walk_nodes

#: Methods that mutate the object they are called on (list, dict, set, deque).
MUTATING_METHODS = frozenset({
    "append", "extend", "insert", "update", "setdefault", "pop", "popitem", "remove", "clear",
    "add", "discard", "sort", "reverse", "appendleft", "extendleft", "__setitem__", "__delitem__",
    "setattr", "difference_update", "intersection_update", "symmetric_difference_update",
})


@dataclass(frozen=True)
class Effects:
    """A function's own effects, before following the functions it calls."""

    #: its text names an SDK request method, a client class or a caching field
    trigger: bool
    #: it stores into a subscript, an attribute or a global/nonlocal name, or calls a
    #: mutating method, `setattr` or `exec`
    writes: bool
    #: names it calls (`f(...)` and `x.f(...)`: the last name of the callee)
    calls: FrozenSet[str]


def own_effects(module: object, node: ast.AST) -> Effects:
    """The `Effects` of one function node of `module` (a `ModuleInfo`), memoised on it."""
    memo: Dict[int, Effects] = module.effects_memo  # type: ignore[attr-defined]
    key = id(node)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _effects(node, code_text(module, node), module_triggers(module).trigger)  # type: ignore[arg-type]
    return found


def _effects(node: ast.AST, text: str, trigger_re: "re.Pattern[str]") -> Effects:
    trigger = trigger_re.search(text) is not None or any(word in text for word in MARKER_WORDS)
    writes = False
    calls: Set[str] = set()
    nodes = walk_nodes(node)  # once: three walks of each function were 8 % of litellm's router
    fresh = _fresh_locals(node, nodes)
    # targets of `self.errors += 1`, `self.log_file = None`: state no request text is made of
    scalar_targets = {
        id(target)
        for stmt in nodes
        if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and _scalar_attribute_store(stmt)
        for target in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
    }
    for child in nodes:
        if isinstance(child, ast.Subscript) and isinstance(child.ctx, (ast.Store, ast.Del)):
            if _root_name(child.value) not in fresh:
                writes = True
        elif isinstance(child, ast.Attribute) and isinstance(child.ctx, (ast.Store, ast.Del)):
            if id(child) not in scalar_targets:
                writes = True
        elif isinstance(child, (ast.Global, ast.Nonlocal)):
            writes = True
        elif isinstance(child, ast.Call):
            func = child.func
            if isinstance(func, ast.Attribute):
                calls.add(func.attr)
                if func.attr in MUTATING_METHODS and _root_name(func.value) not in fresh:
                    writes = True
            elif isinstance(func, ast.Name):
                calls.add(func.id)
                if func.id in ("setattr", "exec", "delattr"):
                    writes = True
    return Effects(trigger, writes, frozenset(calls))


_FRESH_CALLS = frozenset({"dict", "list", "set", "tuple", "OrderedDict", "defaultdict", "deque", "Counter"})


def _fresh_locals(function: ast.AST, nodes: List[ast.AST]) -> FrozenSet[str]:
    """Local names only ever bound to a container made right there (`style = {}`,
    `parts = []`, `seen = set()`): mutating them cannot reach the caller, unless the
    container escapes, which is a store, a mutating call or a call judged on its own.
    (`nodes`: every node of `function`, see `walk_nodes`.)"""
    bound: Dict[str, bool] = {}
    params = {a.arg for a in _all_args(function)}
    for child in nodes:
        if isinstance(child, (ast.Assign, ast.AnnAssign)):
            targets = child.targets if isinstance(child, ast.Assign) else [child.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    made_here = _is_fresh_container(child.value)
                    bound[target.id] = bound.get(target.id, True) and made_here
        elif isinstance(child, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.AugAssign, ast.NamedExpr,
                                ast.comprehension)):
            for target in _targets_of(child):
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        bound[name.id] = False
    return frozenset(name for name, ok in bound.items() if ok and name not in params)


def _all_args(function: ast.AST) -> List[ast.arg]:
    args = getattr(function, "args", None)
    if args is None:
        return []
    out = list(args.posonlyargs) + list(args.args) + list(args.kwonlyargs)
    out += [a for a in (args.vararg, args.kwarg) if a is not None]
    return out


def _targets_of(node: ast.AST) -> List[ast.AST]:
    if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
        return [node.target]
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [item.optional_vars for item in node.items if item.optional_vars is not None]
    if isinstance(node, (ast.AugAssign, ast.NamedExpr)):
        return [node.target]
    return []


def _is_fresh_container(value: Optional[ast.expr]) -> bool:
    if isinstance(value, (ast.Dict, ast.List, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp)):
        return True
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        if value.func.id in _FRESH_CALLS:
            return not value.args or all(isinstance(a, ast.Constant) for a in value.args)
        # `style = RichStyle(**style)`: a constructor makes a new object
        return value.func.id[:1].isupper()
    return False


def _root_name(node: ast.expr) -> Optional[str]:
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _scalar_attribute_store(stmt: ast.stmt) -> bool:
    """An attribute set to a number or None, or a counter bumped by a number: state that
    no request text is made of (a flag set to True/False may choose a branch, so it counts)."""
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]  # type: ignore[attr-defined]
    if not all(isinstance(t, ast.Attribute) for t in targets):
        return False
    value = stmt.value  # type: ignore[attr-defined]
    if not isinstance(value, ast.Constant):
        return False
    return value.value is None or (type(value.value) in (int, float))


def without_effect(module: object, node: ast.AST, sending_names: FrozenSet[str]) -> bool:
    """True when calling `node` (a function of `module`) and ignoring its result cannot
    change a request: neither it nor any function of its module it may call sends one,
    handles markers, or writes to an object or name the caller can see.

    Callees in other modules are looked up by name in `sending_names` only: the same
    bound that the call-depth limit drew before, where a call beyond it was opaque."""
    return not _any_reached(module, node, sending_names, module.inert_memo,  # type: ignore[attr-defined]
                            lambda effects: effects.writes)


def reaches_request(module: object, node: ast.AST, sending_names: FrozenSet[str]) -> bool:
    """True when calling `node` (a function of `module`) may send a request or handle a
    cache marker: it or a function of its module it may call names an SDK method, a client
    class or a caching field, or calls a request-sending name. What it writes does not
    count here (see `without_effect` for that): this is the question of how much of a
    helper's body is worth following, asked by the interpreter's helper budget."""
    return _any_reached(module, node, sending_names, module.reach_memo,  # type: ignore[attr-defined]
                        lambda effects: False)


def _any_reached(module: object, node: ast.AST, sending_names: FrozenSet[str], memo: Dict[Tuple[int, FrozenSet[str]], bool],
                 also: Callable[[Effects], bool]) -> bool:
    """Whether `node` or a function of its module it may call (by name, transitively)
    sends a request, handles markers (`Effects.trigger`), calls a request-sending name,
    or has the effect `also` asks about. Memoised in `memo`, keyed by the names too: the
    answer depends on which names send requests, and they differ with the file being
    analysed (one worker analyses many files)."""
    key = (id(node), sending_names)
    if key in memo:
        return memo[key]
    by_name = _functions_by_name(module)
    sending_names = sending_names | summarise(module).names  # type: ignore[arg-type]
    seen: Set[int] = set()
    todo = [node]
    found = False
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        effects = own_effects(module, current)
        if effects.trigger or also(effects) or not effects.calls.isdisjoint(sending_names):
            found = True
            break
        for name in effects.calls:
            todo.extend(by_name.get(name, ()))
    memo[key] = found
    return found


def _functions_by_name(module: object) -> Dict[str, List[ast.AST]]:
    found: Optional[Dict[str, List[ast.AST]]] = module.functions_by_name  # type: ignore[attr-defined]
    if found is None:
        found = {}
        for fn, _owner in module_functions(module):  # type: ignore[arg-type]
            found.setdefault(fn.name, []).append(fn)
        module.functions_by_name = found  # type: ignore[attr-defined]
    return found
