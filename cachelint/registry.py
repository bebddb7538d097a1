"""The rules and how users name them (codes, prefixes, kebab-case names).

Every place that accepts a rule selector (`--select`, config `select`/`ignore`/`fixable`,
`per-file-ignores`, suppression comments, `--explain`) resolves it here, so a code and a
name mean the same thing everywhere. Codes and names come from the rule modules' file names
(`cachelint.rules.rule_modules()`) until the rules are imported, then from the rule classes
themselves (tests add rules of their own to `cachelint.rules.ALL_RULES`).
"""

from __future__ import annotations

from typing import Dict, FrozenSet, List, Optional, Tuple, Type

import cachelint.rules
from cachelint.rule import DOCS_BASE_URL, Rule, page_name, page_url

__all__ = [
    "DOCS_BASE_URL",
    "UnknownSelector",
    "all_rules",
    "code_for",
    "default_options",
    "default_selection",
    "doc_page_name",
    "name_for",
    "normalize_code",
    "resolve_selector",
    "rule_for",
    "rule_url",
    "url_for",
]


class UnknownSelector(ValueError):
    """A selector that names no rule; reported as a configuration error (exit 2)."""


def all_rules() -> List[Type[Rule]]:
    """Every rule class, in code order (imported on first use to keep start-up cheap)."""
    return sorted(cachelint.rules.ALL_RULES, key=lambda r: r.code)


def _by_code() -> Dict[str, Type[Rule]]:
    return {r.code: r for r in all_rules()}


def _by_name() -> Dict[str, Type[Rule]]:
    return {r.name: r for r in all_rules()}


def _index() -> Tuple[Tuple[str, str], ...]:
    """(code, name) of every rule: the rule classes' once they are imported (tests add
    some), else the rule modules' file names, which cost no import."""
    if "ALL_RULES" in vars(cachelint.rules):
        return tuple((r.code, r.name) for r in all_rules())
    return tuple((entry.code, entry.name) for entry in cachelint.rules.rule_modules())


def rule_for(selector: str) -> Optional[Type[Rule]]:
    """The rule with this exact code or name, if any (case-insensitive for codes)."""
    sel = selector.strip()
    return _by_code().get(sel.upper()) or _by_name().get(sel.lower())


def code_for(selector: str) -> Optional[str]:
    """The code of `rule_for(selector)`, without importing the rules."""
    sel = selector.strip()
    index = _index()
    upper = sel.upper()
    for code, _ in index:
        if code == upper:
            return code
    lower = sel.lower()
    for code, name in index:
        if name == lower:
            return code
    return None


def name_for(code: str) -> str:
    """The name of the rule with this exact code, without importing the rules (for the
    findings the engine reports itself: CL000, CL100). KeyError for an unknown code."""
    return dict(_index())[code]


def url_for(code: str) -> str:
    """The documentation page of the rule with this exact code, without importing the rules."""
    return page_url(code, name_for(code))


def rule_url(rule: Type[Rule]) -> str:
    return page_url(rule.code, rule.name)


def doc_page_name(rule: Type[Rule]) -> str:
    return page_name(rule.code, rule.name)


def resolve_selector(selector: str) -> FrozenSet[str]:
    """Codes selected by one selector: `ALL`, a code, a code prefix (`CL00`) or a name."""
    sel = selector.strip()
    if not sel:
        raise UnknownSelector("empty rule selector")
    if sel.upper() == "ALL":
        return default_selection()
    code = code_for(sel)
    if code is not None:
        return frozenset({code})
    upper = sel.upper()
    if upper.startswith("CL") and upper[2:].isdigit() or upper == "CL":
        matched = frozenset(code for code, _ in _index() if code.startswith(upper))
        if matched:
            return matched
    raise UnknownSelector(f"unknown rule selector {selector!r}")


def default_selection() -> FrozenSet[str]:
    """Rules on when nothing is selected: all of them (each is precise enough to be on)."""
    return frozenset(code for code, _ in _index())


def normalize_code(token: str) -> Optional[str]:
    """Map a code or name used in a suppression comment to a code, or None if unknown."""
    return code_for(token)


def default_options() -> Dict[str, object]:
    """Every rule's options at their defaults (`Settings.rule_options` when no config sets
    one), by code. Imports the rules."""
    return {rule.code: rule.options_class() for rule in all_rules() if rule.options_class is not None}
