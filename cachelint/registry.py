"""The list of rules and how users name them (codes, prefixes, kebab-case names).

Every place that accepts a rule selector (`--select`, config `select`/`ignore`/`fixable`,
`per-file-ignores`, suppression comments, `--explain`) resolves it here, so a code and a
name mean the same thing everywhere.
"""

from __future__ import annotations

import sys
from typing import Dict, FrozenSet, Iterable, List, Optional, Tuple, Type

from cachelint.rule import Rule

DOCS_BASE_URL = "https://github.com/cachelint/cachelint/blob/main/rules/"

#: (code, name) of every rule of `cachelint.rules.ALL_RULES`, in code order. Selectors and the
#: default selection are resolved from it as long as the rules are not imported: importing
#: them imports the request analysis, which a run answered from the cache never needs.
#: tests/test_warm_path.py checks it against ALL_RULES.
RULE_INDEX: Tuple[Tuple[str, str], ...] = (
    ("CL000", "invalid-source"),
    ("CL001", "uncached-static-prompt"),
    ("CL002", "dynamic-before-static"),
    ("CL003", "too-many-breakpoints"),
    ("CL004", "unportable-top-level-cache-control"),
    ("CL005", "copilot-cache-control-off-capi"),
    ("CL006", "ttl-order"),
    ("CL007", "invalid-cache-control"),
    ("CL008", "breakpoint-below-minimum"),
    ("CL009", "cache-control-ignored"),
    ("CL010", "cache-usage-wrong-schema"),
    ("CL011", "cache-write-never-read"),
    ("CL012", "anthropic-endpoint-mismatch"),
    ("CL013", "uncached-conversation-history"),
    ("CL014", "lookback-window"),
    ("CL015", "gemini-cached-content-conflict"),
    ("CL016", "gemini-cache-rejected"),
    ("CL017", "openai-explicit-cache-without-breakpoint"),
    ("CL018", "openai-breakpoints-not-written"),
    ("CL019", "openai-cache-option-invalid"),
    ("CL020", "gemini-cache-used-once"),
    ("CL100", "unused-suppression"),
)


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


def _index() -> Tuple[Tuple[str, str], ...]:
    """(code, name) of every rule: the rules' own once they are imported (tests add some)."""
    if "cachelint.rules" in sys.modules:
        return tuple((r.code, r.name) for r in all_rules())
    return RULE_INDEX


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


def resolve_selectors(selectors: Iterable[str]) -> FrozenSet[str]:
    codes: set = set()
    for sel in selectors:
        codes |= resolve_selector(sel)
    return frozenset(codes)


def default_selection() -> FrozenSet[str]:
    """Rules on when nothing is selected: all of them (each is precise enough to be on)."""
    return frozenset(code for code, _ in _index())


def normalize_code(token: str) -> Optional[str]:
    """Map a code or name used in a suppression comment to a code, or None if unknown."""
    return code_for(token)
