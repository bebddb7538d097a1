"""Writes for the abstract interpreter: assignment targets, item and attribute stores, `del`.

Dicts and lists are shared and mutated in place, so a store records where and under which
conditions and loops it happened (`set_entry`): the rules ask whether a cache marker is
written on every call, on some paths only, or once per loop iteration.

Separate because it is the one place abstract values are changed rather than computed.
"""

from __future__ import annotations

import dataclasses

import ast
from typing import List, Optional, Tuple

from cachelint.analysis.frames import Frame
from cachelint.analysis.spans import Span
from cachelint.analysis.request import MARKER_FIELDS
from cachelint.analysis.valueops import has_marker
from cachelint.analysis.values import (
    TRUE,
    ClassV,
    Const,
    DictV,
    Entry,
    Guard,
    InstV,
    Item,
    ListV,
    Str,
    UnionV,
    Unknown,
    Value,
    options_of,
    union,
)


class AssignmentMixin:
    """Writes: binding names, unpacking, `x[k] = v`, `x.a = v` and `del`."""

    # === assignment ==============================================================================
    def assign(self, target: ast.expr, value: Value, frame: Frame) -> None:
        if isinstance(target, ast.Name):
            frame.locals[target.id] = value
            frame.params.discard(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self._assign_unpack(target.elts, value, frame)
        elif isinstance(target, ast.Subscript):
            base = self.eval(target.value, frame)
            key = self.eval(target.slice, frame)
            self.set_item(base, key, value, frame, self.span(target, frame))
        elif isinstance(target, ast.Attribute):
            base = self.eval(target.value, frame)
            self.set_attr(base, target.attr, value, frame)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, self._many_unknown(value.kind, "unpacked values", value.span), frame)

    def _assign_unpack(self, targets: List[ast.expr], value: Value, frame: Frame) -> None:
        items = self._known_items(value)
        if items is not None and len(items) == len(targets) and not any(isinstance(t, ast.Starred) for t in targets):
            for t, v in zip(targets, items):
                self.assign(t, v, frame)
            return
        if isinstance(value, UnionV) and not any(isinstance(t, ast.Starred) for t in targets):
            # `module, name = path.rsplit(".", 1)` with `path` one of several: each target one
            # of the matching elements, under the same conditions, so they stay paired
            per_option = [(self._known_items(option), guard) for option, guard in value.options]
            if all(found is not None and len(found) == len(targets) for found, _ in per_option):
                for i, t in enumerate(targets):
                    self.assign(t, union([(found[i], guard) for found, guard in per_option], value.span), frame)  # type: ignore[index]
                return
        for t in targets:
            element = self.element_of(value, value.span)
            self.assign(t, element, frame)

    def set_item(self, base: Value, key: Value, value: Value, frame: Frame, span: Span) -> None:
        for option, guard in options_of(base):
            if isinstance(option, DictV):
                if isinstance(key, Str) and key.text is not None:
                    self.set_entry(option, key.text, value, span, frame, guard)
                else:
                    option.open.append(Unknown(value.kind, "entry with a computed key", span, may_mark=True))
            elif isinstance(option, ListV):
                index = key.value if isinstance(key, Const) and isinstance(key.value, int) else None
                item = self._list_item_at(option, index)
                if item is not None:
                    pos, current = item
                    option.items[pos] = Item(value, current.many, current.cond or bool(frame.guard), current.guard, current.loop, current.bound, span)
                elif index == -1 and option.items and option.items[-1].many and has_marker(value):
                    # `msgs[-1] = marked` after a run of appended elements: the last one of
                    # the run is replaced; the run (zero or more) then this element is the
                    # closest model, and keeps the marker visible to the rules
                    option.items.append(Item(value, cond=bool(frame.guard), guard=frame.guard, site=span))
                elif (index is None and not isinstance(key, Const) and option.items and has_marker(value)
                      and option.items[-1].site != span):
                    # `msgs[i] = marked` at an index found at run time (a reverse search for
                    # the last user turn): one element, most likely near the end, is
                    # replaced by the marked one. Modelled like `msgs[-1] = marked` after a
                    # run, as one more (conditional) element, so the marker is not lost; a
                    # loop running the write again does not add a second one.
                    option.items.append(Item(value, cond=True, guard=frame.guard, site=span))
            elif isinstance(option, Unknown) and isinstance(key, Str) and key.text in MARKER_FIELDS:
                # `messages[-1]["content"][-1]["cache_control"] = ...` on a list the caller
                # passed: one breakpoint on (as far as the analysis knows) its last element.
                ttl = value.get("ttl") if isinstance(value, DictV) else None
                loops = [l for l in frame.all_loops() if not l.unrolled]
                loop = loops[-1] if loops else None
                option.root.marks.append(
                    (value.span or span, key.text, ttl.text if isinstance(ttl, Str) else None,
                     loop.span if loop is not None else None, loop.bound if loop is not None else None,
                     loop.capped if loop is not None else False, frame.guard)
                )

    def set_entry(self, d: DictV, key: str, value: Value, span: Optional[Span], frame: Frame, guard: Guard = TRUE) -> None:
        """Write `d[key] = value`, remembering the conditions and loops it happens under.

        A dict created once per iteration of a loop (a message appended in an agent loop, a
        block built in a comprehension) stands for all of them: a marker written on it is
        written on each, unless the loop also removes old markers.
        """
        full_guard = frame.guard + guard
        cond = any(not a.subject.startswith("<loop") for a in full_guard)
        entry = Entry(value, span, cond, full_guard, opt_in=key in MARKER_FIELDS and frame.under_element_cache_flag())
        if d.born is not None:
            loops = [l for l in frame.all_loops() if not l.unrolled]
            current = loops[-1] if loops else None
            entry.loop = d.born
            entry.written_in = current.span if current is not None else None
            if current is not None and current.span != d.born:
                entry.loop_bound = current.bound
                entry.loop_capped = current.capped
            elif current is not None:
                entry.loop_bound = current.bound
        if self._branch_writes:
            self._branch_writes[-1].append((d, key, d.entries.get(key)))
        d.entries[key] = entry

    def _list_item_at(self, lst: ListV, index: Optional[int]) -> Optional[Tuple[int, Item]]:
        if index is None or not lst.items:
            return None
        if index < 0:
            pos = len(lst.items) + index
            # counting from the end is exact only when no run of unknown length follows
            if pos < 0 or any(i.many for i in lst.items[pos:]):
                return None
            return pos, lst.items[pos]
        if any(i.many or i.cond for i in lst.items[: index + 1]) or index >= len(lst.items):
            return None
        return index, lst.items[index]

    def set_attr(self, base: Value, name: str, value: Value, frame: Frame) -> None:
        for option, _ in options_of(base):
            if isinstance(option, InstV):
                option.attrs[name] = value
            elif isinstance(option, ClassV):
                self.set_class_attr(option.info, name, value, frame)

    def delete(self, target: ast.expr, frame: Frame) -> None:
        if isinstance(target, ast.Subscript):
            base = self.eval(target.value, frame)
            key = self.eval(target.slice, frame)
            if isinstance(key, Str) and key.text is not None:
                for option, _ in options_of(base):
                    if isinstance(option, DictV):
                        self._remove_key(option, key.text, frame)
        elif isinstance(target, ast.Name):
            frame.locals.pop(target.id, None)

    def _remove_key(self, d: DictV, key: str, frame: Frame) -> None:
        for loop in frame.all_loops():
            loop.removed.add(key)
        if key not in d.entries:
            return
        if any(loop.subset for loop in frame.all_loops()):
            entry = d.entries[key]
            d.entries[key] = dataclasses.replace(entry, cond=True, trimmed=True)
        elif frame.guard and self._guard_is_local(frame):
            entry = d.entries[key]
            d.entries[key] = Entry(entry.value, entry.key_span, True, entry.guard)
        else:
            del d.entries[key]

    def _guard_is_local(self, frame: Frame) -> bool:
        return any(not a.subject.startswith("<loop") for a in frame.guard)
