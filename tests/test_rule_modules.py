"""Rules are found, not registered: each `cachelint/rules/clNNN_<name>.py` is one rule.

The registry reads codes and names off the file names (so a run answered from the cache
imports no rule); these tests hold the rule classes to what their files say, so the two
can never disagree.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import cachelint.rules
from cachelint import registry, suppress
from cachelint.engine import INVALID_SOURCE, invalid_source
from cachelint.rule import Rule
from cachelint.rules import RULE_MODULE_RE, RuleModule, load_rule, rule_modules


def test_every_rule_class_has_the_code_and_name_of_its_file() -> None:
    entries = rule_modules()
    assert entries, "no rule modules found"
    for entry in entries:
        rule = load_rule(entry)
        assert (rule.code, rule.name) == (entry.code, entry.name), (
            f"{entry.module} defines {rule.__name__} as {rule.code} {rule.name}; "
            f"its file name says {entry.code} {entry.name}"
        )


def test_the_rules_are_the_rule_modules_in_code_order() -> None:
    rules = registry.all_rules()
    assert [(r.code, r.name) for r in rules] == [(e.code, e.name) for e in rule_modules()]
    assert len({r.code for r in rules}) == len(rules)  # one module per code


def test_no_other_module_of_the_package_defines_a_rule() -> None:
    """A rule in a misnamed file (`cl15_x.py`, `support.py`) would never run."""
    for info in pkgutil.iter_modules(cachelint.rules.__path__):
        if RULE_MODULE_RE.match(info.name):
            continue
        module = importlib.import_module(f"cachelint.rules.{info.name}")
        defined = [
            value.__name__
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, Rule) and value.__module__ == module.__name__
        ]
        assert defined == [], f"cachelint/rules/{info.name}.py defines {defined} but is not named clNNN_<name>.py"


def test_a_module_must_define_exactly_one_rule() -> None:
    with pytest.raises(TypeError, match="exactly one rule class"):
        load_rule(RuleModule("CL999", "support", "cachelint.rules.support"))


def test_findings_the_core_reports_carry_their_rules_identity() -> None:
    """CL000 and CL100 are reported by the engine and the suppression pass, which do not
    import the rule classes; what they report must still be what the classes document."""
    cl000 = registry.rule_for(INVALID_SOURCE)
    found = invalid_source("x.py", "syntax error: invalid syntax", 3, 4)
    assert cl000 is not None
    assert (found.code, found.name, found.severity, found.url) == (
        cl000.code,
        cl000.name,
        cl000.severity,
        registry.rule_url(cl000),
    )
    cl100 = registry.rule_for(suppress.UNUSED_CODE)
    assert cl100 is not None and cl100.severity == suppress.UNUSED_SEVERITY
    assert registry.name_for(cl100.code) == cl100.name
