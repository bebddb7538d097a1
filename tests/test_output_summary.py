"""The summary lines after the findings: wording, plurals and layout copied from ruff.

`statistics` and `show_fixes` layouts were taken from running ruff (`--statistics`,
`--fix --show-fixes`); `tests/test_output_ruff_parity.py` compares `statistics` with the
real ruff when it is installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from cachelint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from cachelint.output.summary import fix_hint, found_summary, show_fixes, statistics
from cachelint.registry import all_rules, rule_for

RULE = rule_for("CL007")
assert RULE is not None


def finding(
    code: str = "CL007",
    name: str = "invalid-cache-control",
    applicability: Optional[Applicability] = None,
    row: int = 1,
) -> Diagnostic:
    fix = None
    if applicability is not None:
        edit = Edit("/p/a.py", 0, 1, "x", Location(row, 1), Location(row, 2))
        fix = Fix(applicability, "fix it", (edit,))
    return Diagnostic(
        code=code,
        name=name,
        message="m",
        path="/p/a.py",
        location=Location(row, 1),
        end_location=Location(row, 2),
        fix=fix,
    )


SAFE, UNSAFE = Applicability.SAFE, Applicability.UNSAFE


@pytest.mark.parametrize(
    "remaining, fixed, fix_mode, expected",
    [
        (0, 0, False, "All checks passed!"),
        (0, 0, True, "All checks passed!"),
        (1, 0, False, "Found 1 error."),
        (3, 0, False, "Found 3 errors."),
        (3, 0, True, "Found 3 errors."),
        (3, 2, True, "Found 5 errors (2 fixed, 3 remaining)."),
        (0, 2, True, "Found 2 errors (2 fixed, 0 remaining)."),
        (0, 1, True, "Found 1 error (1 fixed, 0 remaining)."),
        # Outside fix mode (e.g. --diff) nothing was fixed, whatever was computed.
        (3, 2, False, "Found 3 errors."),
    ],
)
def test_found_summary(remaining: int, fixed: int, fix_mode: bool, expected: str) -> None:
    assert found_summary(remaining, fixed, fix_mode=fix_mode) == expected


def test_fix_hint_counts_applicable_and_hidden_fixes() -> None:
    safe2 = [finding(applicability=SAFE), finding(applicability=SAFE, row=2)]
    unsafe1 = [finding(applicability=UNSAFE, row=3)]
    unsafe2 = unsafe1 + [finding(applicability=UNSAFE, row=4)]
    plain = [finding(row=5)]
    assert fix_hint(safe2 + plain, unsafe_fixes=False) == "[*] 2 fixable with the `--fix` option."
    assert fix_hint(safe2 + unsafe1, unsafe_fixes=False) == (
        "[*] 2 fixable with the `--fix` option "
        "(1 hidden fix can be enabled with the `--unsafe-fixes` option)."
    )
    assert fix_hint(safe2 + unsafe2, unsafe_fixes=False) == (
        "[*] 2 fixable with the `--fix` option "
        "(2 hidden fixes can be enabled with the `--unsafe-fixes` option)."
    )
    assert fix_hint(unsafe1 + plain, unsafe_fixes=False) == (
        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option)."
    )
    assert fix_hint(safe2 + unsafe2, unsafe_fixes=True) == "[*] 4 fixable with the `--fix` option."
    assert fix_hint(plain, unsafe_fixes=False) is None
    assert fix_hint([], unsafe_fixes=True) is None


def test_statistics_table_aligns_like_ruff() -> None:
    diagnostics = (
        [finding("CL007", "invalid-cache-control", SAFE, row=r) for r in range(12)]
        + [finding("CL100", "unused-suppression", UNSAFE, row=r) for r in range(2)]
        + [finding("CL000", "invalid-source")]
        + [finding("CL999", "internal-error")]
    )
    assert statistics(diagnostics, unsafe_fixes=False) == (
        "12\tCL007\t[*] invalid-cache-control\n"
        " 2\tCL100\t[ ] unused-suppression\n"
        " 1\tCL000\t[ ] invalid-source\n"
        " 1\tCL999\t[ ] internal-error"
    )
    assert (
        statistics(diagnostics, unsafe_fixes=True).splitlines()[1]
        == " 2\tCL100\t[*] unused-suppression"
    )


def test_statistics_marks_partly_fixable_codes_and_pads_short_codes() -> None:
    diagnostics = [
        finding("CL007", "invalid-cache-control", SAFE),
        finding(row=2),
        finding("X1", "short-code", row=3),
        finding("X1", "short-code", row=4),
        finding("X1", "short-code", row=5),
    ]
    assert statistics(diagnostics, unsafe_fixes=False) == (
        "3\tX1   \t[ ] short-code\n2\tCL007\t[-] invalid-cache-control"
    )


def test_statistics_without_any_fix_has_no_markers_and_empty_is_empty() -> None:
    assert (
        statistics([finding(), finding(row=2)], unsafe_fixes=False)
        == "2\tCL007\tinvalid-cache-control"
    )
    assert statistics([], unsafe_fixes=False) == ""


def test_show_fixes_lists_files_and_codes_like_ruff(tmp_path: Path) -> None:
    cwd = tmp_path
    codes = [rule.code for rule in all_rules()]
    assert "CL007" in codes and "CL100" in codes
    fixed = {
        str(tmp_path / "sub" / "b.py"): {"CL007": 12, "CL100": 1},
        str(tmp_path / "a.py"): {"CL100": 1, "CL007": 2, "CL000": 0},
        str(tmp_path / "clean.py"): {"CL007": 0},
        "/elsewhere/c.py": {"CL999": 3},
    }
    assert show_fixes(fixed, cwd) == (
        "Fixed 19 errors:\n"
        "- /elsewhere/c.py:\n"
        "     3 × CL999\n"
        "- a.py:\n"
        "     2 × CL007 (invalid-cache-control)\n"
        "     1 × CL100 (unused-suppression)\n"
        f"- {Path('sub') / 'b.py'}:\n"
        "    12 × CL007 (invalid-cache-control)\n"
        "     1 × CL100 (unused-suppression)"
    )


def test_show_fixes_singular_and_nothing_fixed(tmp_path: Path) -> None:
    assert show_fixes({str(tmp_path / "a.py"): {"CL007": 1}}, tmp_path) == (
        "Fixed 1 error:\n- a.py:\n    1 × CL007 (invalid-cache-control)"
    )
    assert show_fixes({}, tmp_path) == ""
    assert show_fixes({str(tmp_path / "a.py"): {"CL007": 0}}, tmp_path) == ""
