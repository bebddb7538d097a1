"""cachelint: find and fix prompt-caching mistakes in code that calls LLM SDKs.

The Python API (see `cachelint.api` and the README's "Python API" section):

    import cachelint

    for d in cachelint.lint_source(text, "app/assistant.py"):
        print(d.filename, d.location.row, d.code, d.message)
    cachelint.lint_paths(["src"], config={"select": ["CL001", "CL002"]})

Importing this package stays cheap (the command line's start-up depends on it): the two
functions import the engine, the analysis and libcst when first called, and the data
classes below are imported on first access.
"""

from typing import Any, List

from cachelint.api import lint_paths, lint_source
from cachelint.version import __version__

#: Public names imported on first access: module -> names.
_LAZY = {
    "cachelint.diagnostics": ("Applicability", "Diagnostic", "Edit", "Fix", "Location", "Severity"),
    "cachelint.config.settings": ("ConfigError",),
}

__all__ = [
    "Applicability",
    "ConfigError",
    "Diagnostic",
    "Edit",
    "Fix",
    "Location",
    "Severity",
    "__version__",
    "lint_paths",
    "lint_source",
]


def __getattr__(name: str) -> Any:
    import importlib

    for module, names in _LAZY.items():
        if name in names:
            value = getattr(importlib.import_module(module), name)
            globals()[name] = value
            return value
    raise AttributeError(f"module 'cachelint' has no attribute {name!r}")


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
