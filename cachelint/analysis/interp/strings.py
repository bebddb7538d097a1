"""Strings for the abstract interpreter: f-strings, formatting, str methods and `join`.

Builds `Str` values part by part, so that a prompt keeps which of its characters are
static, which are per process and which change per call, and where a dynamic part sits
(a breakpoint after it caches nothing). `stringify` is `str(value)` for any abstract value.

Separate because the position-preserving string model is the core of what the rules
check (static prefixes), and it is used by expressions, containers and externals alike.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import string
from typing import Dict, List, Optional

from cachelint.analysis.frames import Frame
from cachelint.analysis.spans import Span
from cachelint.analysis.valueops import MISSING, JsonStr, label, split_field, static_py, to_python
from cachelint.analysis.values import (
    Const,
    DictV,
    Item,
    Kind,
    ListV,
    Part,
    PathV,
    Str,
    UnionV,
    Unknown,
    Value,
    hole,
    hole_for,
    static_part,
)


class StringsMixin:
    """Strings: f-strings, `str()`, `.format`, `%` formatting, str methods, `join`."""

    # --- f-strings and formatting ---------------------------------------------------------------
    def eval_fstring(self, node: ast.JoinedStr, frame: Frame, span: Span) -> Str:
        parts: List[Part] = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(static_part(value.value, span))
            elif isinstance(value, ast.FormattedValue):
                inner = self.eval(value.value, frame)
                spec_static = value.format_spec is None or all(
                    isinstance(v, ast.Constant) for v in getattr(value.format_spec, "values", [])
                )
                as_str = self.stringify(inner, self.span(value.value, frame))
                if value.conversion == -1 and value.format_spec is None or (as_str.text is None):
                    parts.extend(as_str.parts)
                elif spec_static and isinstance(inner, (Str, Const)) and as_str.text is not None:
                    try:
                        spec = "".join(v.value for v in getattr(value.format_spec, "values", [])) if value.format_spec else ""
                        obj = inner.text if isinstance(inner, Str) else inner.value
                        conv = {115: str, 114: repr, 97: ascii}.get(value.conversion)
                        obj = conv(obj) if conv else obj
                        parts.append(static_part(format(obj, spec), as_str.span))
                    except Exception:
                        parts.append(hole_for(inner, label(inner), self.span(value.value, frame)))
                else:
                    parts.append(hole_for(inner, label(inner), self.span(value.value, frame)))
        result = Str(parts, span)
        if frame.at_import:
            result = result.with_kind_at_most(Kind.PROCESS)
        return result

    def stringify(self, value: Value, span: Optional[Span]) -> Str:
        """`str(value)` as an abstract string (unknown values become labelled holes)."""
        if isinstance(value, Str):
            return value
        if isinstance(value, Const):
            return Str([static_part(str(value.value), span, value.kind if value.kind != Kind.STATIC else Kind.STATIC)], span)
        if isinstance(value, PathV) and value.path is not None:
            return Str.literal(value.path, span)
        if isinstance(value, (DictV, ListV)):
            py = to_python(value)
            if py is not MISSING:
                return Str.literal(str(py), span)
            if isinstance(value, ListV) and value.container == "set":
                return Str([hole(Kind.DYNAMIC, "a set (its order changes between processes)", span)], span)
            return Str([hole(value.kind, label(value) or "a container", span)], span)
        if isinstance(value, UnionV):
            kinds = [v.kind for v, _ in value.options]
            texts = {self.stringify(v, span).text for v, _ in value.options}
            if len(texts) == 1 and None not in texts:
                return Str.literal(texts.pop(), span)  # type: ignore[arg-type]
            return Str([hole(max(kinds), label(value) or "one of several values", span)], span)
        return Str([hole_for(value, label(value), span)], span)

    def format_string(self, template: Str, args: List[Value], kwargs: Dict[str, Value], span: Span, frame: Frame) -> Str:
        """`template.format(...)` part by part, so a dynamic field keeps its position."""
        parts: List[Part] = []
        auto = 0
        formatter = string.Formatter()
        for tpart in template.parts:
            if tpart.text is None:
                parts.append(tpart)
                continue
            try:
                parsed = list(formatter.parse(tpart.text))
            except ValueError:
                parts.append(hole(Kind.UNKNOWN, "a malformed template", span))
                continue
            for literal, field_name, spec, conv in parsed:
                if literal:
                    parts.append(Part(literal, tpart.kind, None, tpart.span))
                if field_name is None:
                    continue
                root, rest = split_field(field_name)
                if root == "":
                    value = args[auto] if auto < len(args) else None
                    auto += 1
                elif root.isdigit():
                    value = args[int(root)] if int(root) < len(args) else None
                else:
                    value = kwargs.get(root)
                if value is None:
                    parts.append(hole(Kind.UNKNOWN, f"template field `{{{field_name}}}`", span))
                    continue
                if rest or spec or conv:
                    text = self.stringify(value, span).text
                    if text is not None and not rest:
                        try:
                            parts.append(static_part(format(text if not conv else {"r": repr, "s": str, "a": ascii}[conv](text), spec or ""), span))
                            continue
                        except Exception:
                            pass
                    parts.append(hole(value.kind, f"template field `{{{field_name}}}` ({label(value)})", value.span or span))
                    continue
                sval = self.stringify(value, value.span or span)
                if sval.text is None:
                    parts.extend(
                        Part(p.text, p.kind, p.chars, p.span, p.label or f"template field `{{{field_name}}}`", p.volatile)
                        for p in sval.parts
                    )
                else:
                    parts.extend(sval.parts)
        return Str(parts, span)

    def percent_format(self, template: Str, right: Value, span: Span) -> Str:
        text = template.text
        if text is None:
            return Str([hole(max(template.kind, right.kind), "a %-formatted string", span)], span)
        values: List[Value]
        mapping: Optional[DictV] = right if isinstance(right, DictV) else None
        if isinstance(right, ListV) and right.container == "tuple":
            values = [i.value for i in right.items]
        else:
            values = [right]
        parts: List[Part] = []
        pos = 0
        idx = 0
        for match in re.finditer(r"%(\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrifgexXo%]", text):
            parts.append(static_part(text[pos : match.start()], template.span))
            pos = match.end()
            token = match.group(0)
            if token == "%%":
                parts.append(static_part("%", template.span))
                continue
            if match.group(1) and mapping is not None:
                value = mapping.get(match.group(1)[1:-1]) or Unknown(Kind.UNKNOWN, token, span)
            else:
                value = values[idx] if idx < len(values) else Unknown(Kind.UNKNOWN, token, span)
                idx += 1
            parts.extend(self.stringify(value, value.span or span).parts)
        parts.append(static_part(text[pos:], template.span))
        return Str(parts, span)

    def str_method(self, s: Str, method: str, args: List[Value], kwargs: DictV, span: Span, frame: Frame) -> Value:
        text = s.text
        if method == "format":
            return self.format_string(s, args, {k: e.value for k, e in kwargs.entries.items()}, span, frame)
        if method == "format_map" and args and isinstance(args[0], DictV):
            return self.format_string(s, [], {k: e.value for k, e in args[0].entries.items()}, span, frame)
        if method == "join":
            return self.join(s, args[0] if args else Unknown(), span)
        if method in ("encode",):
            if isinstance(s, JsonStr):
                return s.at(span)
            return Str(s.parts, span)
        if method == "replace" and args:
            return self.str_replace(s, args, span)
        if method in ("strip", "lstrip", "rstrip", "lower", "upper", "title", "capitalize", "casefold",
                      "removeprefix", "removesuffix", "expandtabs", "center", "ljust", "rjust", "zfill", "swapcase"):
            static_args = [static_py(a) for a in args]
            if text is not None and all(a is not MISSING for a in static_args):
                try:
                    return Str.literal(getattr(text, method)(*static_args), span, s.kind)
                except Exception:
                    pass
            if method in ("strip", "rstrip") and s.parts and s.parts[-1].text is not None and s.parts[0].text is None:
                pass
            return Str(s.parts, span)
        if method in ("split", "splitlines", "partition", "rpartition", "rsplit"):
            static_args = [static_py(a) for a in args] + [static_py(e.value) for e in kwargs.entries.values()]
            if text is not None and all(a is not MISSING for a in static_args) and len(text) <= 100_000:
                # known text (a class path in a registry, a model id): the real pieces
                try:
                    pieces = getattr(text, method)(*[static_py(a) for a in args],
                                                   **{k: static_py(e.value) for k, e in kwargs.entries.items()})
                except Exception:
                    pieces = None
                if pieces is not None and len(pieces) <= 256:
                    lst = ListV(span, container="tuple" if method in ("partition", "rpartition") else "list")
                    lst.items = [Item(Str.literal(piece, span, s.kind)) for piece in pieces]
                    return lst
            lst = ListV(span)
            lst.items.append(Item(Str([hole(s.kind, label(s), span)], span) if text is None else Str.literal(text, span, s.kind), many=True))
            return lst
        if method in ("startswith", "endswith", "isdigit", "isalpha", "find", "index", "count", "rfind", "isspace", "isupper", "islower"):
            static_args = [static_py(a) for a in args]
            if text is not None and all(a is not MISSING for a in static_args):
                try:
                    return Const(getattr(text, method)(*static_args), span)
                except Exception:
                    pass
            return Unknown(s.kind, method, span)
        return Unknown(s.kind, label(s), span)

    def str_replace(self, s: Str, args: List[Value], span: Span) -> Str:
        """`s.replace(old, new[, count])`.

        Known texts give the real result. Otherwise each occurrence of a known `old` in the
        known runs of `s` takes `new`'s parts, so a per-call value put into a template
        (`SYSTEM.replace("{{user}}", name)`) is a hole where it lands. The text used to be
        kept as it was whenever an argument was not known: the template's static text, and
        a prompt starting with the user's name was taken for a cacheable one (a false CL001,
        whose fix caches nothing, and a missed CL002). An occurrence across two runs is not
        seen; a hole, or a run too long to keep, may hold `old`, so it takes `new`'s kind
        when that changes more often. An `old` the analysis cannot read may match anywhere:
        the result is then one hole as volatile as `new`, unless `new` changes no more often
        than `s` already does (its size stays an estimate)."""
        old = args[0]
        new = self.stringify(args[1], args[1].span or span) if len(args) > 1 else Str.literal("", span)
        count = static_py(args[2]) if len(args) > 2 else -1
        if not isinstance(count, int) or isinstance(count, bool):
            count = -1
        if s.text is not None and isinstance(old, Str) and old.text is not None and new.text is not None:
            return Str.literal(s.text.replace(old.text, new.text, count), span, s.kind)
        old_text = old.text if isinstance(old, Str) else None
        if not old_text:
            kind = max(s.kind, old.kind, new.kind)
            if kind == s.kind:
                return Str(s.parts, span)
            return Str([hole(kind, label(s) or "text with replacements", span)], span)
        parts: List[Part] = []
        left = count
        for part in s.parts:
            if part.text is None or left == 0:
                if part.text is None and left != 0 and new.kind > part.kind:
                    part = dataclasses.replace(part, kind=new.kind, volatile=part.volatile or any(p.volatile for p in new.parts))
                parts.append(part)
                continue
            pieces = part.text.split(old_text, left if left > 0 else -1)
            for i, piece in enumerate(pieces):
                if i:
                    parts.extend(new.parts)
                    left -= 1 if left > 0 else 0
                if piece:
                    parts.append(static_part(piece, part.span, part.kind))
        return Str(parts, span)

    def join(self, sep: Str, iterable: Value, span: Span) -> Str:
        parts: List[Part] = []
        if isinstance(iterable, ListV):
            if iterable.container == "set" and iterable.items:
                return Str([hole(Kind.DYNAMIC, "a joined set (its order changes between processes)", span)], span)
            for i, item in enumerate(iterable.items):
                if i:
                    parts.extend(sep.parts)
                value = self.stringify(item.value, item.value.span or span)
                if item.many:
                    parts.append(Part(None, max(value.kind, Kind.UNKNOWN) if not value.kind.cacheable else value.kind, None, value.span or span,
                                      label(item.value) or "joined items"))
                elif item.cond:
                    # present on some paths only: a breakpoint on the joined text is still
                    # read back on the paths without it (see `Part.optional`)
                    parts.append(Part(None, value.kind, None, value.span or span, label(item.value) or "an optional item",
                                      optional=True))
                else:
                    parts.extend(value.parts)
            return Str(parts, span)
        return Str([hole(iterable.kind, label(iterable) or "joined items", span)], span)
