"""Every rule's documented examples, run as real projects through the engine and fixer.

Invalid examples must be flagged where their `ranges` say (one range per finding) and with
their message; their fix must produce exactly the documented code, leave the rule silent,
and change nothing on a second `--fix`. Valid examples must stay silent.
"""

from __future__ import annotations

import ast
from typing import List, Tuple, Type

import pytest

from cachelint.diagnostics import Diagnostic
from cachelint.registry import all_rules
from cachelint.rule import Example, Invalid, Rule, Valid
from cachelint.testing import run_example


def _cases() -> List[Tuple[str, Type[Rule], Example]]:
    cases = []
    for rule in all_rules():
        for kind, examples in (("valid", rule.valid_examples()), ("invalid", rule.invalid_examples())):
            for i, example in enumerate(examples):
                cases.append((f"{rule.code}-{kind}-{i}", rule, example))
    return cases


CASES = _cases()


@pytest.mark.parametrize("rule,example", [(r, e) for _, r, e in CASES], ids=[c[0] for c in CASES])
def test_example(rule: Type[Rule], example: Example, tmp_path) -> None:
    if isinstance(example, Valid):
        run = run_example(rule, example, tmp_path, fix=False)
        assert run.errors == []
        assert run.diagnostics == [], [d.message for d in run.diagnostics]
        return
    assert isinstance(example, Invalid)
    run = run_example(rule, example, tmp_path, fix=True)
    assert run.errors == []
    messages = [d.message for d in run.diagnostics]
    assert sorted(_range(d) for d in run.diagnostics) == sorted(example.ranges), messages
    if example.expected_message is not None:
        for message in messages:
            assert example.expected_message in message, message
    if example.fixed_source is None:
        assert "main.py" not in run.fixed, "the example documents no fix, but one was applied"
        return
    assert run.fixed.get("main.py", example.source) == example.fixed_source
    for rel, content in example.expected_files.items():
        import textwrap

        assert run.fixed.get(rel) == textwrap.dedent(content).lstrip("\n"), rel
    for text in run.fixed.values():
        ast.parse(text)
    assert run.after_fix == [], [d.message for d in run.after_fix]
    assert run.second_run_changes == {}


def _range(diagnostic: Diagnostic) -> str:
    start, end = diagnostic.location, diagnostic.end_location
    return f"{start.row}:{start.column}-{end.row}:{end.column}"


def test_every_invalid_example_pins_its_ranges() -> None:
    unpinned = [case_id for case_id, _, example in CASES if isinstance(example, Invalid) and not example.ranges]
    assert unpinned == [], f"give these examples ranges=[...] (one 'row:col-row:col' per finding): {unpinned}"


def test_every_rule_has_examples_both_ways() -> None:
    for rule in all_rules():
        if rule.engine_only and rule.code == "CL000":
            continue
        assert rule.invalid_examples(), f"{rule.code} has no Invalid example"
        assert rule.valid_examples(), f"{rule.code} has no Valid example"
        if rule.fix_applicability is not None:
            assert any(e.fixed_source is not None for e in rule.invalid_examples()), f"{rule.code} documents no fix"
