"""Every Python grammar from 3.8 to 3.14 is read on every interpreter cachelint runs on.

Installed on Python 3.11, cachelint used to report a PEP 701 f-string as a syntax error
(CL000) and skip the file with its defects. Now the stdlib parser reads what it can, and
libcst reads the rest into the same `ast` tree (`cachelint.syntax.convert`). These tests
hold on 3.9, 3.11 and 3.13 alike (the suite runs on each): the same findings whatever the
interpreter, a CL000 only for syntax that is invalid for every Python or for the project's
target version.
"""

from __future__ import annotations

import ast
import sys
import time
from pathlib import Path
from typing import List

import pytest

import cachelint.syntax as syntax
from cachelint import lint_source
from cachelint.syntax import parse_expression, parse_module
from cachelint.syntax.convert import convert_module
from cachelint.syntax.versions import RUNNING, from_requires_python, parse_target

ROOT = Path(__file__).resolve().parent.parent

#: An Anthropic call whose ~2,500-token static system prompt has no breakpoint: CL001 at `system=`.
APP = """\
import anthropic

client = anthropic.Anthropic()
SYSTEM = "Answer in one short paragraph. " * 320


def ask(question, tags):
    label = {label}
    return client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=200,
        system=SYSTEM,
        messages=[{{"role": "user", "content": question + label}}],
    )
{extra}"""

#: (name, version that introduced it, code using it inside `ask`, code at module level, the
#: text on the line the target check points at)
NEWER: List[tuple] = [
    ("pep701-quotes", (3, 12), 'f"{"-".join(tags)}"', "", "label ="),
    ("pep701-backslash", (3, 12), "f\"{'\\n'.join(tags)}\"", "", "label ="),
    ("pep701-comment", (3, 12), 'f"{len(tags)  # count\n}"', "", "label ="),
    ("match", (3, 10), '"x"', "\n\ndef kind(x):\n    match x:\n        case [a, *rest]:\n            return a\n        case _:\n            return None\n", "match x"),
    ("except-star", (3, 11), '"x"', "\n\ntry:\n    pass\nexcept* ValueError:\n    pass\n", "try:"),
    ("type-params", (3, 12), '"x"', "\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n", "def first"),
    ("type-alias", (3, 12), '"x"', "\n\ntype Tags = list[str]\n", "type Tags"),
    ("type-default", (3, 13), '"x"', "\n\nclass Box[T = int]:\n    pass\n", "class Box"),
    ("pep758", (3, 14), '"x"', "\n\ntry:\n    pass\nexcept ValueError, TypeError:\n    pass\n", "except ValueError"),
    ("t-string", (3, 14), 'str(t"{tags}")', "", "label ="),
]
IDS = [n[0] for n in NEWER]


def _codes(diagnostics) -> List[str]:
    return [f"{d.location.row}:{d.code}" for d in diagnostics]


def _cl001(source: str) -> str:
    return f"{source[: source.index('system=SYSTEM')].count(chr(10)) + 1}:CL001"


@pytest.mark.parametrize("name, version, label, extra, needle", NEWER, ids=IDS)
def test_newer_syntax_is_analysed_whatever_the_interpreter(name: str, version: tuple, label: str, extra: str, needle: str) -> None:
    source = APP.format(label=label, extra=extra)
    found = lint_source(source, "app.py", config={"select": ["CL000", "CL001"]})
    assert _codes(found) == [_cl001(source)], found


@pytest.mark.parametrize("name, version, label, extra, needle", NEWER, ids=IDS)
def test_syntax_newer_than_the_target_version_is_cl000(name: str, version: tuple, label: str, extra: str, needle: str) -> None:
    """CL000 at the construct, and the file is analysed all the same (newer Pythons read it)."""
    source = APP.format(label=label, extra=extra)
    older = f"py3{version[1] - 1}"
    found = lint_source(source, "app.py", config={"select": ["CL000", "CL001"], "target-version": older})
    row = source[: source.index(needle)].count("\n") + 1
    assert sorted(_codes(found)) == sorted([f"{row}:CL000", _cl001(source)]), found
    (cl000,) = [d for d in found if d.code == "CL000"]
    assert cl000.message.startswith(f"syntax error for Python 3.{version[1] - 1} (the project's target version): ")
    assert cl000.message.endswith(f"needs Python 3.{version[1]} or newer")
    same = lint_source(source, "app.py", config={"select": ["CL000", "CL001"], "target-version": f"py3{version[1]}"})
    assert _codes(same) == [_cl001(source)]


def test_the_target_check_points_at_the_construct() -> None:
    source = 'import anthropic\n\nx = 1\nlabel = f"{"a"}"\n'
    (found,) = lint_source(source, "m.py", config={"target-version": "py311"})
    assert (found.code, found.location.row, found.location.column) == ("CL000", 4, 11)
    assert "f-string replacement field" in found.message


@pytest.mark.parametrize("source", [
    'x = f"{\'-\'.join(a)} {b!r:>{w}} {c=} {\'#\'}"\n',  # valid before 3.12
    'x = f"""{"a"}"""\n',
    'x = ("a" f\'{"q"}\' f"{1}")\n',
    "@a.b(c)\ndef f():\n    pass\n",
    "try:\n    pass\nexcept (A, B):\n    pass\n",
])
def test_older_syntax_is_not_taken_for_new(source: str) -> None:
    found = lint_source("import anthropic\n" + source, "m.py", config={"select": ["CL000"], "target-version": "py38"})
    assert found == []


@pytest.mark.parametrize("source, row, words", [
    ("import anthropic\nx = (\n", 2, "never closed" if RUNNING >= (3, 10) else "unexpected EOF"),
    ("import anthropic\n\ndef f(:\n    pass\n", 3, "syntax error"),
    ('import anthropic\nlabel = f"{"a"}"\nx = )\n', None, "syntax error"),  # new syntax and a real error
    ("import anthropic\nx = '\\N{NO SUCH NAME}'\n", 2, "syntax error"),
])
def test_invalid_for_every_python_is_still_cl000(source: str, row, words: str) -> None:
    (found,) = lint_source(source, "m.py")
    assert found.code == "CL000" and words in found.message, found
    if row is not None:
        assert found.location.row == row


# --- the converted tree is the stdlib's ------------------------------------------------------------
GRAMMAR = r'''# -*- coding: utf-8 -*-
"""Docstring ünïcode."""
from __future__ import annotations
import os, sys as system, a.b.c as d
from . import x
from ...pkg.mod import (a, b as c,)
from .. import *
x = f"{a!r:>{w}} {b=} {c = !s} {d=:>10} {e:} {{lit}} \N{EM DASH} {f:{'x'}}"
y = f"""multi
{a +
 b} line"""
z = "a" "b" f"c{d}e" "f"
w = b"x" b"y"
u = u"unicode" "more"
r = rf"\d{x}\w" fr'{y}\n'
n = 0x_ff + 0o17 + 0b1_0 + 1_000 + 1.5e-3 + 3j + 00 + 1_0.0_1
s = a[1:2, ::3], a[()], a[1,], a[:], a[::], a[b:c:d], a[-1]
t = 1,
(p, q), [r, *s] = 1, 2
del a[0], b.c, (d, e)
def f(a, /, b: int = 1, *args: str, c, d=2, e: (int) = 3, **kw) -> "x":
    global g
    lam = lambda x, *y, z=1, **k: (x, y)
    return (yield)
async def g():
    async with a as b, c:
        pass
    async for i in j:
        await k
    else:
        pass
    return [x async for x in y if x if not x for z in x]
@dec
@dec2(arg)
class C(B, metaclass=M, **kw):
    x: int
    y: "str" = 1
    a.b: int
    def m(self): ...
for i in range(3): print(i); continue
while x:
    break
else:
    pass
try:
    pass
except (A, B) as e:
    raise X from e
except C:
    raise
else:
    pass
finally:
    pass
with (open(a) as f, open(b) as g):
    pass
if a: pass
elif b: pass
elif c:
    pass
else: pass
assert x, "msg"
x += 1; y @= 2; z **= 3
print(*a, *b, **c, **d, e=(1))
v = {**a, 'b': 1, **c}, {1, *a}, [*a, *b]
v = not a and b or c and d or e
v = a < b <= c != d is not e not in f
v = (a if b else c), (n := 10), {k: v for k, v in x}, (i for i in x), ((i) for i in x)
f(i for i in x)
v = -1 ** 2 // 3 % 4 << 5 >> 6 | 7 ^ 8 & ~9
v = a.b.c(d)[e].f, ...
x = 'ünïcödé' + f"{ünï}"; y = 1
if True:
	pass
'''

MATCH = '''match command.split():
    case [action]:
        pass
    case Point(x=0, y=0) | Point(1, y=var):
        pass
    case {"x": x, "y": 1, **rest}:
        pass
    case [1, 2, *others] | (a, b):
        pass
    case None | True | -1 | 2+3j | "s" | Color.RED:
        pass
    case str() as s if s:
        pass
    case _:
        pass
'''


def _dump(tree: ast.AST) -> str:
    """Every node, field and position, except positions inside f-strings before Python
    3.12 (the stdlib put them elsewhere; the converter gives 3.12's exact ones)."""
    out: List[str] = []

    def walk(node: object, in_fstring: bool) -> None:
        if isinstance(node, ast.AST):
            out.append(type(node).__name__)
            inside = in_fstring or (isinstance(node, ast.JoinedStr) and RUNNING < (3, 12))
            if not inside:
                out.extend(str(getattr(node, a, None)) for a in node._attributes)
            for name in node._fields:
                out.append(name)
                walk(getattr(node, name, None), inside)
        elif isinstance(node, list):
            out.append("[")
            for item in node:
                walk(item, in_fstring)
            out.append("]")
        else:
            out.append(repr(node))

    walk(tree, False)
    return " ".join(out)


@pytest.mark.parametrize("text", [
    GRAMMAR,
    GRAMMAR.replace("\n", "\r\n"),
    MATCH if RUNNING >= (3, 10) else "x = 1\n",
    "x = 1",
    "",
    "# only a comment\n",
    (ROOT / "cachelint" / "syntax" / "convert.py").read_text(encoding="utf-8"),
    (ROOT / "cachelint" / "config" / "loader.py").read_text(encoding="utf-8"),
], ids=["grammar", "crlf", "match", "no-newline", "empty", "comment", "convert.py", "config-loader.py"])
def test_converted_tree_equals_the_stdlib_tree(text: str) -> None:
    assert _dump(convert_module(text)) == _dump(ast.parse(text))


@pytest.mark.parametrize("body", [
    "x = " + "(" * 5_000 + "1" + ")" * 5_000 + "\n",  # libcst overflows the C stack near 1,300
    "x = c" + "[0]" * 4_000 + "\n",  # libcst: quadratic, 40 s
    "x = " + " + ".join(["a"] * 5_000) + "\n",
    "x = " + "-" * 9_000 + "1\n",  # 12 s
    "x = " + "lambda: " * 3_000 + "1\n",
    "x = " + "a if b else " * 3_000 + "c\n",
])
def test_the_fallback_parser_never_crashes_nor_hangs(body: str) -> None:
    """A file using new syntax (libcst's turn below 3.12) with something libcst cannot
    survive or takes minutes over: an answer in seconds, never a dead process."""
    source = 'import anthropic\nlabel = f"{"-".join(tags)}"\n' + body
    start = time.monotonic()
    found = lint_source(source, "m.py", config={"select": ["CL000"]})
    assert time.monotonic() - start < 20
    assert [d.code for d in found] in ([], ["CL000"])


def test_libcst_refusals_are_syntax_errors() -> None:
    for text in ("f() = 1\n", "x + 1 = 2\n", "del f()\n", "None = 1\n", "x = (\n", "b'a' 'b'\n"):
        with pytest.raises(SyntaxError):
            convert_module(text)


def test_expression_of_newer_syntax() -> None:
    node = parse_expression('f"{"-".join(tags)}" + x')
    assert isinstance(node, ast.BinOp) and isinstance(node.left, ast.JoinedStr)


# --- huge modules: chunks ----------------------------------------------------------------------------
CHUNK_TRAPS = '''
PROMPT = """
def not_code():
x = 1
"""
items = [
first,
second]
total = 1 + \\
2
@decorator
def decorated():
    return 1
if a:
    pass
else:
    pass
try:
    pass
except E:
    pass
finally:
    pass
class K:
    value = 1
'''


def test_chunked_parse_equals_the_whole_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks start only at statements: a cut inside a string, brackets, a continued line,
    a decorated definition or an `if`/`try` is grown away, rows are the file's."""
    monkeypatch.setattr(syntax, "CHUNK_THRESHOLD", 200)
    monkeypatch.setattr(syntax, "CHUNK_SIZE", 40)
    text = "import anthropic\n" + CHUNK_TRAPS * 20
    chunked = parse_module(text)
    assert chunked.error is None and not chunked.converted
    assert _dump(chunked.tree) == _dump(ast.parse(text))
    broken = parse_module(text + "x = (\n")
    assert broken.error is not None and broken.error[1] == text.count("\n") + 1


def test_chunked_parse_converts_only_what_needs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(syntax, "CHUNK_THRESHOLD", 200)
    monkeypatch.setattr(syntax, "CHUNK_SIZE", 40)
    text = CHUNK_TRAPS * 10 + 'label = f"{"-".join(tags)}"\n' + CHUNK_TRAPS * 10
    chunked = parse_module(text)
    assert chunked.error is None
    assert chunked.converted is (RUNNING < (3, 12))
    assert _dump(chunked.tree) == _dump(convert_module(text))


# --- target versions -----------------------------------------------------------------------------------
@pytest.mark.parametrize("spec, expected", [
    (">=3.9", (3, 9)),
    (">=3.10,<4", (3, 10)),
    ("~=3.11", (3, 11)),
    ("==3.12.*", (3, 12)),
    (">3.8", (3, 8)),
    (">=3.6", (3, 8)),  # older than cachelint knows: its oldest
    (">=3.9, !=3.9.1", (3, 9)),
    ("<3.13", None),
    (">=2.7", None),
    ("garbage", None),
])
def test_requires_python_lower_bound(spec: str, expected: object) -> None:
    assert from_requires_python(spec) == expected


def test_target_version_spellings() -> None:
    assert parse_target("py39") == parse_target("3.9") == (3, 9)
    assert parse_target("py314") == (3, 14)
    for bad in ("py27", "py315", "python", "39"):
        with pytest.raises(ValueError):
            parse_target(bad)


def test_this_interpreter_is_one_the_suite_expects() -> None:
    """The suite runs on Python 3.9, 3.11 and 3.13 (and newer); the fallback parser is
    only used below 3.14."""
    assert sys.version_info >= (3, 9)
