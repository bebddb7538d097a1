"""Containers for the abstract interpreter: dicts, lists, tuples and sets.

Displays, comprehensions, `d[k]`, slices, iteration (`element_of`) and the mutating
methods (`update`, `append`, `extend`, `insert`, `pop`...). Lists remember runs of
elements appended in a loop, with the loop and its bound, and their lineage (`[*h, m]`,
`h[:]`), which is how an agent loop's growing history is recognised.

Separate because the shared, mutable container model (aliasing, loop runs, conditional
entries) is what the request builders later read the messages and tools from.
"""

from __future__ import annotations

import ast
from typing import Any, List, Optional, Tuple

from cachelint.analysis.externals import ENV_LABEL
from cachelint.analysis.frames import Frame, LoopCtx
from cachelint.analysis.request import MARKER_FIELDS
from cachelint.analysis.spans import Span
from cachelint.analysis.valueops import clone, label, tag_born, untag_born
from cachelint.analysis.values import (
    Atom,
    Const,
    DictV,
    Entry,
    ExtV,
    Guard,
    Item,
    Kind,
    ListV,
    ResponseV,
    Str,
    UnionV,
    Unknown,
    Value,
    hole,
    options_of,
    union,
)
from cachelint.analysis.interp.limits import MAX_UNROLL

#: `lst[-1]` to `lst[-4]` of a list built by a finished loop are single elements (see
#: `_element_from_end`); deeper indexes are read as "an element"
MAX_FROM_END = 4


class ContainersMixin:
    """Containers: dict/list displays, comprehensions, items, slices, dict and list methods."""

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
                d.entries[key.text] = Entry(value, entry_span, literal=d.literal,
                                            opt_in=key.text in MARKER_FIELDS and frame.under_element_cache_flag())
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
        # a generator is iterated like a list, but is no `list` to `isinstance`
        container = "set" if isinstance(node, ast.SetComp) else "generator" if isinstance(node, ast.GeneratorExp) else "list"
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
        if container != "set":
            # a conversion of the stored history (`[m.to_api() for m in self.messages]`)
            # grows when the history does: like a loop appending converted messages to a
            # list (`_built_from`), it takes the lists it iterates into its lineage
            result.lineage = tuple(step for option, _ in options_of(iterable) if isinstance(option, ListV)
                                   for step in ((option.uid, None),) + option.lineage)[:8]
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
        if isinstance(value, DictV) and not value.open and not any(e.cond for e in value.entries.values()):
            return [Str.literal(key, entry.key_span or value.span) for key, entry in value.entries.items()]
        if isinstance(value, UnionV) and all(isinstance(option, ListV) and not option.items for option, _ in value.options):
            # `tools or []` with `tools` an empty list: either way nothing to iterate (an
            # empty list's truth is left unknown, so `or` keeps both)
            return []
        return None

    def _element_from_end(self, lst: ListV, count: int, frame: Frame) -> Optional[Value]:
        """`lst[-count]` when the list ends with a run of elements made by a loop, followed
        by fewer than `count` single elements (None when that element cannot be told apart
        from the run).

        While that loop is still running, the run stands for "each element it appends", so
        a marker written on it is written on every turn (and accumulates). Once the loop
        has finished, `lst[-1]`, or `lst[-2]` (the conversation boundary before the newest
        message), is one element: the elements missing between the run and the end are
        materialised as copies of the run's shape after it, so a marker on one marks only
        that element. The same holds in a deep copy (`ListV.snapshot`), whose elements are
        new on every turn. A loop appending at several places leaves one run per place; the
        copies take the last run's shape, as `lst[-1]` always did.
        """
        singles = 0
        while singles < len(lst.items) and not lst.items[-1 - singles].many:
            singles += 1
        if singles == len(lst.items) or count <= singles:
            return None
        run = lst.items[-1 - singles]
        value = run.value
        if not isinstance(value, (DictV, ListV)):
            return value if count == 1 else None
        born = getattr(value, "born", None)
        if (born is None or born in {loop.span for loop in frame.all_loops()}) and not lst.snapshot:
            return value if count == 1 else None
        at = len(lst.items) - singles
        copies: List[Value] = []
        for offset in range(count - singles):
            single = clone(value, {})
            untag_born(single)
            lst.items.insert(at + offset, Item(single, False, run.cond, run.guard, None, None, run.site))
            copies.append(single)
        return copies[0]

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
            if iterable.entries and not iterable.open:
                # its keys, whatever its values are: `for key in values` over `**values`
                # is a loop over names written in the code
                keys = [(Str.literal(key, entry.key_span or span), entry.guard) for key, entry in iterable.entries.items()]
                return union(keys, span) if len(keys) > 1 else keys[0][0]
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
                # one of the last elements of a list with runs: a copy of the runs' shape
                if -MAX_FROM_END <= key.value < 0:
                    element = self._element_from_end(base, -key.value, frame)
                    if element is not None:
                        return element
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
            if method == "get" and d.entries and not d.open:
                # a registry read with a key from configuration (`PROVIDERS.get(name)`):
                # any of its values, or the default, as `d[key]` is any of its values
                return union([(entry.value, entry.guard) for entry in d.entries.values()] + [(default, ())], span)
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
        if method in ("append", "extend", "insert") and many and loop.over:
            _built_from(lst, loop)
        if method == "append" and args:
            self._add_item(lst, Item(args[0], many=many, cond=cond, guard=frame.guard, loop=loop.span if loop else None,
                                     bound=loop.bound if loop else None, site=span), loops)
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

    def _add_item(self, lst: ListV, item: Item, loops: List[LoopCtx]) -> None:
        """Add `item` at the end of `lst`, and record where it was added in every running
        loop: an append inside an inner loop (`for part in reply: history.extend([...])`)
        grows the history an enclosing agent loop sends each turn, too."""
        loop = loops[-1] if loops else None
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
        if item.site is not None:
            for running in loops:
                running.appended.setdefault(lst.uid, []).append(item.site)

    def _extend(self, lst: ListV, other: Value, frame: Frame, span: Span) -> None:
        loops = frame.all_loops()
        loop = loops[-1] if loops else None
        many = loop is not None and not loop.unrolled
        if isinstance(other, ListV):
            for item in other.items:
                self._add_item(lst, Item(item.value, item.many or many, item.cond, item.guard, item.loop or (loop.span if loop and many else None),
                                         item.bound, item.site or span), loops)
        else:
            self._add_item(lst, Item(Unknown(other.kind, label(other), other.span, getattr(other, "may_mark", False)), many=True, site=span), loops)


def _built_from(lst: ListV, loop: LoopCtx) -> None:
    """Record that `lst`, made before `loop`, is filled from the lists the loop iterates
    (`for msg in history: converted.append({...})`): the converted conversation a request
    sends each turn grows when the history does (`Interpreter.history_growth` follows
    `ListV.lineage`). The iterated list and what it is a whole copy of (`history.copy()`);
    a slice (`history[-4:]`, a sliding window) has no lineage and says nothing more, and
    a loop that stops itself (`if len(recent) == 4: break`) or runs a bounded number of
    times builds a window, not the history."""
    if lst.uid >= loop.first_uid:
        return  # made inside the loop: one list per element, not the conversion
    if loop.capped or loop.bound is not None:
        return
    known = {uid for uid, _ in lst.lineage}
    added = tuple(step for step in dict.fromkeys(loop.over) if step[0] != lst.uid and step[0] not in known)
    if added:
        lst.lineage = (added + lst.lineage)[:8]


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


def _whole_slice(lower: Value, upper: Value, sl: ast.Slice) -> bool:
    """`[:]` or `[0:]`: the slice copies the whole list."""
    return (sl.step is None and isinstance(lower, Const) and lower.value in (None, 0)
            and isinstance(upper, Const) and upper.value is None)
