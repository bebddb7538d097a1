"""Filling prompt templates over abstract strings: `string.Template` and Jinja2.

A template read from a package file is a static string; filling it must keep the template's
static text and put each placeholder's value where the placeholder is, so CL002 can see a
`$date` or `{{ today }}` on the first line and CL001 can measure the static text before the
first dynamic value. `.format()` and `%` are filled by the interpreter itself; this module
parses the two template languages that are not Python's own.

Jinja2 is modelled conservatively: `{{ name }}` holes and `{# comments #}` are exact, any
other expression is a hole of unknown size, and from the first `{% ... %}` control block on
(loops, conditions, includes) the rest of the template is one hole of unknown size: the
static text before it is still measured, and nothing after it is guessed.
"""

from __future__ import annotations

import re
import string
from typing import Callable, Dict, List, Optional

from cachelint.analysis.spans import Span
from cachelint.analysis.values import Kind, Part, Str, Value, hole

#: `str(value)` as an abstract string (the interpreter's `stringify`)
Stringify = Callable[[Value, Optional[Span]], Str]

_JINJA_TAG = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}|\{#.*?#\}", re.DOTALL)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_STRING_LITERAL = re.compile(r"""^(['"])([^'"\\{}]*)\1$""")
_ROOT_NAME = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)")


def _filled(value: Value, placeholder: str, stringify: Stringify, span: Span) -> List[Part]:
    """The parts a placeholder's value puts in the text; holes say which placeholder."""
    text = stringify(value, value.span or span)
    if text.text is not None:
        return list(text.parts)
    return [Part(p.text, p.kind, p.chars, p.span, p.label or f"template field `{placeholder}`", p.volatile)
            for p in text.parts]


# --- string.Template ---------------------------------------------------------------------------
def substitute(template: Str, mapping: Dict[str, Value], safe: bool, stringify: Stringify, span: Span) -> Str:
    """`string.Template(template).substitute(mapping)` (or `safe_substitute`).

    A placeholder without a value raises at run time under `substitute` (an unknown hole
    here) and stays as written under `safe_substitute`."""
    parts: List[Part] = []
    for tpart in template.parts:
        if tpart.text is None:
            parts.append(tpart)
            continue
        pos = 0
        for match in string.Template.pattern.finditer(tpart.text):
            parts.append(Part(tpart.text[pos:match.start()], tpart.kind, None, tpart.span))
            pos = match.end()
            if match.group("escaped") is not None:
                parts.append(Part("$", tpart.kind, None, tpart.span))
                continue
            name = match.group("named") or match.group("braced")
            value = mapping.get(name) if name is not None else None
            if value is not None:
                parts.extend(_filled(value, f"${name}", stringify, span))
            elif safe:
                parts.append(Part(match.group(0), tpart.kind, None, tpart.span))
            else:
                parts.append(hole(Kind.UNKNOWN, f"template field `{match.group(0)}` (no value given)", span))
        parts.append(Part(tpart.text[pos:], tpart.kind, None, tpart.span))
    return Str(parts, span)


# --- Jinja2 --------------------------------------------------------------------------------------
def render_jinja(template: Str, context: Dict[str, Value], stringify: Stringify, span: Span) -> Str:
    """`jinja2.Template(template).render(**context)` as far as it can be known (see the
    module docstring). Jinja drops one trailing newline of the source, as here."""
    parts: List[Part] = []
    strip_next = False
    for index, tpart in enumerate(template.parts):
        if tpart.text is None:
            parts.append(tpart)
            strip_next = False
            continue
        text = tpart.text
        if index == len(template.parts) - 1 and text.endswith("\n"):
            text = text[:-1]  # keep_trailing_newline=False
        pos = 0
        for match in _JINJA_TAG.finditer(text):
            literal = text[pos:match.start()]
            if strip_next:
                literal = literal.lstrip()
            tag = match.group(0)
            if tag[2:3] == "-":
                literal = literal.rstrip()
            parts.append(Part(literal, tpart.kind, None, tpart.span))
            strip_next = tag[-3:-2] == "-"
            pos = match.end()
            if match.group(2) is not None:
                parts.append(_control_hole(match.group(2), context, span))
                return Str(parts, span)
            if match.group(1) is not None:
                parts.extend(_expression(match.group(1), context, stringify, span))
        literal = text[pos:]
        parts.append(Part(literal.lstrip() if strip_next else literal, tpart.kind, None, tpart.span))
        strip_next = False
    return Str(parts, span)


def _expression(source: str, context: Dict[str, Value], stringify: Stringify, span: Span) -> List[Part]:
    """The parts of a `{{ ... }}`: a context name is filled exactly; any other expression
    (filters, attributes, calls) is a hole as variable as the name it starts with."""
    expr = source.strip().strip("-+").strip()
    placeholder = "{{ " + expr + " }}"
    if _IDENTIFIER.match(expr) and expr in context:
        return _filled(context[expr], placeholder, stringify, span)
    literal = _STRING_LITERAL.match(expr)
    if literal:
        return [Part(literal.group(2), Kind.STATIC, None, span)]
    root = _ROOT_NAME.match(expr)
    value = context.get(root.group(1)) if root else None
    kind = max(value.kind, Kind.UNKNOWN) if value is not None and value.kind != Kind.STATIC else Kind.UNKNOWN
    return [hole(kind, f"template expression `{placeholder}`", span)]


def _control_hole(source: str, context: Dict[str, Value], span: Span) -> Part:
    """The rest of a template from its first control block: unknown size, and dynamic if
    any value given to the template is."""
    kind = max([Kind.UNKNOWN] + [v.kind for v in context.values()])
    statement = " ".join(source.strip().strip("-+").split()[:1]) or "block"
    return hole(kind, f"the template from its first `{{% {statement} %}}` block on", span)

