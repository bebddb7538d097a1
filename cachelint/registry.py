"""The list of rules and how users name them (codes, prefixes, kebab-case names).

Every place that accepts a rule selector (`--select`, config `select`/`ignore`/`fixable`,
`per-file-ignores`, suppression comments, `--explain`) resolves it here, so a code and a
name mean the same thing everywhere.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Iterable, List, Optional, Type

from cachelint.rule import Rule

DOCS_BASE_URL = "https://github.com/cachelint/cachelint/blob/main/rules/"


class UnknownSelector(ValueError):
    """A selector that names no rule; reported as a configuration error (exit 2)."""


def all_rules() -> List[Type[Rule]]:
    """Every rule class, in code order (imported lazily to keep start-up cheap)."""
    from cachelint.rules import ALL_RULES

    return sorted(ALL_RULES, key=lambda r: r.code)


def _by_code() -> Dict[str, Type[Rule]]:
    return {r.code: r for r in all_rules()}


def _by_name() -> Dict[str, Type[Rule]]:
    return {r.name: r for r in all_rules()}


def rule_for(selector: str) -> Optional[Type[Rule]]:
    """The rule with this exact code or name, if any (case-insensitive for codes)."""
    sel = selector.strip()
    return _by_code().get(sel.upper()) or _by_name().get(sel.lower())


def rule_url(rule: Type[Rule]) -> str:
    return f"{DOCS_BASE_URL}{doc_page_name(rule)}"


def doc_page_name(rule: Type[Rule]) -> str:
    return f"{rule.code}-{rule.name}.md"


def resolve_selector(selector: str) -> FrozenSet[str]:
    """Codes selected by one selector: `ALL`, a code, a code prefix (`CL00`) or a name."""
    sel = selector.strip()
    if not sel:
        raise UnknownSelector("empty rule selector")
    if sel.upper() == "ALL":
        return frozenset(_by_code())
    rule = rule_for(sel)
    if rule is not None:
        return frozenset({rule.code})
    upper = sel.upper()
    if upper.startswith("CL") and upper[2:].isdigit() or upper == "CL":
        matched = frozenset(code for code in _by_code() if code.startswith(upper))
        if matched:
            return matched
    raise UnknownSelector(f"unknown rule selector {selector!r}")


def resolve_selectors(selectors: Iterable[str]) -> FrozenSet[str]:
    codes: set = set()
    for sel in selectors:
        codes |= resolve_selector(sel)
    return frozenset(codes)


def default_selection() -> FrozenSet[str]:
    """Rules on when nothing is selected: all of them (each is precise enough to be on)."""
    return frozenset(_by_code())


def normalize_code(token: str) -> Optional[str]:
    """Map a code or name used in a suppression comment to a code, or None if unknown."""
    rule = rule_for(token)
    return rule.code if rule is not None else None
