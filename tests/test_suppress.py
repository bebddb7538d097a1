"""Suppression comments, CL100 findings with their fixes, and `--add-ignore` output.

Diagnostics are built directly at chosen rows (as `FileContext.report` would fill
`suppression_rows`), so these tests pin the scope rules without depending on any analysis.
Only codes that exist in the registry from the start are used as "known" (CL000, CL007,
CL100); CL999 never names a rule.
"""

from __future__ import annotations

import ast
import textwrap
from typing import List, Optional, Sequence, Tuple

import pytest

import cachelint.suppress as suppress_module
from cachelint.diagnostics import Applicability, Diagnostic, Location
from cachelint.source import SourceError, decode_source
from cachelint.suppress import (
    SuppressionResult,
    add_ignore_directives,
    apply_suppressions,
)

ENABLED = frozenset({"CL000", "CL007", "CL100"})


def src(code: str) -> str:
    return textwrap.dedent(code).lstrip("\n")


def diag(
    row: int,
    end_row: Optional[int] = None,
    code: str = "CL007",
    anchors: Sequence[Tuple[int, int]] = (),
    rows: Optional[Sequence[Tuple[int, int]]] = None,
) -> Diagnostic:
    end_row = row if end_row is None else end_row
    suppression_rows = tuple(rows) if rows is not None else ((row, end_row), *anchors)
    return Diagnostic(
        code=code,
        name="invalid-cache-control" if code == "CL007" else "x",
        message="finding",
        path="main.py",
        location=Location(row, 1),
        end_location=Location(end_row, 2),
        suppression_rows=suppression_rows,
    )


def parse(text: str) -> Optional[ast.Module]:
    try:
        return ast.parse(text)
    except SyntaxError:
        return None


def run(text: str, *diagnostics: Diagnostic, enabled=ENABLED) -> SuppressionResult:
    return apply_suppressions(text, parse(text), diagnostics, enabled, "main.py")


def silenced(text: str, diagnostic: Diagnostic) -> bool:
    result = run(text, diagnostic)
    return not result.kept and result.suppressed == 1


def fixed(text: str, finding: Diagnostic) -> str:
    """`text` after applying the fix of one finding (edits from the end backwards)."""
    assert finding.fix is not None
    for edit in sorted(finding.fix.edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.content + text[edit.end :]
    return text


MULTILINE_CALL = src(
    """
    import anthropic

    client = anthropic.Anthropic()
    response = client.messages.create(  {first}
        model="claude-sonnet-4-5",  {middle}
        system=SYSTEM,
    )  {last}
    other = 1
    """
)


def call_with(first: str = "", middle: str = "", last: str = "") -> str:
    return MULTILINE_CALL.format(first=first, middle=middle, last=last)


# --- where a directive applies ----------------------------------------------------------------
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_trailing_comment_on_any_row_of_a_multiline_call_covers_it(where: str) -> None:
    text = call_with(**{where: "# cachelint: ignore[CL007]"})
    # The finding is on the `system=` row (6) inside the call on rows 4-7.
    assert silenced(text, diag(6))


def test_comment_on_the_next_statement_does_not_cover() -> None:
    text = call_with().replace("other = 1", "other = 1  # cachelint: ignore[CL007]")
    result = run(text, diag(6))
    assert len(result.kept) == 1 and result.suppressed == 0


def test_own_line_comment_directly_above_covers_the_statement() -> None:
    text = src(
        """
        x = 1
        # cachelint: ignore[CL007]
        response = client.messages.create(
            system=SYSTEM,
        )
        """
    )
    assert silenced(text, diag(4))


def test_stacked_comment_lines_above_are_one_block() -> None:
    text = src(
        """
        # cachelint: ignore[CL007]
        # The marker type is checked by the gateway, not by the SDK.
        # noqa: E501
        response = client.messages.create(system=SYSTEM)
        """
    )
    assert silenced(text, diag(4))


def test_a_blank_line_ends_the_comment_block_above() -> None:
    text = src(
        """
        # cachelint: ignore[CL007]

        response = client.messages.create(system=SYSTEM)
        """
    )
    assert not silenced(text, diag(3))


def test_own_line_comment_inside_the_brackets_covers_the_call() -> None:
    text = src(
        """
        response = client.messages.create(
            # cachelint: ignore[CL007]
            system=SYSTEM,
        )
        """
    )
    assert silenced(text, diag(3))


def test_hash_inside_a_string_is_not_a_comment() -> None:
    text = src(
        """
        x = "# cachelint: ignore[CL007]"
        y = '''
        # noqa
        '''
        """
    )
    assert not silenced(text, diag(1))
    assert not silenced(text, diag(2, 4))


def test_hash_in_an_fstring_format_spec_is_not_a_comment() -> None:
    text = 'x = f"{value:#>10} # noqa"\n'
    assert not silenced(text, diag(1))
    text = 'x = f"{value:#>10}"  # cachelint: ignore[CL007]\n'
    assert silenced(text, diag(1))


def test_unrelated_code_does_not_silence() -> None:
    assert not silenced("x = 1  # cachelint: ignore[CL000]\n", diag(1))


def test_rule_name_works_like_the_code() -> None:
    assert silenced("x = 1  # cachelint: ignore[invalid-cache-control]\n", diag(1))


def test_several_codes_and_spaces() -> None:
    assert silenced("x = 1  # cachelint: ignore[ CL000 ,invalid-cache-control ]\n", diag(1))
    assert silenced("x = 1  # cachelint:ignore[CL000,CL007]\n", diag(1))


def test_bare_ignore_silences_every_rule() -> None:
    result = run("x = 1  # cachelint: ignore\n", diag(1), diag(1, code="CL000"))
    assert result.kept == [] and result.suppressed == 2 and result.unused == []


def test_unclosed_or_empty_brackets_silence_nothing() -> None:
    assert not silenced("x = 1  # cachelint: ignore[CL007\n", diag(1))
    assert not silenced("x = 1  # cachelint: ignore[]\n", diag(1))


def test_explanation_after_a_bare_ignore_keeps_it_bare() -> None:
    assert silenced("x = 1  # cachelint: ignore -- marker checked upstream\n", diag(1))


@pytest.mark.parametrize(
    "comment",
    [
        "# noqa",
        "# NOQA",
        "# noqa: CL007",
        "# noqa:CL007",
        "# noqa: E501, CL007",
        "# noqa: cl007 E501",
    ],
)
def test_noqa_forms(comment: str) -> None:
    assert silenced(f"x = 1  {comment}\n", diag(1))


@pytest.mark.parametrize(
    "comment", ["# noqa: E501", "# noqa: CL000", "# noqa:", "# noqatest", "# no qa", "# see noqa"]
)
def test_noqa_forms_that_do_not_silence_cl007(comment: str) -> None:
    assert not silenced(f"x = 1  {comment}\n", diag(1))


def test_several_directives_in_one_comment() -> None:
    assert silenced("x = 1  # noqa: E501  # cachelint: ignore[CL007]\n", diag(1))
    assert silenced("x = 1  # type: ignore  # cachelint: ignore[CL007]\n", diag(1))


def test_file_ignore_silences_the_whole_file() -> None:
    text = src(
        """
        x = 1
        y = 2

        # cachelint: file-ignore[CL007]
        def f():
            return z
        """
    )
    result = run(text, diag(1), diag(6), diag(2, code="CL000"))
    assert [d.code for d in result.kept] == ["CL000"]
    assert result.suppressed == 2


def test_bare_file_ignore_silences_everything() -> None:
    result = run("# cachelint: file-ignore\nx = 1\n", diag(2), diag(2, code="CL000"))
    assert result.kept == [] and result.suppressed == 2


def test_trailing_file_ignore_is_not_honoured() -> None:
    text = "x = 1  # cachelint: file-ignore[CL007]\ny = 2\n"
    assert not silenced(text, diag(2))


# --- statement scopes -------------------------------------------------------------------------
def test_range_in_a_compound_header_resolves_to_the_header() -> None:
    text = src(
        """
        with client.messages.stream(
            system=SYSTEM,
        ) as stream:  # cachelint: ignore[CL007]
            for event in stream:
                pass
        """
    )
    assert silenced(text, diag(2))


def test_comment_in_a_compound_body_does_not_cover_its_header() -> None:
    text = src(
        """
        with client.messages.stream(system=SYSTEM) as stream:
            pass  # cachelint: ignore[CL007]
        """
    )
    assert not silenced(text, diag(1))


def test_comment_on_a_compound_header_does_not_cover_its_body() -> None:
    text = src(
        """
        if ready:  # cachelint: ignore[CL007]
            send(SYSTEM)
        """
    )
    assert not silenced(text, diag(2))


def test_comment_above_the_first_body_statement_does_not_cover_the_header() -> None:
    text = src(
        """
        if use_cache(SYSTEM):
            # cachelint: ignore[CL007]
            send(SYSTEM)
        """
    )
    assert not silenced(text, diag(1))
    assert silenced(text, diag(3))


def test_a_multiline_header_ends_at_its_colon() -> None:
    text = src(
        """
        def handler(
            system=SYSTEM,
        ):  # cachelint: ignore[CL007]
            return 1
        """
    )
    assert silenced(text, diag(2))
    result = run(text, diag(4))
    assert len(result.kept) == 1 and result.kept[0].noqa_row == 4


def test_statement_on_the_same_row_as_its_header() -> None:
    text = "if ready: send(SYSTEM)  # cachelint: ignore[CL007]\n"
    result = run(text, diag(1))
    assert result.kept == []


def test_decorators_belong_to_the_header() -> None:
    text = src(
        """
        # cachelint: ignore[CL007]
        @cached(
            marker={"type": "persistent"},
        )
        def f():
            return 1
        """
    )
    assert silenced(text, diag(3))
    assert not silenced(text, diag(6))  # the body is another statement


def test_trailing_comment_on_a_decorator_covers_the_def_line() -> None:
    text = src(
        """
        @app.route("/")  # cachelint: ignore[CL007]
        def handler(system=SYSTEM):
            return 1
        """
    )
    assert silenced(text, diag(2))


def test_nested_functions_resolve_to_the_innermost_statement() -> None:
    text = src(
        """
        def outer():
            # cachelint: ignore[CL007]
            def inner():
                x = 1
                return client.messages.create(system=SYSTEM)
            return inner
        """
    )
    assert not silenced(text, diag(5))  # the directive is above `def inner`, not this return
    assert silenced(text, diag(3))
    covered = text.replace("system=SYSTEM)", "system=SYSTEM)  # cachelint: ignore[CL007]")
    assert silenced(covered, diag(5))


def test_except_and_else_clauses() -> None:
    text = src(
        """
        try:
            pass
        # cachelint: ignore[CL007]
        except Error(SYSTEM):
            pass
        else:
            send(SYSTEM)  # cachelint: ignore[CL007]
        """
    )
    assert silenced(text, diag(4))
    assert silenced(text, diag(7))
    assert not silenced(text, diag(2))


def test_anchor_range_covers_the_finding() -> None:
    text = src(
        """
        SYSTEM = [{"type": "text", "text": PROMPT}]

        response = client.messages.create(system=SYSTEM)  # cachelint: ignore[CL007]
        """
    )
    assert not silenced(text, diag(1))
    assert silenced(text, diag(1, anchors=[(3, 3)]))


def test_empty_suppression_rows_fall_back_to_the_location() -> None:
    text = "x = 1\ny = 2  # cachelint: ignore[CL007]\n"
    assert silenced(text, diag(2, rows=[]))
    assert not silenced(text, diag(1, rows=[]))


def test_noqa_row_is_the_first_row_of_the_statement() -> None:
    text = call_with()
    result = run(text, diag(6), diag(1))
    assert [d.noqa_row for d in result.kept] == [4, 1]


def test_module_level_range_outside_any_statement_keeps_its_rows() -> None:
    text = "x = 1\n\n# just a comment  # cachelint: ignore[CL007]\n"
    result = run(text, diag(3))
    assert result.kept == [] and result.suppressed == 1


def test_unparsable_file_uses_the_finding_rows() -> None:
    text = "x = (\ny = 2  # cachelint: ignore[CL000]\n"
    result = apply_suppressions(
        text, None, [diag(2, code="CL000"), diag(1, code="CL000")], ENABLED, "main.py"
    )
    assert result.suppressed == 1 and [d.location.row for d in result.kept] == [1]


def test_tokenize_failure_degrades_without_raising() -> None:
    text = 'x = 1  # cachelint: ignore[CL007]\ny = """never closed\nz = 2  # cachelint: ignore[CL007]\n'
    result = apply_suppressions(text, None, [diag(1), diag(3)], ENABLED, "main.py")
    # The comment before the broken string is still found; the "comment" inside it is not.
    assert result.suppressed == 1 and [d.location.row for d in result.kept] == [3]
    source = decode_source("main.py", text.encode())
    assert add_ignore_directives(source, ast.parse("x = 1\n"), [diag(1, code="CL005")]) == (
        text,
        0,
    )


def test_add_ignore_on_a_file_the_tokenizer_cannot_finish() -> None:
    # Python 3.9-3.12 parse a backslash on the last line; `tokenize` stops there. The rows
    # it read are still safe to annotate.
    text = "send(a)\nsend(b)\n\\\r\n"
    if parse(text) is None:
        pytest.skip("this Python's parser rejects the file too")
    new, count = baseline(text, diag(2))
    assert (new, count) == ("send(a)\n# cachelint: ignore[CL007]\nsend(b)\n\\\r\n", 1)


def test_bad_indentation_degrades_without_raising() -> None:
    text = "if x:\n    y = 1\n  z = 2  # cachelint: ignore[CL007]\n"
    result = apply_suppressions(text, None, [diag(3)], ENABLED, "main.py")
    assert isinstance(result, SuppressionResult)


def test_crlf_file() -> None:
    text = "x = 1\r\n# cachelint: ignore[CL007]\r\ncall(\r\n  a,\r\n)  # noqa: CL000\r\n"
    result = run(text, diag(4), diag(4, code="CL000"), diag(1))
    assert [d.location.row for d in result.kept] == [1]
    assert result.suppressed == 2


# --- CL100 ------------------------------------------------------------------------------------
def test_unused_code_is_reported_with_a_ruff_like_message() -> None:
    text = 'x = {"cache_control": {"type": "ephemeral"}}  # cachelint: ignore[CL007]\n'
    result = run(text)
    assert len(result.unused) == 1
    finding = result.unused[0]
    assert finding.code == "CL100" and finding.name == "unused-suppression"
    assert finding.message == "Unused suppression (unused: `CL007`)"
    assert finding.severity.value == "warning"
    assert (finding.location, finding.end_location) == (Location(1, 47), Location(1, 73))
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE
    assert fixed(text, finding) == 'x = {"cache_control": {"type": "ephemeral"}}\n'


def test_used_suppression_is_not_reported() -> None:
    text = 'x = {"cache_control": {"type": "persistent"}}  # cachelint: ignore[CL007]\n'
    result = run(text, diag(1))
    assert result.unused == [] and result.kept == []


def test_cl100_disabled_reports_nothing() -> None:
    result = run("x = 1  # cachelint: ignore[CL007, CL999]\n", enabled=frozenset({"CL007"}))
    assert result.unused == []


def test_code_of_a_rule_that_is_not_enabled_is_not_judged() -> None:
    result = run("x = 1  # cachelint: ignore[CL007]\n", enabled=frozenset({"CL100"}))
    assert result.unused == []


def test_partly_unused_directive_keeps_the_used_codes() -> None:
    text = "x = 1  # cachelint: ignore[CL000, CL007]\n"
    result = run(text, diag(1))
    assert [f.message for f in result.unused] == ["Unused suppression (unused: `CL000`)"]
    assert fixed(text, result.unused[0]) == "x = 1  # cachelint: ignore[CL007]\n"


def test_unknown_code_and_name() -> None:
    text = "x = 1  # cachelint: ignore[CL007, CL999, no-such-rule]\n"
    result = run(text, diag(1))
    assert [f.message for f in result.unused] == [
        "Unknown rules `CL999`, `no-such-rule` in suppression"
    ]
    assert fixed(text, result.unused[0]) == "x = 1  # cachelint: ignore[CL007]\n"
    both = run("x = 1  # cachelint: ignore[CL007, CL999]\n")
    assert [f.message for f in both.unused] == [
        "Unused suppression (unused: `CL007`; unknown: `CL999`)"
    ]
    one = run("x = 1  # noqa: CL999\n")
    assert [f.message for f in one.unused] == ["Unknown rule `CL999` in suppression"]
    assert fixed("x = 1  # noqa: CL999\n", one.unused[0]) == "x = 1\n"


def test_duplicate_code_is_unused() -> None:
    text = "x = 1  # cachelint: ignore[CL007, invalid-cache-control]\n"
    result = run(text, diag(1))
    assert [f.message for f in result.unused] == [
        "Unused suppression (unused: `invalid-cache-control`)"
    ]
    assert fixed(text, result.unused[0]) == "x = 1  # cachelint: ignore[CL007]\n"


def test_unused_bare_ignore_is_reported_and_removed() -> None:
    text = "x = 1  # cachelint: ignore\n"
    result = run(text)
    assert [f.message for f in result.unused] == [
        "Unused suppression (blanket `cachelint: ignore` silenced nothing)"
    ]
    assert fixed(text, result.unused[0]) == "x = 1\n"


def test_bare_noqa_bare_file_ignore_and_other_tools_codes_are_never_reported() -> None:
    text = "# cachelint: file-ignore\nx = 1  # noqa\ny = 2  # noqa: E501, W291\n"
    assert run(text).unused == []


def test_without_findings_a_file_naming_no_cl_code_is_not_tokenized(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only directives naming cachelint or a CL code can be unused; other tools' `noqa`
    comments (hundreds in a linted linter's package) cost no tokenizer pass."""
    tokenized: List[str] = []
    real = suppress_module.scan_tokens
    monkeypatch.setattr(suppress_module, "scan_tokens", lambda text, index: tokenized.append(text) or real(text, index))
    others = "x = 1  # noqa\ny = 2  # noqa: E501, PLR0915\nz = 'cl1'\n"
    assert run(others).unused == [] and tokenized == []
    for ours in ("x = 1  # noqa: E501, CL007\n", "x = 1  # NOQA:cl7\n", "x = 1  # Cachelint: ignore\n"):
        assert len(run(ours).unused) == 1, ours
    assert len(tokenized) == 3
    # with a finding, bare `noqa` still silences it
    result = run(others, diag(1))
    assert result.kept == [] and result.suppressed == 1


def test_noqa_fix_keeps_other_tools_codes() -> None:
    text = "x = 1  # noqa: E501, CL007\n"
    result = run(text)
    assert [f.message for f in result.unused] == ["Unused suppression (unused: `CL007`)"]
    assert fixed(text, result.unused[0]) == "x = 1  # noqa: E501\n"


def test_fix_keeps_the_other_directive_of_the_comment() -> None:
    text = "x = 1  # noqa: E501  # cachelint: ignore[CL007]\n"
    assert fixed(text, run(text).unused[0]) == "x = 1  # noqa: E501\n"
    text = "x = 1  # cachelint: ignore[CL007]  # type: ignore\n"
    assert fixed(text, run(text).unused[0]) == "x = 1  # type: ignore\n"


def test_fix_removes_an_own_line_directive_with_its_line() -> None:
    text = src(
        """
        def f():
            # cachelint: ignore[CL007]
            return 1
        """
    )
    assert fixed(text, run(text).unused[0]) == "def f():\n    return 1\n"


def test_fix_on_a_crlf_file_removes_the_line_ending_too() -> None:
    text = "a = 1\r\n# cachelint: ignore[CL007]\r\nx = 1\r\n"
    result = run(text)
    assert fixed(text, result.unused[0]) == "a = 1\r\nx = 1\r\n"


def test_fix_on_the_last_line_without_a_line_ending() -> None:
    text = "x = 1\n# cachelint: ignore[CL007]"
    assert fixed(text, run(text).unused[0]) == "x = 1\n"


def test_own_line_comment_with_a_second_directive_keeps_the_line() -> None:
    text = "# cachelint: ignore[CL007]  # noqa: E501\nx = 1\n"
    assert fixed(text, run(text).unused[0]) == "# noqa: E501\nx = 1\n"


def test_unused_file_ignore_code_is_reported() -> None:
    text = "# cachelint: file-ignore[CL000, CL007]\nx = 1\n"
    result = run(text, diag(2))
    assert [f.message for f in result.unused] == ["Unused suppression (unused: `CL000`)"]
    assert fixed(text, result.unused[0]) == "# cachelint: file-ignore[CL007]\nx = 1\n"


def test_cl100_is_silenced_only_by_file_ignore() -> None:
    line = run("x = 1  # cachelint: ignore[CL007]  # cachelint: ignore[CL100]\n")
    assert sorted(f.message for f in line.unused) == [
        "Unused suppression (unused: `CL007`)",
        "Unused suppression (unused: `CL100`)",
    ]
    whole = run("# cachelint: file-ignore[CL100]\nx = 1  # cachelint: ignore[CL007]\n")
    assert whole.unused == [] and whole.suppressed == 1
    # A file-ignore[CL100] with nothing to silence is not reported (it would silence itself).
    assert run("# cachelint: file-ignore[CL100]\nx = 1\n").unused == []


def test_cl100_finding_rows_and_noqa_row() -> None:
    text = "x = 1\ny = 2  # noqa: CL007\n"
    finding = run(text).unused[0]
    assert finding.noqa_row == 2 and finding.suppression_rows == ((2, 2),)
    assert finding.location == Location(2, 8) and finding.end_location == Location(2, 21)


# --- add_ignore_directives --------------------------------------------------------------------
def baseline(text: str, *diagnostics: Diagnostic) -> Tuple[str, int]:
    source = decode_source("main.py", text.encode())
    return add_ignore_directives(source, ast.parse(source.text), diagnostics)


def test_add_ignore_puts_the_directive_above_with_the_statement_indentation() -> None:
    text = src(
        """
        def f():
            response = client.messages.create(
                system=SYSTEM,
            )
            return response
        """
    )
    new, count = baseline(text, diag(3), diag(3, code="CL000"), diag(2, 4, code="CL007"))
    assert count == 1
    assert new == src(
        """
        def f():
            # cachelint: ignore[CL007]
            response = client.messages.create(
                system=SYSTEM,
            )
            return response
        """
    )
    # Every finding is silenced by the result.
    assert run(new, diag(4)).kept == []


def test_add_ignore_groups_codes_of_one_statement_sorted() -> None:
    text = "x = 1\nsend(a,\n     b)\n"
    new, count = baseline(text, diag(3, code="CL100"), diag(3), diag(2, code="CL999"), diag(2))
    assert (new, count) == ("x = 1\n# cachelint: ignore[CL007, CL999]\nsend(a,\n     b)\n", 1)


def test_add_ignore_merges_into_an_existing_directive_above() -> None:
    text = "# reason\n# cachelint: ignore[invalid-cache-control, CL999]\n# more\nsend(a)\nsend(b)\n"
    new, count = baseline(text, diag(4, code="CL005"), diag(5))
    assert count == 2
    assert new == (
        "# reason\n# cachelint: ignore[CL005, invalid-cache-control, CL999]\n# more\nsend(a)\n"
        "# cachelint: ignore[CL007]\nsend(b)\n"
    )


def test_add_ignore_skips_findings_already_silenced() -> None:
    text = "send(a)  # cachelint: ignore[CL007]\n"
    assert baseline(text, diag(1)) == (text, 0)


def test_add_ignore_uses_the_file_line_ending() -> None:
    text = "if ready:\r\n    send(a)\r\n"
    new, count = baseline(text, diag(2))
    assert (new, count) == ("if ready:\r\n    # cachelint: ignore[CL007]\r\n    send(a)\r\n", 1)


def test_add_ignore_above_a_header_row_holding_the_statement() -> None:
    text = "def f():\n    if ready: send(a)\n"
    new, count = baseline(text, diag(2))
    assert (new, count) == ("def f():\n    # cachelint: ignore[CL007]\n    if ready: send(a)\n", 1)
    assert run(new, diag(3)).kept == []


def test_add_ignore_above_the_first_decorator() -> None:
    text = "@cached(\n    marker=M,\n)\ndef f():\n    pass\n"
    new, count = baseline(text, diag(2))
    assert (new, count) == (
        "# cachelint: ignore[CL007]\n@cached(\n    marker=M,\n)\ndef f():\n    pass\n",
        1,
    )


def test_add_ignore_never_writes_inside_a_multiline_string() -> None:
    # The finding's row belongs to the assignment that opens the string: the directive goes
    # above that statement, not on the line after the opening quotes.
    text = 'x = """\nabc"""; send(a)\n'
    new, count = baseline(text, diag(2))
    assert (new, count) == ('# cachelint: ignore[CL007]\nx = """\nabc"""; send(a)\n', 1)
    assert ast.literal_eval(ast.parse(new).body[0].value) == "\nabc"  # type: ignore[attr-defined]


def test_add_ignore_after_a_backslash_continuation_trails_the_statement() -> None:
    # A comment line cannot follow a backslash; the directive trails the statement instead.
    text = "if ready: \\\n    send(a)  # noqa: E501\n"
    new, count = baseline(text, diag(2))
    assert (new, count) == (
        "if ready: \\\n    send(a)  # noqa: E501  # cachelint: ignore[CL007]\n",
        1,
    )
    assert run(new, diag(2)).kept == []
    again, count = baseline(new, diag(2, code="CL005"))
    assert (again, count) == (
        "if ready: \\\n    send(a)  # noqa: E501  # cachelint: ignore[CL005, CL007]\n",
        1,
    )


def test_add_ignore_skips_invalid_source_findings_and_rows_outside_the_file() -> None:
    text = "x = 1"
    assert baseline(text, diag(1, code="CL000"), diag(7)) == (text, 0)


def _positioned(tree: ast.AST) -> list:
    return [n for n in ast.walk(tree) if getattr(n, "end_lineno", None) is not None]


@pytest.mark.slow
def test_add_ignore_on_generated_code_parses_silences_and_is_idempotent() -> None:
    """On arbitrary valid code, the baseline parses, silences every finding, and a second
    run adds nothing (only comments are inserted, so nodes keep their walk order)."""
    hypothesis = pytest.importorskip("hypothesis")
    hypothesmith = pytest.importorskip("hypothesmith")
    st = hypothesis.strategies

    @hypothesis.settings(
        max_examples=60, deadline=None, suppress_health_check=list(hypothesis.HealthCheck)
    )
    @hypothesis.given(hypothesmith.from_grammar(), st.data())
    def check(code: str, data) -> None:
        try:
            tree = ast.parse(code)
            decode_source("main.py", code.encode("utf-8"))
        except (SyntaxError, ValueError, SourceError):
            return  # not a file that reaches --add-ignore
        nodes = _positioned(tree)
        if not nodes:
            return
        picks = data.draw(st.lists(st.integers(0, len(nodes) - 1), min_size=1, max_size=4))
        findings = [diag(nodes[i].lineno, nodes[i].end_lineno) for i in picks]
        new, count = baseline(code, *findings)
        if count == 0:
            assert run(code, *findings).kept == []
            return
        new_tree = ast.parse(new)
        moved = _positioned(new_tree)
        assert len(moved) == len(nodes)
        after = [diag(moved[i].lineno, moved[i].end_lineno) for i in picks]
        result = run(new, *after)
        assert result.kept == [] and result.unused == []
        assert baseline(new, *after) == (new, 0)

    check()


def test_lone_carriage_return_line_endings() -> None:
    # Classic Mac line endings: the tokenizer must see the same rows as `LineIndex`.
    text = "x = 1\r# cachelint: ignore[CL007]\ry = 2\r"
    assert silenced(text, diag(3))
    assert not silenced(text, diag(1))


@pytest.mark.skipif(not hasattr(ast, "Match"), reason="match statements need Python 3.10+")
def test_match_case_header_and_body() -> None:
    text = src(
        """
        match event:
            # cachelint: ignore[CL007]
            case {"cache_control": marker}:
                send(marker)
            case _:
                send(SYSTEM)  # cachelint: ignore[CL007]
        """
    )
    assert silenced(text, diag(3))
    assert not silenced(text, diag(4))
    assert silenced(text, diag(6))
    assert not silenced(text, diag(1))
