"""The fix engine: non-overlapping edits, passes until stable, a syntax guard, imports once.

The engine runs on real files in a temporary project with CL007 and a few test-only rules
whose fixes misbehave on purpose (one breaks the syntax, one never converges, one needs an
import), registered for the test only.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Sequence

import pytest

import cachelint.rules
from cachelint.config.loader import CliOverrides, ConfigResolver
from cachelint.context import FileContext
from cachelint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from cachelint.engine import Engine, FileResult
from cachelint.fix.apply import MAX_PASSES, Fixer, add_imports, apply_edits, select_fixes
from cachelint.fix.edits import make_edit
from cachelint.rule import Rule
from cachelint.source import decode_source

BAD_TYPE = 'X = {"cache_control": {"type": "persistent"}}\n'


def _edit(start: int, end: int, content: str, path: str = "f.py") -> Edit:
    return Edit(path, start, end, content, Location(1, start + 1), Location(1, end + 1))


def _diag(*edits: Edit, code: str = "CL007", column: int = 1, safe: bool = True) -> Diagnostic:
    applicability = Applicability.SAFE if safe else Applicability.UNSAFE
    return Diagnostic(
        code,
        "n",
        "m",
        edits[0].path,
        Location(1, column),
        Location(1, column),
        fix=Fix(applicability, "t", tuple(edits)),
    )


# --- pure helpers -------------------------------------------------------------------------------
def test_apply_edits_keeps_offsets_valid() -> None:
    text = "abcdef"
    assert apply_edits(text, [_edit(0, 1, "X"), _edit(3, 5, ""), _edit(6, 6, "!")]) == "Xbcf!"


def test_select_fixes_skips_overlaps_and_shares_identical_edits() -> None:
    first = _diag(_edit(0, 5, "a"), column=1)
    overlapping = _diag(_edit(3, 8, "b"), column=4)
    same_start = _diag(_edit(0, 0, "c"), column=1, code="CL100")
    shared = _diag(_edit(0, 5, "a"), _edit(10, 12, "z"), column=2)
    apart = _diag(_edit(20, 22, "d"), column=20)
    chosen = select_fixes([apart, overlapping, shared, same_start, first], lambda d: True)
    assert chosen == [first, shared, apart]


def test_select_fixes_is_all_or_nothing_per_fix_and_respects_allowed() -> None:
    taken = _diag(_edit(0, 2, "a"), column=1)
    half_overlapping = _diag(_edit(10, 11, "x"), _edit(1, 3, "y"), column=5)
    unsafe = _diag(_edit(30, 31, "u"), column=30, safe=False)
    chosen = select_fixes(
        [taken, half_overlapping, unsafe], lambda d: d.fix.applicability is Applicability.SAFE
    )
    assert chosen == [taken]


def test_add_imports_adds_each_once_after_the_docstring() -> None:
    text = '"""Doc."""\nimport os\n\nX = 1\n'
    out = add_imports(text, [("os", None), ("typing", "Optional")])
    assert out.count("import os") == 1
    assert "from typing import Optional" in out
    assert out.startswith('"""Doc."""\n')
    ast.parse(out)


# --- the engine on real files -------------------------------------------------------------------
class BreaksSyntax(Rule):
    """Test-only rule whose fix leaves an unclosed bracket.

    ## What it does
    Exists for the syntax-guard test.

    ## Why is this bad?
    It is not.
    """

    code = "CL992"
    name = "test-breaks-syntax"
    summary = "Test rule with a broken fix."
    fix_applicability = Applicability.SAFE

    def check_module(self, ctx: FileContext) -> None:
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Constant) and node.value == "break me":
                start, end = ctx.node_range(node)
                src = ctx.load_source(ctx.path)
                assert src is not None
                ctx.report(
                    self,
                    start,
                    end,
                    "m",
                    fix=Fix(Applicability.SAFE, "t", (make_edit(src, start, end, "(["),)),
                )


class Flipper(Rule):
    """Test-only rule that flags "ping" and "pong" and fixes each into the other.

    ## What it does
    Exists for the convergence test.

    ## Why is this bad?
    It is not.
    """

    code = "CL993"
    name = "test-flipper"
    summary = "Test rule that never converges."
    fix_applicability = Applicability.SAFE

    def check_module(self, ctx: FileContext) -> None:
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Constant) and node.value in ("ping", "pong"):
                start, end = ctx.node_range(node)
                src = ctx.load_source(ctx.path)
                assert src is not None
                other = "pong" if node.value == "ping" else "ping"
                ctx.report(
                    self,
                    start,
                    end,
                    "m",
                    fix=Fix(Applicability.SAFE, "t", (make_edit(src, start + 1, end - 1, other),)),
                )


class Appender(Rule):
    """Test-only rule whose fix adds text but leaves its finding in place.

    ## What it does
    Exists for the ineffective-fix test (a fix built on a misreading of the code).

    ## Why is this bad?
    It is not.
    """

    code = "CL995"
    name = "test-appender"
    summary = "Test rule whose fix does not remove its finding."
    fix_applicability = Applicability.SAFE

    def check_module(self, ctx: FileContext) -> None:
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Dict) and any(
                isinstance(k, ast.Constant) and k.value == "grow" for k in node.keys
            ):
                start, end = ctx.node_range(node)
                src = ctx.load_source(ctx.path)
                assert src is not None
                ctx.report(
                    self,
                    start,
                    end,
                    "m",
                    fix=Fix(Applicability.SAFE, "t", (make_edit(src, end - 1, end - 1, ", 'x': 1"),)),
                )


class NeedsImport(Rule):
    """Test-only rule replacing `NOW` with `time.time()` and asking for `import time`.

    ## What it does
    Exists for the import-pass test.

    ## Why is this bad?
    It is not.
    """

    code = "CL994"
    name = "test-needs-import"
    summary = "Test rule whose fix needs an import."
    fix_applicability = Applicability.SAFE

    def check_module(self, ctx: FileContext) -> None:
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Name) and node.id == "NOW" and isinstance(node.ctx, ast.Load):
                start, end = ctx.node_range(node)
                src = ctx.load_source(ctx.path)
                assert src is not None
                ctx.report(
                    self,
                    start,
                    end,
                    "m",
                    fix=Fix(
                        Applicability.SAFE,
                        "t",
                        (make_edit(src, start, end, "time.time()"),),
                        imports=(("time", None),),
                    ),
                )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(
        cachelint.rules,
        "ALL_RULES",
        [*cachelint.rules.ALL_RULES, BreaksSyntax, Flipper, NeedsImport, Appender],
    )
    (tmp_path / "pyproject.toml").write_text("[tool.cachelint]\n", encoding="utf-8")
    return tmp_path


def fix_files(project: Path, files: Dict[str, str], select: Sequence[str], unsafe: bool = False):  # type: ignore[no-untyped-def]
    resolver = ConfigResolver(project, CliOverrides(select=tuple(select)))
    engine = Engine(resolver.settings_for)
    results: Dict[str, FileResult] = {}
    for name, text in files.items():
        path = project / name
        path.write_text(text, encoding="utf-8")
        results[str(path)] = engine.lint(str(path), explicit=True)
    return Fixer(engine, unsafe).run(results, set(results))


def test_fixes_are_applied_in_memory_only(project: Path) -> None:
    outcome = fix_files(project, {"a.py": BAD_TYPE}, ["CL007"])
    path = str(project / "a.py")
    assert outcome.changed == {path: BAD_TYPE.replace("persistent", "ephemeral")}
    assert (project / "a.py").read_text() == BAD_TYPE
    assert outcome.fixed_count == 1 and outcome.errors == []
    assert outcome.results[path].diagnostics == []


def test_a_fix_that_breaks_the_syntax_is_dropped_and_reported_with_its_code(project: Path) -> None:
    outcome = fix_files(project, {"a.py": 'A = "break me"\n' + BAD_TYPE}, ["CL007", "CL992"])
    path = str(project / "a.py")
    # the good fix is kept, the bad one is not applied
    assert outcome.changed[path] == 'A = "break me"\n' + BAD_TYPE.replace("persistent", "ephemeral")
    assert len(outcome.errors) == 1
    assert "CL992: the fix introduced a syntax error" in outcome.errors[0]
    assert dict(outcome.fixed[path]) == {"CL007": 1}
    assert [d.code for d in outcome.results[path].diagnostics] == ["CL992"]


def test_fixes_that_come_back_are_undone(project: Path) -> None:
    """ping -> pong -> ping: the third pass would apply the first fix again. It is undone,
    the file keeps its text, and the run says why."""
    outcome = fix_files(project, {"a.py": 'A = "ping"\n'}, ["CL993"])
    assert outcome.changed == {}
    assert len(outcome.errors) == 1 and "did not remove the finding" in outcome.errors[0]
    assert outcome.fixed_count < MAX_PASSES


def test_a_fix_that_leaves_its_finding_is_applied_once_then_undone(project: Path) -> None:
    """A fix built on a misreading (the finding stays after the edit) would add its text on
    every pass; other fixes of the same file are kept."""
    text = 'A = {"grow": 1}\n' + BAD_TYPE
    outcome = fix_files(project, {"a.py": text}, ["CL995", "CL007"])
    path = str(project / "a.py")
    assert outcome.changed == {path: text.replace("persistent", "ephemeral")}
    assert "'x'" not in outcome.texts[path]
    assert dict(outcome.fixed[path]) == {"CL007": 1}
    assert len(outcome.errors) == 1 and "CL995: the fix did not remove the finding" in outcome.errors[0]


def test_fixes_that_never_settle_leave_the_file_as_it_was(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the pass limit (here one pass) the file is not left half-fixed."""
    import cachelint.fix.apply

    monkeypatch.setattr(cachelint.fix.apply, "MAX_PASSES", 1)
    outcome = fix_files(project, {"a.py": 'A = "ping"\n'}, ["CL993"])
    assert outcome.changed == {} and outcome.fixed_count == 0
    assert len(outcome.errors) == 1 and "did not converge after 1 passes" in outcome.errors[0]


def test_imports_are_added_once_in_a_final_pass(project: Path) -> None:
    outcome = fix_files(project, {"a.py": "A = NOW\nB = NOW\n"}, ["CL994"])
    text = outcome.changed[str(project / "a.py")]
    assert text.count("import time") == 1
    assert "A = time.time()\nB = time.time()\n" in text
    assert outcome.fixed_count == 2


def test_only_paths_and_in_memory_sources(project: Path) -> None:
    """stdin: the text comes from memory and only that path may change."""
    resolver = ConfigResolver(project, CliOverrides(select=("CL007",)))
    engine = Engine(resolver.settings_for)
    path = str(project / "virtual.py")  # not on disk
    data = BAD_TYPE.encode()
    result = engine.lint(path, data, explicit=True)
    source = decode_source(path, data)
    outcome = Fixer(engine, False, only_paths={path}).run(
        {path: result}, {path}, sources={path: source}
    )
    assert outcome.changed == {path: BAD_TYPE.replace("persistent", "ephemeral")}
    blocked = Fixer(engine, False, only_paths={str(project / "other.py")}).run(
        {path: result}, {path}, sources={path: source}
    )
    assert blocked.changed == {} and blocked.fixed_count == 0


def test_a_marker_is_never_added_next_to_one_the_dict_already_has(tmp_path: Path) -> None:
    """The edit builder refuses a second `cache_control` key (which would silently replace
    the first): a fix built on a misread dict gets no edit rather than a duplicate key."""
    from cachelint.context import SourceText
    from cachelint.fix.edits import FixUnavailable, add_call_keyword_edit, add_dict_entry_edit
    from cachelint.source import LineIndex

    text = 'B = {"type": "text", "text": T, "cache_control": CC}\nC = f(a, cache_control=CC)\n'
    src = SourceText(decode_source(str(tmp_path / "m.py"), text.encode()), LineIndex(text))
    start = text.index("{")
    end = text.index("}\n") + 1
    with pytest.raises(FixUnavailable):
        add_dict_entry_edit(src, start, end, '"cache_control"', '{"type": "ephemeral"}')
    edit = add_dict_entry_edit(src, start, end, '"ttl"', '"1h"')
    assert edit is not None and '"ttl": "1h"' in edit.content
    call = text.index("f(")
    with pytest.raises(FixUnavailable):
        add_call_keyword_edit(src, call, len(text) - 1, "cache_control", "{}")
