"""The rules: one module per rule, found by its file name. Nothing else registers a rule.

A rule is a module `clNNN_<name>.py` in this package that defines one `Rule` subclass with
`code = "CLNNN"` and `name = "<name>"` written with dashes: `cl007_invalid_cache_control.py`
holds `InvalidCacheControl`, code `CL007`, name `invalid-cache-control`
(tests/test_rule_modules.py checks that every class agrees with its file). Modules with
other names (`support.py`, `reorder.py`) are helpers the rules share.

`rule_modules()` reads codes and names off the file names without importing a rule: the
registry resolves selectors and the default selection from it, so a run answered from the
result cache never imports the rules (they import the request analysis). `ALL_RULES`, the
rule classes in code order, imports every rule module on first access.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import TYPE_CHECKING, Any, List, NamedTuple, Optional, Tuple, Type

if TYPE_CHECKING:  # pragma: no cover
    from cachelint.rule import Rule

#: `cl007_invalid_cache_control` -> ("007", "invalid_cache_control")
RULE_MODULE_RE = re.compile(r"^cl(\d{3})_([a-z][a-z0-9]*(?:_[a-z0-9]+)*)$")


class RuleModule(NamedTuple):
    """A rule as its file name tells it: code, name and module, known before any import."""

    code: str
    name: str
    module: str


_found: Optional[Tuple[RuleModule, ...]] = None


def rule_modules() -> Tuple[RuleModule, ...]:
    """Every rule module of this package, in code order (a directory listing, no import)."""
    global _found
    if _found is None:
        found = []
        for info in pkgutil.iter_modules(__path__):
            match = RULE_MODULE_RE.match(info.name)
            if match is not None and not info.ispkg:
                found.append(RuleModule(f"CL{match[1]}", match[2].replace("_", "-"), f"{__name__}.{info.name}"))
        _found = tuple(sorted(found))
    return _found


def load_rule(entry: RuleModule) -> Type["Rule"]:
    """Import a rule module and return the one rule class it defines."""
    from cachelint.rule import Rule

    module = importlib.import_module(entry.module)
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Rule)
        and value.__module__ == module.__name__
        and "code" in value.__dict__
    ]
    if len(classes) != 1:
        raise TypeError(f"{entry.module} must define exactly one rule class, not {len(classes)}")
    return classes[0]


def __getattr__(name: str) -> Any:
    # `ALL_RULES` is computed on first access (PEP 562), then kept as a plain attribute,
    # which tests may monkeypatch to add a rule of their own.
    if name == "ALL_RULES":
        rules: List[Type["Rule"]] = [load_rule(entry) for entry in rule_modules()]
        globals()["ALL_RULES"] = rules
        return rules
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
